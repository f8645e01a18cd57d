"""Who may do what: every route × every role in one table, which each new route must join.

Add a row to ``MATRIX`` for every new route and method. A row names the method, the URL, the
form data for writes and the status each role gets. ``{name}`` in a URL or a form value is the
id of that thing in the ``World`` (``{missing}`` is an id nothing has). The acting user is a
fresh user of the role; a row with ``by`` is acted by that person of the world instead (the
author of the posts, the owner team's ops member, ...), and names only their role.

Anonymous visitors are sent to the sign-in page (302). Every refused request (302 to sign-in,
403, 404, ...), every answer marked ``refused(...)`` (a flash message or a form shown again) and
every GET must leave the database exactly as it was; every other write must change it.
"""

import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from forum.api import tokens as api_tokens
from forum.buyers.models import BuyerOutcome, BuyerResponse, ResponseSource
from forum.buyers.themes import create_theme
from forum.crm.models import CrmImport, CrmRejection, CrmTermName
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import PostKind
from forum.fixes import creation
from forum.fixes import services as fixes
from forum.fixes.models import Escalation, FixStatus
from forum.loop.models import FollowUp
from tests import factories
from tests.conftest import Who, listening

pytestmark = pytest.mark.slow  # a long module: scheduled first (tests/conftest.py)


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
    "sso.login",  # single sign-on: the provider's answer is the credential (tests/auth/test_sso.py)
    "sso.callback",
    "notify.unsubscribe",  # the signed token in the e-mail is the credential (tests/notify)
    "survey.answer",  # the buyer's single-use link is the credential (tests/buyers)
    "survey.thanks",  # a page with nothing on it (tests/buyers)
    "api-docs.openapi_json",  # the API's description: no data, read by tools without a session
}


@dataclass(frozen=True)
class World:
    """Things the rows point at, made before the acting user signs in.

    ``ids`` fill the ``{name}`` fields of URLs and forms; ``people`` may act instead of a fresh
    user of their role (``Row.by``).
    """

    ids: dict[str, int]
    people: dict[str, Who]
    uploads: Path  # where the world's attachment files are


class _AnyId(dict):
    """Every name is id 1: enough to tell which route a row's URL reaches."""

    def __missing__(self, key):
        return 1


class Refused(int):
    """A status that is no error, yet the request must change nothing: the app said no with a
    flash message, or showed the form again with its errors."""


def refused(status: int) -> Refused:
    return Refused(status)


def expect(*, rep: int, ops: int, leader: int, admin: int) -> dict[str, int]:
    return {"anonymous": 302, "rep": rep, "ops": ops, "leader": leader, "admin": admin}


def api(*, rep: int, ops: int, leader: int, admin: int) -> dict[str, int]:
    """A row of /api/v1: anonymous callers get 401 (not a redirect to the sign-in page)."""
    return {"anonymous": 401, "rep": rep, "ops": ops, "leader": leader, "admin": admin}


def api_everyone(status: int) -> dict[str, int]:
    return api(rep=status, ops=status, leader=status, admin=status)


def everyone(status: int) -> dict[str, int]:
    return expect(rep=status, ops=status, leader=status, admin=status)


def admin_only(status: int) -> dict[str, int]:
    return expect(rep=403, ops=403, leader=403, admin=status)


def leaders(status: int) -> dict[str, int]:
    """Leaders and admins get ``status``; reps and ops are refused."""
    return expect(rep=403, ops=403, leader=status, admin=status)


def reporters(status: int) -> dict[str, int]:
    """Those who file reports (reps, leaders, admins) get ``status``; ops are refused."""
    return expect(rep=status, ops=403, leader=status, admin=status)


def staff(status: int) -> dict[str, int]:
    """Ops, leaders and admins get ``status``; reps are refused."""
    return expect(rep=403, ops=status, leader=status, admin=status)


def catalog_editors(status: int, *, ops: int | None = None) -> dict[str, int]:
    """Ops (of the entry's team) and admins get ``status``; reps and leaders are refused."""
    return expect(rep=403, ops=status if ops is None else ops, leader=403, admin=status)


@dataclass(frozen=True)
class Upload:
    """A file for a form's file field; every request reads a fresh copy."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Row:
    method: str
    url: str
    expected: dict[str, int]
    data: dict = field(default_factory=dict)
    by: str = ""  # a person of the world who acts instead of a fresh user of their role
    case: str = ""  # tells apart rows of one route and method
    json: dict | None = None  # a JSON body (the API): sent with the CSRF header, not a form

    def build_url(self, world: World) -> str:
        return self.url.format_map(world.ids)

    def build_data(self, world: World) -> dict:
        built = {}
        for key, value in self.data.items():
            if isinstance(value, str):
                value = value.format_map(world.ids)
            elif isinstance(value, Upload):
                value = (io.BytesIO(value.data), value.name)
            built[key] = value
        return built

    def build_json(self, world: World) -> dict:
        """The JSON body; a value that is exactly ``{name}`` becomes that id, as a number."""
        built = {}
        for key, value in (self.json or {}).items():
            if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
                value = world.ids[value[1:-1]]
            built[key] = value
        return built

    def __str__(self) -> str:
        by = f" by {self.by}" if self.by else ""
        case = f" ({self.case})" if self.case else ""
        return f"{self.method} {self.url}{by}{case}"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
AUTHOR = "Rita Reporter"  # the world's rep, who files the posts
LEAVER = "leaver@example.test"  # the world's leader whom an admin erases
NOTE = "Known billing limit."  # the internal note on the world's post
LATER = (date.today() + timedelta(days=60)).isoformat()
NEW_PASSWORD = "a new password for the matrix"
PASSWORD_FORM = {"current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
WEBHOOK_FORM = {
    "name": "Matrix channel",
    "url": "https://93.184.215.14/hooks/matrix",
    "events": ["fix.created", "fix.verified"],
}
INVITE_FORM = {"email": "new.user@example.com", "display_name": "New User", "role": "leader"}
USER_FORM = {"display_name": "Renamed", "role": "rep", "team_id": "{region}"}
TEAM_FORM = {"name": "Matrix team", "kind": "sales", "description": "", "lead_id": ""}
TERM_FORM = {"kind": "competitor", "name": "Matrix Rival", "branch": ""}
ACCOUNT_FORM = {
    "name": "Matrix Industries",
    "segment": "",
    "region_id": "",
    "arr": "",
    "crm_id": "",
}
NEW_ACCOUNT_FORM = ACCOUNT_FORM | {"segment": "smb", "region_id": "{region}"}
CRM_UPLOAD = {"accounts": Upload("accounts.csv", b"crm_id,name\nM-1,Matrix Upload Co\n")}
MERGE_FORM = {"account": "", "account_id": "{merge_target}", "reason": "One customer, twice"}
ENTRY_FORM = {
    "title": "Changed title",
    "promise": "Changed promise.",
    "details": "",
    "owner_id": "",
}
NEW_ENTRY_FORM = ENTRY_FORM | {"team_id": "{ops_team}"}
POST_FORM = {
    "title": "Matrix report",
    "body": "What the market says.",
    "team_id": "",
    "account": "",
}
COMMENT_FORM = {"body": "A word from the matrix."}
EVIDENCE = {"evidence": Upload("proof.png", PNG)}
CORROBORATE_FORM = {"account": "", "amount": "", "note": "Me too"}
REVEAL_FORM = {"reason": "A customer asked for the rep by name"}
FIX_FORM = {
    "post": "{post}",
    "title": "Matrix fix",
    "problem": "Something the matrix found.",
    "owner_team_id": "{ops_team}",
    "priority": "P3",
    "assignee_id": "",
    "due_date": "",
    "due_reason": "",
}
SLA_FORM = {
    "triage_target_hours": "24",
    "verify_window_days": "5",
    "sponsor_after_hours": "48",
    "alert_min_impact": "3",
    **{f"P{n}_ack_hours": str(4 * n) for n in range(1, 5)},
    **{f"P{n}_resolve_days": str(5 * n) for n in range(1, 5)},
}


SURVEY_FORM = {"contact_name": "Matrix Buyer", "contact_email": "", "product_area": "Robots"}
INTERVIEW_FORM = {"contact_name": "Matrix Buyer", "outcome": "chose_other", "quote_1": "Too slow"}
EVIDENCE_FORM = {"target": "fix", "target_id": "{fix}", "quote": ""}
API_POST = {"kind": "field_feedback", "title": "Matrix report", "body": "Said by the API."}
API_EDIT = {"title": "Edited by the API", "body": "Changed.", "version": "{post_version}"}
API_ACK = {"to": "acknowledged", "version": "{fix_version}"}
TOKEN_FORM = {"name": "Matrix token", "scope": "read", "expires_on": ""}
MARK_FORM = {"to": "informed", "state": "to_tell", "on": "", "note": "Called Anna"}
MESSAGE_FORM = {"message": "Dear Anna, we changed carriers."}


def move(to: str, *, fix: str = "fix", note: str = "", version: str = "") -> dict:
    """The form that moves the world's fix ``fix`` to ``to``."""
    return {
        "to": to,
        "version": version or f"{{{fix}_version}}",
        "note": note,
        "resolution_note": "",
        "root_cause_id": "",
        "prevention": "",
    }


