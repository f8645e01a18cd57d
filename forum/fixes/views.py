"""Fix pages: list, the fix page with its timeline, status moves, assignment, priority, due
date, snooze, escalations, the operations queue and the SLA policy."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forum.auth.permissions import can, require, require_obj
from forum.core import settings, signals, zones
from forum.core.errors import Conflict, DomainError
from forum.core.params import MAX_IDS, BadFilter, arg_choice, arg_int, page_arg, to_id, to_int
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import queries, revenue, services, workflow
from forum.fixes import sla as sla_policy
from forum.fixes.escalations import acknowledge_escalation as acknowledge_escalation_of
from forum.fixes.escalations import snooze as snooze_fix
from forum.fixes.forms import (
    AssignForm,
    DueForm,
    FixCommentForm,
    PriorityForm,
    SlaForm,
    SnoozeForm,
    TransitionForm,
)
from forum.fixes.models import Escalation, Fix, FixStatus, Priority

bp = Blueprint("fixes", __name__, url_prefix="/fixes")


def get_fix_or_404(fix_id: int) -> Fix:
    return queries.visible_fix_or_404(fix_id, current_user)


def _version(form) -> int:
    if form.version.data is None:
        abort(400, description="The form is missing its version; reload the page.")
    return form.version.data


def _team_members(team_id: int):
    return [("", "— nobody —")] + queries.team_member_choices(team_id)


@bp.get("/")
@require("fix.view")
def index():
    """Fixes, filterable by status, team, priority and overdue: open ones unless asked."""
    status = arg_choice(
        "status", {"active", "any"} | {s.value for s in FixStatus}, "active", "Unknown status."
    )
    team = arg_int("team", min=1, message="Unknown team.")
    priority = arg_choice("priority", {p.value for p in Priority}, message="Unknown priority.")
    overdue = request.args.get("overdue") == "1"
    page = queries.fix_list(status=status, team=team, priority=priority, overdue=overdue)
    teams = queries.operations_teams()
    return render_template(
        "fixes/index.html",
        page=page,
        statuses=FixStatus,
        teams=teams,
        priorities=Priority,
        status=status,
        team=team,
        priority=priority,
        overdue=overdue,
        now=utcnow(),
        revenue=revenue.converted(f.id for f in page.items),
    )


@bp.get("/<int:fix_id>")
@require("fix.view")
def detail(fix_id: int):
    """A fix with one timeline of history, comments and linked reports."""
    return _render_detail(get_fix_or_404(fix_id))


def _render_detail(fix: Fix, *, error: str = "", status: int = 200, form=None):
    page = page_arg() if request.args.get("page") else None
    data = queries.fix_page(fix, current_user, page=page)
    transition_form = form or TransitionForm(version=fix.version)
    # The choices are read only for the forms the page shows.
    resolving = FixStatus.RESOLVED in data.moves
    transition_form.root_cause_id.choices = queries.root_cause_choices() if resolving else []
    assign_form = AssignForm(version=fix.version, assignee_id=fix.assignee_id)
    assigning = not data.plain and fix.is_open and can(current_user, "fix.assign", fix)
    assign_form.assignee_id.choices = _team_members(fix.owner_team_id) if assigning else []
    return render_template(
        "fixes/detail.html",
        fix=fix,
        timeline=data.timeline,
        timeline_page=data.timeline_page,
        chain=data.chain,
        posts=data.posts,
        moves=data.moves,
        labels=workflow.ACTION_LABELS,
        plain=data.plain,
        escalations=data.escalations,
        now=data.now,
        revenue=data.revenue,
        transition_form=transition_form,
        assign_form=assign_form,
        priority_form=PriorityForm(version=fix.version, priority=fix.priority),
        due_form=DueForm(version=fix.version),
        snooze_form=SnoozeForm(version=fix.version),
        comment_form=FixCommentForm(),
        error=error,
        verify_prompt=data.verify_prompt,
        window_ends=data.window_ends,
        is_reporter=data.is_reporter,
        panels=[p for _, p in signals.fix_page_panels.send(fix, user=current_user) if p],
    ), status


def _attempt(fix: Fix, action, success: str, form=None):
    """Run a service call; on a domain error show the fix page with the message."""
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        fix = get_fix_or_404(fix.id)
        message = exc.message
        if isinstance(exc, Conflict) and "changes" in exc.details:
            # A stale version: say who changed what since, as this viewer may see it.
            message = queries.stale_message(fix, exc.details["changes"], current_user)
        return _render_detail(fix, error=message, status=exc.status, form=form)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("fixes.detail", fix_id=fix.id))


@bp.post("/<int:fix_id>/status")
@require("fix.view")
def change_status(fix_id: int):
    """Move the fix along the workflow (the table decides who may)."""
    fix = get_fix_or_404(fix_id)
    form = TransitionForm()
    form.root_cause_id.choices = queries.root_cause_choices()
    if not form.validate():
        abort(400, description="The form is incomplete; reload the page and try again.")
    to = form.to.data
    if to not in {s.value for s in FixStatus}:
        abort(400, description="Unknown status.")
    version = _version(form)
    return _attempt(
        fix,
        lambda: services.transition(
            fix,
            to,
            actor=current_user,
            version=version,
            note=form.note.data or "",
            resolution_note=form.resolution_note.data or "",
            root_cause_id=form.root_cause_id.data,
            prevention=form.prevention.data or "",
        ),
        f"The fix is now “{FixStatus(to).label}”.",
        form=form,
    )


@bp.post("/<int:fix_id>/assign")
@require("fix.assign")
def assign(fix_id: int):
    """Give the fix to someone in its owner team."""
    fix = get_fix_or_404(fix_id)
    require_obj("fix.assign", fix)
    form = AssignForm()
    form.assignee_id.choices = _team_members(fix.owner_team_id)
    if not form.validate():
        abort(400, description="Choose a member of the owner team.")
    version = _version(form)
    return _attempt(
        fix,
        lambda: services.assign(fix, form.assignee_id.data, actor=current_user, version=version),
        "The assignee is updated.",
    )


@bp.post("/<int:fix_id>/priority")
@require("fix.manage")
def priority(fix_id: int):
    """Change the priority."""
    fix = get_fix_or_404(fix_id)
    form = PriorityForm()
    if not form.validate():
        abort(400, description="Choose a priority.")
    version = _version(form)
    return _attempt(
        fix,
        lambda: services.set_priority(
            fix,
            form.priority.data,
            actor=current_user,
            version=version,
            note=form.priority_note.data or "",
        ),
        "The priority is updated.",
    )


@bp.post("/<int:fix_id>/due")
@require("fix.manage")
def due(fix_id: int):
    """Change the due date, with a reason."""
    fix = get_fix_or_404(fix_id)
    form = DueForm()
    if not form.validate():
        return _render_detail(
            fix, error="Give a new due date and a reason (at least 3 characters).", status=400
        )
    version = _version(form)
    return _attempt(
        fix,
        lambda: services.set_due(
            fix,
            zones.end_of_org_day(form.new_due_date.data),
            actor=current_user,
            version=version,
            reason=form.due_reason.data,
        ),
        "The due date is updated.",
    )


@bp.post("/<int:fix_id>/snooze")
@require("fix.escalations")
def snooze(fix_id: int):
    """Hold escalation until a date, with a reason."""
    fix = get_fix_or_404(fix_id)
    form = SnoozeForm()
    if not form.validate():
        return _render_detail(fix, error="Give a date and a reason to snooze.", status=400)
    version = _version(form)
    return _attempt(
        fix,
        lambda: snooze_fix(
            fix,
            zones.end_of_org_day(form.until.data),
            actor=current_user,
            version=version,
            reason=form.snooze_reason.data,
        ),
        "Escalation is snoozed.",
    )


@bp.post("/<int:fix_id>/comments")
@require("fix.comment")
def comment(fix_id: int):
    """Comment on a fix."""
    fix = get_fix_or_404(fix_id)
    form = FixCommentForm()
    if not form.validate():
        return _render_detail(fix, error="Write something before posting a comment.", status=400)
    return _attempt(
        fix,
        lambda: services.add_comment(fix, current_user, form.body.data),
        "Your comment is posted.",
    )


@bp.post("/escalations/<int:escalation_id>/acknowledge")
@require("fix.escalations")
def acknowledge_escalation(escalation_id: int):
    """The person an escalation went to acknowledges it."""
    escalation = db.session.get(Escalation, escalation_id)
    if escalation is None:
        abort(404)
    fix = get_fix_or_404(escalation.fix_id)
    return _attempt(
        fix,
        lambda: acknowledge_escalation_of(escalation, actor=current_user),
        "The escalation is acknowledged.",
    )


@bp.get("/escalations")
@require("fix.escalations")
def escalations():
    """Escalations waiting for me (leaders see all waiting ones); ``?show=all`` adds those
    acknowledged or closed with their fix."""
    every = arg_choice("show", ("waiting", "all"), "waiting") == "all"
    rows = queries.open_escalations(current_user, every=every)
    return render_template("fixes/escalations.html", escalations=rows, every=every, now=utcnow())


@bp.get("/queue")
@require("fix.queue")
def queue():
    """An operations team's open fixes, by due date then priority; overdue ones marked."""
    team_id = current_user.team_id
    if can(current_user, "fix.queue_any_team"):
        team_id = arg_int("team", min=1, message="Unknown team.")
    data = queries.queue(current_user, team_id)
    return render_template(
        "fixes/queue.html",
        fixes=data.fixes,
        groups=data.groups,
        awaiting=data.awaiting,
        team=data.team,
        teams=data.teams,
        now=data.now,
        can_ack=data.can_ack,
    )


