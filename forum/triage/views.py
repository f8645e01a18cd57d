"""The triage inbox and the actions leaders take on each report."""

from datetime import timedelta
from urllib.parse import parse_qsl

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from forum.auth.models import Team, TeamKind
from forum.auth.permissions import require
from forum.core import settings, zones
from forum.core.errors import DomainError
from forum.core.params import BadFilter, get_ids, to_id
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post, PostKind
from forum.feedback.shielding import author_label
from forum.fixes.forms import FixForm
from forum.fixes.models import OPEN_STATUSES, Fix, FixStatus
from forum.fixes.queries import team_member_choices
from forum.triage import queries, services
from forum.triage.forms import (
    AttachForm,
    BulkForm,
    DuplicateForm,
    NoteForm,
    QuestionForm,
    ReasonForm,
)

bp = Blueprint("triage", __name__, url_prefix="/triage")


@bp.get("/")
@require("triage.view")
def inbox():
    """Untriaged reports, newest first unless sorted otherwise, filtered and paginated, each
    with its facts and flags and its age against the triage target."""
    f = queries.InboxFilter.from_args(request.args)  # BadFilter: 400
    now = utcnow()
    target = timedelta(hours=settings.get("triage_target_hours"))
    found = queries.inbox(f, now, target)
    return render_template(
        "triage/inbox.html",
        f=f,
        found=found,
        page=found.page,
        now=now,
        target=target,
        sorts={k: label for k, (label, _) in queries.SORTS.items()},
        queries=queries,
        kinds=[(k.value, k.label) for k in PostKind],
        label=lambda p: author_label(current_user, p),
        bulk_form=BulkForm(),
    )


BULK_DONE = {
    "decline": "declined",
    "needs_info": "sent back to their reporters with the question",
    "note": "noted",
    "duplicate": "merged into report #{original}",
}


@bp.post("/bulk")
@require("triage.act")
def bulk():
    """One action on several reports, each through its single-report service (same rules, same
    history); a refused report changes nothing and is named."""
    form = BulkForm()
    posts = _selected_posts()
    back = redirect(_inbox_again(), 303)
    if not form.validate():
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        flash(f"Nothing changed: {errors}", "error")
        return back
    if not posts:
        flash("Tick one or more reports in the inbox first.", "error")
        return back
    if form.action.data == "fix":
        return redirect(url_for("triage.create_fix", post=[p.id for p in posts]), 303)
    reason = (form.reason.data or "").strip()
    original = None
    if form.action.data == "duplicate":
        original = db.session.get(Post, form.original_id.data) if form.original_id.data else None
        if original is None:
            flash("Nothing changed: give the number of an existing report to merge into.", "error")
            return back
    actions = {
        "decline": lambda p: services.decline(p, actor=current_user, reason=reason),
        "needs_info": lambda p: services.ask_for_info(p, actor=current_user, question=reason),
        "note": lambda p: services.note(p, actor=current_user, remark=reason),
        "duplicate": lambda p: services.mark_duplicate(p, original, actor=current_user),
    }
    done, refused = services.bulk(posts, actions[form.action.data], actor=current_user)
    db.session.commit()
    if done:
        what = BULK_DONE[form.action.data].format(original=original.id if original else "")
        ids = ", ".join(f"#{p.id}" for p in done)
        flash(f"{len(done)} report{'s' if len(done) != 1 else ''} {what}: {ids}.", "success")
    for post_id, message in refused.items():
        flash(f"Report #{post_id} was not changed: {message}", "error")
    return back


def _inbox_again() -> str:
    """The inbox with the filters and sort the leader acted from (the form's ``back``, the
    inbox's own query string); a value the inbox would refuse gives the plain inbox."""
    try:
        f = queries.InboxFilter.from_args(MultiDict(parse_qsl(request.form.get("back", ""))))
    except BadFilter:
        return url_for("triage.inbox")
    return url_for("triage.inbox", **f.args())


def _selected_posts() -> list[Post]:
    ids = get_ids(request.values, "post", message="The selection is damaged; go back to the inbox.")
    if not ids:
        return []
    posts = db.session.scalars(sa.select(Post).where(Post.id.in_(ids)).order_by(Post.id)).all()
    if len(posts) != len(set(ids)):
        abort(404)
    return list(posts)


