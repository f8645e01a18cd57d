"""The one clock: timezone-aware UTC everywhere."""

from datetime import UTC, date, datetime, time


def utcnow() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Treat a naive datetime as UTC and convert an aware one to UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in UTC: a due date given as a day means 'by the end of it'."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
