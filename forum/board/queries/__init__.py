"""The board's read side: every figure is an aggregate computed in the database.

Split by subject: ``fixes`` (the board), ``scorecard`` (a team month by month), ``promises``
(the state of a broken promise), ``winloss``, ``people`` (the promise ledger of an account,
the track record of a rep), ``review`` (the period review), ``lists`` (the reports behind a
figure) and ``sql`` (portable SQL pieces). The names below are the board's public queries.
"""

import sqlalchemy as sa

from forum.auth.models import Team
from forum.board.filters import TeamRef
from forum.board.queries.fixes import FIX_METRICS, Board, board
from forum.board.queries.lists import fix_list_query
from forum.board.queries.people import (
    Ledger,
    ReporterRow,
    TrackRecord,
    promise_ledger,
    reporters,
    track_record,
)
from forum.board.queries.promises import PROMISE_STATES
from forum.board.queries.review import Review, period_review
from forum.board.queries.scorecard import Scorecard, scorecard
from forum.board.queries.winloss import DEAL_METRICS, WinLoss, deal_list_query, win_loss
from forum.extensions import db
from forum.fixes.revenue import converted as fix_revenue

__all__ = [
    "DEAL_METRICS",
    "FIX_METRICS",
    "PROMISE_STATES",
    "Board",
    "Ledger",
    "ReporterRow",
    "Review",
    "Scorecard",
    "TrackRecord",
    "WinLoss",
    "board",
    "fix_revenue",
    "deal_list_query",
    "fix_list_query",
    "period_review",
    "promise_ledger",
    "reporters",
    "scorecard",
    "teams",
    "track_record",
    "win_loss",
]


def teams() -> list[TeamRef]:
    """Every team, by name: one statement (filters and labels need them all)."""
    rows = db.session.execute(sa.select(Team.id, Team.name, Team.kind).order_by(Team.name, Team.id))
    return [TeamRef(*row) for row in rows]
