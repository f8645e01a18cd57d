"""Receivers of the fixes' signals: who hears what became of a fix (see ``receivers``)."""

import sqlalchemy as sa

from forum.auth.models import User
from forum.auth.permissions import role_filter
from forum.core import zones
from forum.core.markdown import plain_excerpt
from forum.core.templating import fmt_datetime, fmt_due
from forum.extensions import db
from forum.feedback.shielding import shielded_on_fix
from forum.fixes.models import Escalation, Fix, FixComment, FixEvent, FixStatus
from forum.notify.audiences import fix_path, others, owner_team, reporters_of_fix, users
from forum.notify.mentions import mentioned_users
from forum.notify.services import Message, link, mark_read_about, notify

STATUS_SENTENCES = {
    FixStatus.ACKNOWLEDGED: "The operations team has acknowledged it.",
    FixStatus.IN_PROGRESS: "The operations team is working on it.",
    FixStatus.BLOCKED: "The work is blocked.",
    FixStatus.VERIFIED: "It is verified: the fix held, and the problem is closed.",
    FixStatus.REOPENED: "It is reopened: the fix did not hold.",
    FixStatus.WONT_FIX: "Sales leadership decided it will not be fixed.",
}


# --- fixes -----------------------------------------------------------------------------------


def on_fix_created(fix: Fix, *, actor: User, **_):
    """The owner team (its members and its lead) hears of a new fix; its assignee, if any,
    hears that it is theirs instead (``on_fix_assigned``)."""
    team = fix.owner_team
    members = db.session.scalars(
        sa.select(User.id).where(User.team_id == team.id, role_filter("notify.team_fixes"))
    ).all()
    team_ids = [*members, *([team.lead_id] if team.lead_id else [])]
    recipients = others(users([i for i in team_ids if i != fix.assignee_id]), actor)

    def compose(user: User) -> Message:
        with zones.in_zone_of(user):  # the acknowledgement deadline in the reader's zone
            body = (
                f"Priority {fix.priority}; acknowledge by {fmt_datetime(fix.ack_due_at)}; "
                f"due {fmt_due(fix.due_at)}.\n\n{plain_excerpt(fix.problem, 500)}"
            )
        return Message(
            event="fix_new",
            title=f"New fix #{fix.id} for {team.name}: {fix.title}",
            body=body,
            url=link("fixes.detail", fix_id=fix.id),
            action="Open the fix",
        )

    notify(recipients, compose)


def on_fix_transitioned(
    fix: Fix, *, actor: User, event: FixEvent, from_status=None, to_status=None, **_
):
    """Everyone who reported or corroborated the problem hears where its fix stands; a
    resolution asks them to verify it."""
    reporters, shielded_authors = reporters_of_fix(fix)
    to = FixStatus(to_status)

    def compose(user: User) -> Message:
        shielded = user.id in shielded_authors
        if to == FixStatus.RESOLVED:
            return Message(
                event="fix_resolved",
                title=f"Fix #{fix.id} “{fix.title}” is resolved: did it hold?",
                body=(
                    f"The operations team says: {fix.resolution_note}\n\n"
                    "Verify the fix if the problem is gone for your customer, or reopen it if "
                    "it is not."
                ),
                url=link("fixes.detail", fix_id=fix.id, _anchor="verify-h"),
                action="Verify or reopen the fix",
                shielded=shielded,
            )
        body = STATUS_SENTENCES.get(to, "")
        if to in {FixStatus.BLOCKED, FixStatus.REOPENED, FixStatus.WONT_FIX} and event.note:
            body += f"\n\nThe reason given: {event.note}"
        return Message(
            event="fix_status",
            title=f"Fix #{fix.id} “{fix.title}” is now {to.label.lower()}",
            body=body,
            url=link("fixes.detail", fix_id=fix.id),
            action="See the fix",
            shielded=shielded,
        )

    notify(others(reporters, actor), compose)

    if to == FixStatus.REOPENED:
        reason = f"\n\nThe reason given: {event.note}" if event.note else ""

        def reopened(user: User) -> Message:
            return Message(
                event="fix_reopened",
                title=f"Fix #{fix.id} “{fix.title}” is reopened: it did not hold",
                body=f"It is open again, due {fmt_due(fix.due_at)}.{reason}",
                url=fix_path(fix),
                action="Open the fix",
            )

        notify(others(owner_team(fix), actor), reopened)
    blocked = to == FixStatus.BLOCKED
    if (blocked or from_status == FixStatus.BLOCKED) and fix.created_by_id:
        state = "blocked" if blocked else f"unblocked: now {to.label.lower()}"
        reason = f"\n\nThe reason given: {event.note}" if blocked and event.note else ""

        def block(user: User) -> Message:
            return Message(
                event="fix_blocked",
                title=f"Fix #{fix.id} “{fix.title}”, which you created, is {state}",
                body=f"{fix.owner_team.name}, priority {fix.priority}.{reason}",
                url=fix_path(fix),
                action="Open the fix",
            )

        notify(others(users([fix.created_by_id]), actor), block)
    mark_read_about(actor, fix_path(fix))  # verifying, acknowledging: what they were asked


