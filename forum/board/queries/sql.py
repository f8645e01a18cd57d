"""Portable SQL pieces for the board: durations, percentiles and time buckets that give the same
answers on SQLite and PostgreSQL (no dialect-only aggregate such as ``percentile_cont``)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from forum.accounts.models import Account
from forum.board.filters import BoardFilter, Bucket
from forum.core.models import UTCDateTime
from forum.feedback.models import Post

DAY = 86400.0


def at(moment: datetime) -> sa.BindParameter:
    """A UTC instant as a bound parameter stored the way the columns store it."""
    return sa.literal(moment, UTCDateTime())


class seconds_between(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """``later - earlier`` in seconds, as a float exact to the microsecond on both databases.

    SQLite keeps UTC instants as ``YYYY-MM-DD HH:MM:SS.ffffff`` text: whole seconds come from
    ``strftime('%s')`` of the first 19 characters (an integer), microseconds from the rest, so
    nothing is lost to SQLite's millisecond clock. PostgreSQL subtracts ``timestamptz`` values.
    """

    type = sa.Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between)
def _seconds_between_default(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    # strftime() would round .999999 up to the next second: cut the fraction off first.
    whole = "CAST(strftime('%s', substr({}, 1, 19)) AS INTEGER)"
    micro = "CAST(substr({}, 21, 6) AS INTEGER)"
    return (
        f"(({whole.format(later)} - {whole.format(earlier)})"
        f" + ({micro.format(later)} - {micro.format(earlier)}) / 1000000.0)"
    )


def percentiles(
    values: sa.Subquery,
    keys: list[str],
    fractions: dict[str, tuple[int, int]],
    *,
    overall: list[str] | None = None,
):
    """A SELECT giving, per group of ``keys`` in ``values`` (a subquery with a column ``v``), the
    number of values ``n`` and each percentile named in ``fractions`` (name -> (a, b) for a/b).

    The percentile is PostgreSQL's ``percentile_cont``: with the n values sorted, position
    p·(n−1) (0-based), linearly interpolated between the two closest ranks. Ranks come from
    ``row_number()``; the position is split into whole and remainder with integer arithmetic, so
    both databases pick the same ranks and weights.

    With ``overall`` (a subset of ``keys``), each row also carries ``<name>_part`` and
    ``n_overall``: the group's share of the percentile over the coarser grouping. At most two
    values carry weight, so adding the parts of the groups gives that percentile exactly —
    without ranking every value a second time.
    """
    part = [values.c[k] for k in keys]
    columns = [
        values.c.v,
        (sa.func.row_number().over(partition_by=part, order_by=values.c.v) - 1).label("i"),
        sa.func.count().over(partition_by=part).label("n"),
    ]
    if overall is not None:
        wide = [values.c[k] for k in overall]
        columns += [
            (sa.func.row_number().over(partition_by=wide, order_by=values.c.v) - 1).label("j"),
            sa.func.count().over(partition_by=wide).label("m"),
        ]
    ranked = sa.select(*part, *columns).subquery()
    out = []
    for name, (a, b) in fractions.items():
        out.append(
            (sa.func.sum(ranked.c.v * _weight(ranked.c.i, ranked.c.n, a, b)) / b).label(name)
        )
        if overall is not None:
            weight = _weight(ranked.c.j, ranked.c.m, a, b)
            out.append((sa.func.sum(ranked.c.v * weight) / b).label(f"{name}_part"))
    if overall is not None:
        out.append(sa.func.max(ranked.c.m).label("n_overall"))
    group = [ranked.c[k] for k in keys]
    return sa.select(*group, sa.func.max(ranked.c.n).label("n"), *out).group_by(*group)


def _weight(i, n, a: int, b: int):
    """The weight (out of ``b``) of the value ranked ``i`` of ``n`` in the a/b percentile."""
    scaled = (n - 1) * a
    lo = scaled // b
    rem = scaled % b
    return sa.case((i == lo, b - rem), (sa.and_(rem > 0, i == lo + 1), rem), else_=0)


def bucket_index(column, buckets: list[Bucket]):
    """The index of the bucket ``column`` falls in (use with ``in_buckets``)."""
    if len(buckets) == 1:
        return sa.literal(0)
    return sa.case(
        *[(column < at(b.end), i) for i, b in enumerate(buckets[:-1])],
        else_=len(buckets) - 1,
    )


def in_buckets(column, buckets: list[Bucket]):
    return sa.and_(column >= at(buckets[0].start), column < at(buckets[-1].end))


def in_range(column, start: datetime, end: datetime):
    """``start <= column < end``."""
    return sa.and_(column >= at(start), column < at(end))


def count_if(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def sum_if(condition, value):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


def region_and_segment(f: BoardFilter) -> list:
    """Conditions on ``Post`` for the filter's region (the reporter's) and segment (of the
    report's account), the two every board scope shares."""
    clauses = []
    if f.region is not None:
        clauses.append(Post.region_id == f.region.id)
    if f.segment:
        account = aliased(Account)
        clauses.append(
            sa.select(account.id)
            .where(account.id == Post.account_id, account.segment == f.segment)
            .exists()
        )
    return clauses