@bp.route("/fix", methods=["GET", "POST"])
@require("triage.act")
def create_fix():
    """Create a fix from one or several reports."""
    posts = _selected_posts()
    if not posts:
        flash("Tick one or more reports in the inbox first.", "error")
        return redirect(url_for("triage.inbox"))
    form = FixForm()
    teams = db.session.scalars(
        sa.select(Team).where(Team.kind == TeamKind.OPERATIONS).order_by(Team.name)
    ).all()
    form.owner_team_id.choices = [("", "— choose —")] + [(t.id, t.name) for t in teams]
    # Without a team chosen yet, offer every operations team's members, grouped by team; once
    # the form is posted, only members of the chosen team (the service checks it again).
    form.assignee_id.choices = {"No assignee": [("", "— nobody yet —")]} | (
        queries.assignee_choices()
    )
    if request.method == "GET":
        first = posts[0]
        form.title.data = first.title
        form.problem.data = "\n\n".join(
            f"Report #{p.id}: {p.title}" + (f" — promised: {p.promised}" if p.promised else "")
            for p in posts
        )
        owners = [p.team_id for p in posts if p.kind == PostKind.BROKEN_PROMISE and p.team_id]
        if owners:
            form.owner_team_id.data = owners[0]
        impact = max((p.impact or 0) for p in posts)
        form.priority.data = {4: "P1", 3: "P2", 2: "P3"}.get(impact, "P3")
    if request.method == "POST":
        # Assignee choices depend on the chosen team: accept members of it.
        team_id = request.form.get("owner_team_id", type=to_id)
        if team_id is not None:
            form.assignee_id.choices = [("", "— nobody yet —")] + team_member_choices(team_id)
    if form.validate_on_submit():
        try:
            fix = services.create_fix_from_posts(
                posts,
                actor=current_user,
                title=form.title.data,
                problem=form.problem.data,
                owner_team_id=form.owner_team_id.data,
                priority=form.priority.data,
                assignee_id=form.assignee_id.data,
                due_at=zones.end_of_org_day(form.due_date.data) if form.due_date.data else None,
                due_reason=form.due_reason.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            form.title.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"Fix #{fix.id} is open and assigned to {fix.owner_team.name}.", "success")
            return redirect(url_for("fixes.detail", fix_id=fix.id))
    return render_template("triage/create_fix.html", form=form, posts=posts)


def _act(post_id: int, form_cls, action, success: str):
    post = db.get_or_404(Post, post_id)
    form = form_cls()
    if not form.validate():
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        flash(f"Post #{post.id}: {errors}", "error")
        return redirect(url_for("triage.post", post_id=post.id)), 303
    try:
        action(post, form)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("triage.post", post_id=post.id)), 303
    db.session.commit()
    flash(success.format(id=post.id), "success")
    return redirect(url_for("triage.inbox"))


@bp.get("/posts/<int:post_id>")
@require("triage.view")
def post(post_id: int):
    """Triage one report: every action in one place."""
    post = db.get_or_404(Post, post_id)
    now = utcnow()
    open_fixes = db.session.scalars(
        sa.select(Fix)
        .where(Fix.status.in_(OPEN_STATUSES | {FixStatus.RESOLVED}))
        .order_by(Fix.id.desc())
        .limit(200)
    ).all()
    duplicates = services.possible_duplicates(post)
    return render_template(
        "triage/post.html",
        post=post,
        now=now,
        author=author_label(current_user, post),
        duplicates=duplicates,
        original=services.likely_original(post, duplicates),
        recurrences=services.possible_recurrences(post, now),
        open_fixes=open_fixes,
        reason_form=ReasonForm(),
        question_form=QuestionForm(),
        note_form=NoteForm(),
        duplicate_form=DuplicateForm(),
        attach_form=AttachForm(),
        target=timedelta(hours=settings.get("triage_target_hours")),
    )


@bp.post("/posts/<int:post_id>/decline")
@require("triage.act")
def decline(post_id: int):
    """Decline a report, telling the reporter why."""
    return _act(
        post_id,
        ReasonForm,
        lambda p, f: services.decline(p, actor=current_user, reason=f.reason.data),
        "Report #{id} is declined.",
    )


@bp.post("/posts/<int:post_id>/needs-info")
@require("triage.act")
def needs_info(post_id: int):
    """Ask the reporter a question; their reply brings the report back."""
    return _act(
        post_id,
        QuestionForm,
        lambda p, f: services.ask_for_info(p, actor=current_user, question=f.question.data),
        "Report #{id} is waiting for the reporter's answer.",
    )


@bp.post("/posts/<int:post_id>/note")
@require("triage.act")
def note(post_id: int):
    """Mark a report as read, no fix needed."""
    return _act(
        post_id,
        NoteForm,
        lambda p, f: services.note(p, actor=current_user, remark=f.remark.data or ""),
        "Report #{id} is noted.",
    )


@bp.post("/posts/<int:post_id>/duplicate")
@require("triage.act")
def duplicate(post_id: int):
    """Merge a report into the one it repeats."""

    def action(p, f):
        original = db.session.get(Post, f.original_id.data)
        if original is None:
            raise DomainError(f"There is no report #{f.original_id.data}.")
        services.mark_duplicate(p, original, actor=current_user)

    return _act(
        post_id,
        DuplicateForm,
        action,
        "Report #{id} is merged into the original; its “me too”s moved with it.",
    )


@bp.post("/posts/<int:post_id>/attach")
@require("triage.act")
def attach(post_id: int):
    """Link a report to an existing fix."""

    def action(p, f):
        fix = db.session.get(Fix, f.fix_id.data)
        if fix is None:
            raise DomainError(f"There is no fix #{f.fix_id.data}.")
        services.attach_to_fix(p, fix, actor=current_user)

    return _act(post_id, AttachForm, action, "Report #{id} is linked to the fix.")


@bp.post("/posts/<int:post_id>/recurrence")
@require("triage.act")
def recurrence(post_id: int):
    """The problem is back: reopen the verified fix and link this report to it."""

    def action(p, f):
        fix = db.session.get(Fix, f.fix_id.data)
        if fix is None:
            raise DomainError(f"There is no fix #{f.fix_id.data}.")
        services.reopen_for_recurrence(p, fix, actor=current_user)

    return _act(
        post_id,
        AttachForm,
        action,
        "The fix is reopened as a recurrence and report #{id} is linked to it.",
    )
