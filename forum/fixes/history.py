"""The fix history: append-only entries, each carrying the hash of the previous one.

``append`` is the only way entries are written; nothing in the app updates or deletes them
(an ORM guard below refuses it). ``verify_chain`` recomputes a fix's chain.

What is hashed names people by id only: the actor (``actor_id``) and, in ``details``, whom an
assignment or an escalation concerns (``PERSON_KEYS``), never by name. A person renamed or
erased (``forum.privacy``) keeps every chain intact, and pages and exports show each person by
the name they have now (``shown``). Entries written before this rule sealed the assignee's
name in ``from_value``/``to_value`` and the escalation's recipient in its note; ``shown`` leaves
those words out, but the rows still hold them: they cannot change without breaking the chain.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from forum.core.time import as_utc, utcnow
from forum.extensions import db
from forum.fixes.models import EventKind, Fix, FixEvent

# The people an entry concerns besides its actor: the keys of their ids in ``details``.
PERSON_KEYS: dict[str, tuple[str, ...]] = {
    EventKind.ASSIGNED: ("from_id", "to_id"),
    EventKind.ESCALATED: ("to_user_id",),
}


class HistoryIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a history entry."""


@sa.event.listens_for(FixEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise HistoryIsAppendOnly(f"fix history entry {target.id} cannot be changed")


@sa.event.listens_for(FixEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise HistoryIsAppendOnly(f"fix history entry {target.id} cannot be deleted")


@sa.event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state):
    # update(FixEvent) and delete(FixEvent) skip the mapper events above.
    if (state.is_update or state.is_delete) and any(
        m.class_ is FixEvent for m in state.all_mappers
    ):
        raise HistoryIsAppendOnly("fix history entries cannot be changed or deleted")


def _canonical(value):
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="microseconds")
    return value


