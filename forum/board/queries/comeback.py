"""After the fix: promises made good in three stages, and lost deals coming back.

Definitions (reads of ``forum.loop``'s follow-ups):

- **Promises made good** (broken-promise reports in the board's promise scope, see
  ``promises``): *fixed* — the fix is verified; *customer informed* — and the rep marked the
  customer informed (whatever the customer answered since); *trust restored* — and the rep
  marked trust restored. *Still unhappy* is counted beside them.
- **Deals coming back** (win/loss deals in the win/loss scope, per currency, each deal once
  however many fixes stand behind it): *fixed* — a re-engage follow-up was opened for it (its
  cause was verified fixed; withdrawn ones aside); *re-engaged* — its rep marked it
  re-engaged or won back; *won back* — marked won back. The board's "revenue lost to
  operations" counts lost deals only; win/loss analytics counts lost and no-decision deals.
  Amounts in different currencies are never added.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from forum.board.filters import BoardFilter
from forum.board.queries.promises import promise_scope
from forum.board.queries.sql import count_if, sum_if
from forum.board.queries.winloss import deal_scope
from forum.extensions import db
from forum.feedback.models import Outcome, Post, PostKind, PostStatus
from forum.fixes.models import Fix, FixStatus
from forum.loop.models import REENGAGED_STATES, TOLD_STATES, FollowUp, FollowUpKind, FollowUpState


@dataclass
class MadeGood:
    fixed: int = 0
    informed: int = 0
    trust_restored: int = 0
    still_unhappy: int = 0


def _customer_follow_up():
    return sa.and_(
        FollowUp.post_id == Post.id,
        FollowUp.fix_id == Fix.id,
        FollowUp.kind == FollowUpKind.CUSTOMER,
    )


def _made_good(where: list) -> MadeGood:
    verified = Fix.status == FixStatus.VERIFIED
    state, S = FollowUp.state, FollowUpState
    told = state.in_(sorted(TOLD_STATES))
    row = (
        db.session.execute(
            sa.select(
                count_if(verified).label("fixed"),
                count_if(sa.and_(verified, told)).label("informed"),
                count_if(sa.and_(verified, state == S.TRUST_RESTORED)).label("trust_restored"),
                count_if(sa.and_(verified, state == S.STILL_UNHAPPY)).label("still_unhappy"),
            )
            .select_from(Post)
            .outerjoin(Fix, Post.fix_id == Fix.id)
            .outerjoin(FollowUp, _customer_follow_up())
            .where(*where)
        )
        .mappings()
        .one()
    )
    return MadeGood(**{k: int(v) for k, v in row.items()})


def made_good(f: BoardFilter) -> MadeGood:
    """The three stages over the broken promises the board counts for ``f`` (one statement)."""
    return _made_good(promise_scope(f, f.start_at, f.end_at))


def made_good_for_account(account_id: int) -> MadeGood:
    """The three stages over one account's broken promises (its ledger; one statement)."""
    return _made_good(
        [
            Post.account_id == account_id,
            Post.kind == PostKind.BROKEN_PROMISE,
            Post.status != PostStatus.DUPLICATE,
        ]
    )


@dataclass
class Money:
    currency: str
    deals: int = 0
    value: Decimal = Decimal(0)


@dataclass
class Comeback:
    """Per currency: the deals whose cause is fixed, re-engaged and won back."""

    currency: str
    fixed: Money
    reengaged: Money
    won_back: Money


@dataclass
class Comebacks:
    lost: list[Comeback] = field(default_factory=list)  # lost deals only
    lost_or_no_decision: list[Comeback] = field(default_factory=list)


def _has(states) -> sa.ColumnElement:
    return (
        sa.select(FollowUp.id)
        .where(
            FollowUp.post_id == Post.id,
            FollowUp.kind == FollowUpKind.DEAL,
            FollowUp.state.in_(sorted(states)),
        )
        .exists()
    )


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def comebacks(f: BoardFilter) -> Comebacks:
    """Lost (and no-decision) deals coming back, per currency (one statement)."""
    opened = set(FollowUpState) - {FollowUpState.WITHDRAWN}
    preds = {
        "fixed": _has(opened),
        "reengaged": _has(REENGAGED_STATES),
        "won_back": _has({FollowUpState.WON_BACK}),
    }
    columns = []
    for name, pred in preds.items():
        columns += [count_if(pred).label(f"n_{name}"), sum_if(pred, Post.deal_value).label(name)]
    rows = db.session.execute(
        sa.select(Post.currency, Post.outcome, *columns)
        .where(
            *deal_scope(f),
            Post.outcome.in_([str(Outcome.LOST), str(Outcome.NO_DECISION)]),
            preds["fixed"],
        )
        .group_by(Post.currency, Post.outcome)
        .order_by(Post.currency)
    ).mappings()
    per: dict[bool, dict[str, dict]] = {True: {}, False: {}}
    for row in rows:
        per[row["outcome"] == str(Outcome.LOST)][row["currency"]] = row
    result = Comebacks()
    for currency in sorted({c for d in per.values() for c in d}):
        lost_row, other_row = per[True].get(currency), per[False].get(currency)
        if lost_row is not None:
            result.lost.append(_comeback(currency, [lost_row], preds))
        result.lost_or_no_decision.append(_comeback(currency, [lost_row, other_row], preds))
    return result


def _comeback(currency: str, rows: list, names) -> Comeback:
    """One currency's figures, summed over the rows (lost, no decision) it has."""
    got = [r for r in rows if r is not None]
    figures = [
        Money(
            currency,
            sum(int(r[f"n_{name}"]) for r in got),
            _money(sum(_money(r[name]) for r in got)),
        )
        for name in names
    ]
    return Comeback(currency, *figures)
