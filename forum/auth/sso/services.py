"""Who a verified ID token signs in: a linked identity, an existing user by verified e-mail,
or a new user provisioned just in time from the mapping table; require-SSO and break-glass.

Services flush, never commit: the views commit the sign-in, or roll back and commit only the
audit entry of a refusal.
"""

from datetime import timedelta

import sqlalchemy as sa

from forum.auth import services as auth
from forum.auth.models import AuthToken, Team, TokenPurpose, User, normalize_email
from forum.auth.permissions import can
from forum.auth.sso.flow import SsoError
from forum.auth.sso.models import UserIdentity
from forum.auth.sso.providers import Provider, configured
from forum.core import audit, settings
from forum.core.errors import DomainError
from forum.core.time import utcnow
from forum.extensions import db

ASK_ADMIN = "Ask your administrator to give you access to Voice of Sales."


def _refused(reason: str, message: str, detail: str = "") -> SsoError:
    return SsoError(reason, f"{message} {ASK_ADMIN}", status=403, detail=detail)


def _invited(user: User) -> bool:
    """An inactive user holding a live invitation (not one an admin deactivated)."""
    return (
        db.session.scalar(
            sa.select(AuthToken.id).where(
                AuthToken.user_id == user.id,
                AuthToken.purpose == TokenPurpose.INVITE,
                AuthToken.used_at.is_(None),
                AuthToken.expires_at > utcnow(),
            )
        )
        is not None
    )


def _usable(user: User) -> None:
    if user.is_erased or not user.active:
        raise _refused("user_inactive", "Your account in Voice of Sales is not active.")


def _verified_email(provider: Provider, claims: dict) -> str:
    email = normalize_email(str(claims.get("email") or ""))
    if not email or claims.get("email_verified") is not True:
        raise _refused(
            "email_unverified",
            f"{provider.label} did not confirm your e-mail address.",
            detail=email,
        )
    if not provider.vouches_for(email):
        raise _refused(
            "domain_not_allowed",
            f"Addresses like {email} cannot sign in through {provider.label}.",
            detail=email,
        )
    return email


def _display_name(claims: dict, email: str) -> str:
    for candidate in (claims.get("name"), email.partition("@")[0]):
        try:
            return auth.clean_name(str(candidate or ""))
        except DomainError:
            continue
    return "New user"


def _provision(provider: Provider, claims: dict, email: str) -> User:
    rule = provider.rule_for(claims.get(provider.groups_claim))
    if rule is None:
        raise _refused(
            "no_mapped_group",
            "None of your groups gives access to Voice of Sales.",
            detail=email,
        )
    team_id = None
    if rule.team:
        team_id = db.session.scalar(sa.select(Team.id).where(Team.name_key == rule.team.casefold()))
        if team_id is None:
            raise _refused(
                "mapped_team_missing", "Your team is not set up yet.", detail=f"team {rule.team!r}"
            )
    try:
        user = auth.create_user(email, _display_name(claims, email), rule.role, team_id)
    except DomainError as exc:
        raise _refused(
            "provisioning_refused", "Your account could not be set up.", exc.message
        ) from exc
    user.active = True
    audit.record(
        "sso.provision",
        target=user,
        provider=provider.name,
        group=rule.group,
        role=str(rule.role),
        team=rule.team,
    )
    return user


def sign_in(provider: Provider, claims: dict, *, ip: str = "") -> User:
    """The user these verified claims sign in (linking or provisioning them); raises
    ``SsoError`` when they may not. Flushes."""
    subject = str(claims.get("sub") or "")
    if not subject or len(subject) > 255:
        raise SsoError("id_token_bad_subject", "The sign-in could not be verified.", detail=subject)
    identity = db.session.scalar(
        sa.select(UserIdentity).where(
            UserIdentity.provider == provider.name, UserIdentity.subject == subject
        )
    )
    if identity is not None:
        user = identity.user
        _usable(user)
    else:
        email = _verified_email(provider, claims)
        user = auth.user_by_email(email)
        if user is None:
            user = _provision(provider, claims, email)
        else:
            if not user.active and not user.is_erased and _invited(user):
                auth.revoke_tokens(user, TokenPurpose.INVITE)  # the invitation is accepted
                user.active = True
            _usable(user)
            other = db.session.scalar(
                sa.select(UserIdentity).where(
                    UserIdentity.user_id == user.id, UserIdentity.provider == provider.name
                )
            )
            if other is not None:
                raise _refused(
                    "identity_conflict",
                    f"Your account is linked to another {provider.label} identity.",
                    detail=f"{email}: linked subject differs",
                )
        identity = UserIdentity(user=user, provider=provider.name, subject=subject)
        db.session.add(identity)
        db.session.flush()
        audit.record("sso.link", target=user, provider=provider.name, ip=ip, email=email)
    now = utcnow()
    identity.email = normalize_email(str(claims.get("email") or ""))[:254]
    identity.last_login_at = user.last_login_at = now
    db.session.flush()
    audit.record("sso.sign_in", actor=user, target=user, ip=ip, provider=provider.name)
    return user


def record_failure(provider_name: str, error: SsoError, *, ip: str = "") -> None:
    """The audit entry of a refused or failed sign-in. Flushes."""
    audit.record(
        "sso.failed",
        reason=error.reason,
        ip=ip,
        provider=provider_name,
        detail=error.detail,
    )


# --- require SSO, break glass -------------------------------------------------------------


def sso_required() -> bool:
    """Whether password sign-in is off: the admins said so and a provider is configured (with
    none left in the environment, passwords work again rather than lock everyone out)."""
    return bool(configured()) and bool(settings.get("sso_required"))  # no query without SSO


def set_sso_required(required: bool, *, actor, providers: dict) -> None:
    """Turn password sign-in off (or on) for everyone; refused without a provider. Flushes."""
    if required and not providers:
        raise DomainError("Configure a single sign-on provider first (README).")
    settings.put("sso_required", int(required))
    audit.record("sso.required" if required else "sso.not_required", actor=actor)


def may_use_password(user: User | None) -> bool:
    """While SSO is required, only an admin inside a break-glass window may use a password."""
    if not sso_required():
        return True
    return (
        user is not None
        and can(user, "auth.break_glass")
        and user.break_glass_until is not None
        and user.break_glass_until > utcnow()
    )


def open_break_glass(email: str, minutes: int) -> User:
    """Let one admin sign in with their password for ``minutes`` (from the command line,
    audited). Flushes."""
    user = auth.user_by_email(email)
    if user is None or not user.active or not can(user, "auth.break_glass"):
        raise DomainError("No active administrator has this e-mail address.")
    user.break_glass_until = utcnow() + timedelta(minutes=minutes)
    db.session.flush()
    audit.record("sso.break_glass", target=user, minutes=minutes)
    return user


def close_break_glass(email: str) -> User:
    user = auth.user_by_email(email)
    if user is None:
        raise DomainError("No user has this e-mail address.")
    user.break_glass_until = None
    db.session.flush()
    audit.record("sso.break_glass_closed", target=user)
    return user
