"""Admin-editable settings stored in the database (a small key/value table): numbers in
``value``, the few words (the organisation's time zone) in ``text``."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

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


def get(key: str) -> int:
    """A setting's value, or its default."""
    row = db.session.get(Setting, key)
    return row.value if row is not None else DEFAULTS[key]


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


def get_text(key: str) -> str:
    """A worded setting's value, or its default."""
    row = db.session.get(Setting, key)
    return row.text if row is not None and row.text else TEXT_DEFAULTS[key]


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
