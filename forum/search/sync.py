"""Keeping the index in step with the tables, inside the same transaction.

Domains register what they index (``register_kind``: a loader turning source ids into
documents) and which changes matter (``follow``: a model, the attributes that feed documents,
and the documents to refresh). After every ORM flush, what was added, changed or deleted is noted;
when the session commits, the documents it touched are rebuilt from the database, once each and
in batches, on the session's own connection and inside the transaction being committed — so a
commit makes the change and its index entry visible together, and a rollback undoes both (what
a rolled-back savepoint noted is forgotten with it). A search earlier in the transaction
first indexes what was noted so far, as the ORM flushes before a query.

Writes that bypass the ORM (bulk ``INSERT``s and ``UPDATE``s) are not seen: their author says
what they touched with ``note`` (the CRM import does, once per batch), and it is indexed at the
commit like the rest. ``flask search reindex`` rebuilds everything from the loaders.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum.core.txn import CommitQueue
from forum.extensions import db
from forum.search import engine
from forum.search.dialects import Document

# (kind, source id) or (kind, SELECT of source ids), e.g. the posts of a renamed account.
Refresh = tuple[str, int | sa.Select]
Loader = Callable[[sa.Connection, list[int]], list[Document]]


@dataclass(frozen=True)
class Kind:
    name: str
    load: Loader
    all_ids: sa.Select  # every source id, for a rebuild


@dataclass(frozen=True)
class Watch:
    """A model whose changes refresh documents (registered with ``follow``)."""

    model: type
    attrs: frozenset[str] | None  # None: any change
    refresh: Callable[[object], Iterable[Refresh]]
    target: Callable[[object], tuple[str, int]] | None  # deleting it drops its target's docs
    on_new: bool


KINDS: dict[str, Kind] = {}
WATCHES: list[Watch] = []
BATCH = 500
REBUILD_BATCH = 2_000


def register_kind(name: str, load: Loader, all_ids: sa.Select) -> None:
    """Documents of kind ``name`` come from ``load(connection, source_ids)``."""
    KINDS[name] = Kind(name, load, all_ids)


def follow(
    model: type,
    refresh: Callable[[object], Iterable[Refresh]],
    *,
    attrs: Iterable[str] | None = None,
    target: Callable[[object], tuple[str, int]] | None = None,
    on_new: bool = True,
) -> None:
    """After a flush that adds, changes (``attrs``) or deletes a ``model``, refresh documents."""
    WATCHES.append(
        Watch(model, frozenset(attrs) if attrs is not None else None, refresh, target, on_new)
    )


def _changed(obj, attrs: frozenset[str] | None) -> bool:
    state = sa.inspect(obj)
    names = attrs if attrs is not None else state.mapper.attrs.keys()
    return any(state.attrs[name].history.has_changes() for name in names)


def _watches(obj) -> list[Watch]:
    return [w for w in WATCHES if isinstance(obj, w.model)]


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    if not WATCHES:
        return
    refresh: list[Refresh] = []
    dropped: set[tuple[str, int]] = set()
    for obj in session.new:
        for w in _watches(obj):
            if w.on_new:
                refresh.extend(w.refresh(obj))
    for obj in session.dirty:
        for w in _watches(obj):
            if _changed(obj, w.attrs):
                refresh.extend(w.refresh(obj))
    for obj in session.deleted:
        for w in _watches(obj):
            refresh.extend(w.refresh(obj))
            if w.target is not None:
                dropped.add(w.target(obj))
    if refresh or dropped:
        _QUEUE.add(session, (refresh, dropped))


def note(refresh: Iterable[Refresh], session: Session | None = None) -> None:
    """Refresh these documents when the transaction commits: for writes the ORM did not see
    (a bulk insert or update). Nothing happens if it rolls back."""
    refresh = list(refresh)
    if refresh:
        _QUEUE.add(session if session is not None else db.session, (refresh, set()))


def catch_up(session: Session) -> None:
    """Index what this session's transaction changed since it last did (flushing first)."""
    if session.autoflush:
        session.flush()
    noted = _QUEUE.take(session)
    if noted:
        refresh = [r for changes, _ in noted for r in changes]
        dropped = {d for _, gone in noted for d in gone}
        apply(session.connection(), refresh, dropped)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's changes wait for the whole one
        session.flush()
        catch_up(session)


_QUEUE = CommitQueue("forum.search.sync")
engine.before_read.append(lambda: catch_up(db.session()))


def apply(connection, refresh: Iterable[Refresh], dropped: Iterable[tuple[str, int]] = ()):
    """Drop the documents of deleted targets, then rebuild the refreshed ones."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, ids in refresh:
        if isinstance(ids, sa.Select):
            wanted[kind].update(connection.execute(ids).scalars())
        elif ids is not None:
            wanted[kind].add(ids)
    by_target: dict[str, set[int]] = defaultdict(set)
    for target, target_id in dropped:
        by_target[target].add(target_id)
    for target, ids in by_target.items():
        engine.remove_targets(target, ids, connection)
    for kind, ids in wanted.items():
        ordered = sorted(ids)
        for i in range(0, len(ordered), BATCH):
            batch = ordered[i : i + BATCH]
            engine.replace(kind, batch, KINDS[kind].load(connection, batch), connection)


def rebuild(connection) -> dict[str, int]:
    """Index everything again from the loaders; returns the number of sources per kind.

    Each kind's documents are deleted at once, then written in large batches (nothing is
    left to replace): ``flask search reindex`` writes thousands of documents a second."""
    counts = {}
    for kind in KINDS.values():
        ids = sorted(connection.execute(kind.all_ids).scalars())
        connection.execute(sa.delete(engine.DOCS).where(engine.DOCS.c.kind == kind.name))
        for i in range(0, len(ids), REBUILD_BATCH):
            engine.write(kind.load(connection, ids[i : i + REBUILD_BATCH]), connection)
        counts[kind.name] = len(ids)
    return counts
