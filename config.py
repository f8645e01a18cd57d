"""Configuration read from the environment; see README.md for every variable."""

import os
import secrets
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


def secret_key(instance_dir: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into ``instance/``."""
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
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'voice_of_sales.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 5000)

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
    WEEKLY_DIGEST_SIZE = _int("WEEKLY_DIGEST_SIZE", 10)

    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug default: memory-hard, slow on purpose
    INVITE_TTL_HOURS = _int("INVITE_TTL_HOURS", 72)
    RESET_TTL_MINUTES = _int("RESET_TTL_MINUTES", 30)
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 10 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 10 minutes")
    WRITE_LIMIT_PER_USER = os.environ.get("WRITE_LIMIT_PER_USER", "30 per minute")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class ProductionConfig(Config):
    """Production: secure cookies; the rest still from the environment."""

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """Tests: a database named by the test rig, fast hashes, mail written to a folder."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # tests hash hundreds of passwords
    RATELIMIT_STORAGE_URI = "memory://"
    SQLITE_SYNCHRONOUS = "OFF"  # test databases are thrown away: no fsync per commit


def config_for(env: str | None = None) -> type[Config]:
    """Pick the configuration class for ``APP_ENV``."""
    env = env or os.environ.get("APP_ENV", "development")
    return {"production": ProductionConfig, "testing": TestingConfig}.get(env, Config)
