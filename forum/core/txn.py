"""Work that waits for a session's commit.

A ``CommitQueue`` keeps items in ``session.info``, each owned by the (possibly nested)
transaction in progress when it was added. Rolling a transaction back drops what it owns (handing
it to ``on_drop``); ending the whole session transaction without a commit drops everything. The
owner of the queue takes the items when the commit happens (``take``), from its own
``before_commit`` or ``after_commit`` listener.

Used by uploaded files (moved into place after commit, see ``core.files``) and by the search
index (rebuilt once per commit, see ``search.sync``).
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session


def as_session(session: Session | scoped_session) -> Session:
    """The session itself (``db.session`` is a registry of them)."""
    return session() if isinstance(session, scoped_session) else session


def _owner(session: Session) -> SessionTransaction:
    """The innermost transaction, begun now if none is (so a later rollback or close ends it)."""
    return session.get_nested_transaction() or session.get_transaction() or session.begin()


def _within(owner: SessionTransaction | None, ended: SessionTransaction) -> bool:
    if ended.parent is None:
        return True  # the whole session transaction: everything added in it
    while owner is not None:
        if owner is ended:
            return True
        owner = owner.parent
    return False


class CommitQueue:
    """Items waiting for the commit of the transaction they were added in."""

    def __init__(self, key: str, on_drop: Callable[[list[Any]], None] | None = None):
        self.key = key
        self.on_drop = on_drop
        event.listen(Session, "after_soft_rollback", self._after_soft_rollback)
        event.listen(Session, "after_transaction_end", self._after_transaction_end)

    def add(self, session: Session | scoped_session, item: Any) -> None:
        session = as_session(session)
        session.info.setdefault(self.key, []).append((_owner(session), item))

    def take(self, session: Session) -> list[Any]:
        """Every item waiting, oldest first; the queue is empty afterwards."""
        return [item for _, item in session.info.pop(self.key, [])]

    def _drop(self, items: list[Any]) -> None:
        if items and self.on_drop is not None:
            self.on_drop(items)

    def _after_soft_rollback(self, session: Session, previous: SessionTransaction) -> None:
        entries = session.info.get(self.key)
        if not entries:
            return
        kept, gone = [], []
        for owner, item in entries:
            (gone if _within(owner, previous) else kept).append((owner, item))
        session.info[self.key] = kept
        self._drop([item for _, item in gone])

    def _after_transaction_end(self, session: Session, transaction: SessionTransaction) -> None:
        # A session closed without commit or rollback (the end of an app context) ends its root
        # transaction here; after a commit the queue is already empty.
        if transaction.parent is None and session.info.get(self.key):
            self._drop(self.take(session))
