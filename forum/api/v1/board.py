"""/api/v1/board: the accountability board's figures per operations team, for a period and
the board's filters (leaders and admins, as the board page)."""

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from forum.api.v1 import auth
from forum.api.v1 import schemas as s
from forum.auth.permissions import ensure
from forum.board import filters, queries
from forum.core.time import utcnow

bp = Blueprint("api_board", __name__, url_prefix="/api/v1/board", description="The board")
auth.protect(bp)


def _row(r) -> dict:
    return {
        "team": {"id": r.team.id, "name": r.team.name} if r.team else None,
        "counts": dict(r.counts),
        "median_age_days": r.median_age_days,
        "ttr_median_days": r.ttr_median_days,
        "ttr_p90_days": r.ttr_p90_days,
        "on_time_rate": r.on_time_rate,
        "reopen_rate": r.reopen_rate,
        "recurrence_rate": r.recurrence_rate,
    }


@bp.route("")
class Board(MethodView):
    @bp.arguments(s.BoardArgsSchema, location="query", as_kwargs=True)
    @bp.response(200, s.BoardSchema)
    def get(self, **_):
        """Open, overdue, due this week, ages, time to resolve, on-time, reopen and recurrence
        rates per operations team (``from``, ``to``, ``period``, ``on``: as on the board)."""
        ensure(current_user, "board.view")
        teams = queries.teams()
        f = filters.parse(request.args, teams, utcnow().date())  # BadFilter: 400
        data = queries.board(f, teams, utcnow())
        return {
            "period": f.period,
            "start": f.start,
            "end": f.end,
            "teams": [_row(r) for r in data.teams],
            "total": _row(data.total),
        }
