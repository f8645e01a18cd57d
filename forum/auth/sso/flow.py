"""The authorisation code flow with PKCE against one provider, through Authlib's client.

``begin`` sends the browser to the provider with a fresh state, nonce and PKCE verifier (kept
in the session); ``finish`` checks the state (once: a replay finds none), trades the code for
tokens and verifies the ID token's signature (the provider's JWKS), issuer, audience, expiry and
nonce. Every way that can fail raises ``SsoError`` with what to tell the person; nothing here
writes to the database.
"""

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import current_app, session, url_for
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)

from forum.auth.sso.providers import Provider, client_for, get
from forum.core.errors import DomainError

# The error codes a provider may send back (RFC 6749 4.1.2.1, OIDC Core 3.1.2.6): only these
# are shown, so a forged callback cannot put words of its own on the page.
ERROR_CODES = {
    "access_denied",
    "invalid_request",
    "unauthorized_client",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
    "login_required",
    "consent_required",
    "interaction_required",
    "account_selection_required",
}
NEXT_KEY = "sso_next"
PROVIDER_KEY = "sso_provider"  # an SSO session: which provider signed it in
# And its ID token, the hint of the end-session request.
ID_TOKEN_KEY = "sso_id_token"  # nosec B105  # a session key's name, not a secret


class SsoError(DomainError):
    """A sign-in through a provider failed; ``reason`` is the audit's code for it."""

    def __init__(self, reason: str, message: str, status: int = 400, detail: str = ""):
        super().__init__(message, reason=reason)
        self.reason = reason
        self.status = status
        self.detail = detail[:500]


def _unreachable(provider: Provider, exc: Exception) -> SsoError:
    return SsoError(
        "provider_unreachable",
        f"{provider.label} could not be reached, so you are not signed in. Try again in a few "
        "minutes; if it goes on, tell your administrator.",
        status=502,
        detail=f"{type(exc).__name__}: {exc}",
    )


def _unverified(provider: Provider, reason: str, detail: str) -> SsoError:
    return SsoError(
        reason,
        f"The answer from {provider.label} could not be verified, so you are not signed in. "
        "Start again from the sign-in page; if it happens again, tell your administrator.",
        detail=detail,
    )


def _metadata(provider: Provider) -> dict:
    """The discovery document, fetched once; its issuer must be the one configured."""
    client = client_for(provider)
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError, TypeError) as exc:
        raise _unreachable(provider, exc) from exc
    if str(metadata.get("issuer", "")).rstrip("/") != provider.issuer:
        client.server_metadata.clear()  # ask again next time: it may be fixed by then
        raise _unverified(
            provider, "issuer_mismatch", f"discovery names issuer {metadata.get('issuer')!r}"
        )
    return metadata


def begin(provider: Provider, redirect_uri: str, next_path: str):
    """The redirect to the provider's authorisation endpoint (state, nonce, PKCE S256)."""
    _metadata(provider)
    session[NEXT_KEY] = next_path
    try:
        return client_for(provider).authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        raise _unreachable(provider, exc) from exc


def _claim_reason(exc: ClaimError) -> str:
    if isinstance(exc, ExpiredTokenError):
        return "id_token_expired"
    names = {"aud": "audience", "azp": "audience", "iss": "issuer", "nonce": "nonce"}
    kind = "missing" if isinstance(exc, MissingClaimError) else "wrong"
    return f"id_token_{kind}_{names.get(exc.claim, 'claim')}"


def finish(provider: Provider) -> dict:
    """The verified claims of the ID token returned to the callback. Raises ``SsoError``."""
    _metadata(provider)
    client = client_for(provider)
    options = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
    }
    try:
        token = client.authorize_access_token(
            claims_options=options, leeway=current_app.config["SSO_LEEWAY_SECONDS"]
        )
    except MismatchingStateError as exc:
        raise SsoError(
            "state_mismatch",
            "This sign-in was already used, has expired or was not started here. Start again "
            "from the sign-in page.",
            detail=str(exc),
        ) from exc
    except OAuthError as exc:
        code = exc.error if exc.error in ERROR_CODES else "error"
        raise SsoError(
            "provider_refused",
            f"{provider.label} did not sign you in ({code}). Start again from the sign-in "
            "page, or ask your administrator.",
            detail=f"{exc.error}: {exc.description}",
        ) from exc
    except requests.RequestException as exc:
        raise _unreachable(provider, exc) from exc
    except BadSignatureError as exc:
        raise _unverified(provider, "id_token_bad_signature", str(exc)) from exc
    except (InvalidClaimError, MissingClaimError, ExpiredTokenError) as exc:
        raise _unverified(provider, _claim_reason(exc), str(exc)) from exc
    except (JoseError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise _unverified(provider, "id_token_invalid", f"{type(exc).__name__}: {exc}") from exc
    claims = token.get("userinfo")
    if not claims:
        raise _unverified(provider, "id_token_missing", "the token answer had no ID token")
    claims = dict(claims)
    claims["_id_token"] = token.get("id_token", "")
    return claims


def end_session_url(provider: Provider, id_token: str, after: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None if it has none or is down."""
    try:
        metadata = _metadata(provider)
        if not metadata.get("end_session_endpoint"):
            return None
        return client_for(provider).create_logout_url(
            post_logout_redirect_uri=after,
            id_token_hint=id_token or None,
            client_id=provider.client_id,
        )["url"]
    except (SsoError, RuntimeError) as exc:
        current_app.logger.warning("no end-session URL for %s: %s", provider.name, exc)
        return None


def end_session_offer(provider_name: str | None, id_token: str) -> dict | None:
    """What the sign-in page offers after signing out of an SSO session: the provider's
    end-session link (None without one)."""
    provider = get(provider_name) if provider_name else None
    if provider is None:
        return None
    after = current_app.config["BASE_URL"] + url_for("auth.login")
    url = end_session_url(provider, id_token, after)
    return {"label": provider.label, "url": url} if url else None
