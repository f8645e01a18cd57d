"""The board's filters — period, region, operations team, segment — read from and written to
the URL, so that every view can be shared as a link.

Periods are half-open UTC ranges ``[start 00:00, day after end 00:00)``: something that happened
at midnight UTC on the first day of a quarter belongs to that quarter, not to the one before.

- ``period=month|quarter|half|year`` (default ``quarter``) is the calendar period that contains
  ``on=YYYY-MM-DD`` (default: today), e.g. ``?period=quarter&on=2026-05-10`` is Q2 2026.
- ``from=YYYY-MM-DD&to=YYYY-MM-DD`` (both inclusive) is a custom period; ``period=custom`` is
  implied and may be given.
- ``period=all`` (pages that allow it) is everything from 2000-01-01 until today.
- ``region`` is a sales team id, ``team`` an operations team id, ``segment`` an account segment.

Unknown values, malformed numbers, inverted or absurd ranges are a ``BadFilter`` (400); an id
that is well formed but names no team of the right kind is a ``BadFilter`` with status 404.
"""

from calendar import monthrange
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from werkzeug.datastructures import MultiDict

from forum.accounts.models import Segment
from forum.core.params import BadFilter, to_id

PRESETS = {"month": "Month", "quarter": "Quarter", "half": "Half-year", "year": "Year"}
ALL_TIME = "all"
CUSTOM = "custom"
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_SPAN = timedelta(days=366 * 10)
SEGMENTS = {s.value: s.label for s in Segment}


@dataclass(frozen=True)
class TeamRef:
    id: int
    name: str
    kind: str


@dataclass(frozen=True)
class BoardFilter:
    """A parsed, valid filter. ``end`` is the last day included."""

    period: str
    start: date
    end: date
    on: date | None = None
    region: TeamRef | None = None
    team: TeamRef | None = None
    segment: str = ""
    today: date = field(default_factory=lambda: datetime.now(UTC).date(), compare=False)
    default_period: str = "quarter"

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=UTC)

    @property
    def is_custom(self) -> bool:
        return self.period == CUSTOM

    @property
    def segment_label(self) -> str:
        return SEGMENTS.get(self.segment, "")

    @property
    def label(self) -> str:
        """'Q3 2026', 'March 2026', 'H1 2026', '2026', '2026-01-05 to 2026-02-20', 'All time'."""
        s = self.start
        text = {
            "month": lambda: s.strftime("%B %Y"),
            "quarter": lambda: f"Q{(s.month - 1) // 3 + 1} {s.year}",
            "half": lambda: f"H{1 if s.month <= 6 else 2} {s.year}",
            "year": lambda: str(s.year),
            ALL_TIME: lambda: "All time",
        }.get(self.period, lambda: f"{self.start.isoformat()} to {self.end.isoformat()}")()
        if self.period != ALL_TIME and self.start <= self.today <= self.end:
            text += " (to date)"
        return text

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def args(self, **overrides) -> dict:
        """The query-string arguments that rebuild this filter (defaults left out)."""
        out: dict = {}
        if self.is_custom:
            out["from"], out["to"] = self.start.isoformat(), self.end.isoformat()
        else:
            if self.period != self.default_period:
                out["period"] = self.period
            if self.on is not None:
                out["on"] = self.on.isoformat()
        if self.region:
            out["region"] = self.region.id
        if self.team:
            out["team"] = self.team.id
        if self.segment:
            out["segment"] = self.segment
        for key, value in overrides.items():
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return out

    def period_args(self, period: str, start: date, end: date) -> dict:
        """Arguments for another period with the same region, team and segment."""
        if period == CUSTOM:
            other = replace(self, period=CUSTOM, start=start, end=end, on=None)
        else:
            other = replace(self, period=period, start=start, end=end, on=start)
        return other.args()

    def shifted(self, step: int) -> dict | None:
        """Arguments for the previous (-1) or next (+1) period of the same length, if sensible."""
        if self.period == ALL_TIME:
            return None
        if self.is_custom:
            span = timedelta(days=self.days)
            start, end = self.start + span * step, self.end + span * step
            if start < EARLIEST or end > LATEST:
                return None
            return self.period_args(CUSTOM, start, end)
        pivot = self.start - timedelta(days=1) if step < 0 else self.end + timedelta(days=1)
        if pivot < EARLIEST or pivot > LATEST:
            return None
        start, end = calendar_period(self.period, pivot)
        return self.period_args(self.period, start, end)


def calendar_period(period: str, on: date) -> tuple[date, date]:
    """The first and last day of the calendar ``period`` that contains ``on``."""
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[period]
    first_month = (on.month - 1) // months * months + 1
    last_month = first_month + months - 1
    return date(on.year, first_month, 1), date(
        on.year, last_month, monthrange(on.year, last_month)[1]
    )


def _date(raw: str, name: str) -> date:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(f"“{name}” must be a date written YYYY-MM-DD.") from None
    if len(raw) != 10 or not EARLIEST <= value <= LATEST:
        raise BadFilter(f"“{name}” must be a date between {EARLIEST} and {LATEST}.")
    return value


def _id(raw: str, name: str) -> int:
    try:
        return to_id(raw)
    except ValueError:
        raise BadFilter(f"“{name}” must be a team number.") from None


def _team(raw: str, name: str, kind: str, teams: dict[int, TeamRef]) -> TeamRef | None:
    if not raw:
        return None
    team = teams.get(_id(raw, name))
    if team is None or team.kind != kind:
        raise BadFilter(f"There is no such {name}.", status=404)
    return team