def compute_hash(
    fix_id: int,
    seq: int,
    at: datetime,
    actor_id: int | None,
    kind: str,
    from_value: str,
    to_value: str,
    note: str,
    details: dict,
    version_after: int,
    prev_hash: str,
) -> str:
    """SHA-256 of the entry's content and the previous entry's hash."""
    payload = json.dumps(
        [
            fix_id,
            seq,
            _canonical(at),
            actor_id,
            kind,
            from_value,
            to_value,
            note,
            details or {},
            version_after,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def entry_hash(e: FixEvent) -> str:
    return compute_hash(
        e.fix_id,
        e.seq,
        e.at,
        e.actor_id,
        e.kind,
        e.from_value,
        e.to_value,
        e.note,
        e.details,
        e.version_after,
        e.prev_hash,
    )


def append(
    fix: Fix,
    kind: str,
    *,
    actor=None,
    from_value: str = "",
    to_value: str = "",
    note: str = "",
    details: dict | None = None,
    at: datetime | None = None,
) -> FixEvent:
    """Add the next entry to ``fix``'s chain. Flushes; the caller commits.

    Callers have already claimed the fix's version (``services.claim``), so no other
    transaction appends to this chain at the same time; the (fix_id, seq) unique constraint
    is the last line of defence.
    """
    last = db.session.execute(
        sa.select(FixEvent.seq, FixEvent.hash)
        .where(FixEvent.fix_id == fix.id)
        .order_by(FixEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, "")
    at = at or utcnow()
    # Stored values are what gets hashed: microseconds survive both databases.
    details = json.loads(json.dumps(details or {}, default=str))
    event = FixEvent(
        fix_id=fix.id,
        seq=seq,
        at=at,
        actor_id=getattr(actor, "id", None),
        kind=str(kind),
        from_value=str(from_value or ""),
        to_value=str(to_value or ""),
        note=note or "",
        details=details,
        version_after=fix.version,
        prev_hash=prev_hash,
    )
    event.hash = entry_hash(event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class Shown:
    """An entry's from, to and note as pages and exports show them, and whom it concerns."""

    from_value: str
    to_value: str
    note: str
    person: str = ""  # an escalation's recipient


def people_in(entries: Iterable[FixEvent]) -> set[int]:
    """The ids of the people ``entries`` concern besides their actors (see ``PERSON_KEYS``)."""
    return {
        person
        for e in entries
        for key in PERSON_KEYS.get(e.kind, ())
        if isinstance(person := (e.details or {}).get(key), int)
    }


def shown(
    kind: str, from_value: str, to_value: str, note: str, name_of: Callable[[str], str | None]
) -> Shown:
    """What an entry says, with the people it concerns named by ``name_of(key)``: the name now
    of the person whose id ``details[key]`` holds.

    An assignment shows its people by those names, never from ``from_value``/``to_value``
    (which held the names in older entries); an escalation's note keeps its first part
    ("Overdue by 3 days"), since older notes named the recipient after a colon.
    """
    if kind == EventKind.ASSIGNED:
        return Shown(name_of("from_id") or "", name_of("to_id") or "", note)
    if kind == EventKind.ESCALATED:
        return Shown(from_value, to_value, note.partition(":")[0], name_of("to_user_id") or "")
    return Shown(from_value, to_value, note)


def shown_entry(e: FixEvent, names: Mapping[int, str]) -> Shown:
    """``shown`` for a loaded entry, ``names`` holding ``{id: name}`` of ``people_in`` it."""
    details = e.details or {}
    return shown(e.kind, e.from_value, e.to_value, e.note, lambda key: names.get(details.get(key)))


@dataclass
class ChainReport:
    fix_id: int
    entries: int
    broken_at: FixEvent | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def verify_entries(fix_id: int, entries: list[FixEvent], version: int | None = None) -> ChainReport:
    """Check one chain: sequence, links and hashes, stopping at the first broken entry.

    Given the fix's ``version`` (read before the entries), also check that the chain reaches it:
    every change writes an entry, so a chain that stops short has lost its latest entries.
    """
    prev_hash = ""
    for expected_seq, e in enumerate(entries, start=1):
        if e.seq != expected_seq:
            return ChainReport(fix_id, len(entries), e, f"entry {expected_seq} is missing")
        if e.prev_hash != prev_hash:
            return ChainReport(fix_id, len(entries), e, "does not link to the previous entry")
        if entry_hash(e) != e.hash:
            return ChainReport(fix_id, len(entries), e, "its content does not match its hash")
        prev_hash = e.hash
    if version is not None and not entries:
        return ChainReport(fix_id, 0, None, "every entry is missing")
    if version is not None and entries[-1].version_after < version:
        return ChainReport(
            fix_id,
            len(entries),
            entries[-1],
            f"the entries after it are missing (the fix is at version {version})",
        )
    return ChainReport(fix_id, len(entries))


def verify_fix(fix_id: int) -> ChainReport:
    version = db.session.scalar(sa.select(Fix.version).where(Fix.id == fix_id))
    entries = db.session.scalars(
        sa.select(FixEvent).where(FixEvent.fix_id == fix_id).order_by(FixEvent.seq)
    ).all()
    return verify_entries(fix_id, list(entries), version)


def verify_all(batch: int = 500):
    """Yield a report per fix, reading the history in batches (it may hold millions)."""
    versions = dict(db.session.execute(sa.select(Fix.id, Fix.version).order_by(Fix.id)).all())
    fix_ids = list(versions)
    for start in range(0, len(fix_ids), batch):
        chunk = fix_ids[start : start + batch]
        rows = db.session.scalars(
            sa.select(FixEvent)
            .where(FixEvent.fix_id.in_(chunk))
            .order_by(FixEvent.fix_id, FixEvent.seq)
        ).all()
        by_fix: dict[int, list[FixEvent]] = {i: [] for i in chunk}
        for e in rows:
            by_fix[e.fix_id].append(e)
        for fix_id in chunk:
            yield verify_entries(fix_id, by_fix[fix_id], versions[fix_id])
        db.session.expunge_all()
