"""The environment of an app server started by a benchmark, the soak or a fault test: the
development configuration on one database, its files in one folder, quiet logs, and nothing
else of the caller's environment (an SMTP transport, a Redis URL, a production key...).

The fault tests, ``make bench`` (benchmarks/http, benchmarks/topology.py) and ``make soak``
(benchmarks/soak.py) all start their servers on it; each adds only what it is about.
"""

import os
from pathlib import Path

# From the caller: where programs are, and where temporary files go.
KEPT = ("PATH", "HOME", "TMPDIR")

# A load tester, or a soak, is one person from 127.0.0.1 sending thousands of requests: the
# rate limits are lifted, as they are not what is measured.
LIFTED_LIMITS = {
    "WRITE_LIMIT_PER_USER": "1000000 per minute",
    "LOGIN_LIMIT_PER_ADDRESS": "100000 per minute",
    "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
    "API_RATE_LIMIT": "1000000 per minute",
}


def secret_key(who: str) -> str:
    """The signing key of ``who``'s servers (and of its in-process app, whose cookies they read)."""
    return f"{who}-secret-key-not-for-production-0123456789"


def server_env(who: str, database_url: str, folder: Path, **settings) -> dict[str, str]:
    """The app's environment on ``database_url`` with its instance, upload and mail folders
    under ``folder`` (mail written to files), a signing key of its own for ``who`` ("bench",
    "soak"...); ``settings`` are added last (a setting of the app, or another folder)."""
    env = {k: os.environ[k] for k in KEPT if k in os.environ}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.update(
        LANG="C.UTF-8",
        APP_ENV="development",  # the testing configuration would turn off fsync
        DATABASE_URL=database_url,
        SECRET_KEY=secret_key(who),
        INSTANCE_PATH=str(folder / "instance"),
        UPLOAD_DIR=str(folder / "uploads"),
        MAIL_DIR=str(folder / "mail"),
        MAIL_TRANSPORT="file",
        BASE_URL="http://127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    env.update({k: str(v) for k, v in settings.items()})
    return env
