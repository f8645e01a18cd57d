"""The test rig: an app per test on a migrated database, a CSRF-aware client, ``login(role)``.

The database is SQLite in a temporary folder unless ``TEST_DATABASE_URL`` names another one
(CI sets it to a throwaway PostgreSQL). The schema is built once by running the migrations; every
test starts from empty tables.
"""

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import session as flask_session
from flask.testing import FlaskClient
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from jinja2 import BytecodeCache

import config
from forum import create_app
from forum.auth.models import User
from forum.core.outbox import OutboxMessage, OutboxStatus
from forum.extensions import db, limiter
from forum.notify.delivery import deliver_due
from tests import factories, redis_server
from tests.oidc_provider import OidcProvider, corp_provider
from tests.ports import reserve_port
from tests.smtp import SmtpServer


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

TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|SAVEPOINT|RELEASE|ROLLBACK TO)\b", re.I)
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

    def sign_in(self, who: "Who") -> None:
        """Sign in as ``who`` with the session the /login view would write, without a request:
        Flask-Login's ``login_user`` and Flask-WTF's ``generate_csrf`` run in a request context
        and their session is copied into this client's cookie."""
        with self.application.test_request_context():
            flask_session.permanent = True  # as the /login view does
            user = db.session.scalar(sa.select(User).where(User.email == who.email))
            assert user is not None, f"no user {who.email}"
            login_user(user)
            self.csrf_token = generate_csrf()
            written = dict(flask_session)
        with self.session_transaction() as sess:
            sess.clear()
            sess.permanent = True
            sess.update(written)

    def sign_in_with_form(self, email: str, password: str = factories.PASSWORD) -> None:
        """Sign in through the /login form, as a person does."""
        self.refresh_csrf("/login")
        response = self.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self.refresh_csrf("/")

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "json" not in kwargs:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token or self.refresh_csrf())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


E2E = Path(__file__).resolve().parent / "e2e"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The browser tests first (together: their Chromium is shared by the package), then the
    other slow modules, then the quick ones, in random order within each group: pytest-xdist
    hands out whole modules in this order, so the last modules to run are short and every
    worker finishes at about the same time."""
    items.sort(key=_weight)


def _weight(item) -> int:
    if E2E in Path(item.path).resolve().parents:
        return 0
    return 1 if any(item.get_closest_marker(name) for name in ("e2e", "slow")) else 2


def _worker() -> str:
    """The pytest-xdist worker id ("gw0", ...), or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url(tmp_path_factory) -> str:
    """SQLite in the session's temporary folder, or one PostgreSQL database per xdist worker."""
    url = config.TestingConfig.SQLALCHEMY_DATABASE_URI
    if url in ("sqlite://", "sqlite:///:memory:"):
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if url.startswith("postgresql") and _worker() != "main":
        base = sa.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
        name = f"{base.database}_{_worker()}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        return base.set(database=name).render_as_string(hide_password=False)
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated, empty database shared by the session (one per xdist worker)."""
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


def _settings(database_url: str, folder: Path) -> dict:
    return dict(
        SQLALCHEMY_DATABASE_URI=database_url,
        SECRET_KEY="test-secret",
        MAIL_DIR=folder / "mail",
        UPLOAD_DIR=folder / "uploads",
        INSTANCE_DIR=folder,
        BASE_URL="http://localhost",
    )


def _new_app(config_class=config.TestingConfig, **settings):
    app = create_app(config_class, **settings)
    app.test_client_class = Client
    # Apps built for one test share compiled templates instead of recompiling them.
    app.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
    return app


@pytest.fixture(scope="session")
def base_app(database_url, tmp_path_factory):
    """The one app of the session; ``app`` hands it to each test with the test's own folders."""
    return _new_app(**_settings(database_url, tmp_path_factory.mktemp("app")))


def needs_committed_data(request) -> bool:
    """True for tests whose data must be seen by other connections (see CONTRIBUTING.md)."""
    return (
        request.node.get_closest_marker("committed") is not None
        or request.node.get_closest_marker("e2e") is not None  # a live server in a thread
        or "make_app" in request.fixturenames
    )


