"""Sign-in, passwords, invitations, resets and user administration.

Services validate and change state, then flush; callers commit. Invitation and reset e-mails
are queued in the outbox in the same transaction as their token, so a commit keeps both and a
rollback neither; no service here waits for a mail server.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from forum.auth.models import (
    AuthToken,
    Role,
    Team,
    TeamKind,
    TokenPurpose,
    User,
    normalize_email,
    normalize_name,
)
from forum.auth.permissions import role_may
from forum.core import audit, outbox
from forum.core.emails import email_problem
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_EMAIL = 254
MAX_NAME = 80  # display names and team names (and team name keys)
_DUMMY_HASH: dict[str, str] = {}


class AuthError(DomainError):
    """Sign-in or token problem, shown to the user as a form error."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"Use at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AuthError(f"Use at most {MAX_PASSWORD} characters.")


def check_email(email: str) -> None:
    """Refuse what is not an e-mail address (email-validator's syntax rules).

    Intranet addresses (``name@corp.local``, ``name@intranet``) are real here, and the
    invitation e-mail is the proof that one works: see ``forum.core.emails``.
    """
    if len(email) > MAX_EMAIL:
        raise DomainError(f"Use at most {MAX_EMAIL} characters.", field="email")
    if email_problem(email):
        raise DomainError("That is not a valid e-mail address.", field="email")


