"""Erasing a person: who they were goes, what they wrote stays.

The user row stays, so every foreign key still holds and every fix history still verifies:
the history hashes its actor by id (``actor_id``) and the people an entry concerns by id
(``forum.fixes.history``), never by name, and no history entry is touched. The row is made
to name nobody: "A former rep" (or "A former user" for anyone who was not a rep), an address
that can never be delivered (``erased-<id>@invalid``), no password, inactive, every session
ended. What only served the person goes: their sign-in links, notifications, notification
preferences, follows, every e-mail addressed to them and the messages they saved for their
customers (signed with their name; the draft is built afresh). Their reports, comments, notes,
"me too"s, evidence files (under a neutral file name) and history entries stay, signed with
the new name; a shielded report stays shielded. The customer accounts they owned lose their
owner. Where the app itself wrote their name into someone else's notification or e-mail
("<name> commented on ..."), it becomes the new name;
the audit log keeps its entries (and the person's id) but loses the old name and address
from their details. Services flush; the caller commits.
"""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import escape

from forum.accounts.models import Account
from forum.api.models import ApiToken
from forum.auth.models import AuthToken, Role, Team, User, erased_email, normalize_email
from forum.auth.permissions import ensure, role_filter, role_may
from forum.auth.sso.models import UserIdentity
from forum.catalog.models import Commitment
from forum.core import audit
from forum.core.audit import AuditEntry
from forum.core.errors import DomainError
from forum.core.outbox import OutboxMessage, OutboxStatus
from forum.extensions import db
from forum.feedback.models import Attachment, Follow
from forum.fixes.models import EventKind, FixEvent
from forum.loop.models import FollowUp
from forum.notify.models import Notification, NotificationPreference

# The name an erased person's row keeps, by the role they had (a description, not a right).
FORMER = {Role.REP: "A former rep"}
FORMER_USER = "A former user"
REDACTED = "[erased]"
# Audit details that held who the person was (their address when invited, a renaming).
PERSONAL_DETAILS = frozenset({"email", "display_name"})


@dataclass
class Erasure:
    """What an erasure did, for the admin's message and the audit entry."""

    user_id: int
    name: str
    removed: dict[str, int] = field(default_factory=dict)
    # History entries written before names left the chain that still hold the old name in
    # their hashed text (pages and exports no longer show it; see forum.fixes.history).
    sealed_history_entries: int = 0


def neutral_file_name(attachment: Attachment) -> str:
    """The name under which everyone but its uploader downloads a file (feedback.views)."""
    return f"evidence-{attachment.post_id}-{attachment.id}.{attachment.extension}"


def former_name(user: User) -> str:
    return FORMER.get(Role(user.role), FORMER_USER)


def check_erasable(user: User, *, actor, confirm: str) -> None:
    """Refuse an erasure that must not happen, naming why (``field`` "confirm" for a typo)."""
    ensure(actor, "admin.privacy", message="Only admins can erase a person.")
    if user.is_erased:
        raise DomainError("This person is already erased.")
    if user.id == actor.id:
        raise DomainError("You cannot erase yourself: ask another admin.")
    if normalize_email(confirm) != user.email:
        raise DomainError("Type the person's e-mail address exactly to confirm.", field="confirm")
    if role_may(user.role, "admin.privacy"):
        others = db.session.scalar(
            sa.select(sa.func.count(User.id)).where(
                role_filter("admin.privacy"), User.active.is_(True), User.id != user.id
            )
        )
        if not others:
            raise DomainError("This is the last active admin: make another admin first.")


def _delete(model, *conditions) -> int:
    return db.session.execute(
        sa.delete(model).where(*conditions).execution_options(synchronize_session="fetch")
    ).rowcount


# Where the app writes a person's name into someone else's notification or e-mail: the
# person, then one of these (forum.notify.receivers, templates/auth/email/invite.txt). Only
# there is the name replaced, so a title or an excerpt that merely contains the same word
# (a customer called like them, say) stays as it was written.
SIGNED_PHRASES = (
    " commented on",
    " mentioned you on",
    " added an internal note on",
    " invited you",
    " filed it",  # a new high-impact report, told to leaders
)


def _signed(name: str) -> re.Pattern:
    phrases = "|".join(re.escape(p) for p in SIGNED_PHRASES)
    return re.compile(rf"(?<!\w){re.escape(name)}(?={phrases})")