def _ticked_fixes() -> list[tuple[int, int]]:
    """The ``fix=<id>:<version>`` boxes ticked in the queue."""
    pairs = []
    for raw in request.form.getlist("fix")[: MAX_IDS + 1]:
        ident, _, version = raw.partition(":")
        try:
            pairs.append((to_id(ident), to_int(version)))
        except ValueError:
            raise BadFilter("The selection is damaged; reload the page.") from None
    if len(pairs) > MAX_IDS:
        raise BadFilter(f"Acknowledge at most {MAX_IDS} fixes at once.")
    return pairs


@bp.post("/queue/acknowledge")
@require("fix.queue")
def bulk_acknowledge():
    """Acknowledge the ticked fixes at once (each one checked and recorded)."""
    pairs = []
    for ident, version in _ticked_fixes():
        fix = db.session.get(Fix, ident)
        if fix is None:
            abort(404)
        pairs.append((fix, version))
    if not pairs:
        flash("Tick the fixes to acknowledge first.", "error")
        return redirect(url_for("fixes.queue"))
    done, problems = services.bulk_acknowledge(pairs, actor=current_user)
    db.session.commit()
    if done:
        flash(f"{len(done)} fix{'es' if len(done) != 1 else ''} acknowledged.", "success")
    for problem in problems:
        flash(problem, "error")
    return redirect(url_for("fixes.queue", team=pairs[0][0].owner_team_id))


