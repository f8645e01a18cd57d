"""Two full-text engines behind one interface, chosen by the database in use.

SQLite: an FTS5 table ``search_index`` (rowid = ``search_documents.id``) ranked with bm25.
PostgreSQL: a ``tsvector`` column on ``search_documents`` with a GIN index, ranked with ts_rank.
Both receive finished tokens (``forum.search.text``) and a rendered query
(``forum.search.query``), so they agree on what matches; only the ranking differs.

This module knows documents, never domains: callers say which targets a viewer may see by
passing ``scopes`` (a condition on the target id per kind of target).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.dialects import postgresql

from forum.extensions import db
from forum.search.models import SearchDocument
from forum.search.query import Query, matched_terms, parse, to_fts5, to_tsquery
from forum.search.snippets import beginning, highlight, snippet
from forum.search.text import analyse, index_terms

DOCS = SearchDocument.__table__
# A condition on the target id column, e.g. ``lambda id_: Post.id == id_ ...``; None: all.
Scope = Callable[[sa.ColumnElement], sa.ColumnElement] | None
SIMILAR_CANDIDATES = 50
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


@dataclass
class Hit:
    """One result: a target, its score and its best-matching document."""

    target: str
    target_id: int
    score: float
    document: Document
    query: Query

    def highlight(self, text: str) -> Markup:
        """``text`` (say, the target's title) with the query's words marked."""
        return highlight(text, self.query)

    @property
    def snippet(self) -> Markup:
        """Where the query matched the document's body, else its extra fields (account, tags,
        author); the body's beginning when only the title matched."""
        for text in (self.document.body, self.document.extra):
            found = snippet(text, self.query, required=True) if text else None
            if found is not None:
                return found
        return beginning(self.document.body)


@dataclass
class Results:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    total: int = 0


class _Engine:
    """What differs between databases: writing the index, matching and ranking."""

    # Compute scores while matching, before grouping: else PostgreSQL carries every matched
    # tsvector through the sort and ranks afterwards (slow, and spills to disk).
    materialize_matches = False

    def insert(self, connection, docs: list[Document]) -> None:
        raise NotImplementedError

    def matched(self, query: Query, title_only: bool = False) -> sa.Select:
        """SELECT id, target, target_id, score FROM matching documents."""
        raise NotImplementedError

    def matched_titles(self, wanted) -> sa.Select:
        """SELECT key, id, target, target_id, title, score: the documents whose titles match
        each row (key, q) of ``wanted``, whose q is the rendered query of that row."""
        raise NotImplementedError

    def render(self, query: Query) -> str:
        """The text of ``query`` as ``matched_titles`` expects it in ``wanted.q``."""
        raise NotImplementedError

    def better(self, score):
        """ORDER BY clause putting the best score first."""
        raise NotImplementedError

    def best(self, score) -> sa.ColumnElement:
        raise NotImplementedError

    def best_document(self, ident, score) -> sa.ColumnElement:
        raise NotImplementedError


class SqliteEngine(_Engine):
    INDEX = sa.table("search_index", sa.column("rowid", sa.Integer))
    INSERT = sa.text(
        "INSERT INTO search_index (rowid, title, extra, body) VALUES (:id, :title, :extra, :body)"
    )

    def insert(self, connection, docs: list[Document]) -> None:
        if not docs:
            return
        ids = connection.execute(
            sa.insert(DOCS).returning(DOCS.c.id, sort_by_parameter_order=True),
            [d.row() for d in docs],
        ).scalars()
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


# Run before every read so that it sees what its own transaction changed: ``search.sync``
# registers the step that indexes changes noted since the last commit.
before_read: list[Callable[[], None]] = []


def _reading() -> sa.Connection:
    for step in before_read:
        step()
    return db.session.connection()


def _connection(connection=None):
    return connection if connection is not None else db.session.connection()


# Writing: documents are replaced whole; deleting a row of search_documents also deletes its
# index entry (a trigger on SQLite, the same row on PostgreSQL).


def write(docs: Iterable[Document], connection=None) -> None:
    """Add documents to the index (in the caller's transaction)."""
    connection = _connection(connection)
    engine_for(connection).insert(connection, list(docs))


def remove(kind: str, source_ids: Iterable[int], connection=None) -> None:
    """Take the documents of these sources out of the index."""
    connection = _connection(connection)
    ids = list(source_ids)
    for i in range(0, len(ids), 500):
        connection.execute(
            sa.delete(DOCS).where(DOCS.c.kind == kind, DOCS.c.source_id.in_(ids[i : i + 500]))
        )


def remove_targets(target: str, target_ids: Iterable[int], connection=None) -> None:
    """Take every document leading to these targets out of the index."""
    connection = _connection(connection)
    ids = list(target_ids)
    for i in range(0, len(ids), 500):
        connection.execute(
            sa.delete(DOCS).where(DOCS.c.target == target, DOCS.c.target_id.in_(ids[i : i + 500]))
        )


def replace(kind: str, source_ids: Iterable[int], docs: Iterable[Document], connection=None):
    """The documents of these sources are now ``docs`` (none: they are gone)."""
    connection = _connection(connection)
    remove(kind, source_ids, connection)
    write(docs, connection)


def index_document(doc: Document, connection=None) -> None:
    """Index one document, replacing what was indexed for its source."""
    replace(doc.kind, [doc.source_id], [doc], connection)


# Reading.


def _scoped(select: sa.Select, scopes: Mapping[str, Scope]) -> sa.Select:
    allowed = [
        sa.and_(DOCS.c.target == target, scope(DOCS.c.target_id) if scope is not None else True)
        for target, scope in scopes.items()
    ]
    return select.where(sa.or_(*allowed))