def _rename_in_messages(old: str, new: str) -> int:
    """Put ``new`` where the app wrote the name ``old`` into other people's notifications and
    e-mails (those being sent are left to the worker). Returns how many rows changed."""
    plain, html = _signed(old), _signed(str(escape(old)))
    changed = 0
    notes = sa.select(Notification).where(
        sa.or_(
            Notification.title.contains(old, autoescape=True),
            Notification.body.contains(old, autoescape=True),
        )
    )
    for n in db.session.scalars(notes):
        title, body = plain.sub(new, n.title)[:300], plain.sub(new, n.body)
        if (title, body) != (n.title, n.body):
            n.title, n.body = title, body
            changed += 1
    mails = sa.select(OutboxMessage).where(
        OutboxMessage.status != OutboxStatus.SENDING,
        sa.or_(
            OutboxMessage.subject.contains(old, autoescape=True),
            OutboxMessage.text_body.contains(old, autoescape=True),
            OutboxMessage.html_body.contains(str(escape(old)), autoescape=True),
        ),
    )
    for m in db.session.scalars(mails):
        texts = (
            plain.sub(new, m.subject)[:300],
            plain.sub(new, m.text_body),
            html.sub(str(escape(new)), m.html_body),
        )
        if texts != (m.subject, m.text_body, m.html_body):
            m.subject, m.text_body, m.html_body = texts
            changed += 1
    return changed


def _redact_audit(user: User) -> int:
    """Drop the old name and address from the details of audit entries about ``user``."""
    entries = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.target_type == "user", AuditEntry.target_id == user.id
        )
    )
    changed = 0
    for entry in entries:
        details = entry.details or {}
        if PERSONAL_DETAILS & details.keys():
            entry.details = {
                key: REDACTED if key in PERSONAL_DETAILS else value
                for key, value in details.items()
            }
            changed += 1
    return changed


def _sealed_history(name: str) -> int:
    """Older history entries holding ``name`` in their hashed text (see the module's doc)."""
    if not name:
        return 0
    cut = name[:40]
    return db.session.scalar(
        sa.select(sa.func.count(FixEvent.id)).where(
            sa.or_(
                sa.and_(
                    FixEvent.kind == EventKind.ASSIGNED,
                    sa.or_(FixEvent.from_value == cut, FixEvent.to_value == cut),
                ),
                sa.and_(
                    FixEvent.kind == EventKind.ESCALATED,
                    FixEvent.note.contains(name, autoescape=True),
                ),
            )
        )
    )


def erase(user: User, *, actor, confirm: str) -> Erasure:
    """Erase ``user`` (see the module's doc); ``confirm`` is their e-mail address, typed by the
    admin. Refused for oneself, the last active admin, a person already erased, or a typo.
    Flushes; the caller commits."""
    check_erasable(user, actor=actor, confirm=confirm)
    old_name, old_email, new_name = user.display_name, user.email, former_name(user)
    done = Erasure(user.id, new_name, sealed_history_entries=_sealed_history(old_name))
    done.removed = {
        "sign_in_links": _delete(AuthToken, AuthToken.user_id == user.id),
        "sso_identities": _delete(UserIdentity, UserIdentity.user_id == user.id),
        "api_tokens": _delete(ApiToken, ApiToken.user_id == user.id),
        "notifications": _delete(Notification, Notification.user_id == user.id),
        "notification_preferences": _delete(
            NotificationPreference, NotificationPreference.user_id == user.id
        ),
        "follows": _delete(Follow, Follow.user_id == user.id),
        "mails": _delete(
            OutboxMessage,
            sa.or_(OutboxMessage.user_id == user.id, OutboxMessage.to_address == old_email),
        ),
    }
    user.list_filters = {}  # their filters and named views (which can name people)
    # They can no longer answer for a team, a catalog entry or a customer: escalations and
    # questions go to whoever the admins name next, an account to the next CRM import's owner.
    for column in (Team.lead_id, Team.sponsor_id):
        db.session.execute(sa.update(Team).where(column == user.id).values({column: None}))
    db.session.execute(
        sa.update(Commitment).where(Commitment.owner_id == user.id).values(owner_id=None)
    )
    done.removed["account_ownerships"] = db.session.execute(
        sa.update(Account)
        .where(Account.owner_id == user.id)
        .values(owner_id=None)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    # Evidence stays with the report; the name it was uploaded under (which can identify)
    # becomes the neutral one everybody but the author already saw.
    files = db.session.scalars(sa.select(Attachment).where(Attachment.uploader_id == user.id)).all()
    for attachment in files:
        attachment.original_name = neutral_file_name(attachment)
    done.removed["file_names"] = len(files)
    # A message they saved for a customer is signed with their name: it goes, and the page
    # shows the draft again, built afresh (signed with the new name).
    done.removed["customer_messages"] = db.session.execute(
        sa.update(FollowUp)
        .where(FollowUp.rep_id == user.id, FollowUp.message != "")
        .values(message="")
        .execution_options(synchronize_session="fetch")
    ).rowcount
    renamed = _rename_in_messages(old_name, new_name)
    redacted = _redact_audit(user)
    user.display_name = new_name  # the search index of their reports follows (feedback.indexing)
    user.email = erased_email(user.id)
    user.password_hash = None
    user.active = False
    user.last_login_at = None
    user.session_version += 1  # signs them out everywhere
    db.session.flush()
    audit.record(
        "user.erase",
        actor=actor,
        target=user,
        **done.removed,
        messages_renamed=renamed,
        audit_entries_redacted=redacted,
        sealed_history_entries=done.sealed_history_entries,
    )
    return done