def clean_name(value: str, field: str = "display_name") -> str:
    """A normalised name, refused when empty or too long (NFKC can lengthen what was typed)."""
    name = normalize_name(value)
    if not name:
        raise DomainError("Enter a name.", field=field)
    if len(name) > MAX_NAME:
        raise DomainError(f"Use at most {MAX_NAME} characters.", field=field)
    return name


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, else None.

    An unknown address still costs one hash check, so timing does not reveal which addresses exist.
    """
    user = user_by_email(email)
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if user is None or not user.password_hash:
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password and end every other session of this user."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.flush()


def end_sessions(user: User) -> None:
    """Invalidate every cookie issued to ``user`` so far."""
    user.session_version += 1
    db.session.flush()


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def revoke_tokens(user: User, purpose: TokenPurpose | None = None) -> None:
    """Mark every unused token of ``user`` (of ``purpose``, if given) as used."""
    query = sa.select(AuthToken).where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None))
    if purpose is not None:
        query = query.where(AuthToken.purpose == purpose)
    now = utcnow()
    for old in db.session.scalars(query):
        old.used_at = now


def issue_token(user: User, purpose: TokenPurpose) -> str:
    """Create a single-use token for ``user``, revoking older unused ones of the same purpose."""
    revoke_tokens(user, purpose)
    now = utcnow()
    ttl = (
        timedelta(hours=current_app.config["INVITE_TTL_HOURS"])
        if purpose == TokenPurpose.INVITE
        else timedelta(minutes=current_app.config["RESET_TTL_MINUTES"])
    )
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AuthToken(user_id=user.id, purpose=purpose, token_hash=_digest(raw), expires_at=now + ttl)
    )
    db.session.flush()
    return raw


def find_token(raw: str, purpose: TokenPurpose) -> AuthToken | None:
    """The live token matching ``raw`` (unused, unexpired, of this purpose), else None."""
    if not raw or len(raw) > 200:
        return None
    token = db.session.scalar(
        sa.select(AuthToken).where(
            AuthToken.token_hash == _digest(raw), AuthToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def redeem_token(raw: str, purpose: TokenPurpose, password: str) -> User:
    """Use a token once to set the user's password; the row is locked against a double submit."""
    check_password_rules(password)
    token = find_token(raw, purpose)
    if token is None:
        raise AuthError("This link is invalid or has expired. Ask for a new one.")
    # Claim the token atomically: only one request can flip used_at from NULL.
    claimed = db.session.execute(
        sa.update(AuthToken)
        .where(AuthToken.id == token.id, AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise AuthError("This link is invalid or has expired. Ask for a new one.")
    user = token.user
    if not user.active and purpose == TokenPurpose.RESET:
        raise AuthError("This link is invalid or has expired. Ask for a new one.")
    set_password(user, password)
    if purpose == TokenPurpose.INVITE:
        user.active = True
    db.session.flush()
    return user


def _team_for(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = db.session.get(Team, team_id)
    if team is None:
        raise DomainError("That team does not exist.", field="team_id")
    return team


def check_role_team(role: Role, team: Team | None) -> None:
    """Reps belong to a sales region and ops to an operations team."""
    if role == Role.REP and (team is None or team.kind != TeamKind.SALES):
        raise DomainError("A sales rep must belong to a sales region.", field="team_id")
    if role == Role.OPS and (team is None or team.kind != TeamKind.OPERATIONS):
        raise DomainError("An operations user must belong to an operations team.", field="team_id")


def _refuse_erased(user: User) -> None:
    """An erased person stays erased: no new name, role, invitation or sign-in."""
    if user.is_erased:
        raise DomainError("This person's data was erased: the account cannot be used again.")


def create_user(
    email: str,
    display_name: str,
    role: Role,
    team_id: int | None,
    *,
    actor=None,
    password: str | None = None,
) -> User:
    """Create a user (inactive until they accept the invitation unless a password is given)."""
    email = normalize_email(email)
    check_email(email)
    if user_by_email(email) is not None:
        raise DomainError("A user with this e-mail already exists.", field="email")
    display_name = clean_name(display_name)
    team = _team_for(team_id)
    check_role_team(role, team)
    if password is not None:
        check_password_rules(password)
    user = User(
        email=email,
        display_name=display_name,
        role=role,
        team=team,
        active=password is not None,
    )
    if password is not None:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, target=user, role=str(role), email=email)
    return user


# The outbox event of each kind of link mail (what the admin outbox page shows).
# Link events: the outbox scrubs their text once they are sent (see forum.core.outbox).
EMAIL_EVENTS = {TokenPurpose.INVITE: outbox.INVITE_EVENT, TokenPurpose.RESET: outbox.RESET_EVENT}


def _absolute(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def _queue_link(user: User, purpose: TokenPurpose, endpoint: str, subject: str, **context) -> str:
    """Issue a single-use token of ``purpose`` and queue the e-mail carrying its link (template
    ``auth/email/<purpose>.txt``); returns the link. Flushes."""
    raw = issue_token(user, purpose)
    link = _absolute(endpoint, token=raw)
    text = render_template(f"auth/email/{purpose}.txt", user=user, link=link, **context)
    outbox.enqueue(
        user.email,
        subject,
        text,
        to_name=user.display_name,
        user_id=user.id,
        event=EMAIL_EVENTS[purpose],
    )
    return link


def _queue_invitation(user: User, inviter) -> str:
    return _queue_link(
        user,
        TokenPurpose.INVITE,
        "auth.accept_invite",
        "You are invited to Voice of Sales",
        inviter=inviter,
    )


def invite_user(
    email: str, display_name: str, role: Role, team_id: int | None, *, actor
) -> tuple[User, str]:
    """Create an inactive user and queue their invitation e-mail. Returns the user and the
    link (valid once), which the admin may also hand over themselves. Flushes."""
    user = create_user(email, display_name, role, team_id, actor=actor)
    return user, _queue_invitation(user, actor)


def reinvite_user(user: User, *, actor) -> str:
    """Queue a fresh invitation (older links stop working) and return its link; refused once a
    password is set. Flushes."""
    _refuse_erased(user)
    if user.password_hash:
        raise DomainError("This user has already set a password.")
    link = _queue_invitation(user, actor)
    audit.record("user.reinvite", actor=actor, target=user)
    return link


def request_reset(email: str) -> None:
    """Queue a reset link for the active account with this address, and nothing for any other
    address: the caller answers alike either way. Flushes."""
    user = user_by_email(email)
    if user is None or not user.active:
        return
    _queue_link(
        user, TokenPurpose.RESET, "auth.reset_password", "Reset your Voice of Sales password"
    )


def update_user(user: User, *, role: Role, team_id: int | None, display_name: str, actor) -> None:
    """Change role, team or name; an admin cannot demote themselves (no lock-out)."""
    _refuse_erased(user)
    display_name = clean_name(display_name)
    team = _team_for(team_id)
    check_role_team(role, team)
    if user.id == actor.id and role != Role.ADMIN:
        raise DomainError("You cannot remove your own admin role.", field="role")
    changes = {}
    if user.role != role:
        changes["role"] = [user.role, str(role)]
    if user.team_id != (team.id if team else None):
        changes["team"] = [user.team_id, team.id if team else None]
    if user.display_name != display_name:
        changes["display_name"] = [user.display_name, display_name]
    user.role = role
    user.team = team
    user.display_name = display_name
    if "role" in changes:
        user.session_version += 1  # a new role starts a fresh session
    db.session.flush()
    audit.record("user.update", actor=actor, target=user, **changes)


def set_active(user: User, active: bool, *, actor) -> None:
    """Deactivate (ending every session and revoking every link) or reactivate a user."""
    _refuse_erased(user)
    if user.id == actor.id and not active:
        raise DomainError("You cannot deactivate yourself.")
    user.active = active
    if not active:
        user.session_version += 1
        # An invited user is inactive too: accepting an old invitation must not undo this.
        revoke_tokens(user)
    db.session.flush()
    audit.record("user.activate" if active else "user.deactivate", actor=actor, target=user)


def save_team(
    team: Team | None,
    *,
    name: str,
    kind: TeamKind,
    description: str,
    lead_id: int | None,
    sponsor_id: int | None,
    actor,
) -> Team:
    """Create or update a team; the sponsor must be a leader or admin."""
    name = clean_name(name, field="name")
    key = name.casefold()
    if len(key) > MAX_NAME:  # casefolding lengthens some names ("ß" becomes "ss")
        raise DomainError(f"Use at most {MAX_NAME} characters.", field="name")
    clash = db.session.scalar(sa.select(Team).where(Team.name_key == key))
    if clash is not None and clash is not team:
        raise DomainError("A team with this name already exists.", field="name")
    if team is not None and team.kind != kind and team.members:
        raise DomainError("Move this team's members before changing its kind.", field="kind")
    lead = db.session.get(User, lead_id) if lead_id else None
    sponsor = db.session.get(User, sponsor_id) if sponsor_id else None
    if sponsor is not None and not role_may(sponsor.role, "team.sponsor"):
        raise DomainError("The executive sponsor must be a leader.", field="sponsor_id")
    if kind != TeamKind.OPERATIONS:
        sponsor = None
    if team is None:
        team = Team(name=name, name_key=key, kind=kind)
        db.session.add(team)
    team.name, team.name_key, team.kind, team.description = name, key, kind, description.strip()
    team.lead, team.sponsor = lead, sponsor
    db.session.flush()
    audit.record("team.save", actor=actor, target=team, name=name)
    return team