def search(
    query: Query | str,
    scopes: Mapping[str, Scope],
    *,
    include_restricted: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """Targets matching ``query`` that ``scopes`` allow, best first, one page of them.

    Each target appears once, with the document that matched it best (a post found through
    one of its comments shows that comment's snippet). Restricted documents (internal notes)
    match only with ``include_restricted``.
    """
    if isinstance(query, str):
        query = parse(query)
    if not query or not scopes:
        return Results(query)
    connection = _reading()
    engine = engine_for(connection)
    matched = _scoped(engine.matched(query), scopes)
    if not include_restricted:
        matched = matched.where(DOCS.c.restricted.is_(False))
    matched = matched.cte("matched")
    if engine.materialize_matches:
        matched = matched.prefix_with("MATERIALIZED")
    score = engine.best(matched.c.score)
    page_query = (
        sa.select(
            matched.c.target,
            matched.c.target_id,
            score.label("score"),
            engine.best_document(matched.c.id, matched.c.score).label("document_id"),
            sa.func.count().over().label("total"),
        )
        .group_by(matched.c.target, matched.c.target_id)
        .order_by(engine.better(score), matched.c.target_id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = db.session.execute(page_query).all()
    if not rows:
        return Results(query)
    documents = _documents([r.document_id for r in rows])
    hits = [
        Hit(r.target, r.target_id, r.score, documents[r.document_id], query)
        for r in rows
        if r.document_id in documents
    ]
    return Results(query, hits, rows[0].total)


def _documents(ids: list[int]) -> dict[int, Document]:
    rows = db.session.execute(sa.select(DOCS).where(DOCS.c.id.in_(ids))).mappings()
    return {row["id"]: Document(**{k: v for k, v in row.items() if k != "id"}) for row in rows}


def similar(
    title: str,
    target: str,
    *,
    limit: int = 5,
    scope: Scope = None,
    exclude_id: int | None = None,
    prefix_last: bool = False,
) -> list[int]:
    """Ids of ``target`` documents whose titles share the most words with ``title``.

    With two words or more, at least two must be shared. ``prefix_last`` treats the last word
    as still being typed.
    """
    query = parse(title, any_term=True, prefix_last=prefix_last, min_length=3)
    if not query:
        return []
    connection = _reading()
    engine = engine_for(connection)
    matched = engine.matched(query, title_only=True)
    candidates = (
        matched.add_columns(DOCS.c.title)
        .where(DOCS.c.kind == target, DOCS.c.target == target)
        .order_by(engine.better(matched.selected_columns.score), DOCS.c.target_id.desc())
        .limit(SIMILAR_CANDIDATES)
    )
    if scope is not None:
        candidates = candidates.where(scope(DOCS.c.target_id))
    if exclude_id is not None:
        candidates = candidates.where(DOCS.c.target_id != exclude_id)
    needed = min(2, len(query.terms))
    ranked = []
    for rank, row in enumerate(db.session.execute(candidates)):
        shared = matched_terms(query, analyse(row.title))
        if shared >= needed:
            ranked.append((-shared, rank, row.target_id))
    return [target_id for _, _, target_id in sorted(ranked)[:limit]]


def similar_many(
    titles: Mapping[int, str],
    target: str,
    *,
    limit: int = 5,
    scope: Scope = None,
    exclude_self: bool = False,
) -> dict[int, list[int]]:
    """``similar`` for many titles at once, in one statement whatever their number.

    ``titles`` maps a key (say, a post id) to its title; the answer maps each key to the ids of
    ``target`` documents ``similar`` would give for that title, best first. ``exclude_self``
    leaves out the target whose id is the key (a post is not similar to itself).
    """
    queries = {}
    for key, title in titles.items():
        query = parse(title, any_term=True, min_length=3)
        if query:
            queries[key] = query
    found: dict[int, list[int]] = {key: [] for key in titles}
    if not queries:
        return found
    connection = _reading()
    engine = engine_for(connection)
    wanted = (
        sa.values(sa.column("key", sa.Integer), sa.column("q", sa.Text), name="wanted")
        .data([(key, engine.render(query)) for key, query in queries.items()])
        .cte("wanted")
    )
    matched = engine.matched_titles(wanted).where(DOCS.c.kind == target, DOCS.c.target == target)
    if scope is not None:
        matched = matched.where(scope(DOCS.c.target_id))
    if exclude_self:
        matched = matched.where(DOCS.c.target_id != matched.selected_columns.key)
    matched = matched.subquery("matched")
    rank = (
        sa.func.row_number()
        .over(
            partition_by=matched.c.key,
            order_by=(engine.better(matched.c.score), matched.c.target_id.desc()),
        )
        .label("rank")
    )
    ranked = sa.select(matched.c.key, matched.c.target_id, matched.c.title, rank).subquery()
    rows = db.session.execute(
        sa.select(ranked.c.key, ranked.c.target_id, ranked.c.title, ranked.c.rank).where(
            ranked.c.rank <= SIMILAR_CANDIDATES
        )
    )
    scored: dict[int, list[tuple[int, int, int]]] = {}
    for row in rows:
        query = queries[row.key]
        shared = matched_terms(query, analyse(row.title))
        if shared >= min(2, len(query.terms)):
            scored.setdefault(row.key, []).append((-shared, row.rank, row.target_id))
    for key, candidates in scored.items():
        found[key] = [target_id for _, _, target_id in sorted(candidates)[:limit]]
    return found