def on_fix(**fields) -> dict:
    """A form for one of the fix's side panels, carrying the fix's version."""
    return {"version": "{fix_version}", **fields}


MATRIX = [
    # home and one's own account
    Row("GET", "/", everyone(200)),
    Row("GET", "/account/password", everyone(200)),
    Row("POST", "/account/password", everyone(302), PASSWORD_FORM),
    Row("GET", "/account/time-zone", everyone(200)),
    Row("POST", "/account/time-zone", everyone(302), {"time_zone": "Asia/Tokyo"}),
    Row("POST", "/account/time-zone/browser", everyone(204), {"time_zone": "Asia/Tokyo"}),
    # named views of a list: of the lists one's role may open
    Row("POST", "/lists/feed/views", everyone(302), {"name": "Wins", "query": "kind=win_loss"}),
    Row("POST", "/lists/triage/views", leaders(302), {"name": "Wins", "query": "kind=win_loss"}),
    Row("POST", "/lists/nowhere/views", everyone(404), {"name": "X", "query": "kind=win_loss"}),
    Row("POST", "/lists/fixes/views/delete", everyone(404), {"name": "no such view"}),
    # admin: users
    Row("GET", "/admin/users", admin_only(200)),
    Row("GET", "/admin/users/invite", admin_only(200)),
    Row("POST", "/admin/users/invite", admin_only(200), INVITE_FORM),
    Row("GET", "/admin/users/{author}", admin_only(200)),
    Row("GET", "/admin/users/{missing}", admin_only(404)),
    Row("POST", "/admin/users/{author}", admin_only(302), USER_FORM),
    Row("POST", "/admin/users/{missing}", admin_only(404), USER_FORM),
    Row("POST", "/admin/users/{author}/active", admin_only(302), {"active": "0"}),
    Row("POST", "/admin/users/{missing}/active", admin_only(404), {"active": "0"}),
    Row("POST", "/admin/users/{invited}/reinvite", admin_only(200)),
    Row("POST", "/admin/users/{missing}/reinvite", admin_only(404)),
    # admin: a person's data (export everything, or erase them)
    Row("POST", "/admin/users/{author}/export", admin_only(200)),
    Row("POST", "/admin/users/{missing}/export", admin_only(404)),
    Row("GET", "/admin/users/{leaver}/erase", admin_only(200)),
    Row("GET", "/admin/users/{missing}/erase", admin_only(404)),
    Row("POST", "/admin/users/{leaver}/erase", admin_only(302), {"confirm": LEAVER}),
    Row(
        "POST",
        "/admin/users/{leaver}/erase",
        expect(rep=403, ops=403, leader=403, admin=refused(200)),
        {"confirm": "someone.else@example.com"},
        case="a wrong confirmation",
    ),
    Row("POST", "/admin/users/{missing}/erase", admin_only(404), {"confirm": LEAVER}),
    # admin: teams
    Row("GET", "/admin/sso", admin_only(200)),
    Row("POST", "/admin/sso", admin_only(302), {"required": "0"}),
    Row("GET", "/admin/teams", admin_only(200)),
    Row("GET", "/admin/teams/new", admin_only(200)),
    Row("POST", "/admin/teams/new", admin_only(302), TEAM_FORM),
    Row("GET", "/admin/teams/{region}", admin_only(200)),
    Row("GET", "/admin/teams/{missing}", admin_only(404)),
    Row("POST", "/admin/teams/{region}", admin_only(302), TEAM_FORM),
    Row("POST", "/admin/teams/{missing}", admin_only(404), TEAM_FORM),
    # admin: audit log
    Row("GET", "/admin/rates/", admin_only(200)),
    Row("POST", "/admin/rates/currency", admin_only(302), {"reporting_currency": "EUR"}),
    Row(
        "POST",
        "/admin/rates/",
        admin_only(302),
        {"month": "2026-11", "currency": "EUR", "quote": "USD", "rate": "1.08"},
    ),
    Row(
        "POST",
        "/admin/rates/import",
        admin_only(302),
        {"file": Upload("rates.csv", b"month,currency,into,rate\n2026-11,GBP,USD,1.27\n")},
    ),
    Row("GET", "/admin/audit", admin_only(200)),
    # admin: outgoing webhooks (the world's endpoint is enabled, its other one disabled)
    Row("GET", "/admin/webhooks/", admin_only(200)),
    Row("GET", "/admin/webhooks/new", admin_only(200)),
    Row("POST", "/admin/webhooks/new", admin_only(200), WEBHOOK_FORM),
    Row(
        "POST",
        "/admin/webhooks/new",
        admin_only(refused(400)),
        {**WEBHOOK_FORM, "url": "http://169.254.169.254/latest/meta-data"},
        case="private address",
    ),
    Row("GET", "/admin/webhooks/{webhook}", admin_only(200)),
    Row("GET", "/admin/webhooks/{missing}", admin_only(404)),
    Row("POST", "/admin/webhooks/{webhook}/test", admin_only(303)),
    Row("POST", "/admin/webhooks/{disabled_webhook}/test", admin_only(refused(303)), case="off"),
    Row("POST", "/admin/webhooks/{missing}/test", admin_only(404)),
    Row("POST", "/admin/webhooks/{webhook}/disable", admin_only(303)),
    Row("POST", "/admin/webhooks/{missing}/disable", admin_only(404)),
    Row("POST", "/admin/webhooks/{disabled_webhook}/enable", admin_only(303)),
    Row("POST", "/admin/webhooks/{missing}/enable", admin_only(404)),
    Row("GET", "/admin/audit.csv?action=user.create", admin_only(200)),
    # admin: taxonomies
    Row("GET", "/admin/taxonomy/", admin_only(200)),
    Row("GET", "/admin/taxonomy/new", admin_only(200)),
    Row("POST", "/admin/taxonomy/new", admin_only(302), TERM_FORM),
    Row("GET", "/admin/taxonomy/{competitor}", admin_only(200)),
    Row("GET", "/admin/taxonomy/{missing}", admin_only(404)),
    Row("POST", "/admin/taxonomy/{competitor}", admin_only(302), {"name": "Renamed Rival"}),
    Row(
        "POST",
        "/admin/taxonomy/{reason}",
        admin_only(302),
        {"name": "Slow onboarding", "branch": "delivery"},
    ),
    Row("POST", "/admin/taxonomy/{missing}", admin_only(404), {"name": "Renamed"}),
    Row("POST", "/admin/taxonomy/{root_cause}/deactivate", admin_only(302)),
    Row("POST", "/admin/taxonomy/{missing}/deactivate", admin_only(404)),
    Row("POST", "/admin/taxonomy/{retired_term}/reactivate", admin_only(302)),
    Row("POST", "/admin/taxonomy/{missing}/reactivate", admin_only(404)),
    # accounts
    Row("GET", "/accounts/", everyone(200)),
    Row("GET", "/accounts/lookup?q=Account", everyone(200)),
    Row("GET", "/accounts/{account}", everyone(200)),
    Row("GET", "/accounts/{missing}", everyone(404)),
    Row("GET", "/accounts/new", reporters(200)),
    Row("POST", "/accounts/new", reporters(302), NEW_ACCOUNT_FORM),
    Row("GET", "/accounts/{account}/edit", leaders(200)),
    Row("GET", "/accounts/{missing}/edit", leaders(404)),
    Row("POST", "/accounts/{account}/edit", leaders(302), ACCOUNT_FORM),
    Row("POST", "/accounts/{missing}/edit", leaders(404), ACCOUNT_FORM),
    # the CRM import and account merges (admins)
    Row("GET", "/admin/crm/", admin_only(200)),
    Row("POST", "/admin/crm/import", admin_only(302), CRM_UPLOAD),
    Row("GET", "/admin/crm/imports/{crm_run}", admin_only(200)),
    Row("GET", "/admin/crm/imports/{missing}", admin_only(404)),
    Row("GET", "/admin/crm/imports/{crm_run}/rejected.csv", admin_only(200)),
    Row("GET", "/admin/crm/imports/{missing}/rejected.csv", admin_only(404)),
    Row("POST", "/admin/crm/names/{crm_name}", admin_only(302), {"term_id": "{competitor}"}),
    Row("POST", "/admin/crm/names/{missing}", admin_only(404), {"term_id": "{competitor}"}),
    Row("GET", "/admin/crm/accounts/{merge_source}/merge", admin_only(200)),
    Row("GET", "/admin/crm/accounts/{missing}/merge", admin_only(404)),
    Row("POST", "/admin/crm/accounts/{merge_source}/merge", admin_only(302), MERGE_FORM),
    Row("POST", "/admin/crm/accounts/{missing}/merge", admin_only(404), MERGE_FORM),
    # the commitments catalog: a fresh ops user's team is not the entry's team
    Row("GET", "/catalog/", everyone(200)),
    Row("GET", "/catalog/options?team_id={ops_team}", everyone(200)),
    Row("GET", "/catalog/options?team_id={missing}", everyone(404)),
    Row("GET", "/catalog/{entry}", everyone(200)),
    Row("GET", "/catalog/{missing}", everyone(404)),
    Row("GET", "/catalog/new", catalog_editors(200)),
    Row("GET", "/catalog/new?team_id={ops_team}", catalog_editors(200, ops=403)),
    Row("GET", "/catalog/new?team_id={ops_team}", {"ops": 200}, by="team_ops"),
    Row("GET", "/catalog/new?team_id={missing}", catalog_editors(404)),
    Row("POST", "/catalog/new", catalog_editors(302, ops=403), NEW_ENTRY_FORM),
    Row("POST", "/catalog/new", {"ops": 302}, NEW_ENTRY_FORM, by="team_ops"),
    Row(
        "POST",
        "/catalog/new",
        catalog_editors(404),
        NEW_ENTRY_FORM | {"team_id": "{missing}"},
        case="a missing team",
    ),
    Row("GET", "/catalog/{entry}/edit", catalog_editors(200, ops=403)),
    Row("GET", "/catalog/{entry}/edit", {"ops": 200}, by="team_ops"),
    Row("GET", "/catalog/{missing}/edit", catalog_editors(404)),
    Row("POST", "/catalog/{entry}/edit", catalog_editors(302, ops=403), ENTRY_FORM),
    Row("POST", "/catalog/{entry}/edit", {"ops": 302}, ENTRY_FORM, by="team_ops"),
    Row("POST", "/catalog/{missing}/edit", catalog_editors(404), ENTRY_FORM),
    Row("POST", "/catalog/{entry}/confirm", catalog_editors(302, ops=403)),
    Row("POST", "/catalog/{entry}/confirm", {"ops": 302}, by="team_ops"),
    Row("POST", "/catalog/{retired_entry}/confirm", {"ops": refused(302)}, by="team_ops"),
    Row("POST", "/catalog/{missing}/confirm", catalog_editors(404)),
    Row("POST", "/catalog/{entry}/deactivate", catalog_editors(302, ops=403)),
    Row("POST", "/catalog/{entry}/deactivate", {"ops": 302}, by="team_ops"),
    Row("POST", "/catalog/{missing}/deactivate", catalog_editors(404)),
    Row("POST", "/catalog/{retired_entry}/reactivate", catalog_editors(302, ops=403)),
    Row("POST", "/catalog/{retired_entry}/reactivate", {"ops": 302}, by="team_ops"),
    Row("POST", "/catalog/{missing}/reactivate", catalog_editors(404)),
    # posts: the feed, filing, a post's page
    Row("GET", "/posts/", everyone(200)),
    Row("GET", "/posts/similar?title=invoices", everyone(200)),
    Row("GET", "/posts/mine", reporters(200)),
    Row("GET", "/posts/new", reporters(200)),
    Row("GET", "/posts/new/field-feedback", reporters(200)),
    Row("GET", "/posts/new/no-such-kind", reporters(404)),
    Row("POST", "/posts/new/field-feedback", reporters(302), POST_FORM),
    Row("POST", "/posts/new/no-such-kind", reporters(404), POST_FORM),
    Row("GET", "/posts/{post}", everyone(200)),
    Row("GET", "/posts/{shielded}", everyone(200)),
    Row("GET", "/posts/{missing}", everyone(404)),
    # posts: only the author edits, and only until triage
    Row("GET", "/posts/{post}/edit", reporters(403)),
    Row("GET", "/posts/{post}/edit", {"rep": 200}, by="author"),
    Row("GET", "/posts/{missing}/edit", reporters(404)),
    Row("POST", "/posts/{post}/edit", reporters(403), POST_FORM),
    Row("POST", "/posts/{post}/edit", {"rep": 302}, POST_FORM, by="author"),
    Row("POST", "/posts/{linked}/edit", {"rep": refused(200)}, POST_FORM, by="author"),
    Row("POST", "/posts/{missing}/edit", reporters(404), POST_FORM),
    # posts: "me too", never on one's own post
    Row("POST", "/posts/{post}/corroborate", reporters(302), CORROBORATE_FORM),
    Row("POST", "/posts/{post}/corroborate", {"rep": 403}, CORROBORATE_FORM, by="author"),
    Row("POST", "/posts/{post}/corroborate", {"rep": refused(303)}, by="corroborator"),
    Row("POST", "/posts/{missing}/corroborate", reporters(404), CORROBORATE_FORM),
    Row("POST", "/posts/{post}/corroborate/withdraw", reporters(400)),
    Row("POST", "/posts/{post}/corroborate/withdraw", {"rep": 302}, by="corroborator"),
    Row("POST", "/posts/{missing}/corroborate/withdraw", reporters(404)),
    # posts: comments and internal notes (reps never see a note, not even to be refused)
    Row("POST", "/posts/{post}/comments", everyone(302), COMMENT_FORM),
    Row("POST", "/posts/{missing}/comments", everyone(404), COMMENT_FORM),
    Row("GET", "/posts/{post}/comments/{comment}/edit", everyone(403)),
    Row("GET", "/posts/{post}/comments/{comment}/edit", {"rep": 200}, by="author"),
    Row("GET", "/posts/{shielded}/comments/{comment}/edit", {"rep": 404}, by="author"),
    Row(
        "GET", "/posts/{post}/comments/{note}/edit", expect(rep=404, ops=403, leader=403, admin=403)
    ),
    Row("GET", "/posts/{post}/comments/{note}/edit", {"ops": 200}, by="team_ops"),
    Row("GET", "/posts/{post}/comments/{missing}/edit", everyone(404)),
    Row("GET", "/posts/{missing}/comments/{comment}/edit", everyone(404)),
    Row("POST", "/posts/{post}/comments/{comment}/edit", everyone(403), COMMENT_FORM),
    Row("POST", "/posts/{post}/comments/{comment}/edit", {"rep": 302}, COMMENT_FORM, by="author"),
    Row(
        "POST",
        "/posts/{shielded}/comments/{comment}/edit",
        {"rep": 404},
        COMMENT_FORM,
        by="author",
    ),
    Row(
        "POST",
        "/posts/{post}/comments/{note}/edit",
        expect(rep=404, ops=403, leader=403, admin=403),
        COMMENT_FORM,
    ),
    Row("POST", "/posts/{post}/comments/{note}/edit", {"ops": 302}, COMMENT_FORM, by="team_ops"),
    Row("POST", "/posts/{post}/comments/{missing}/edit", everyone(404), COMMENT_FORM),
    Row("POST", "/posts/{missing}/comments/{comment}/edit", everyone(404), COMMENT_FORM),
    # posts: evidence files, added by the author, served to whoever may see the post
    Row("POST", "/posts/{post}/attachments", everyone(403), EVIDENCE),
    Row("POST", "/posts/{post}/attachments", {"rep": 302}, EVIDENCE, by="author"),
    Row("POST", "/posts/{missing}/attachments", reporters(404), EVIDENCE),
    Row("GET", "/posts/{post}/attachments/{attachment}", everyone(200)),
    Row("GET", "/posts/{post}/attachments/{missing}", everyone(404)),
    Row("GET", "/posts/{shielded}/attachments/{attachment}", everyone(404)),
    Row("GET", "/posts/{missing}/attachments/{attachment}", everyone(404)),
    # posts: revealing a shielded author (audited), following
    Row("POST", "/posts/{shielded}/reveal", leaders(200), REVEAL_FORM),
    Row(
        "POST",
        "/posts/{shielded}/reveal",
        leaders(400),
        {"reason": "why"},
        case="too short a reason",
    ),
    Row("POST", "/posts/{post}/reveal", leaders(404), REVEAL_FORM),
    Row("POST", "/posts/{missing}/reveal", leaders(404), REVEAL_FORM),
    Row("POST", "/posts/{post}/follow", everyone(302), {"follow": "1"}),
    Row("POST", "/posts/{missing}/follow", everyone(404), {"follow": "1"}),
    # the JSON API answers like the pages
    Row("GET", "/api/posts", everyone(200)),
    Row("GET", "/api/posts/{post}", everyone(200)),
    Row("GET", "/api/posts/{shielded}", everyone(200)),
    Row("GET", "/api/posts/{missing}", everyone(404)),
    # the versioned API, /api/v1 (here with the session cookie and the CSRF header; tokens:
    # tests/api): the same rules as the pages
    Row("GET", "/api/v1/docs", everyone(200)),
    Row("GET", "/api/v1/me", api_everyone(200)),
    Row("GET", "/api/v1/notifications", api_everyone(200)),
    Row("POST", "/api/v1/notifications/{missing}/read", api_everyone(404), json={}),
    Row("GET", "/api/v1/posts", api_everyone(200)),
    Row("GET", "/api/v1/posts?kind=broken_promise&author={author}", api_everyone(200)),
    Row("POST", "/api/v1/posts", api(rep=201, ops=403, leader=201, admin=201), json=API_POST),
    Row(
        "POST",
        "/api/v1/posts",
        api_everyone(422),
        json=API_POST | {"author_id": "{author}"},
        case="a field no caller may set",
    ),
    Row("GET", "/api/v1/posts/{post}", api_everyone(200)),
    Row("GET", "/api/v1/posts/{shielded}", api_everyone(200)),
    Row("GET", "/api/v1/posts/{missing}", api_everyone(404)),
    Row("PUT", "/api/v1/posts/{post}", api_everyone(403), json=API_EDIT),
    Row("PUT", "/api/v1/posts/{post}", {"rep": 200}, json=API_EDIT, by="author"),
    Row("PUT", "/api/v1/posts/{missing}", api_everyone(404), json=API_EDIT),
    Row("GET", "/api/v1/posts/{post}/comments", api_everyone(200)),
    Row("GET", "/api/v1/posts/{missing}/comments", api_everyone(404)),
    Row("POST", "/api/v1/posts/{post}/comments", api_everyone(201), json=COMMENT_FORM),
    Row(
        "POST",
        "/api/v1/posts/{post}/comments",
        api(rep=403, ops=201, leader=201, admin=201),
        json=COMMENT_FORM | {"internal": True},
        case="an internal note",
    ),
    Row("POST", "/api/v1/posts/{missing}/comments", api_everyone(404), json=COMMENT_FORM),
    Row(
        "POST",
        "/api/v1/posts/{post}/corroborations",
        api(rep=201, ops=403, leader=201, admin=201),
        json={"note": "Me too"},
    ),
    Row("POST", "/api/v1/posts/{post}/corroborations", {"rep": 403}, json={}, by="author"),
    Row(
        "DELETE",
        "/api/v1/posts/{post}/corroborations",
        api(rep=400, ops=403, leader=400, admin=400),
        json={},
        case="not corroborated",
    ),
    Row("DELETE", "/api/v1/posts/{post}/corroborations", {"rep": 200}, json={}, by="corroborator"),
    Row("PUT", "/api/v1/posts/{post}/follow", api_everyone(200), json={}),
    Row("PUT", "/api/v1/posts/{missing}/follow", api_everyone(404), json={}),
    Row("DELETE", "/api/v1/posts/{post}/follow", {"rep": 200}, json={}, by="author"),
    Row("GET", "/api/v1/fixes", api_everyone(200)),
    Row("GET", "/api/v1/fixes?status=any&team={ops_team}", api_everyone(200)),
    Row("GET", "/api/v1/fixes/{fix}", api_everyone(200)),
    Row("GET", "/api/v1/fixes/{missing}", api_everyone(404)),
    Row("GET", "/api/v1/fixes/{fix}/history", api_everyone(200)),
    Row("GET", "/api/v1/fixes/{missing}/history", api_everyone(404)),
    Row(
        "POST",
        "/api/v1/fixes/{fix}/transitions",
        api(rep=403, ops=403, leader=200, admin=200),
        json=API_ACK,
    ),
    Row("POST", "/api/v1/fixes/{fix}/transitions", {"ops": 200}, json=API_ACK, by="team_ops"),
    Row("POST", "/api/v1/fixes/{missing}/transitions", api_everyone(404), json=API_ACK),
    Row("POST", "/api/v1/fixes/{fix}/comments", api_everyone(201), json=COMMENT_FORM),
    Row("POST", "/api/v1/fixes/{missing}/comments", api_everyone(404), json=COMMENT_FORM),
    Row(
        "POST",
        "/api/v1/triage/posts/{post}",
        api(rep=403, ops=403, leader=200, admin=200),
        json={"action": "note", "text": "Read, no fix needed"},
    ),
    Row(
        "POST",
        "/api/v1/triage/posts/{post}",
        api(rep=403, ops=403, leader=400, admin=400),
        json={"action": "decline", "text": ""},
        case="no reason",
    ),
    Row(
        "POST",
        "/api/v1/triage/posts/{missing}",
        api(rep=403, ops=403, leader=404, admin=404),
        json={"action": "note"},
    ),
    Row("GET", "/api/v1/board", api(rep=403, ops=403, leader=200, admin=200)),
    Row(
        "GET",
        "/api/v1/board?period=year&team={ops_team}",
        api(rep=403, ops=403, leader=200, admin=200),
    ),
    Row("GET", "/api/v1/accounts", api_everyone(200)),
    Row("GET", "/api/v1/accounts?q=a&segment=enterprise&region={region}", api_everyone(200)),
    Row("GET", "/api/v1/accounts/{account}", api_everyone(200)),
    Row("GET", "/api/v1/accounts/{missing}", api_everyone(404)),
    # personal access tokens: one's own; admins see and revoke anyone's
    Row("GET", "/settings/tokens/", everyone(200)),
    Row("POST", "/settings/tokens/", everyone(200), TOKEN_FORM),
    Row(
        "POST",
        "/settings/tokens/{token}/revoke",
        admin_only(303) | {"rep": 404, "ops": 404, "leader": 404},
    ),
    Row("POST", "/settings/tokens/{token}/revoke", {"rep": 303}, by="author"),
    Row("POST", "/settings/tokens/{missing}/revoke", everyone(404)),
    # triage
    Row("GET", "/triage/", leaders(200)),
    Row("GET", "/triage/fix?post={post}", leaders(200)),
    Row("GET", "/triage/fix?post={missing}", leaders(404)),
    Row("POST", "/triage/fix", leaders(302), FIX_FORM),
    Row(
        "POST",
        "/triage/fix",
        leaders(refused(200)),
        FIX_FORM | {"post": "{linked}"},
        case="a triaged report",
    ),
    Row(
        "POST",
        "/triage/fix",
        leaders(404),
        FIX_FORM | {"post": "{missing}"},
        case="a missing report",
    ),
    Row("POST", "/triage/bulk", leaders(303), {"post": "{post}", "action": "note"}),
    Row(
        "POST",
        "/triage/bulk",
        leaders(refused(303)),
        {"post": "{linked}", "action": "decline", "reason": "Too late"},
        case="a triaged report",
    ),
    Row(
        "POST",
        "/triage/bulk",
        leaders(404),
        {"post": "{missing}", "action": "decline", "reason": "Too late"},
        case="a missing report",
    ),
    Row("GET", "/triage/posts/{post}", leaders(200)),
    Row("GET", "/triage/posts/{missing}", leaders(404)),
    Row("POST", "/triage/posts/{post}/decline", leaders(302), {"reason": "Not actionable"}),
    Row("POST", "/triage/posts/{linked}/decline", leaders(refused(303)), {"reason": "Too late"}),
    Row("POST", "/triage/posts/{missing}/decline", leaders(404), {"reason": "Not actionable"}),
    Row("POST", "/triage/posts/{post}/needs-info", leaders(302), {"question": "Which account?"}),
    Row("POST", "/triage/posts/{missing}/needs-info", leaders(404), {"question": "Which?"}),
    Row("POST", "/triage/posts/{post}/note", leaders(302), {"remark": "Thanks"}),
    Row("POST", "/triage/posts/{missing}/note", leaders(404), {"remark": ""}),
    Row("POST", "/triage/posts/{post}/duplicate", leaders(302), {"original_id": "{shielded}"}),
    Row(
        "POST",
        "/triage/posts/{post}/duplicate",
        leaders(refused(303)),
        {"original_id": "{missing}"},
        case="a missing original",
    ),
    Row("POST", "/triage/posts/{missing}/duplicate", leaders(404), {"original_id": "{shielded}"}),
    Row("POST", "/triage/posts/{post}/attach", leaders(302), {"fix_id": "{fix}"}),
    Row(
        "POST",
        "/triage/posts/{post}/attach",
        leaders(refused(303)),
        {"fix_id": "{missing}"},
        case="a missing fix",
    ),
    Row("POST", "/triage/posts/{missing}/attach", leaders(404), {"fix_id": "{fix}"}),
    Row("POST", "/triage/posts/{post}/recurrence", leaders(302), {"fix_id": "{verified}"}),
    Row(
        "POST",
        "/triage/posts/{post}/recurrence",
        leaders(refused(303)),
        {"fix_id": "{fix}"},
        case="an open fix",
    ),
    Row("POST", "/triage/posts/{missing}/recurrence", leaders(404), {"fix_id": "{verified}"}),
    # fixes: pages
    Row("GET", "/fixes/", everyone(200)),
    Row("GET", "/fixes/{fix}", everyone(200)),
    Row("GET", "/fixes/{missing}", everyone(404)),
    Row("GET", "/fixes/queue", staff(200)),
    Row("GET", "/fixes/escalations", staff(200)),
    # fixes: status moves, as fixes/workflow.TRANSITIONS says (the world's fix is open)
    Row("POST", "/fixes/{fix}/status", leaders(302), move("acknowledged")),
    Row("POST", "/fixes/{fix}/status", {"ops": 302}, move("acknowledged"), by="team_ops"),
    Row(
        "POST",
        "/fixes/{fix}/status",
        expect(rep=403, ops=403, leader=409, admin=409),
        move("acknowledged", version="0"),
        case="a stale version",
    ),
    Row("POST", "/fixes/{fix}/status", everyone(409), move("in_progress"), case="not from open"),
    Row("POST", "/fixes/{fix}/status", everyone(400), move("sideways"), case="no such status"),
    Row(
        "POST",
        "/fixes/{fix}/status",
        leaders(302),
        move("wont_fix", note="Not worth it"),
        case="won't fix",
    ),
    Row(
        "POST",
        "/fixes/{fix}/status",
        {"ops": 403},
        move("wont_fix", note="Not worth it"),
        by="team_ops",
        case="won't fix",
    ),
    Row("POST", "/fixes/{missing}/status", everyone(404), move("acknowledged")),
    # a resolved fix: its reporters verify, leaders only once the reporters' window has passed
    Row(
        "POST",
        "/fixes/{resolved}/status",
        everyone(403),
        move("verified", fix="resolved"),
        case="verify",
    ),
    Row(
        "POST",
        "/fixes/{resolved}/status",
        {"rep": 302},
        move("verified", fix="resolved"),
        by="author",
        case="verify",
    ),
    Row(
        "POST",
        "/fixes/{resolved}/status",
        leaders(302),
        move("reopened", fix="resolved", note="It did not hold"),
        case="reopen",
    ),
    Row(
        "POST",
        "/fixes/{resolved}/status",
        {"rep": 302},
        move("reopened", fix="resolved", note="It did not hold"),
        by="author",
        case="reopen",
    ),
    Row(
        "POST",
        "/fixes/{resolved}/status",
        {"rep": 400},
        move("reopened", fix="resolved"),
        by="author",
        case="reopen without a reason",
    ),
    # a verified fix: only leaders reopen it
    Row(
        "POST",
        "/fixes/{verified}/status",
        leaders(302),
        move("reopened", fix="verified", note="It is back"),
    ),
    Row(
        "POST",
        "/fixes/{verified}/status",
        {"rep": 403},
        move("reopened", fix="verified", note="It is back"),
        by="author",
    ),
    # fixes: assignment (leaders, or the owner team), priority and due date (leaders)
    Row("POST", "/fixes/{fix}/assign", leaders(302), on_fix(assignee_id="{team_ops}")),
    Row(
        "POST", "/fixes/{fix}/assign", {"ops": 302}, on_fix(assignee_id="{team_ops}"), by="team_ops"
    ),
    Row(
        "POST",
        "/fixes/{fix}/assign",
        leaders(400),
        on_fix(assignee_id="{other_ops}"),
        case="outside the owner team",
    ),
    Row("POST", "/fixes/{missing}/assign", staff(404), on_fix(assignee_id="{team_ops}")),
    Row("POST", "/fixes/{fix}/priority", leaders(302), on_fix(priority="P1", priority_note="")),
    Row("POST", "/fixes/{missing}/priority", leaders(404), on_fix(priority="P1")),
    Row("POST", "/fixes/{fix}/due", leaders(302), on_fix(new_due_date=LATER, due_reason="Parts")),
    Row("POST", "/fixes/{missing}/due", leaders(404), on_fix(new_due_date=LATER, due_reason="x")),
    # fixes: escalations (to the owner team's lead) and snoozing them
    Row("POST", "/fixes/{fix}/snooze", leaders(302), on_fix(until=LATER, snooze_reason="Parts")),
    Row(
        "POST",
        "/fixes/{fix}/snooze",
        {"ops": 302},
        on_fix(until=LATER, snooze_reason="Parts"),
        by="team_ops",
    ),
    Row("POST", "/fixes/{missing}/snooze", staff(404), on_fix(until=LATER, snooze_reason="Parts")),
    Row("POST", "/fixes/escalations/{escalation}/acknowledge", leaders(302)),
    Row("POST", "/fixes/escalations/{escalation}/acknowledge", {"ops": 302}, by="team_ops"),
    Row("POST", "/fixes/escalations/{missing}/acknowledge", staff(404)),
    # fixes: comments, the ops queue, the SLA policy
    Row("POST", "/fixes/{fix}/comments", everyone(302), COMMENT_FORM),
    Row("POST", "/fixes/{missing}/comments", everyone(404), COMMENT_FORM),
    Row(
        "POST",
        "/fixes/queue/acknowledge",
        expect(rep=403, ops=refused(302), leader=302, admin=302),
        {"fix": "{fix}:{fix_version}"},
    ),
    Row(
        "POST",
        "/fixes/queue/acknowledge",
        {"ops": 302},
        {"fix": "{fix}:{fix_version}"},
        by="team_ops",
    ),
    Row(
        "POST", "/fixes/queue/acknowledge", staff(404), {"fix": "{missing}:1"}, case="a missing fix"
    ),
    Row("GET", "/fixes/sla", admin_only(200)),
    Row("POST", "/fixes/sla", admin_only(302), SLA_FORM),
    # notifications: one's own only; the outbox is the admins'
    Row("GET", "/notifications/", everyone(200)),
    Row("POST", "/notifications/{missing}/read", everyone(404)),
    Row("POST", "/notifications/{missing}/open", everyone(404)),
    Row("POST", "/notifications/read-all", everyone(refused(303)), case="nothing unread"),
    Row("GET", "/notifications/preferences", everyone(200)),
    Row("POST", "/notifications/preferences", everyone(400), case="an empty form"),
    Row("GET", "/notifications/outbox", admin_only(200)),
    Row("GET", "/notifications/outbox/mail/nothing.eml", admin_only(404)),
    Row("POST", "/notifications/outbox/{missing}/retry", admin_only(404)),
    # follow-ups of a verified fix: each rep their own; leaders the customers not yet told
    Row("GET", "/follow-ups/", reporters(200)),
    Row("GET", "/follow-ups/{follow_up}", reporters(404), case="someone else's"),
    Row("GET", "/follow-ups/{follow_up}", {"rep": 200}, by="author"),
    Row("GET", "/follow-ups/{missing}", reporters(404)),
    Row("POST", "/follow-ups/{follow_up}/mark", reporters(404), MARK_FORM, case="someone else's"),
    Row("POST", "/follow-ups/{follow_up}/mark", {"rep": 302}, MARK_FORM, by="author"),
    Row("POST", "/follow-ups/{follow_up}/message", reporters(404), MESSAGE_FORM, case="not theirs"),
    Row("POST", "/follow-ups/{follow_up}/message", {"rep": 302}, MESSAGE_FORM, by="author"),
    Row("GET", "/follow-ups/waiting", leaders(200)),
    # the buyer's voice: a deal's rep and leaders; interviews and evidence for leaders
    Row("GET", "/buyers/deals/{deal}", expect(rep=404, ops=403, leader=200, admin=200)),
    Row("GET", "/buyers/deals/{deal}", {"rep": 200}, by="author"),
    Row("GET", "/buyers/deals/{post}", reporters(404), case="not a deal"),
    Row("GET", "/buyers/deals/{missing}", reporters(404)),
    Row(
        "POST",
        "/buyers/deals/{deal}/surveys",
        expect(rep=404, ops=403, leader=200, admin=200),
        SURVEY_FORM,
    ),
    Row("POST", "/buyers/deals/{deal}/surveys", {"rep": 200}, SURVEY_FORM, by="author"),
    Row("POST", "/buyers/deals/{missing}/surveys", reporters(404), SURVEY_FORM),
    Row("GET", "/buyers/deals/{deal}/interview", leaders(200)),
    Row("GET", "/buyers/deals/{missing}/interview", leaders(404)),
    Row("POST", "/buyers/deals/{deal}/interview", leaders(302), INTERVIEW_FORM),
    Row("POST", "/buyers/deals/{missing}/interview", leaders(404), INTERVIEW_FORM),
    Row("GET", "/buyers/answers/{buyer_answer}/evidence", leaders(200)),
    Row("GET", "/buyers/answers/{missing}/evidence", leaders(404)),
    Row("POST", "/buyers/answers/{buyer_answer}/evidence", leaders(302), EVIDENCE_FORM),
    Row("POST", "/buyers/answers/{missing}/evidence", leaders(404), EVIDENCE_FORM),
    Row("GET", "/buyers/themes", admin_only(200)),
    Row("POST", "/buyers/themes", admin_only(302), {"name": "New matrix theme"}),
    Row("POST", "/buyers/themes/{theme}/rename", admin_only(302), {"name": "Renamed theme"}),
    Row("POST", "/buyers/themes/{missing}/rename", admin_only(404), {"name": "Renamed theme"}),
    Row("POST", "/buyers/themes/{theme}/merge", admin_only(302), {"into": "{other_theme}"}),
    Row("POST", "/buyers/themes/{missing}/merge", admin_only(404), {"into": "{other_theme}"}),
    # the accountability board: leaders and admins read it; anyone sees an account's ledger
    Row("GET", "/board/", leaders(200)),
    Row("GET", "/board/teams/{ops_team}", leaders(200)),
    Row("GET", "/board/teams/{region}", leaders(404), case="a sales region"),
    Row("GET", "/board/teams/{missing}", leaders(404)),
    Row("GET", "/board/win-loss", leaders(200)),
    Row("GET", "/board/win-loss/agreement", leaders(200)),
    Row("GET", "/board/export/agreement.csv", leaders(200)),
    Row("GET", "/board/review", leaders(200)),
    Row("GET", "/board/reporters", leaders(200)),
    Row("GET", "/board/fixes", leaders(200)),
    Row("GET", "/board/posts", leaders(200)),
    Row("GET", "/board/accounts/{account}", everyone(200)),
    Row("GET", "/board/accounts/{missing}", everyone(404)),
    Row("GET", "/board/reps/me", expect(rep=200, ops=403, leader=200, admin=200)),
    Row("GET", "/board/reps/{author}", expect(rep=403, ops=403, leader=200, admin=200)),
    Row("GET", "/board/reps/{author}", {"rep": 200}, by="author"),
    Row("GET", "/board/reps/{missing}", expect(rep=404, ops=403, leader=404, admin=404)),
    Row("GET", "/board/export/posts.csv", leaders(200)),
    Row("GET", "/board/export/fixes.csv", leaders(200)),
    Row("GET", "/board/export/history.csv", leaders(200)),
    # search: everyone; results obey the same visibility and shielding as the pages
    Row("GET", "/search/?q=delivery", everyone(200)),
]

