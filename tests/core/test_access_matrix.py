"""Who may do what: every route × every role in one table, which each new route must join.

Add a row to ``MATRIX`` for every new route and method. A row names the method, the URL (or a
function building it from the ``World``), the form data for writes, and the status each role gets.
Anonymous visitors are sent to the sign-in page (302). Every refused request (302 to sign-in, 403,
404, 405) and every GET must leave the database exactly as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from forum.extensions import db
from tests import factories

ROLES = ("anonymous", "rep", "ops", "leader", "admin")
MISSING = 999_999

# Endpoints outside the matrix: they serve signed-out visitors or nobody in particular.
UNGUARDED = {
    "static",
    "home.healthz",
    "auth.login",
    "auth.logout",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.accept_invite",
}


@dataclass(frozen=True)
class World:
    """Things the rows point at, made before the acting user signs in."""

    region_id: int
    rep_id: int
    invited_id: int


def everyone(status: int) -> dict[str, int]:
    return {"anonymous": 302, "rep": status, "ops": status, "leader": status, "admin": status}


def admin_only(status: int) -> dict[str, int]:
    return {"anonymous": 302, "rep": 403, "ops": 403, "leader": 403, "admin": status}


@dataclass(frozen=True)
class Row:
    method: str
    url: str | Callable[[World], str]
    expected: dict[str, int]
    data: dict | Callable[[World], dict] = field(default_factory=dict)

    def build_url(self, world: World) -> str:
        return self.url(world) if callable(self.url) else self.url

    def build_data(self, world: World) -> dict:
        return self.data(world) if callable(self.data) else dict(self.data)

    def __str__(self) -> str:
        url = self.build_url(World(region_id=1, rep_id=2, invited_id=3))
        return f"{self.method} {url}"


NEW_PASSWORD = "a new password for the matrix"
TEAM_FORM = {"name": "Matrix team", "kind": "sales", "description": "", "lead_id": ""}


def _user_form(world: World) -> dict:
    return {"display_name": "Renamed", "role": "rep", "team_id": str(world.region_id)}


MATRIX = [
    # home
    Row("GET", "/", everyone(200)),
    # account
    Row("GET", "/account/password", everyone(200)),
    Row(
        "POST",
        "/account/password",
        everyone(302),
        {"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    ),
    # admin: users
    Row("GET", "/admin/users", admin_only(200)),
    Row("GET", "/admin/users/invite", admin_only(200)),
    Row(
        "POST",
        "/admin/users/invite",
        admin_only(200),
        {"email": "new.user@example.com", "display_name": "New User", "role": "leader"},
    ),
    Row("GET", lambda w: f"/admin/users/{w.rep_id}", admin_only(200)),
    Row("GET", f"/admin/users/{MISSING}", admin_only(404)),
    Row("POST", lambda w: f"/admin/users/{w.rep_id}", admin_only(302), _user_form),
    Row("POST", f"/admin/users/{MISSING}", admin_only(404), _user_form),
    Row("POST", lambda w: f"/admin/users/{w.rep_id}/active", admin_only(302), {"active": "0"}),
    Row("POST", f"/admin/users/{MISSING}/active", admin_only(404), {"active": "0"}),
    Row("POST", lambda w: f"/admin/users/{w.invited_id}/reinvite", admin_only(200)),
    Row("POST", f"/admin/users/{MISSING}/reinvite", admin_only(404)),
    # admin: teams
    Row("GET", "/admin/teams", admin_only(200)),
    Row("GET", "/admin/teams/new", admin_only(200)),
    Row("POST", "/admin/teams/new", admin_only(302), TEAM_FORM),
    Row("GET", lambda w: f"/admin/teams/{w.region_id}", admin_only(200)),
    Row("GET", f"/admin/teams/{MISSING}", admin_only(404)),
    Row("POST", lambda w: f"/admin/teams/{w.region_id}", admin_only(302), TEAM_FORM),
    Row("POST", f"/admin/teams/{MISSING}", admin_only(404), TEAM_FORM),
    # admin: audit log
    Row("GET", "/admin/audit", admin_only(200)),
]


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        region = factories.team("sales")
        rep = factories.user("rep", team_obj=region)
        invited = factories.user("leader", password=None, active=False)
        db.session.commit()
        return World(region_id=region.id, rep_id=rep.id, invited_id=invited.id)


def snapshot(app) -> dict[str, list]:
    """Every row of every table, in primary-key order."""
    with app.app_context():
        with db.engine.connect() as conn:
            return {
                table.name: conn.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                ).all()
                for table in db.metadata.sorted_tables
            }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_each_role_gets_the_expected_status_on_each_route(app, client, login, world, row, role):
    if role != "anonymous":
        login(role)
    else:
        client.refresh_csrf("/login")
    before = snapshot(app)
    url = row.build_url(world)
    if row.method == "GET":
        response = client.get(url)
    elif row.method == "POST":
        response = client.post(url, data=row.build_data(world))
    else:
        pytest.fail(f"teach the matrix to send {row.method}")
    expected = row.expected[role]
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if role == "anonymous":
        assert response.headers["Location"].startswith("/login")
    if row.method == "GET" or role == "anonymous" or expected >= 400:
        assert snapshot(app) == before, "a refused request or a GET changed the database"


def test_every_route_is_in_the_access_matrix(app):
    adapter = app.url_map.bind("localhost")
    world = World(region_id=1, rep_id=2, invited_id=3)
    covered = set()
    for row in MATRIX:
        rule, _ = adapter.match(row.build_url(world), method=row.method, return_rule=True)
        covered.add((rule.rule, row.method))
    missing = sorted(
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNGUARDED
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if (rule.rule, method) not in covered
    )
    assert missing == [], "add these routes to MATRIX in tests/core/test_access_matrix.py"


def test_access_matrix_names_every_role_on_every_row():
    assert all(set(row.expected) == set(ROLES) for row in MATRIX)
