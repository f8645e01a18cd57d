"""Listening to the domains' signals and deciding who hears about what.

Each receiver runs inside the transaction of the change that sent the signal: it only adds rows
(notifications, outbox messages) and flushes, never commits. Texts are written per recipient,
and a shielded author is only ever named by their shield label.
"""

import sqlalchemy as sa

from forum.auth.models import User
from forum.auth.permissions import can, role_filter
from forum.core import settings, signals
from forum.core.markdown import plain_excerpt
from forum.extensions import db
from forum.feedback.models import Corroboration, Follow, Post, PostEvent, PostStatus
from forum.feedback.shielding import person_label, shielded_on_fix
from forum.fixes.models import Escalation, Fix, FixComment, FixEvent, FixStatus
from forum.notify.mentions import mentioned_users
from forum.notify.models import Notification
from forum.notify.services import Message, link, mark_read_about, notify

TRIAGE_EVENTS = {
    "linked": "post_linked",
    "needs_info": "post_needs_info",
    "declined": "post_declined",
    "duplicate": "post_duplicate",
    "noted": "post_noted",
}

STATUS_SENTENCES = {
    FixStatus.ACKNOWLEDGED: "The operations team has acknowledged it.",
    FixStatus.IN_PROGRESS: "The operations team is working on it.",
    FixStatus.BLOCKED: "The work is blocked.",
    FixStatus.VERIFIED: "It is verified: the fix held, and the problem is closed.",
    FixStatus.REOPENED: "It is reopened: the fix did not hold.",
    FixStatus.WONT_FIX: "Sales leadership decided it will not be fixed.",
}


def connect() -> None:
    """Listen to the domains' signals (connecting twice changes nothing)."""
    signals.post_filed.connect(on_post_filed)
    signals.post_corroborated.connect(on_post_corroborated)
    signals.post_triaged.connect(on_post_triaged)
    signals.post_commented.connect(on_post_commented)
    signals.fix_created.connect(on_fix_created)
    signals.fix_transitioned.connect(on_fix_transitioned)
    signals.fix_assigned.connect(on_fix_assigned)
    signals.fix_commented.connect(on_fix_commented)
    signals.fix_escalated.connect(on_fix_escalated)
    signals.escalation_acknowledged.connect(on_escalation_acknowledged)


def _users(ids) -> list[User]:
    ids = set(ids)
    if not ids:
        return []
    return db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.id)).all()


def _reporters_of_post(post: Post) -> list[User]:
    """The author and everyone who corroborated the post (also those moved to an original)."""
    corroborators = db.session.scalars(
        sa.select(Corroboration.user_id).where(
            sa.or_(Corroboration.post_id == post.id, Corroboration.moved_from_post_id == post.id)
        )
    ).all()
    return _users([post.author_id, *corroborators])


def _reporters_of_fix(fix: Fix) -> tuple[list[User], set[int]]:
    """Authors and corroborators of the fix's posts, and who of them reported it under a shield
    (also through a report merged into one of them)."""
    authors = db.session.scalars(sa.select(Post.author_id).where(Post.fix_id == fix.id)).all()
    corroborators = db.session.scalars(
        sa.select(Corroboration.user_id)
        .join(Post, Corroboration.post_id == Post.id)
        .where(Post.fix_id == fix.id)
    ).all()
    return _users([*authors, *corroborators]), set(shielded_on_fix(fix.id))


def _others(users: list[User], actor: User | None) -> list[User]:
    return [u for u in users if actor is None or u.id != actor.id]


def _owner_team(fix: Fix) -> list[User]:
    """The owner team's operations members, its lead and the fix's assignee."""
    team = fix.owner_team
    members = db.session.scalars(
        sa.select(User.id).where(User.team_id == team.id, role_filter("notify.team_fixes"))
    ).all()
    extra = [i for i in (team.lead_id, fix.assignee_id) if i]
    return _users([*members, *extra])


def _fix_path(fix: Fix) -> str:
    return link("fixes.detail", fix_id=fix.id)


def _post_path(post: Post) -> str:
    return link("feedback.detail", post_id=post.id)


# --- posts -----------------------------------------------------------------------------------


def on_post_filed(post: Post, *, actor: User, **_):
    """Those who triage hear at once of a new report of high impact."""
    threshold = settings.get("alert_min_impact")
    if post.impact is None or post.impact < threshold:
        return
    leaders = db.session.scalars(
        sa.select(User).where(role_filter("notify.new_reports"), User.active.is_(True))
    ).all()
    who = person_label(None, post, post.author_id, post.author.display_name)
    account = f" about {post.account.name}" if post.account is not None else ""

    def compose(user: User) -> Message:
        return Message(
            event="post_high_impact",
            title=f"New report of impact {post.impact}{account}: {post.title}",
            body=f"{who} filed it.\n\n{plain_excerpt(post.body, 500)}",
            url=_post_path(post),
            action="Read the report",
        )

    notify(_others(leaders, actor), compose)


