"""Configuration read from the environment; see README.md for every variable."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance")).resolve()


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _optional_int(name: str) -> int | None:
    """An integer that may be left unset: None means nobody said, which production refuses."""
    value = os.environ.get(name)
    return int(value) if value else None


SSO_FIELDS = (
    "issuer",
    "client_id",
    "client_secret",
    "label",
    "allowed_domains",
    "role_map",
    "groups_claim",
    "scopes",
)


def sso_providers(environ: Mapping[str, str]) -> list[dict]:
    """The raw settings of each provider named in ``SSO_PROVIDERS`` (``corp,partners``):
    ``SSO_CORP_ISSUER``, ``SSO_CORP_CLIENT_ID``, ... (README "Single sign-on"). The app checks
    them at start (``forum.auth.sso.providers``)."""
    names = [n.strip() for n in environ.get("SSO_PROVIDERS", "").split(",") if n.strip()]
    return [
        {"name": name}
        | {key: environ.get(f"SSO_{name.upper()}_{key.upper()}", "") for key in SSO_FIELDS}
        for name in names
    ]


def secret_key(instance_dir: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into ``instance/``.

    The generated key belongs to one instance folder: fine on one machine, wrong behind a
    balancer (each server would sign sessions differently), so production never uses it.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    instance_dir.mkdir(parents=True, exist_ok=True)
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        # O_EXCL: two workers starting together must not each write a different key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


class Config:
    """Development defaults; every value can be overridden from the environment."""

    APP_ENV = os.environ.get("APP_ENV", "development")
    INSTANCE_DIR = INSTANCE_DIR
    # Shared by every server; unset, the factory generates one into the instance folder (never
    # in production: check_production_settings refuses to start without it).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'voice_of_sales.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 5000)
    # Where `flask backup`/`restore` find pg_dump and pg_restore on PostgreSQL (empty: the
    # newest /usr/lib/postgresql/N/bin, then PATH); they must be at least the server's version.
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR", "")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = _int("SESSION_LIFETIME_HOURS", 12) * 3600

    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 10) * 1024 * 1024
    UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", INSTANCE_DIR / "uploads"))
    # Images declaring more pixels are refused before they are decoded (decompression bombs).
    UPLOAD_MAX_PIXELS = _int("UPLOAD_MAX_PIXELS", 40_000_000)
    # A shield label names the author's region only when it has at least this many reps
    # (fewer, and "a verified rep (North)" would point at one person).
    SHIELD_MIN_REGION_REPS = _int("SHIELD_MIN_REGION_REPS", 3)
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; a rep's tab may stay open all day

    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "file")  # "file" or "smtp"
    MAIL_DIR = Path(os.environ.get("MAIL_DIR", INSTANCE_DIR / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Voice of Sales <no-reply@voice-of-sales.local>")
    # The outbox worker (`flask deliver`); see README.md "Notifications and e-mail".
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _int("MAIL_RETRY_MAX_SECONDS", 3600)
    OUTBOX_LEASE_SECONDS = _int("OUTBOX_LEASE_SECONDS", 600)
    DELIVER_INTERVAL_SECONDS = _int("DELIVER_INTERVAL_SECONDS", 5)
    # Outgoing webhooks (README "Webhooks"): sent by the same worker, through the outbox.
    # Host names (as typed in the URL) that may resolve to private addresses: an on-premises
    # chat server. Empty by default: every private, loopback or link-local target is refused.
    WEBHOOK_ALLOWED_INTERNAL_HOSTS = tuple(
        h.strip().lower()
        for h in os.environ.get("WEBHOOK_ALLOWED_INTERNAL_HOSTS", "").split(",")
        if h.strip()
    )
    WEBHOOK_TIMEOUT_SECONDS = _int("WEBHOOK_TIMEOUT_SECONDS", 10)
    # A file of CA certificates for https endpoints (an internal CA); empty: the system's.
    WEBHOOK_CA_BUNDLE = os.environ.get("WEBHOOK_CA_BUNDLE", "")
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 8)  # per delivery, then it is given up
    WEBHOOK_DISABLE_AFTER = _int("WEBHOOK_DISABLE_AFTER", 10)  # failed attempts in a row
    WEEKLY_DIGEST_SIZE = _int("WEEKLY_DIGEST_SIZE", 10)

    # werkzeug default: memory-hard, slow on purpose
    PASSWORD_HASH_METHOD = "scrypt"  # nosec B105  # a hash method's name, not a password
    INVITE_TTL_HOURS = _int("INVITE_TTL_HOURS", 72)
    RESET_TTL_MINUTES = _int("RESET_TTL_MINUTES", 30)
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 10 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 10 minutes")
    WRITE_LIMIT_PER_USER = os.environ.get("WRITE_LIMIT_PER_USER", "30 per minute")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # The buyer survey (forum/buyers): how long a link lives, whose name the page carries and
    # how often one link, and one address, may be used.
    BUYER_SURVEY_DAYS = _int("BUYER_SURVEY_DAYS", 30)
    ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "Voice of Sales")
    BUYER_LIMIT_PER_TOKEN = os.environ.get("BUYER_LIMIT_PER_TOKEN", "10 per hour")
    BUYER_LIMIT_PER_ADDRESS = os.environ.get("BUYER_LIMIT_PER_ADDRESS", "60 per hour")
    # Calls to /api/v1 per token (or signed-in user, or address without either).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    # Unset (None) counts as 0 outside production; production wants it said, even as 0.
    PROXY_FIX_X_FOR = _optional_int("PROXY_FIX_X_FOR")
    # How many processes serve the app: gunicorn takes WEB_CONCURRENCY as its worker count,
    # APP_SERVERS is the number of machines (or containers) behind the balancer.
    WEB_CONCURRENCY = _int("WEB_CONCURRENCY", 1)
    APP_SERVERS = _int("APP_SERVERS", 1)

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    # Single sign-on (OpenID Connect); README "Single sign-on".
    SSO_PROVIDERS = sso_providers(os.environ)
    SSO_TIMEOUT_SECONDS = _int("SSO_TIMEOUT_SECONDS", 10)
    # How far the clocks of this server and the provider may disagree on an ID token's times.
    SSO_LEEWAY_SECONDS = _int("SSO_LEEWAY_SECONDS", 60)
    # How long `flask break-glass` lets one admin sign in with a password while SSO is required.
    BREAK_GLASS_MINUTES = _int("BREAK_GLASS_MINUTES", 60)


class ProductionConfig(Config):
    """Production: secure cookies; the rest still from the environment."""

    APP_ENV = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """Tests: a database named by the test rig, fast hashes, mail written to a folder."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # tests hash hundreds of passwords; nothing real is stored with these hashes
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # nosec B105  # a hash method's name
    RATELIMIT_STORAGE_URI = "memory://"
    SQLITE_SYNCHRONOUS = "OFF"  # test databases are thrown away: no fsync per commit
    # Most tests have one rep per region; tests/feedback/test_shield_labels.py checks the default.
    SHIELD_MIN_REGION_REPS = 1
    SSO_PROVIDERS: list = []  # the tests configure their own provider (tests/oidc_provider.py)


