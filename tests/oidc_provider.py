"""An OpenID Connect provider for the tests, built on Authlib's server components.

``OidcProvider().start()`` serves discovery, an authorisation endpoint (which signs in
``provider.identity`` at once: no login page), a token endpoint (authorisation code with PKCE,
``client_secret_basic``), the JWKS and an end-session endpoint on 127.0.0.1, port 0 read back.
``provider.misbehave`` switches it to the faults a relying party must catch:

* ``tamper`` — the ID token's payload is changed after signing (the signature no longer fits);
* ``nonce`` — the ID token carries another nonce than the one asked for;
* ``expired`` — the ID token expired an hour ago;
* ``audience`` — the ID token is for another client;
* ``issuer`` — the ID token names another issuer;
* ``no_id_token`` — the token answer has no ID token at all;
* ``discovery_issuer`` — the discovery document names another issuer.
"""

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, redirect, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

LOOPBACK = ("http://127.0.0.1:", "http://localhost/", "http://localhost:")
FAULTS = {"tamper", "nonce", "expired", "audience", "issuer", "no_id_token", "discovery_issuer"}


@dataclass
class Identity:
    """Who the provider says signs in next."""

    sub: str = "user-1"
    email: str = "new.rep@corp.example"
    email_verified: bool = True
    name: str = "Nora North"
    groups: list[str] = field(default_factory=lambda: ["sales-north"])


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri.startswith(LOOPBACK)

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "client_secret_basic"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    identity: Identity
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class OidcProvider:
    """One provider with one registered client; ``start()`` serves it, ``stop()`` ends it."""

    def __init__(self, client_id: str = "vos-test", client_secret: str = "s3cret-for-tests"):
        self.client = Client(client_id, client_secret)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig"})
        self.identity = Identity()
        self.misbehave: set[str] = set()
        self.codes: dict[str, Code] = {}
        self.nonces: set[str] = set()
        self.logouts: list[dict] = []
        self.token_requests = 0
        self.url = ""
        self.app = self._build_app()
        self._server = None
        self._thread = None

    @property
    def issuer(self) -> str:
        return self.url

    def reset(self) -> None:
        """Behave again, and sign in the default identity next."""
        self.identity = Identity()
        self.misbehave = set()

    # --- serving ---------------------------------------------------------------------------

    def start(self) -> "OidcProvider":
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="oidc-provider",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._thread.join(10)
            self._server.server_close()
            self._server = None

    # --- the Flask app ---------------------------------------------------------------------

    def _build_app(self) -> Flask:
        app = Flask("test_oidc_provider")
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

            def save_authorization_code(self, code, request):
                data = request.payload.data
                if data.get("nonce"):
                    provider.nonces.add(data["nonce"])
                provider.codes[code] = Code(
                    code=code,
                    client_id=request.client.get_client_id(),
                    redirect_uri=request.payload.redirect_uri,
                    scope=request.payload.scope,
                    identity=request.user,
                    nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                if found is not None and found.client_id == client.get_client_id():
                    return found
                return None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.identity

        class Oidc(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return (
                    nonce in provider.nonces
                )  # a nonce is used once (see save_authorization_code)

            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_claims(self, client):
                now = int(time.time())
                claims = {
                    "iss": provider.issuer,
                    "aud": [client.get_client_id()],
                    "exp": now + 300,
                }
                if "issuer" in provider.misbehave:
                    claims["iss"] = "http://127.0.0.1:9/not-the-issuer"
                if "audience" in provider.misbehave:
                    claims["aud"] = ["another-client"]
                if "expired" in provider.misbehave:
                    claims["exp"] = now - 3600
                    claims["iat"] = now - 7200
                return claims

            def get_authorization_code_claims(self, authorization_code):
                claims = super().get_authorization_code_claims(authorization_code)
                if "nonce" in provider.misbehave:
                    claims["nonce"] = "not-the-nonce-that-was-sent"
                return claims

            def generate_user_info(self, user, scope):
                return UserInfo(
                    sub=user.sub,
                    email=user.email,
                    email_verified=user.email_verified,
                    name=user.name,
                    groups=list(user.groups),
                )

            def encode_id_token(self, token, request):
                id_token = super().encode_id_token(token, request)
                if "tamper" in provider.misbehave:
                    id_token = _tampered(id_token)
                return id_token

            def process_token(self, grant, response):
                token = super().process_token(grant, response)
                if "no_id_token" in provider.misbehave:
                    token.pop("id_token", None)
                return token

        server = AuthorizationServer(
            app, query_client=self._query_client, save_token=lambda token, request: None
        )
        server.register_grant(CodeGrant, [CodeChallenge(required=True), Oidc(require_nonce=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            base = provider.url
            return jsonify(
                issuer=base + "/other" if "discovery_issuer" in provider.misbehave else base,
                authorization_endpoint=f"{base}/authorize",
                token_endpoint=f"{base}/token",
                jwks_uri=f"{base}/jwks",
                end_session_endpoint=f"{base}/logout",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                token_endpoint_auth_methods_supported=["client_secret_basic"],
                scopes_supported=["openid", "email", "profile", "groups"],
            )

        @app.get("/authorize")
        def authorize():
            grant = server.get_consent_grant(end_user=provider.identity)
            return server.create_authorization_response(grant_user=provider.identity, grant=grant)

        @app.post("/token")
        def issue_token():
            provider.token_requests += 1
            return server.create_token_response()

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[provider.key.as_dict(private=False)])

        @app.get("/logout")
        def end_session():
            provider.logouts.append(request.args.to_dict())
            target = request.args.get("post_logout_redirect_uri")
            if target and target.startswith(LOOPBACK):
                return redirect(target)
            return "Signed out of the test provider."

        return app

    def _query_client(self, client_id):
        return self.client if client_id == self.client.client_id else None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _tampered(id_token: str) -> str:
    """The token with its payload changed (the e-mail raised to an admin's) and the original
    signature kept."""
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "admin@corp.example"
    claims["groups"] = ["it-admins"]
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


# --- the relying party's side, for the tests ---------------------------------------------------

NAME = "corp"
LABEL = "Corp ID"
DOMAIN = "corp.example"


def corp_provider(provider: OidcProvider, **overrides):
    """The app's configuration of ``provider``, with the tests' mapping table."""
    from forum.auth.models import Role
    from forum.auth.sso.providers import Provider, RoleRule

    fields = {
        "name": NAME,
        "label": LABEL,
        "issuer": provider.issuer,
        "client_id": provider.client.client_id,
        "client_secret": provider.client.client_secret,
        "allowed_domains": (DOMAIN,),
        "role_map": (
            RoleRule("it-admins", Role.ADMIN),
            RoleRule("sales-leaders", Role.LEADER),
            RoleRule("sales-north", Role.REP, "North"),
            RoleRule("ops-billing", Role.OPS, "Billing"),
        ),
    } | overrides
    return Provider(**fields)


def authorise(client, start: str = f"/sso/{NAME}/login"):
    """Start the sign-in with the Flask test ``client``, let the provider answer over HTTP, and
    return ``(authorisation URL, callback path with its query)``; the caller requests the
    callback."""
    from urllib.parse import urlsplit

    import requests

    started = client.get(start)
    assert started.status_code == 302, started.get_data(as_text=True)[:500]
    url = started.headers["Location"]
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    back = urlsplit(answer.headers["Location"])
    return url, f"{back.path}?{back.query}"


def sign_in(client, start: str = f"/sso/{NAME}/login"):
    """The whole flow through the test client: the callback's response."""
    _, callback = authorise(client, start)
    return client.get(callback)