@bp.route("/sla", methods=["GET", "POST"])
@require("admin.sla")
def sla():
    """The SLA policy: per priority, hours to acknowledge and days to resolve."""
    form = SlaForm()
    form.time_zone.choices = zones.zone_choices()
    if request.method == "GET":
        form.time_zone.data = zones.org_zone()
        for p in Priority:
            ack, resolve = sla_policy.sla_for(p.value)
            getattr(form, f"{p.value}_ack_hours").data = ack
            getattr(form, f"{p.value}_resolve_days").data = resolve
        for key in sla_policy.POLICY_SETTINGS:
            getattr(form, key).data = settings.get(key)
    if form.validate_on_submit():
        targets = {
            p.value: (
                getattr(form, f"{p.value}_ack_hours").data,
                getattr(form, f"{p.value}_resolve_days").data,
            )
            for p in Priority
        }
        policy = {key: getattr(form, key).data for key in sla_policy.POLICY_SETTINGS}
        try:
            sla_policy.save_sla_policy(
                targets, policy, actor=current_user, time_zone=form.time_zone.data or None
            )
        except DomainError as exc:
            db.session.rollback()
            form.time_zone.errors.append(exc.message)
        else:
            db.session.commit()
            flash("The SLA policy is saved. New fixes get due dates from it.", "success")
            return redirect(url_for("fixes.sla"))
    return render_template("fixes/sla.html", form=form, priorities=Priority)
