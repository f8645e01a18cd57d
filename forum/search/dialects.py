"""What differs between SQLite and PostgreSQL in full-text search: how a document is indexed,
matched and ranked. SQLite: an FTS5 table ``search_index`` (rowid = ``search_documents.id``)
ranked with bm25. PostgreSQL: a ``tsvector`` column on ``search_documents`` with a GIN index,
ranked with ts_rank. ``forum.search.engine`` picks one with ``engine_for(connection)``.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from forum.search.models import SearchDocument
from forum.search.query import Query, to_fts5, to_tsquery
from forum.search.text import index_terms

DOCS = SearchDocument.__table__
MAX_TSVECTOR_POSITION = 16383  # PostgreSQL's limit; later words share the last position


@dataclass
class Document:
    """What one indexed thing says, and which result (target) it leads to."""

    kind: str
    source_id: int
    target: str
    target_id: int
    title: str = ""
    extra: str = ""
    body: str = ""
    restricted: bool = False

    def row(self) -> dict:
        return {
            "kind": self.kind,
            "source_id": self.source_id,
            "target": self.target,
            "target_id": self.target_id,
            "restricted": self.restricted,
            "title": self.title or "",
            "extra": self.extra or "",
            "body": self.body or "",
        }


class _Engine(ABC):
    """What differs between databases: writing the index, matching and ranking."""

    # Compute scores while matching, before grouping: else PostgreSQL carries every matched
    # tsvector through the sort and ranks afterwards (slow, and spills to disk).
    materialize_matches = False

    @abstractmethod
    def insert(self, connection, docs: list[Document]) -> None: ...

    @abstractmethod
    def matched(self, query: Query, title_only: bool = False) -> sa.Select:
        """SELECT id, target, target_id, score FROM matching documents."""

    @abstractmethod
    def matched_titles(self, wanted) -> sa.Select:
        """SELECT key, id, target, target_id, title, score: the documents whose titles match
        each row (key, q) of ``wanted``, whose q is the rendered query of that row."""

    @abstractmethod
    def render(self, query: Query) -> str:
        """The text of ``query`` as ``matched_titles`` expects it in ``wanted.q``."""

    @abstractmethod
    def better(self, score):
        """ORDER BY clause putting the best score first."""

    @abstractmethod
    def best(self, score) -> sa.ColumnElement: ...

    @abstractmethod
    def best_document(self, ident, score) -> sa.ColumnElement: ...


class SqliteEngine(_Engine):
    INDEX = sa.table("search_index", sa.column("rowid", sa.Integer))
    INSERT = sa.text(
        "INSERT INTO search_index (rowid, title, extra, body) VALUES (:id, :title, :extra, :body)"
    )

    def insert(self, connection, docs: list[Document]) -> None:
        if not docs:
            return
        # One executemany, then the new ids by (kind, source id), which is unique: SQLite runs
        # an INSERT ... RETURNING of many rows one statement per row.
        connection.execute(sa.insert(DOCS), [d.row() for d in docs])
        found: dict[tuple[str, int], int] = {}
        for kind in {d.kind for d in docs}:
            sources = [d.source_id for d in docs if d.kind == kind]
            for i in range(0, len(sources), 5_000):
                found.update(
                    ((kind, source), ident)
                    for ident, source in connection.execute(
                        sa.select(DOCS.c.id, DOCS.c.source_id).where(
                            DOCS.c.kind == kind, DOCS.c.source_id.in_(sources[i : i + 5_000])
                        )
                    )
                )
        ids = [found[(d.kind, d.source_id)] for d in docs]
        connection.execute(
            self.INSERT,
            [
                {
                    "id": ident,
                    "title": " ".join(index_terms(d.title)),
                    "extra": " ".join(index_terms(d.extra)),
                    "body": " ".join(index_terms(d.body)),
                }
                for ident, d in zip(ids, docs, strict=True)
            ],
        )

    def matched(self, query: Query, title_only: bool = False) -> sa.Select:
        # FTS5 first, materialized: otherwise SQLite may walk every document and probe the
        # index for each (it cannot tell how selective a MATCH is).
        table = sa.literal_column("search_index")
        hits = (
            sa.select(
                self.INDEX.c.rowid.label("id"), sa.func.bm25(table, 10.0, 4.0, 1.0).label("score")
            )
            .where(table.match(to_fts5(query, "title" if title_only else None)))
            .cte("fts")
            .prefix_with("MATERIALIZED")
        )
        return sa.select(
            DOCS.c.id, DOCS.c.target, DOCS.c.target_id, hits.c.score.label("score")
        ).select_from(hits.join(DOCS, DOCS.c.id == hits.c.id))

    def matched_titles(self, wanted) -> sa.Select:
        table = sa.literal_column("search_index")
        hits = (
            sa.select(
                wanted.c.key,
                self.INDEX.c.rowid.label("id"),
                sa.func.bm25(table, 10.0, 4.0, 1.0).label("score"),
            )
            .select_from(wanted)
            .join(self.INDEX, table.match(wanted.c.q))
            .cte("fts_titles")
            .prefix_with("MATERIALIZED")
        )
        return sa.select(
            hits.c.key, DOCS.c.id, DOCS.c.target, DOCS.c.target_id, DOCS.c.title, hits.c.score
        ).select_from(hits.join(DOCS, DOCS.c.id == hits.c.id))

    def render(self, query: Query) -> str:
        return to_fts5(query, "title")

    def better(self, score):
        return score.asc()  # bm25: lower is better

    def best(self, score):
        return sa.func.min(score)

    def best_document(self, ident, score):
        # SQLite gives a bare column the value from the row that min() picked.
        return ident


class PostgresEngine(_Engine):
    materialize_matches = True
    TSV = sa.literal_column("search_documents.tsv", postgresql.TSVECTOR)
    TSV_TITLE = sa.literal_column("search_documents.tsv_title", postgresql.TSVECTOR)
    INSERT = sa.text(
        "INSERT INTO search_documents "
        "(kind, source_id, target, target_id, restricted, title, extra, body, tsv, tsv_title) "
        "VALUES (:kind, :source_id, :target, :target_id, :restricted, :title, :extra, :body, "
        "CAST(:tsv AS tsvector), CAST(:tsv_title AS tsvector))"
    )

    def insert(self, connection, docs: list[Document]) -> None:
        if docs:
            connection.execute(
                self.INSERT,
                [{**d.row(), "tsv": tsvector(d), "tsv_title": title_tsvector(d)} for d in docs],
            )

    def matched(self, query: Query, title_only: bool = False) -> sa.Select:
        tsquery = sa.cast(sa.literal(to_tsquery(query), sa.Text), postgresql.TSQUERY)
        vector = self.TSV_TITLE if title_only else self.TSV
        # Normalisation 1 divides by the log of the document's length, closer to bm25.
        score = sa.func.ts_rank(vector, tsquery, 1)
        return sa.select(DOCS.c.id, DOCS.c.target, DOCS.c.target_id, score.label("score")).where(
            vector.bool_op("@@")(tsquery)
        )

    def matched_titles(self, wanted) -> sa.Select:
        tsquery = sa.cast(wanted.c.q, postgresql.TSQUERY)
        score = sa.func.ts_rank(self.TSV_TITLE, tsquery, 1)
        return (
            sa.select(
                wanted.c.key,
                DOCS.c.id,
                DOCS.c.target,
                DOCS.c.target_id,
                DOCS.c.title,
                score.label("score"),
            )
            .select_from(wanted)
            .join(DOCS, self.TSV_TITLE.bool_op("@@")(tsquery))
        )

    def render(self, query: Query) -> str:
        return to_tsquery(query)

    def better(self, score):
        return score.desc()

    def best(self, score):
        return sa.func.max(score)

    def best_document(self, ident, score):
        return postgresql.array_agg(postgresql.aggregate_order_by(ident, score.desc()))[1]


def _tsvector(fields) -> str:
    positions: dict[str, dict[int, str]] = {}
    position = 1
    for text, weight in fields:
        for term in index_terms(text):
            entry = positions.setdefault(term, {})
            at = min(position, MAX_TSVECTOR_POSITION)
            if at not in entry and len(entry) < 256:
                entry[at] = weight
            position += 1
        position += 1
    return " ".join(
        "'"
        + term.replace("\\", "\\\\").replace("'", "''")
        + "':"
        + ",".join(f"{at}{weight}" for at, weight in entry.items())
        for term, entry in positions.items()
    )


def tsvector(doc: Document) -> str:
    """The ``tsvector`` literal of a document: title weighted A, extra B, body C.

    A gap of one position between fields keeps a phrase from spanning two of them.
    """
    return _tsvector(((doc.title, "A"), (doc.extra, "B"), (doc.body, "C")))


def title_tsvector(doc: Document) -> str:
    """The title alone, for similar titles (its own GIN index stays small and selective)."""
    return _tsvector(((doc.title, "A"),))


ENGINES = {"sqlite": SqliteEngine(), "postgresql": PostgresEngine()}


def engine_for(connection) -> _Engine:
    try:
        return ENGINES[connection.dialect.name]
    except KeyError:
        raise NotImplementedError(
            f"search needs SQLite or PostgreSQL, not {connection.dialect.name}"
        ) from None
