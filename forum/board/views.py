"""Board pages: the accountability board, team scorecards, win/loss analytics, the period
review, the lists behind every figure, an account's promise ledger, a rep's track record and
the CSV exports. Leaders and admins only, except a rep's own track record."""

from dataclasses import replace

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from forum.accounts.models import Account
from forum.auth.models import User
from forum.auth.permissions import can, require, require_obj, role_may
from forum.board import csvexport, dashboards, filters, queries
from forum.board.queries.agreement import AGREEMENT_HEADER, agreement_rows
from forum.board.queries.agreement import agreement as buyer_agreement
from forum.board.queries.comeback import comebacks, made_good, made_good_for_account
from forum.board.queries.fixes import AGES, PRIORITIES
from forum.board.queries.lists import KINDS, POST_LISTS, post_list_query
from forum.board.queries.ranking import RANKS
from forum.core import csvsafe
from forum.core.pagination import paginate
from forum.core.params import arg_choice, arg_int
from forum.core.rates import month_of
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from forum.fixes.models import Fix
from forum.loop import queries as loop_queries

bp = Blueprint("board", __name__, url_prefix="/board")


def _filter(**options) -> tuple[filters.BoardFilter, list[filters.TeamRef]]:
    """The filter in the URL, or 400/404 with what is wrong with it."""
    teams = queries.teams()
    return filters.parse(request.args, teams, utcnow().date(), **options), teams


def _options(teams):
    return {
        "regions": [t for t in teams if t.kind == "sales"],
        "ops_teams": [t for t in teams if t.kind == "operations"],
        "segments": filters.SEGMENTS,
        "presets": filters.PRESETS,
    }


def _ops_team_or_404(team_id: int, teams) -> filters.TeamRef:
    for team in teams:
        if team.id == team_id and team.kind == "operations":
            return team
    abort(404)


@bp.get("/")
@require("board.view")
def index():
    """The accountability board: every operations team at a glance."""
    f, teams = _filter()
    rank = arg_choice("rank", RANKS, "revenue", "Rank the top fixes by revenue or arr.")
    now = utcnow()
    data = queries.board(f, teams, now, rank)
    return render_template(
        "board/index.html",
        f=f,
        now=now,
        board=data,
        ranks=RANKS,
        ages=AGES,
        priorities=PRIORITIES,
        charts=dashboards.board_charts(data),
        made_good=made_good(f),
        **_options(teams),
    )


@bp.get("/teams/<int:team_id>")
@require("board.view")
def team(team_id: int):
    """One operations team's scorecard: its figures, month by month, and its stale promises."""
    f, teams = _filter()
    ops_team = _ops_team_or_404(team_id, teams)
    now = utcnow()
    card = queries.scorecard(f, ops_team, now)
    month_charts = dashboards.team_charts(card, ops_team.name)
    return render_template(
        "board/team.html",
        f=f,
        scoped=replace(f, team=ops_team),
        team=ops_team,
        card=card,
        now=now,
        charts=month_charts,
        ages=AGES,
        priorities=PRIORITIES,
        **_options(teams),
    )


@bp.get("/win-loss")
@require("board.view")
def win_loss():
    """Win rates, loss reasons, competitors and the revenue lost to unfixed issues.

    A deal belongs to the rep's sales region, not to an operations team: the team filter does
    not apply here (the page says so when one was set), so its links leave it out too."""
    f, teams = _filter()
    team_ignored = f.team
    f = replace(f, team=None)
    data = queries.win_loss(f, teams, utcnow())
    return render_template(
        "board/win_loss.html",
        f=f,
        team_ignored=team_ignored,
        data=data,
        charts=dashboards.win_loss_charts(data),
        comebacks=comebacks(f),
        **_options(teams),
    )


@bp.get("/win-loss/agreement")
@require("board.view")
def agreement():
    """The rep's reason beside the buyer's: match rate, the rep-vs-buyer matrix, how often each
    side cites each reason, themes over time and response rates, under win/loss's filters."""
    f, teams = _filter()
    team_ignored = f.team
    f = replace(f, team=None)
    return render_template(
        "board/agreement.html",
        f=f,
        team_ignored=team_ignored,
        data=buyer_agreement(f, teams),
        **_options(teams),
    )


@bp.get("/export/agreement.csv")
@require("board.export")
def export_agreement():
    """The agreement view's figures as CSV, for the same filters."""
    f, teams = _filter()
    f = replace(f, team=None)
    data = buyer_agreement(f, teams)
    return _csv("agreement", f, AGREEMENT_HEADER, agreement_rows(data))


@bp.get("/reporters")
@require("board.view")
def reporters():
    """The reps whose reports lead to fixes: listen to the top performers. Reps belong to
    sales regions: the operations-team filter does not apply (and is left out of the links)."""
    f, teams = _filter()
    f = replace(f, team=None)
    return render_template(
        "board/reporters.html", f=f, rows=queries.reporters(f), **_options(teams)
    )


@bp.get("/review")
@require("board.view")
def review():
    """The period review, ready to print."""
    f, teams = _filter(default_period="month")
    now = utcnow()
    data = queries.period_review(f, teams, now)
    return render_template(
        "board/review.html",
        f=f,
        now=now,
        review=data,
        made_good=made_good(f),
        comebacks=comebacks(f),
        kinds=KINDS,
        **_options(teams),
    )