@contextmanager
def rolled_back(app):
    """Run every session of ``db`` inside one transaction that is rolled back at the end.

    Services and views still call ``commit()``: with ``join_transaction_mode="create_savepoint"``
    each commit releases a savepoint of the outer transaction, and each rollback returns to one.
    """
    with app.app_context():
        engine = db.engine
    conn = engine.connect()
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        # pysqlite begins transactions lazily and breaks SAVEPOINT; let SQLAlchemy say BEGIN
        # (https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl).
        conn.connection.dbapi_connection.isolation_level = None
        sa.event.listen(conn, "begin", _sqlite_begin)
    outer = conn.begin()
    original = db.session
    db.session = sa.orm.scoped_session(
        sa.orm.sessionmaker(bind=conn, join_transaction_mode="create_savepoint"),
        scopefunc=original.registry.scopefunc,
    )
    try:
        yield
    finally:
        for leftover in list(db.session.registry.registry.values()):
            leftover.close()  # sessions of app contexts the test left open
        db.session = original
        outer.rollback()
        if sqlite:
            sa.event.remove(conn, "begin", _sqlite_begin)
            conn.connection.dbapi_connection.isolation_level = ""
        conn.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build another app on the test database; extra settings override the testing config.

    ``config_class`` picks another configuration (``config.ProductionConfig``). A test using it
    works on committed data: the tables are emptied afterwards. Apps pointed at another database
    (an unreachable one, a fresh migration target) are not wiped.
    """
    apps = []

    def _make(config_class=config.TestingConfig, **overrides):
        settings = _settings(database_url, tmp_path) | overrides
        app = _new_app(config_class, **settings)
        if settings["SQLALCHEMY_DATABASE_URI"] == database_url:
            apps.append(app)
        return app

    yield _make
    for app in apps:
        wipe(app)
        with app.app_context():
            db.engine.dispose()
    limiter.reset()


@contextmanager
def _folders_of(app, database_url: str, folder: Path):
    """``app`` with its mail, upload and instance folders in ``folder``; every setting (also
    those a test changes) is as it was afterwards, and rate-limit counters start afresh."""
    saved = dict(app.config)
    app.config.update(_settings(database_url, folder))
    try:
        yield app
    finally:
        app.config.clear()
        app.config.update(saved)
        limiter.reset()


@pytest.fixture
def app(request, base_app, database_url, tmp_path):
    """The session's app, with this test's mail and upload folders.

    Every test runs inside a transaction rolled back at its end; a test marked ``committed``
    (threads, the live server, other apps) commits for real and the tables are emptied after it.
    """
    with _folders_of(base_app, database_url, tmp_path):
        if needs_committed_data(request):
            try:
                yield base_app
            finally:
                wipe(base_app)
        else:
            with rolled_back(base_app):
                yield base_app


@pytest.fixture
def redis_url(base_app, tmp_path):
    """The URL of a redis-server of this test's own, stopped afterwards (see tests/redis_server.py).

    Flask-Limiter keeps one storage for every app in the process: an app built on this URL
    points it at redis, so afterwards it is pointed back at a memory store for the next tests.
    """
    server, port = redis_server.start(tmp_path)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        limiter.init_app(base_app)
        redis_server.stop(server)


@pytest.fixture
def mail_down(make_app):
    """``(app, server)``: an app whose SMTP server is down — its port refuses connections until
    ``server.start()``; the server is stopped and its port released afterwards."""
    server = SmtpServer(reserve_port())
    app = make_app(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield app, server
    server.stop()
    if server.sock is not None:
        server.sock.close()


@pytest.fixture(scope="module")
def module_app(base_app, database_url, tmp_path_factory):
    """The session's app for a module that builds a read-only world once and commits it.

    The tables are emptied before and after the module; tests of the module that use ``app``
    run in rolled-back transactions on top of that world.
    """
    with _folders_of(base_app, database_url, tmp_path_factory.mktemp("module")):
        wipe(base_app)
        try:
            yield base_app
        finally:
            wipe(base_app)


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
    """``login("leader")`` creates a user of that role and signs ``client`` in as them.

    The session cookie is written directly (no page is rendered); tests about signing in use
    the form (``via_form=True``, or tests/auth).
    """

    def _login(role="rep", who: Who | None = None, via_form: bool = False, **kwargs) -> Who:
        who = who or make_user(role, **kwargs)
        if via_form:
            client.sign_in_with_form(who.email)
        else:
            client.sign_in(who)
        return who

    return _login


@contextmanager
def listening(app, event: str, fn):
    """``fn`` listens to the engine's ``event`` (``before_cursor_execute``, ...) inside."""
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, event, fn)
    try:
        yield
    finally:
        sa.event.remove(engine, event, fn)


@contextmanager
def counting_statements(app):
    """``with counting_statements(app) as statements:`` lists the SQL statements run inside."""
    statements = []

    def before(conn, cursor, statement, *args):
        # The rolled-back test transaction adds SAVEPOINT / RELEASE around every commit.
        if not TRANSACTION_CONTROL.match(statement):
            statements.append(statement)

    with listening(app, "before_cursor_execute", before):
        yield statements


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements run inside it."""
    return lambda: counting_statements(app)


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
    """The e-mails an app sent through its outbox with the file transport, oldest first.

    Reading ``messages`` first delivers what is due (as ``flask deliver`` would), so a test sees
    what a recipient would get; ``queued`` is what still waits in the outbox.
    """

    def __init__(self, app):
        self.app = app
        self.folder = Path(app.config["MAIL_DIR"])

    def deliver(self):
        with self.app.app_context():
            return deliver_due()

    @property
    def queued(self) -> list[OutboxMessage]:
        with self.app.app_context():
            rows = db.session.scalars(
                sa.select(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING)
                .order_by(OutboxMessage.id)
            ).all()
            for row in rows:
                db.session.expunge(row)
            return rows

    @property
    def messages(self) -> list[EmailMessage]:
        self.deliver()
        if not self.folder.exists():
            return []
        return [
            message_from_bytes(path.read_bytes(), policy=email_policy.default)
            for path in sorted(self.folder.glob("*.eml"))
        ]

    @staticmethod
    def to(message: EmailMessage) -> str:
        """The address (without the display name) an e-mail is sent to."""
        [address] = message["To"].addresses
        return address.addr_spec

    @staticmethod
    def link(message: EmailMessage) -> str:
        """The path of the link to this site in an e-mail's text."""
        match = re.search(r"http://localhost(/\S+)", message.get_content())
        assert match, "no link in the e-mail"
        return match.group(1)


@pytest.fixture
def outbox(app) -> Outbox:
    return Outbox(app)


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def oidc_provider():
    """An OpenID Connect provider on 127.0.0.1 (tests/oidc_provider.py), one per module."""
    provider = OidcProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def sso(app, oidc_provider):
    """The app signs in through ``oidc_provider`` (well-behaved again, default identity)."""
    oidc_provider.reset()
    app.config["SSO_PROVIDERS"] = [corp_provider(oidc_provider)]
    return oidc_provider