class UnsafeSettings(RuntimeError):
    """Production settings the app refuses to start with; the message lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Refusing to start with APP_ENV=production:\n{lines}")


def check_production_settings(config: Mapping) -> list[str]:
    """Every reason these settings are unsafe in production, each with its fix; empty if none."""
    problems = []
    processes = config["WEB_CONCURRENCY"] * config["APP_SERVERS"]
    if not config.get("SECRET_KEY"):
        problems.append(
            "SECRET_KEY is not set: a key generated into the instance folder differs on every "
            "server, so sessions and CSRF tokens break at random. Set SECRET_KEY to one long "
            "random value shared by every server."
        )
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://") and processes > 1:
        problems.append(
            f"RATELIMIT_STORAGE_URI is memory:// with {processes} processes "
            f"(WEB_CONCURRENCY={config['WEB_CONCURRENCY']} x APP_SERVERS={config['APP_SERVERS']}): "
            "each process counts on its own, multiplying every limit. Point it at a shared "
            "store (redis://host:6379/0), or run a single process."
        )
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and config["APP_SERVERS"] > 1:
        problems.append(
            f"DATABASE_URL is SQLite with APP_SERVERS={config['APP_SERVERS']}: each server "
            "would write its own file. Use PostgreSQL (DATABASE_URL=postgresql://...)."
        )
    if config["PROXY_FIX_X_FOR"] is None:
        problems.append(
            "PROXY_FIX_X_FOR is not set: say how many proxies stand in front of the app "
            "(1 behind one balancer or reverse proxy; 0 if clients connect directly), or every "
            "user may share the proxy's address and its sign-in limit."
        )
    elif config["PROXY_FIX_X_FOR"] == 0 and config["APP_SERVERS"] > 1:
        problems.append(
            f"PROXY_FIX_X_FOR is 0 with APP_SERVERS={config['APP_SERVERS']}: behind a balancer "
            "every user shares its address, and the per-address sign-in limit locks out the "
            "company. Set PROXY_FIX_X_FOR to the number of proxies in front of the app."
        )
    return problems


def config_for(env: str | None = None) -> type[Config]:
    """Pick the configuration class for ``APP_ENV``."""
    env = env or os.environ.get("APP_ENV", "development")
    return {"production": ProductionConfig, "testing": TestingConfig}.get(env, Config)
