"""Admin-editable settings stored in the database (a small key/value table): numbers in
``value``, the few words (the organisation's time zone) in ``text``."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from forum.extensions import db

DEFAULTS = {
    "triage_target_hours": 48,
    "verify_window_days": 7,
    "sponsor_after_hours": 72,
    # Leaders are told of a new report whose impact is at least this (5: never; impact is 1-4).
    "alert_min_impact": 3,
    # Leaders see a verified fix's customers not yet told after this many days.
    "customer_told_days": 7,
    # 1: everyone signs in through single sign-on; password sign-in only for a break-glass admin.
    "sso_required": 0,
    # Buyer names and e-mail addresses are deleted this many months after a survey was made
    # or an interview recorded; the answers stay, anonymised (forum.buyers.retention).
    "buyer_retention_months": 12,
}

TEXT_DEFAULTS = {
    # The organisation's time zone (an IANA name): everyone's until they choose their own, and
    # the zone whose calendar days due dates are (forum.core.zones).
    "time_zone": "UTC",
}


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[int] = mapped_column(sa.Integer)
    text: Mapped[str | None] = mapped_column(sa.String(60))


_CACHE = "forum.settings"  # in Session.info


def _stored() -> dict[str, tuple[int, str | None]]:
    """Every stored setting as ``{key: (value, text)}``, read in one statement and kept on the
    session until it commits, rolls back or holds a setting not yet written (a page reads
    several settings, most of them never stored, each of which was a statement of its own)."""
    session = db.session()
    if any(isinstance(o, Setting) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_CACHE, None)  # the statement below writes it first (autoflush)
    if _CACHE not in session.info:
        rows = session.execute(sa.select(Setting.key, Setting.value, Setting.text))
        session.info[_CACHE] = {key: (value, text) for key, value, text in rows}
    return session.info[_CACHE]


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_rollback")
@sa.event.listens_for(Session, "after_soft_rollback")
def _forget(session, *args) -> None:
    """Another connection may change a setting once this transaction ends: read them again."""
    session.info.pop(_CACHE, None)


def get(key: str) -> int:
    """A setting's value, or its default."""
    stored = _stored().get(key)
    return stored[0] if stored is not None else DEFAULTS[key]


def put(key: str, value: int) -> None:
    """Store a setting; flushes, the caller commits."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()
    db.session.info.pop(_CACHE, None)


def get_text(key: str) -> str:
    """A worded setting's value, or its default."""
    stored = _stored().get(key)
    return stored[1] if stored is not None and stored[1] else TEXT_DEFAULTS[key]


def put_text(key: str, text: str) -> None:
    """Store a worded setting; flushes, the caller commits."""
    if key not in TEXT_DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=0, text=text))
    else:
        row.text = text
    db.session.flush()
    db.session.info.pop(_CACHE, None)
