"""Listening to the domains' signals and deciding who hears about what: ``connect`` and the
receivers of the posts' signals (those of the fixes' are in ``fix_receivers``, the people
concerned are found by ``audiences``).

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
from forum.feedback.shielding import person_label
from forum.notify.audiences import others, post_path, reporters_of_post, users
from forum.notify.fix_receivers import (
    on_escalation_acknowledged,
    on_fix_assigned,
    on_fix_commented,
    on_fix_created,
    on_fix_escalated,
    on_fix_transitioned,
)
from forum.notify.loop_receivers import on_follow_up_moved, on_follow_ups_opened
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
    signals.follow_ups_opened.connect(on_follow_ups_opened)
    signals.follow_up_moved.connect(on_follow_up_moved)


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
            url=post_path(post),
            action="Read the report",
        )

    notify(others(leaders, actor), compose)


def on_post_corroborated(post: Post, *, actor: User, corroboration=None, **_):
    """A report's author hears that others said "me too": while they have not read it, one
    notification counts every "me too" since it was made."""
    author = post.author
    if author is None or author.id == actor.id:
        return
    url = post_path(post)
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

    notify(others(reporters_of_post(post), actor), compose)


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
        for u in users(follower_ids)
        if u.id != actor.id and u.id not in mentioned_ids and readable(u)
    ]
    excerpt = plain_excerpt(comment.body, 300)
    url = link(
        "feedback.detail", post_id=post.id, comment=comment.id, _anchor=f"comment-{comment.id}"
    )

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
    mark_read_about(actor, post_path(post))  # an answer to a question, a reply to a mention
