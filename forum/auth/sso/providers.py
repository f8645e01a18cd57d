"""The OpenID Connect providers configured from the environment, and their Authlib clients.

``config.py`` reads the raw ``SSO_*`` variables (README "Single sign-on"); this module turns
them into ``Provider`` values, refusing a configuration it cannot use, and keeps one Authlib
client per provider, whose discovery document and key set are fetched once and cached.
"""

import threading
from dataclasses import dataclass

from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app

from forum.auth.models import Role, normalize_email

DEFAULT_SCOPES = "openid email profile"
TOKEN_AUTH_METHOD = "client_secret_basic"  # nosec B105  # the method's name, not a secret


class SsoConfigError(ValueError):
    """The SSO settings cannot be used; the message names the variable to fix."""


@dataclass(frozen=True)
class RoleRule:
    """One row of the mapping table: members of ``group`` get ``role`` in team ``team``."""

    group: str
    role: Role
    team: str = ""


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    allowed_domains: tuple[str, ...]
    role_map: tuple[RoleRule, ...] = ()
    groups_claim: str = "groups"
    scopes: str = DEFAULT_SCOPES

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def vouches_for(self, email: str) -> bool:
        """Whether this provider may speak for ``email``: its domain is one of the allowed."""
        _, at, domain = normalize_email(email).rpartition("@")
        return bool(at) and domain in self.allowed_domains

    def rule_for(self, groups) -> RoleRule | None:
        """The first row of the table whose group the person is in, else None."""
        if isinstance(groups, str):
            groups = [groups]
        if not isinstance(groups, list | tuple):
            return None
        names = {g for g in groups if isinstance(g, str)}
        return next((rule for rule in self.role_map if rule.group in names), None)


def parse_role_map(text: str, variable: str) -> tuple[RoleRule, ...]:
    """``group=role[:team]`` rows separated by ``;`` or new lines, in order of precedence."""
    rules = []
    for row in text.replace("\n", ";").split(";"):
        row = row.strip()
        if not row:
            continue
        group, eq, target = row.partition("=")
        role, _, team = target.partition(":")
        try:
            role = Role(role.strip())
        except ValueError:
            role = None
        if not eq or not group.strip() or role is None:
            raise SsoConfigError(
                f"{variable}: {row!r} is not group=role[:team] with a role of "
                f"{', '.join(r.value for r in Role)}."
            )
        rules.append(RoleRule(group.strip(), role, team.strip()))
    return tuple(rules)


def parse_provider(raw: dict) -> Provider:
    """A provider from the raw settings of one name (as ``config.sso_providers`` reads them)."""
    name = raw.get("name", "").strip().lower()
    prefix = f"SSO_{name.upper()}_"
    if not name.isidentifier():
        raise SsoConfigError(f"SSO_PROVIDERS: {name!r} is not a usable name (letters, digits, _).")
    for key in ("issuer", "client_id", "client_secret", "allowed_domains"):
        if not str(raw.get(key) or "").strip():
            raise SsoConfigError(f"{prefix}{key.upper()} is not set.")
    issuer = raw["issuer"].strip().rstrip("/")
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise SsoConfigError(f"{prefix}ISSUER must be an https:// URL.")
    domains = tuple(
        sorted({normalize_email(d).lstrip("@") for d in raw["allowed_domains"].split(",")} - {""})
    )
    return Provider(
        name=name,
        label=(raw.get("label") or name.title()).strip(),
        issuer=issuer,
        client_id=raw["client_id"].strip(),
        client_secret=raw["client_secret"].strip(),
        allowed_domains=domains,
        role_map=parse_role_map(raw.get("role_map") or "", f"{prefix}ROLE_MAP"),
        groups_claim=(raw.get("groups_claim") or "groups").strip(),
        scopes=(raw.get("scopes") or DEFAULT_SCOPES).strip(),
    )


def load(config) -> dict[str, Provider]:
    """Every configured provider by name; raises ``SsoConfigError`` on an unusable setting."""
    providers = {}
    for raw in config.get("SSO_PROVIDERS") or ():
        provider = raw if isinstance(raw, Provider) else parse_provider(raw)
        providers[provider.name] = provider
    return providers


def configured() -> dict[str, Provider]:
    return load(current_app.config)


def get(name: str) -> Provider | None:
    return configured().get(name)


_clients: dict[Provider, FlaskOAuth2App] = {}
_clients_lock = threading.Lock()


def client_for(provider: Provider) -> FlaskOAuth2App:
    """The Authlib client of ``provider``: PKCE (S256), discovery, bounded timeouts."""
    with _clients_lock:
        client = _clients.get(provider)
        if client is None:
            client = _clients[provider] = FlaskOAuth2App(
                FlaskIntegration(f"sso_{provider.name}"),
                f"sso_{provider.name}",
                client_id=provider.client_id,
                client_secret=provider.client_secret,
                server_metadata_url=provider.discovery_url,
                client_kwargs={
                    "scope": provider.scopes,
                    "code_challenge_method": "S256",
                    "token_endpoint_auth_method": TOKEN_AUTH_METHOD,
                    "default_timeout": current_app.config["SSO_TIMEOUT_SECONDS"],
                },
            )
        return client