def on_post_corroborated(post: Post, *, actor: User, corroboration=None, **_):
    """A report's author hears that others said "me too": while they have not read it, one
    notification counts every "me too" since it was made."""
    author = post.author
    if author is None or author.id == actor.id:
        return
    url = _post_path(post)
    waiting = db.session.scalar(
        sa.select(Notification)
        .where(
            Notification.user_id == author.id,
            Notification.event == "post_me_too",
            Notification.url == url,
            Notification.read_at.is_(None),
            Notification.email_mode == "daily",
            Notification.digested_at.is_(None),
        )
        .order_by(Notification.id.desc())
        .limit(1)
    )
    if waiting is not None:
        since = db.session.scalar(
            sa.select(sa.func.count(Corroboration.id)).where(
                Corroboration.post_id == post.id, Corroboration.created_at >= waiting.created_at
            )
        )
        waiting.title = _me_too_title(max(since, 2), post)
        db.session.flush()
        return

    def compose(user: User) -> Message:
        return Message(
            event="post_me_too",
            title=_me_too_title(1, post),
            body=f"{post.corroboration_count} in all have said “me too” on it.",
            url=url,
            action="See the report",
            shielded=post.shielded,
        )

    notify([author], compose)


def _me_too_title(n: int, post: Post) -> str:
    who = "Another rep says" if n == 1 else f"{n} more reps say"
    return f"{who} “me too” on your report “{post.title}”"


def on_post_triaged(post: Post, *, actor: User, action: str, fix=None, original=None, **_):
    """Reporters and corroborators hear what triage decided about their report."""
    event = TRIAGE_EVENTS.get(action)
    if event is None:
        return
    note = ""
    if action == "noted":
        note = (
            db.session.scalar(
                sa.select(PostEvent.note)
                .where(PostEvent.post_id == post.id, PostEvent.to_status == PostStatus.NOTED)
                .order_by(PostEvent.id.desc())
                .limit(1)
            )
            or ""
        )

    def compose(user: User) -> Message:
        own = user.id == post.author_id
        subject = (
            f"Your report “{post.title}”" if own else f"A report you corroborated, “{post.title}”,"
        )
        message = Message(event=event, title="", shielded=own and post.shielded)
        if action == "linked":
            message.title = f"{subject} is linked to fix #{fix.id}: {fix.title}"
            message.body = (
                f"Sales leadership made it a tracked fix, owned by {fix.owner_team.name}. You will "
                "hear when the fix changes status, and you will be asked to verify it once it "
                "is resolved."
            )
            message.url, message.action = link("fixes.detail", fix_id=fix.id), "See the fix"
        elif action == "needs_info":
            message.title = f"{subject} needs more information"
            answer = (
                "Answer with a comment on the report; your answer sends it back to triage."
                if own
                else "If you know the answer, add it in a comment on the report."
            )
            message.body = f"Sales leadership asks: {post.status_reason}\n\n{answer}"
            message.url = link("feedback.detail", post_id=post.id, _anchor="comments-h")
            message.action = "Answer on the report"
        elif action == "declined":
            message.title = f"{subject} was declined"
            message.body = f"The reason given: {post.status_reason}"
            message.url = link("feedback.detail", post_id=post.id)
            message.action = "See the report"
        elif action == "duplicate":
            message.title = (
                f"{subject} was merged into report #{original.id}: {original.title}"
                if original is not None
                else f"{subject} was merged into another report"
            )
            message.body = (
                "It describes the same problem as the original, where it now counts as a "
                "“me too”. Follow the original to hear what happens next."
            )
            target = original.id if original is not None else post.id
            message.url = link("feedback.detail", post_id=target)
            message.action = "See the original report"
        else:
            message.title = f"{subject} was read: no fix is needed"
            message.body = f"Sales leadership noted: {note}" if note else ""
            message.url = link("feedback.detail", post_id=post.id)
            message.action = "See the report"
        return message

    notify(_others(_reporters_of_post(post), actor), compose)