def on_fix_assigned(fix: Fix, *, actor: User, assignee: User | None = None, **_):
    """The new assignee hears the fix is theirs."""
    if assignee is None:
        return

    def compose(user: User) -> Message:
        return Message(
            event="fix_assigned",
            title=f"Fix #{fix.id} “{fix.title}” is assigned to you",
            body=(
                f"{fix.owner_team.name}, priority {fix.priority}, status "
                f"{fix.status.label.lower()}, due {fmt_due(fix.due_at)}.\n\n"
                f"{plain_excerpt(fix.problem, 500)}"
            ),
            url=fix_path(fix),
            action="Open the fix",
        )

    notify(others([assignee], actor), compose)


def on_fix_commented(fix: Fix, *, actor: User, comment: FixComment, **_):
    """People mentioned in a fix's comment, and the fix's participants, hear about it."""
    reporters, shielded_authors = reporters_of_fix(fix)
    earlier = db.session.scalars(
        sa.select(FixComment.author_id).where(
            FixComment.fix_id == fix.id, FixComment.id != comment.id
        )
    ).all()
    mentioned = [u for u in mentioned_users(comment.body) if u.id != actor.id]
    mentioned_ids = {u.id for u in mentioned}
    participants = [
        u
        for u in [*users([fix.created_by_id, fix.assignee_id, *earlier]), *reporters]
        if u.id != actor.id and u.id not in mentioned_ids
    ]
    labels = shielded_on_fix(fix.id)
    excerpt = plain_excerpt(comment.body, 300)
    url = link("fixes.detail", fix_id=fix.id, _anchor=f"fix-comment-{comment.id}")

    def message(user: User, event: str) -> Message:
        # A shielded reporter who comments wears the shield, except to themselves.
        who = labels.get(actor.id, actor.display_name) if user.id != actor.id else "You"
        verb = "mentioned you on" if event == "mention" else "commented on"
        return Message(
            event=event,
            title=f"{who} {verb} fix #{fix.id} “{fix.title}”",
            body=excerpt,
            url=url,
            action="Read the comment",
            shielded=user.id in shielded_authors,
        )

    notify(mentioned, lambda u: message(u, "mention"))
    notify(participants, lambda u: message(u, "fix_comment"))
    mark_read_about(actor, fix_path(fix))


def on_escalation_acknowledged(fix: Fix, *, actor: User, **_):
    mark_read_about(actor, fix_path(fix))


def on_fix_escalated(fix: Fix, *, escalation: Escalation, **_):
    """The person an overdue fix is escalated to hears of it."""
    if escalation.to_user_id is None:
        return
    role = "the owner team's lead" if escalation.level == 1 else "the executive sponsor"
    overdue = max(0, (escalation.created_at - fix.due_at).days)

    def compose(user: User) -> Message:
        return Message(
            event="escalation",
            title=f"Fix #{fix.id} “{fix.title}” is overdue and escalated to you",
            body=(
                f"{fix.owner_team.name}, priority {fix.priority}, due {fmt_due(fix.due_at)}: "
                f"overdue by {overdue} day{'s' if overdue != 1 else ''}. It comes to you as "
                f"{role}. Please acknowledge the escalation and see that the fix moves."
            ),
            url=link("fixes.detail", fix_id=fix.id),
            action="Open the fix",
        )

    notify(users([escalation.to_user_id]), compose)