CASES = [(row, role) for row in MATRIX for role in ROLES if role in row.expected]


def _who(user) -> Who:
    return Who(user.id, user.email, user.role, user.team_id)


def _report(author, title: str, *, shielded: bool = False):
    data = posts.PostInput(
        kind=PostKind.FIELD_FEEDBACK,
        title=title,
        body="Heard at three customers.",
        shielded=shielded,
    )
    return posts.create_post(author, data)


def _fix(title: str, post, *, team, actor):
    return creation.create_fix(
        title=title,
        problem="Customers were promised more.",
        owner_team_id=team.id,
        priority="P3",
        actor=actor,
        posts=[post],
    )


def _move(fix, to: FixStatus, actor, **fields) -> None:
    fixes.transition(fix, to, actor=actor, version=fix.version, **fields)


def _resolve(fix, ops, cause) -> None:
    _move(fix, FixStatus.ACKNOWLEDGED, ops)
    _move(fix, FixStatus.IN_PROGRESS, ops)
    _move(
        fix,
        FixStatus.RESOLVED,
        ops,
        resolution_note="Carrier changed",
        root_cause_id=cause.id,
        prevention="Weekly carrier review",
    )


@pytest.fixture
def app(app, world):
    """The test's app, finding the world's attachment files where the world wrote them."""
    app.config["UPLOAD_DIR"] = world.uploads
    return app


