"""The one definition of a fix's revenue at risk, derived when read (never stored, so no event
can leave it behind): the amounts of its linked broken-promise reports and of their "me too"s,
each account counted once (``forum.core.money.per_account``: the account's largest amount in
the currency of its first amount).

Linking, merging, corroborating or withdrawing a "me too", editing a report's amount or currency
and re-triaging all change the rows read here, so every page that reads through this module
moves with them. Sets of fixes (a team's open fixes, the board's headline) count each account
once across the whole set, not once per fix."""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from forum.core.money import Exposure, Money, Totals, account_totals, per_account
from forum.core.rates import Converted, Converter, month_of
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Corroboration, Post, PostKind
from forum.fixes.models import Fix


def exposure_rows(*conditions):
    """(fix id, account id, post id, currency, amount, entered at, id) of every amount behind
    the fixes matching ``conditions`` (on ``Fix``): one SELECT of two parts."""
    # The fixes are chosen on their own (never correlated to the posts read here), so a
    # condition may itself look at a fix's posts.
    chosen = sa.select(Fix.id).where(*conditions).correlate(None)
    linked = [Post.fix_id.in_(chosen)]
    own = (
        sa.select(
            Post.fix_id.label("fix_id"),
            Fix.owner_team_id.label("team_id"),
            Fix.status.label("fix_status"),
            Post.account_id.label("account_id"),
            Post.id.label("post_id"),
            Post.currency.label("currency"),
            Post.revenue_at_risk.label("amount"),
            Post.created_at.label("at"),
            sa.literal(0).label("src"),
            Post.id.label("row_id"),
        )
        .join(Fix, Post.fix_id == Fix.id)
        .where(
            *linked,
            Post.kind == PostKind.BROKEN_PROMISE,
            Post.revenue_at_risk > 0,
        )
    )
    echoes = (
        sa.select(
            Post.fix_id,
            Fix.owner_team_id,
            Fix.status,
            sa.func.coalesce(Corroboration.account_id, Post.account_id),
            Post.id,
            sa.func.coalesce(Corroboration.currency, Post.currency),
            Corroboration.amount,
            Corroboration.created_at,
            sa.literal(1),
            Corroboration.id,
        )
        .join(Post, Corroboration.post_id == Post.id)
        .join(Fix, Post.fix_id == Fix.id)
        .where(*linked, Corroboration.amount > 0)
    )
    return sa.union_all(own, echoes)


@dataclass(frozen=True)
class Item:
    """One amount behind a fix."""

    fix_id: int
    team_id: int
    fix_status: str
    exposure: Exposure


def exposures(rows) -> list[Item]:
    """The rows of ``exposure_rows`` as items."""
    out = []
    for fix_id, team_id, status, account_id, post_id, currency, amount, at, src, row_id in rows:
        key = account_id if account_id is not None else ("post", post_id)
        money = Money(currency, amount)
        out.append(Item(fix_id, team_id, status, Exposure(key, money, (at, src, row_id))))
    return out


def load(*conditions) -> list[Item]:
    return exposures(db.session.execute(exposure_rows(*conditions)))


def by_fix(items: Iterable[Item]) -> dict[int, Totals]:
    """Each fix's revenue at risk (each account once within the fix)."""
    groups: dict[int, list[Exposure]] = {}
    for item in items:
        groups.setdefault(item.fix_id, []).append(item.exposure)
    return {fix_id: account_totals(es) for fix_id, es in groups.items()}


def by_team(items: Iterable[Item]) -> dict[int, Totals]:
    """Each team's revenue at risk over the fixes of ``items``, each account once per team."""
    groups: dict[int, list[Exposure]] = {}
    for item in items:
        groups.setdefault(item.team_id, []).append(item.exposure)
    return {team_id: account_totals(es) for team_id, es in groups.items()}


def once_across(items: Iterable[Item]) -> Totals:
    """The revenue at risk of a set of fixes, each account once across them all."""
    return account_totals(item.exposure for item in items)


def of_fix(fix: Fix | int) -> Totals:
    """One fix's revenue at risk: one statement."""
    fix_id = fix if isinstance(fix, int) else fix.id
    return by_fix(load(Fix.id == fix_id)).get(fix_id, Totals())


def of_fixes(fix_ids: Iterable[int]) -> dict[int, Totals]:
    """The revenue at risk of each of ``fix_ids`` (a fix with none maps to empty totals)."""
    ids = list(dict.fromkeys(fix_ids))
    found = by_fix(load(Fix.id.in_(ids)))  # even for no fixes: the same statements always
    return {i: found.get(i, Totals()) for i in ids}


def accounts_of(fix: Fix | int) -> dict:
    """Account key -> the amount that counts for it, for the fix page's breakdown."""
    fix_id = fix if isinstance(fix, int) else fix.id
    return per_account(item.exposure for item in load(Fix.id == fix_id))


def converted(fix_ids: Iterable[int], month: str | None = None) -> dict[int, Converted]:
    """Each fix's revenue at risk in the reporting currency at ``month``'s rates (this month
    by default): three statements (the amounts, the reporting currency, the rates)."""
    month = month or month_of(utcnow())
    convert = Converter({month})
    return {i: convert(t, month) for i, t in of_fixes(fix_ids).items()}
