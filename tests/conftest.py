"""The test rig: an app per test on a migrated database, a CSRF-aware client, ``login(role)``.

The database is SQLite in a temporary folder unless ``TEST_DATABASE_URL`` names another one
(CI sets it to a throwaway PostgreSQL). The schema is built once by running the migrations; every
test starts from empty tables.
"""

import re
from dataclasses import dataclass
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

import config
from forum import create_app
from forum.extensions import db, limiter
from tests import factories


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every app the tests build (keyed by template source)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = MemoryBytecodeCache()

CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


class Client(FlaskClient):
    """A test client that adds the session's CSRF token to every form it posts."""

    csrf_token: str | None = None

    def refresh_csrf(self, url: str = "/login") -> str:
        response = self.get(url, follow_redirects=True)
        match = CSRF_RE.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {url}"
        self.csrf_token = match.group(1)
        return self.csrf_token

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "json" not in kwargs:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token or self.refresh_csrf())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


def _database_url(tmp_path_factory) -> str:
    url = config.TestingConfig.SQLALCHEMY_DATABASE_URI
    if url in ("sqlite://", "sqlite:///:memory:"):
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated, empty database shared by the session."""
    from flask_migrate import downgrade, upgrade

    url = _database_url(tmp_path_factory)
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="x")
    with app.app_context():
        downgrade(revision="base")  # a reused PostgreSQL database starts from nothing
        upgrade()
        db.engine.dispose()
    return url


def wipe(app) -> None:
    """Empty every table (children first)."""
    with app.app_context():
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on the test database; extra settings override the testing config.

    ``config_class`` picks another configuration (``config.ProductionConfig``). Apps pointed at
    another database (an unreachable one, a fresh migration target) are not wiped afterwards.
    """
    apps = []

    def _make(config_class=config.TestingConfig, **overrides):
        settings = dict(
            SQLALCHEMY_DATABASE_URI=database_url,
            SECRET_KEY="test-secret",
            MAIL_DIR=tmp_path / "mail",
            UPLOAD_DIR=tmp_path / "uploads",
            INSTANCE_DIR=tmp_path,
            BASE_URL="http://localhost",
        )
        settings.update(overrides)
        app = create_app(config_class, **settings)
        app.test_client_class = Client
        # Every test builds a new app; sharing compiled templates saves recompiling them.
        app.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
        if settings["SQLALCHEMY_DATABASE_URI"] == database_url:
            apps.append(app)
        return app

    yield _make
    for app in apps:
        wipe(app)
    limiter.reset()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@dataclass
class Who:
    """A signed-in test user, detached from any session."""

    id: int
    email: str
    role: str
    team_id: int | None


@pytest.fixture
def make_user(app):
    """Create and commit a user; returns a ``Who``."""

    def _make(role="rep", **kwargs) -> Who:
        with app.app_context():
            user = factories.user(role, **kwargs)
            db.session.commit()
            return Who(user.id, user.email, user.role, user.team_id)

    return _make


@pytest.fixture
def login(app, client, make_user):
    """``login("leader")`` creates a user of that role and signs ``client`` in as them."""

    def _login(role="rep", who: Who | None = None, **kwargs) -> Who:
        who = who or make_user(role, **kwargs)
        client.refresh_csrf("/login")
        response = client.post("/login", data={"email": who.email, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        client.refresh_csrf("/")
        return who

    return _login


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements run inside it."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        statements = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return _count


@pytest.fixture
def fresh_database_url(database_url, tmp_path) -> str:
    """A database no migration has touched yet: a new SQLite file.

    On PostgreSQL it is the shared test database itself (already at head): a test using it may
    downgrade it, but must leave it upgraded to head.
    """
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return database_url


class Outbox:
    """The e-mails an app wrote to its mail folder (the file transport), oldest first."""

    def __init__(self, folder: Path):
        self.folder = folder

    @property
    def messages(self) -> list[EmailMessage]:
        if not self.folder.exists():
            return []
        return [
            message_from_bytes(path.read_bytes(), policy=email_policy.default)
            for path in sorted(self.folder.glob("*.eml"))
        ]

    @staticmethod
    def link(message: EmailMessage) -> str:
        """The path of the link to this site in an e-mail's text."""
        match = re.search(r"http://localhost(/\S+)", message.get_content())
        assert match, "no link in the e-mail"
        return match.group(1)


@pytest.fixture
def outbox(app) -> Outbox:
    return Outbox(Path(app.config["MAIL_DIR"]))


ROOT = Path(__file__).resolve().parent.parent