@pytest.fixture(scope="module")
def world(module_app) -> World:
    """Built once for the module and committed; each test runs in a rolled-back transaction
    on top of it, so every accepted write starts from the same world.

    A region with a rep who filed posts (one shielded, one linked to an open fix, two to a
    resolved and a verified fix), an operations team whose ops member leads it, owns the fixes,
    gets the escalation and wrote an internal note, plus an account, catalog entries and terms,
    an invited leader and a leader to erase."""
    app = module_app
    with app.app_context():
        region = factories.team("sales")
        author = factories.user("rep", team_obj=region, display_name=AUTHOR)
        corroborator = factories.user("rep", team_obj=region)
        invited = factories.user("leader", password=None, active=False)
        leaver = factories.user("leader", email=LEAVER)
        ops_team = factories.team("operations")
        team_ops = factories.user("ops", team_obj=ops_team)
        ops_team.lead = team_ops
        other_ops = factories.user("ops")
        triager = factories.user("leader")
        competitor = factories.term("competitor")
        retired_term = factories.term("competitor", active=False)
        reason = factories.term("reason")
        cause = factories.term("root_cause")
        account = factories.account()
        factories.account("Matrix Customer")  # the broken promise below picks it
        merge_source = factories.account("Matrix Twin")
        merge_target = factories.account("Matrix Original")
        crm_run = CrmImport(source="upload", files="accounts.csv", summary={})
        db.session.add(crm_run)
        db.session.flush()
        db.session.add(CrmRejection(import_id=crm_run.id, file="accounts", row=2, reason="x"))
        crm_name = CrmTermName(kind="competitor", name="Matrix Rival Inc", name_key="mri")
        db.session.add(crm_name)
        entry = factories.commitment(ops_team.id)
        retired_entry = factories.commitment(ops_team.id, active=False)

        post = _report(author, "Customers ask for invoices in EUR")
        shielded = _report(author, "Our pricing page scares buyers", shielded=True)
        comment = posts.add_comment(post, author, "Two more customers said so.")
        note = posts.add_comment(post, team_ops, NOTE, internal=True)
        attachment = posts.add_attachment(post, author, PNG, "invoice.png")
        posts.corroborate(post, corroborator)

        linked = _report(author, "Deliveries arrive late")
        fix = _fix("Late deliveries", linked, team=ops_team, actor=triager)
        escalation = Escalation(fix_id=fix.id, level=1, to_user_id=team_ops.id)
        db.session.add(escalation)
        resolved = _fix(
            "Wrong labels", _report(author, "Labels are wrong"), team=ops_team, actor=triager
        )
        _resolve(resolved, team_ops, cause)
        verified = _fix(
            "Lost parcels", _report(author, "Parcels get lost"), team=ops_team, actor=triager
        )
        _resolve(verified, team_ops, cause)
        _move(verified, FixStatus.VERIFIED, author)
        promise = posts.create_post(
            author,
            posts.PostInput(
                kind=PostKind.BROKEN_PROMISE,
                title="Pallets came two weeks late",
                body="Two weeks late.",
                account="Matrix Customer",
                team_id=ops_team.id,
                promised="Delivery in 5 days",
            ),
        )
        made_good = _fix("Pallet delays", promise, team=ops_team, actor=triager)
        _resolve(made_good, team_ops, cause)
        _move(made_good, FixStatus.VERIFIED, author)
        follow_up = db.session.scalar(sa.select(FollowUp).where(FollowUp.post_id == promise.id))
        webhook = factories.webhook(events=["fix.escalated"])
        disabled_webhook = factories.webhook(active=False)
        deal = posts.create_post(
            author,
            posts.PostInput(
                kind=PostKind.WIN_LOSS, title="Lost to a rival", body="Price.", outcome="lost"
            ),
        )
        buyer_answer = BuyerResponse(
            post_id=deal.id,
            source=ResponseSource.INTERVIEW,
            outcome=BuyerOutcome.CHOSE_OTHER,
            contact_name="Matrix Buyer",
            delivery_experience="Late pallets",
        )
        db.session.add(buyer_answer)
        theme = create_theme("Matrix theme", actor=None)
        other_theme = create_theme("Other matrix theme", actor=None)
        token, _ = api_tokens.create_token(
            author, name="Matrix", scope="read", expires_on=None, today=date.today()
        )
        db.session.commit()

        ids = dict(
            region=region.id,
            author=author.id,
            invited=invited.id,
            leaver=leaver.id,
            ops_team=ops_team.id,
            team_ops=team_ops.id,
            other_ops=other_ops.id,
            competitor=competitor.id,
            retired_term=retired_term.id,
            reason=reason.id,
            root_cause=cause.id,
            account=account.id,
            entry=entry.id,
            retired_entry=retired_entry.id,
            post=post.id,
            shielded=shielded.id,
            comment=comment.id,
            note=note.id,
            attachment=attachment.id,
            linked=linked.id,
            fix=fix.id,
            fix_version=fix.version,
            escalation=escalation.id,
            resolved=resolved.id,
            resolved_version=resolved.version,
            verified=verified.id,
            verified_version=verified.version,
            follow_up=follow_up.id,
            webhook=webhook.id,
            disabled_webhook=disabled_webhook.id,
            deal=deal.id,
            buyer_answer=buyer_answer.id,
            theme=theme.id,
            other_theme=other_theme.id,
            token=token.id,
            post_version=post.version,
            merge_source=merge_source.id,
            merge_target=merge_target.id,
            crm_run=crm_run.id,
            crm_name=crm_name.id,
            missing=MISSING,
        )
        people = {
            "author": _who(author),
            "corroborator": _who(corroborator),
            "team_ops": _who(team_ops),
        }
        return World(ids=ids, people=people, uploads=app.config["UPLOAD_DIR"])