def parse(
    args: MultiDict,
    teams: list[TeamRef],
    today: date,
    *,
    default_period: str = "quarter",
    allow_all: bool = False,
) -> BoardFilter:
    """Read a filter from query-string ``args``; raise ``BadFilter`` if it cannot be used."""
    period = args.get("period", "") or default_period
    allowed = set(PRESETS) | {CUSTOM} | ({ALL_TIME} if allow_all else set())
    if period not in allowed:
        raise BadFilter("Unknown period: choose a month, a quarter, a half-year or a year.")
    raw_from, raw_to = args.get("from", "").strip(), args.get("to", "").strip()
    on = None
    if raw_from or raw_to or period == CUSTOM:
        if not (raw_from and raw_to):
            raise BadFilter("A custom period needs both a start date and an end date.")
        start, end = _date(raw_from, "from"), _date(raw_to, "to")
        if start > end:
            raise BadFilter("The period starts after it ends.")
        if end - start > MAX_SPAN:
            raise BadFilter("A period can be ten years long at most.")
        period = CUSTOM
    elif period == ALL_TIME:
        start, end = EARLIEST, today
    else:
        raw_on = args.get("on", "").strip()
        on = _date(raw_on, "on") if raw_on else None
        start, end = calendar_period(period, on or today)
    by_id = {t.id: t for t in teams}
    segment = args.get("segment", "")
    if segment and segment not in SEGMENTS:
        raise BadFilter("Unknown segment.")
    return BoardFilter(
        period=period,
        start=start,
        end=end,
        on=on,
        region=_team(args.get("region", ""), "region", "sales", by_id),
        team=_team(args.get("team", ""), "operations team", "operations", by_id),
        segment=segment,
        today=today,
        default_period=default_period,
    )


@dataclass(frozen=True)
class Bucket:
    label: str
    start: datetime
    end: datetime  # exclusive
    tick: str = ""  # a short label for a chart axis

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).date()


def _at(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def weeks_ending(last_day: date, count: int = 12) -> list[Bucket]:
    """``count`` ISO weeks (Monday 00:00 UTC to Monday), the last one containing ``last_day``."""
    monday = last_day - timedelta(days=last_day.weekday())
    first = monday - timedelta(weeks=count - 1)
    return [
        Bucket(
            (first + timedelta(weeks=i)).isoformat(),
            _at(first + timedelta(weeks=i)),
            _at(first + timedelta(weeks=i + 1)),
            (first + timedelta(weeks=i)).strftime("%d %b"),
        )
        for i in range(count)
    ]


def _month_tick(d: date, first: bool) -> str:
    """'Mar', or 'Jan ’26' on January and on the first month of a series."""
    return d.strftime("%b ’%y") if first or d.month == 1 else d.strftime("%b")


def months_ending(last_day: date, count: int = 12, step: int = 1) -> list[Bucket]:
    """``count`` calendar months (or quarters with ``step=3``), the last containing ``last_day``."""
    first_month = (last_day.month - 1) // step * step + 1
    first = _add_months(date(last_day.year, first_month, 1), -(count - 1) * step)
    buckets = []
    for i in range(count):
        begin = _add_months(first, i * step)
        if step == 1:
            label, tick = begin.strftime("%b %Y"), _month_tick(begin, i == 0)
        else:
            quarter = (begin.month - 1) // 3 + 1
            label, tick = f"Q{quarter} {begin.year}", f"Q{quarter} ’{begin.strftime('%y')}"
        buckets.append(Bucket(label, _at(begin), _at(_add_months(begin, step)), tick))
    return buckets


def period_buckets(f: BoardFilter) -> list[Bucket]:
    """The period cut into at most ~24 pieces: weeks, months, quarters or years (clipped)."""
    days = f.days
    if days <= 92:
        step, fmt = "week", None
    elif days <= 731:
        step, fmt = 1, "%b %Y"
    elif days <= 366 * 6:
        step, fmt = 3, "Q"
    else:
        step, fmt = 12, "%Y"
    start, end = f.start_at, f.end_at
    if step == "week":
        cursor = f.start - timedelta(days=f.start.weekday())
        bounds = []
        while _at(cursor) < end:
            bounds.append(cursor)
            cursor += timedelta(weeks=1)
        labels = [f"Week of {d.isoformat()}" for d in bounds]
        ticks = [d.strftime("%d %b") for d in bounds]
    else:
        cursor = date(f.start.year, (f.start.month - 1) // step * step + 1, 1)
        bounds = []
        while _at(cursor) < end:
            bounds.append(cursor)
            cursor = _add_months(cursor, step)
        if fmt == "Q":
            labels = [f"Q{(d.month - 1) // 3 + 1} {d.year}" for d in bounds]
            ticks = [f"Q{(d.month - 1) // 3 + 1} ’{d.strftime('%y')}" for d in bounds]
        elif step == 1:
            labels = [d.strftime(fmt) for d in bounds]
            ticks = [_month_tick(d, i == 0) for i, d in enumerate(bounds)]
        else:
            labels = ticks = [d.strftime(fmt) for d in bounds]
    edges = [_at(d) for d in bounds] + [_at(cursor)]
    return [
        Bucket(label, max(edges[i], start), min(edges[i + 1], end), ticks[i])
        for i, label in enumerate(labels)
    ]