def on_post_commented(post: Post, *, actor: User, comment, **_):
    """People mentioned in a comment, and the post's followers, hear about it.

    Internal notes reach only those who may read internal notes, mentioned or not.
    """

    def readable(user: User) -> bool:
        return not comment.internal or can(user, "post.internal_note")

    mentioned = [u for u in mentioned_users(comment.body) if u.id != actor.id and readable(u)]
    mentioned_ids = {u.id for u in mentioned}
    follower_ids = db.session.scalars(sa.select(Follow.user_id).where(Follow.post_id == post.id))
    followers = [
        u
        for u in _users(follower_ids)
        if u.id != actor.id and u.id not in mentioned_ids and readable(u)
    ]
    excerpt = plain_excerpt(comment.body, 300)
    url = link("feedback.detail", post_id=post.id, _anchor=f"comment-{comment.id}")

    def message(user: User, event: str) -> Message:
        who = person_label(user, post, comment.author_id, comment.author.display_name)
        if event == "mention":
            title = f"{who} mentioned you on “{post.title}”"
        elif comment.internal:
            title = f"{who} added an internal note on “{post.title}”"
        else:
            title = f"{who} commented on “{post.title}”"
        return Message(
            event=event,
            title=title,
            body=excerpt,
            url=url,
            action="Read the comment",
            shielded=post.shielded and user.id == post.author_id,
        )

    notify(mentioned, lambda u: message(u, "mention"))
    notify(followers, lambda u: message(u, "comment"))
    mark_read_about(actor, _post_path(post))  # an answer to a question, a reply to a mention


# --- fixes -----------------------------------------------------------------------------------


def on_fix_created(fix: Fix, *, actor: User, **_):
    """The owner team (its members and its lead) hears of a new fix."""
    team = fix.owner_team
    members = db.session.scalars(
        sa.select(User.id).where(User.team_id == team.id, role_filter("notify.team_fixes"))
    ).all()
    recipients = _others(_users([*members, *([team.lead_id] if team.lead_id else [])]), actor)
    body = (
        f"Priority {fix.priority}; acknowledge by {fix.ack_due_at:%Y-%m-%d %H:%M} UTC; "
        f"due {fix.due_at:%Y-%m-%d}.\n\n{plain_excerpt(fix.problem, 500)}"
    )

    def compose(user: User) -> Message:
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
    reporters, shielded_authors = _reporters_of_fix(fix)
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

    notify(_others(reporters, actor), compose)

    if to == FixStatus.REOPENED:
        reason = f"\n\nThe reason given: {event.note}" if event.note else ""

        def reopened(user: User) -> Message:
            return Message(
                event="fix_reopened",
                title=f"Fix #{fix.id} “{fix.title}” is reopened: it did not hold",
                body=f"It is open again, due {fix.due_at:%Y-%m-%d}.{reason}",
                url=_fix_path(fix),
                action="Open the fix",
            )

        notify(_others(_owner_team(fix), actor), reopened)
    blocked = to == FixStatus.BLOCKED
    if (blocked or from_status == FixStatus.BLOCKED) and fix.created_by_id:
        state = "blocked" if blocked else f"unblocked: now {to.label.lower()}"
        reason = f"\n\nThe reason given: {event.note}" if blocked and event.note else ""

        def block(user: User) -> Message:
            return Message(
                event="fix_blocked",
                title=f"Fix #{fix.id} “{fix.title}”, which you created, is {state}",
                body=f"{fix.owner_team.name}, priority {fix.priority}.{reason}",
                url=_fix_path(fix),
                action="Open the fix",
            )

        notify(_others(_users([fix.created_by_id]), actor), block)
    mark_read_about(actor, _fix_path(fix))  # verifying, acknowledging: what they were asked


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
                f"{fix.status.label.lower()}, due {fix.due_at:%Y-%m-%d}.\n\n"
                f"{plain_excerpt(fix.problem, 500)}"
            ),
            url=_fix_path(fix),
            action="Open the fix",
        )

    notify(_others([assignee], actor), compose)


def on_fix_commented(fix: Fix, *, actor: User, comment: FixComment, **_):
    """People mentioned in a fix's comment, and the fix's participants, hear about it."""
    reporters, shielded_authors = _reporters_of_fix(fix)
    earlier = db.session.scalars(
        sa.select(FixComment.author_id).where(
            FixComment.fix_id == fix.id, FixComment.id != comment.id
        )
    ).all()
    mentioned = [u for u in mentioned_users(comment.body) if u.id != actor.id]
    mentioned_ids = {u.id for u in mentioned}
    participants = [
        u
        for u in [*_users([fix.created_by_id, fix.assignee_id, *earlier]), *reporters]
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
    mark_read_about(actor, _fix_path(fix))


def on_escalation_acknowledged(fix: Fix, *, actor: User, **_):
    mark_read_about(actor, _fix_path(fix))


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
                f"{fix.owner_team.name}, priority {fix.priority}, due {fix.due_at:%Y-%m-%d}: "
                f"overdue by {overdue} day{'s' if overdue != 1 else ''}. It comes to you as "
                f"{role}. Please acknowledge the escalation and see that the fix moves."
            ),
            url=link("fixes.detail", fix_id=fix.id),
            action="Open the fix",
        )

    notify(_users([escalation.to_user_id]), compose)