# A list page remembers the filters its viewer used there (forum/auth/list_memory.py): a GET
# may write that column of the viewer's own row and nothing else (tests/auth/test_list_memory.py).
REMEMBERED = {("users", "list_filters")}


def snapshot(app, *, remembered: bool = True) -> dict[str, list]:
    """Every row of every table, in primary-key order (``remembered=False``: without the
    remembered list filters)."""
    skip = set() if remembered else REMEMBERED
    with app.app_context():
        return {
            table.name: db.session.execute(
                sa.select(*[c for c in table.columns if (table.name, c.name) not in skip]).order_by(
                    *table.primary_key.columns
                )
            ).all()
            for table in db.metadata.sorted_tables
        }


@contextmanager
def rows_written(app):
    """The INSERT, UPDATE and DELETE statements run inside that touched rows (to name the
    request behind a change; a write rolled back afterwards changes nothing)."""
    written = []

    def after(conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in {"INSERT", "UPDATE", "DELETE"} and cursor.rowcount > 0:
            written.append(" ".join(statement.split()[:3]))

    with listening(app, "after_cursor_execute", after):
        yield written


def changes_nothing(row: Row, role: str) -> bool:
    """Must this role's request leave the database as it was?"""
    expected = row.expected[role]
    return (
        row.method == "GET"
        or role == "anonymous"
        or expected >= 400
        or isinstance(expected, Refused)
    )


# Requests that must change nothing share one world per acting user (it stays as it was);
# each accepted write gets a world of its own.
ACTORS = list(dict.fromkeys((role, row.by) for row, role in CASES if changes_nothing(row, role)))
WRITES = [(row, role) for row, role in CASES if not changes_nothing(row, role)]


def sign_in(client, login, world: World, role: str, by: str) -> None:
    if role == "anonymous":
        client.refresh_csrf("/login")
    elif by:
        who = world.people[by]
        assert who.role == role, f"{by} is a {who.role}, not a {role}"
        login(who=who)
    else:
        login(role)


def send(client, row: Row, world: World):
    url = row.build_url(world)
    if row.json is not None:
        headers = {"X-CSRFToken": client.csrf_token or ""}
        response = client.open(url, method=row.method, json=row.build_json(world), headers=headers)
    elif row.method == "GET":
        response = client.get(url)
    elif row.method == "POST":
        response = client.post(url, data=row.build_data(world))
    else:
        pytest.fail(f"teach the matrix to send {row.method}")
    # Read streamed bodies (CSV exports) to the end, so their request context closes here.
    response.get_data()
    response.close()
    return response


@pytest.mark.parametrize(
    ("role", "by"), ACTORS, ids=[f"{role} {by}".strip() for role, by in ACTORS]
)
def test_reads_and_refusals_get_the_expected_status_and_change_nothing(
    app, client, login, world, role, by
):
    sign_in(client, login, world, role, by)
    problems, writers = [], []
    before = snapshot(app, remembered=False)  # once: the requests below leave every row as it was
    for row in MATRIX:
        if row.by != by or role not in row.expected or not changes_nothing(row, role):
            continue
        with rows_written(app) as written:
            response = send(client, row, world)
        if written:
            writers.append(f"{row}: {', '.join(written)}")
        expected = row.expected[role]
        if response.status_code != expected:
            problems.append(f"{row}: {response.status_code}, expected {expected}")
        elif (
            expected == 302
            and role == "anonymous"
            and not response.headers["Location"].startswith("/login")
        ):
            problems.append(f"{row}: sent to {response.headers['Location']}, not to sign in")
    if snapshot(app, remembered=False) != before:
        problems.append(
            "the database changed; the requests that wrote rows:\n  " + "\n  ".join(writers)
        )
    assert not problems, "\n".join(["", *problems])


@pytest.mark.parametrize(("row", "role"), WRITES, ids=[f"{row} as {role}" for row, role in WRITES])
def test_each_accepted_write_gets_the_expected_status_and_changes_the_database(
    app, client, login, world, row, role
):
    sign_in(client, login, world, role, row.by)
    before = snapshot(app)
    response = send(client, row, world)
    assert response.status_code == row.expected[role], response.get_data(as_text=True)[:300]
    assert snapshot(app) != before, "an accepted write changed nothing: check the row's form"


def test_every_route_is_in_the_access_matrix(app):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for row in MATRIX:
        url = row.url.format_map(_AnyId()).partition("?")[0]
        rule, _ = adapter.match(url, method=row.method, return_rule=True)
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
    assert all(set(row.expected) == set(ROLES) for row in MATRIX if not row.by)


def test_a_row_acted_by_someone_names_only_their_role():
    assert all(len(row.expected) == 1 for row in MATRIX if row.by)


def test_no_two_rows_are_alike():
    names = [str(row) for row in MATRIX]
    assert sorted(n for n in names if names.count(n) > 1) == []


# The JSON API keeps the pages' secrets: a shielded author and internal notes.


@pytest.mark.parametrize(
    ("role", "by"),
    [("rep", ""), ("ops", ""), ("leader", ""), ("admin", ""), ("rep", "author")],
    ids=["rep", "ops", "leader", "admin", "author"],
)
def test_the_api_and_the_page_name_a_shielded_author_only_to_themselves(
    client, login, world, role, by
):
    sign_in(client, login, world, role, by)
    post_id = world.ids["shielded"]
    page = client.get(f"/posts/{post_id}").get_data(as_text=True)
    one = client.get(f"/api/posts/{post_id}").get_json()
    listed = next(p for p in client.get("/api/posts").get_json()["posts"] if p["id"] == post_id)
    sees = by == "author"
    assert (AUTHOR in page) is sees
    for data in (one, listed):
        assert (data["author"]["label"] == AUTHOR) is sees
        assert (data["author"]["id"] == world.ids["author"]) is sees


@pytest.mark.parametrize("role", ["rep", "ops", "leader", "admin"])
def test_the_api_and_the_page_show_internal_notes_to_the_same_roles(client, login, world, role):
    login(role)
    post_id = world.ids["post"]
    page = client.get(f"/posts/{post_id}").get_data(as_text=True)
    one = client.get(f"/api/posts/{post_id}").get_data(as_text=True)
    feed = client.get("/api/posts")
    listed = next(p for p in feed.get_json()["posts"] if p["id"] == post_id)
    sees = role != "rep"
    assert (NOTE in page) is sees
    assert NOTE not in one and NOTE not in feed.get_data(as_text=True)
    assert listed["comments"] == (2 if sees else 1)
    assert f"Discussion ({listed['comments']})" in page
