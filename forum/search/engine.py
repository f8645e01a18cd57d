"""Full-text search: writing documents, searching, similar titles — on one of two engines
(``forum.search.dialects``), chosen by the database in use.

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

from forum.extensions import db
from forum.search.dialects import DOCS, Document, engine_for
from forum.search.query import Query, matched_terms, parse
from forum.search.snippets import beginning, highlight, snippet
from forum.search.text import analyse

# A condition on the target id column, e.g. ``lambda id_: Post.id == id_ ...``; None: all.
Scope = Callable[[sa.ColumnElement], sa.ColumnElement] | None
SIMILAR_CANDIDATES = 50


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