@bp.get("/fixes")
@require("board.view")
def fix_list():
    """The fixes behind a figure of the board."""
    f, teams = _filter()
    metric = arg_choice("list", queries.FIX_METRICS, "active")
    priority = arg_choice("priority", PRIORITIES)
    now = utcnow()
    query = queries.fix_list_query(f, now, metric, priority).options(joinedload(Fix.owner_team))
    page = paginate(query.order_by(Fix.due_at, Fix.id), per_page=50)
    return render_template(
        "board/fixes.html",
        f=f,
        page=page,
        metric=metric,
        title=queries.FIX_METRICS[metric],
        priority=priority,
        now=now,
        revenue=queries.fix_revenue((fix.id for fix in page.items), month_of(now)),
        **_options(teams),
    )


def _post_list_args():
    name = arg_choice("list", POST_LISTS, "reported")
    kind = arg_choice("kind", KINDS)
    reason = request.args.get("reason")
    if reason != "none":  # "none": the deals without a primary reason
        reason = arg_int("reason", min=1, message="Unknown reason.")
    competitor = arg_int("competitor", min=1, message="Unknown competitor.")
    return name, kind, reason, competitor


@bp.get("/posts")
@require("board.view")
def post_list():
    """The reports behind a figure (win/loss, promises, reports filed)."""
    f, teams = _filter()
    name, kind, reason, competitor = _post_list_args()
    query = post_list_query(
        f, utcnow(), name, kind=kind, reason=reason, competitor=competitor
    ).options(joinedload(Post.author), joinedload(Post.region), joinedload(Post.account))
    page = paginate(query.order_by(Post.created_at.desc(), Post.id.desc()), per_page=50)
    return render_template(
        "board/posts.html",
        f=f,
        page=page,
        name=name,
        title=POST_LISTS[name],
        kind=kind,
        kinds=KINDS,
        **_options(teams),
    )


@bp.get("/accounts/<int:account_id>")
@require("account.view")
def account_ledger(account_id: int):
    """An account's promise ledger, for everyone who may see the account: reps check it before
    promising again. It names no author."""
    account = db.session.get(Account, account_id)
    if account is None:
        abort(404)
    return render_template(
        "board/ledger.html",
        account=account,
        ledger=queries.promise_ledger(account_id),
        made_good=made_good_for_account(account_id),
    )


@bp.get("/reps/me")
@login_required
def my_record():
    """The signed-in rep's own track record (the navigation's "My record")."""
    return rep(user_id=current_user.id)


@bp.get("/reps/<int:user_id>")
@require("board.record")
def rep(user_id: int):
    """A rep's track record: to leaders, admins and the rep."""
    person = db.session.get(User, user_id, options=[joinedload(User.team)])
    # Only someone who may file reports has a track record (deactivated or not).
    if person is None or not role_may(person.role, "post.create"):
        abort(404)
    require_obj("board.record", person)
    own = person.id == current_user.id
    if own:
        f, teams = _filter(default_period="all", allow_all=True)
    else:
        # Others see the whole record only: narrowing the period around a shielded report
        # would tell them who wrote it.
        f, teams = filters.parse({}, [], utcnow().date(), default_period="all", allow_all=True), []
    record = queries.track_record(person, f, show_shielded=own)
    # Only the rep sees their own follow-ups (those of shielded reports among them).
    mine = {}
    if own:
        mine = {
            "follow_ups": loop_queries.my_follow_ups(person),
            "follow_up_counts": loop_queries.my_counts(person),
        }
    return render_template(
        "board/rep.html",
        **mine,
        f=f,
        person=person,
        record=record,
        own=own,
        kinds=KINDS,
        can_board=can(current_user, "board.view"),
        **_options(teams),
    )


def _csv(name: str, f: filters.BoardFilter, header, rows) -> Response:
    filename = f"{name}-{f.start.isoformat()}-{f.end.isoformat()}.csv"
    return csvsafe.download(filename, header, rows)


@bp.get("/export/posts.csv")
@require("board.export")
def export_posts():
    """The reports of the current filter (or of one figure's list) as CSV."""
    f, _ = _filter()
    name, kind, reason, competitor = _post_list_args()
    query = post_list_query(f, utcnow(), name, kind=kind, reason=reason, competitor=competitor)
    return _csv("reports", f, csvexport.POST_HEADER, csvexport.post_rows(query, current_user))


@bp.get("/export/fixes.csv")
@require("board.export")
def export_fixes():
    """The fixes of the current filter (or of one figure's list) as CSV."""
    f, _ = _filter()
    metric = arg_choice("list", queries.FIX_METRICS, "active")
    priority = arg_choice("priority", PRIORITIES)
    now = utcnow()
    query = queries.fix_list_query(f, now, metric, priority)
    return _csv("fixes", f, csvexport.FIX_HEADER, csvexport.fix_rows(query, now))


@bp.get("/export/history.csv")
@require("board.export")
def export_history():
    """The history entries written in the period for the fixes in scope, as CSV."""
    f, _ = _filter()
    query = queries.fix_list_query(f, utcnow(), "all")
    rows = csvexport.history_rows(query, f.start_at, f.end_at, current_user)
    return _csv("fix-history", f, csvexport.HISTORY_HEADER, rows)
