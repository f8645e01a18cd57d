"""Fixes with their money beside them, and the board's top open fixes ranked by either figure:
the revenue at risk (``forum/fixes/revenue.py``) or the ARR of the accounts a fix touches.

- **ARR of the accounts touched**: the annual recurring revenue of every account a fix is
  about — the accounts named by its linked reports (any kind) and by their "me too"s — **each
  account once** (an account behind three of the fix's reports counts one ARR), summed per
  currency (an account's ARR is in the currency it was entered in) and shown in the reporting
  currency at the rate of the current month. A currency without a rate makes the figure
  "incomplete" and keeps its amount unconverted, and that amount does not rank a fix (as for
  revenue at risk). Accounts without an ARR add nothing.
- **Top fixes**: the ten open fixes in scope with the most of the chosen figure, converted as
  above; ties, and fixes with none of it, by id.
"""

from collections.abc import Iterable

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.auth.models import Team
from forum.core.money import Money, Totals
from forum.core.rates import Converted, Converter
from forum.extensions import db
from forum.feedback.models import Corroboration, Post
from forum.fixes import revenue
from forum.fixes.models import Fix

TOP = 10
RANKS = {"revenue": "revenue at risk", "arr": "ARR of the accounts touched"}


def arr_rows(*conditions) -> sa.Select:
    """(fix id, account id, ARR currency, ARR) of each account behind the fixes matching
    ``conditions`` (on ``Fix``), each (fix, account) once: one SELECT."""
    chosen = sa.select(Fix.id).where(*conditions).correlate(None)
    own = sa.select(Post.fix_id.label("fix_id"), Post.account_id.label("account_id")).where(
        Post.fix_id.in_(chosen), Post.account_id.is_not(None)
    )
    echoes = (
        sa.select(Post.fix_id, Corroboration.account_id)
        .join(Post, Corroboration.post_id == Post.id)
        .where(Post.fix_id.in_(chosen), Corroboration.account_id.is_not(None))
    )
    touched = sa.union(own, echoes).subquery()  # UNION, not UNION ALL: each account once
    return (
        sa.select(touched.c.fix_id, Account.id, Account.arr_currency, Account.arr)
        .join(Account, Account.id == touched.c.account_id)
        .where(Account.arr > 0)
    )


def arr_by_fix(*conditions) -> dict[int, Totals]:
    """Each matching fix's ARR of the accounts it touches, per currency: one statement."""
    out: dict[int, Totals] = {}
    for fix_id, _account, currency, arr in db.session.execute(arr_rows(*conditions)):
        out.setdefault(fix_id, Totals()).add(Money(currency, arr))
    return out


class FixRow:
    """A fix's row of a list, with its revenue at risk converted (``revenue``) beside it, and
    the ARR of the accounts it touches (``arr``) where the list shows it."""

    def __init__(self, row, totals: Totals, converted: Converted, arr: Converted | None = None):
        self._row, self.revenue_totals, self.revenue, self.arr = row, totals, converted, arr

    def __getattr__(self, name):
        return getattr(self._row, name)


def with_revenue(rows, month: str, convert: Converter | None = None, per_fix=None) -> list[FixRow]:
    """``rows`` (each with an ``id``) with each fix's revenue at risk: one statement for the
    amounts unless ``per_fix`` has them, and two for the rates unless ``convert`` is given."""
    rows = list(rows)
    if per_fix is None:
        per_fix = revenue.of_fixes(r.id for r in rows)
    convert = convert or Converter({month})
    return [FixRow(r, t, convert(t, month)) for r in rows for t in [per_fix.get(r.id, Totals())]]


def ranked(per_fix: dict[int, Totals], convert: Converter, month: str, limit: int) -> list[int]:
    """The ids of at most ``limit`` fixes with the most of ``per_fix`` in the reporting
    currency, most first, ties by id; a fix with nothing convertible does not rank."""
    keys = sorted((-convert(t, month).sort_key, fix_id) for fix_id, t in per_fix.items())
    return [fix_id for key, fix_id in keys if key < 0][:limit]


def top_fixes(
    conditions: Iterable,
    month: str,
    convert: Converter,
    amounts: list[revenue.Item],
    rank: str = "revenue",
    limit: int = TOP,
) -> list[FixRow]:
    """The open fixes matching ``conditions`` with the most revenue at risk (``rank`` =
    "revenue", from the open fixes' ``amounts``) or the most ARR of the accounts they touch
    ("arr"), each with both figures: two statements (the ARR, the fixes)."""
    conditions = list(conditions)
    per_fix = revenue.by_fix(amounts)
    arr = arr_by_fix(*conditions)
    chosen = ranked(arr if rank == "arr" else per_fix, convert, month, limit)
    position = sa.case({fix_id: i for i, fix_id in enumerate(chosen)}, value=Fix.id, else_=limit)
    query = (
        sa.select(Fix.id, Fix.title, Fix.priority, Fix.status, Fix.due_at, Team.name.label("team"))
        .join(Team, Fix.owner_team_id == Team.id)
        .where(*conditions)
        .order_by(position if chosen else sa.literal(0), Fix.id)
        .limit(limit)
    )
    rows = with_revenue(db.session.execute(query), month, convert, per_fix)
    for row in rows:
        row.arr = convert(arr.get(row.id, Totals()), month)
    return rows
