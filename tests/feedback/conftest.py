"""Helpers for the posting tests: more signed-in clients, posts made in the database, forms."""

from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from forum.auth.models import TeamKind, User
from forum.extensions import db
from forum.feedback.models import Post
from tests import factories

# Markup that runs script when it is not escaped.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
]


@pytest.fixture
def sign_in(app):
    """``sign_in(who)``: a new client signed in as ``who`` (one client per person)."""

    def _sign_in(who):
        client = app.test_client()
        client.sign_in(who)
        return client

    return _sign_in


@pytest.fixture
def session(app):
    """``with session() as s:`` runs ``s`` (the db session) inside an app context."""

    @contextmanager
    def _session():
        with app.app_context():
            yield db.session
            db.session.rollback()

    return _session


@pytest.fixture
def latest(session):
    """``latest()``: the id of the newest post (ids are not reset between tests on PostgreSQL)."""

    def _latest() -> int:
        with session() as s:
            return s.scalar(sa.select(sa.func.max(Post.id)))

    return _latest


@pytest.fixture
def make_post(app):
    """Create and commit a post (written by ``author``, a ``Who``, or a new rep); returns its id."""

    def _make(kind="field_feedback", author=None, **fields) -> int:
        with app.app_context():
            author_obj = db.session.get(User, author.id) if author else None
            post = factories.post(kind, author=author_obj, **fields)
            db.session.commit()
            return post.id

    return _make


@pytest.fixture
def ops_team(app):
    """An operations team's id."""
    with app.app_context():
        team = factories.team(TeamKind.OPERATIONS, name="Shipping")
        db.session.commit()
        return team.id


@pytest.fixture
def sales_team(app):
    with app.app_context():
        team = factories.team(TeamKind.SALES, name="Far North")
        db.session.commit()
        return team.id


@pytest.fixture
def post_form(app, ops_team):
    """``post_form(kind, **overrides)``: a complete, valid form for that kind of report; the
    account it names exists (reports pick accounts, they never create them)."""

    def _form(kind="field_feedback", **overrides) -> dict:
        data = {"title": "Deliveries arrive a week late", "body": "Three customers told me."}
        if kind == "win_loss":
            data.update(outcome="lost", currency="USD", deal_value="120000")
        if kind == "broken_promise":
            data.update(
                promised="Delivery within 5 working days",
                account="Acme Corp",
                team_id=str(ops_team),
                currency="USD",
            )
        data.update(overrides)
        if data.get("account"):
            existing_account(app, data["account"])
        return {k: v for k, v in data.items() if v is not None}

    return _form


def existing_account(app, name: str) -> int:
    """The id of the account named ``name`` (exactly, ignoring case), made if missing."""
    from forum.accounts.services import find_account

    with app.app_context():
        account = find_account(name)
        if account is None:
            account = factories.account(name[:120])
            db.session.commit()
        return account.id


def count(session, model, *where) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def text(response) -> str:
    return response.get_data(as_text=True)


class _LiveMarkup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in {"svg", "iframe", "object", "embed"}:
            self.found.append(f"<{tag}>")
        if tag == "img" and any(name == "src" and value == "x" for name, value in attrs):
            self.found.append("<img src=x>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.found.append(f"{tag} {name}={value}")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline <script>")


def live_markup(body: str) -> list[str]:
    """Script that would run in ``body``: inline scripts, on* handlers, javascript:/data: links."""
    parser = _LiveMarkup()
    parser.feed(body)
    return parser.found
