"""Whole numbers in forms (versions, ids, select boxes, SLA hours) read ASCII digits only and
stay within a 32-bit column: anything else is a clear refusal that changes nothing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.core import settings
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post
from forum.fixes.models import Fix, FixEvent
from forum.taxonomy.models import TaxonomyKind
from tests import factories
from tests.fixes import builders

HUGE = "99999999999999999999"
BAD_NUMBERS = [HUGE, str(2**31), "²", "٣", "1e30", "-1", "", " 1", "1_0"]


def _other_script(n: int) -> str:
    """``n`` in Arabic-Indic digits, which ``int()`` reads as ``n``."""
    return str(n).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def _org_and_fix(app):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, "open")
        db.session.commit()
        return org, fix.id


def _fix_state(app, fix_id):
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        events = db.session.scalar(sa.select(sa.func.count()).where(FixEvent.fix_id == fix_id))
        return fix.status, fix.version, fix.priority, fix.assignee_id, fix.due_at, events


def _sign_in(app, login, org, key):
    with app.app_context():
        who = org.who(key)
    login(who=who)


SOON = (utcnow() + timedelta(days=30)).date().isoformat()
FIX_FORMS = {
    "status": ("ops_owner", {"to": "acknowledged"}),
    "priority": ("leader", {"priority": "P1"}),
    "due": ("leader", {"new_due_date": SOON, "due_reason": "The carrier asked for time"}),
    "snooze": ("leader", {"until": SOON, "snooze_reason": "Waiting for the carrier"}),
    "assign": ("leader", {"assignee_id": ""}),
}


@pytest.mark.parametrize("action", sorted(FIX_FORMS))
def test_a_fix_form_with_a_version_no_column_holds_is_400_and_changes_nothing(
    app, client, login, action
):
    org, fix_id = _org_and_fix(app)
    key, data = FIX_FORMS[action]
    _sign_in(app, login, org, key)
    before = _fix_state(app, fix_id)
    for version in BAD_NUMBERS:
        response = client.post(f"/fixes/{fix_id}/{action}", data={**data, "version": version})
        assert response.status_code == 400, (version, response.status_code)
        assert _fix_state(app, fix_id) == before
    assert client.post(f"/fixes/{fix_id}/{action}", data={**data, "version": 1}).status_code == 302


@pytest.mark.parametrize("owner", BAD_NUMBERS)
def test_creating_a_fix_for_an_owner_team_no_column_holds_creates_nothing(
    app, client, login, owner, row_counts
):
    with app.app_context():
        org = builders.org()
        post = builders.report(org.user("rep_reporter"), team_id=org.ops_team_id)
        db.session.commit()
        post_id = post.id
    _sign_in(app, login, org, "leader")
    before = row_counts()
    response = client.post(
        "/triage/fix",
        data={
            "post": post_id,
            "title": "Delivery lead times",
            "problem": "Customers waited weeks.",
            "owner_team_id": owner,
            "priority": "P2",
        },
    )
    assert response.status_code in {200, 400}
    assert row_counts() == before


@pytest.mark.parametrize("value", ["²:1", "٣:1", "1:²", f"1:{HUGE}", f"{HUGE}:1", "1", ":", "-1:1"])
def test_a_damaged_bulk_acknowledgement_is_400_and_changes_nothing(app, client, login, value):
    org, fix_id = _org_and_fix(app)
    _sign_in(app, login, org, "ops_owner")
    before = _fix_state(app, fix_id)
    response = client.post("/fixes/queue/acknowledge", data={"fix": [f"{fix_id}:1", value]})
    assert response.status_code == 400
    assert _fix_state(app, fix_id) == before


def test_a_bulk_acknowledgement_of_too_many_fixes_is_400(app, client, login):
    org, fix_id = _org_and_fix(app)
    _sign_in(app, login, org, "ops_owner")
    response = client.post("/fixes/queue/acknowledge", data={"fix": [f"{fix_id}:1"] * 501})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["²", "٣", HUGE])
def test_a_triage_selection_with_a_bad_id_is_400(app, client, login, value):
    login("leader")
    assert client.post("/triage/fix", data={"post": ["1", value]}).status_code == 400


@pytest.mark.parametrize("field,action", [("original_id", "duplicate"), ("fix_id", "attach")])
def test_a_triage_number_in_other_scripts_digits_is_not_read_as_a_number(
    app, client, login, field, action, row_counts
):
    with app.app_context():
        org = builders.org()
        rep = org.user("rep_reporter")
        target = builders.report(rep, team_id=org.ops_team_id)
        fix = builders.open_fix(org, [target])
        post = builders.report(rep, team_id=org.ops_team_id, title="Late again")
        db.session.commit()
        post_id, number = post.id, (target.id if action == "duplicate" else fix.id)
    _sign_in(app, login, org, "leader")
    before = row_counts()
    arabic = _other_script(number)
    for value in (arabic, HUGE, "²"):
        response = client.post(f"/triage/posts/{post_id}/{action}", data={field: value})
        assert response.status_code == 303
    assert row_counts() == before
    with app.app_context():
        assert db.session.get(Post, post_id).status == "new"


@pytest.mark.parametrize("version", BAD_NUMBERS)
def test_editing_a_post_with_a_damaged_version_is_400_and_changes_nothing(
    app, client, login, version
):
    who = login("rep")
    with app.app_context():
        post = factories.post(author=db.session.get(User, who.id), title="Before")
        db.session.commit()
        post_id = post.id
    response = client.post(
        f"/posts/{post_id}/edit", data={"title": "After", "body": "Changed", "version": version}
    )
    assert response.status_code == 400
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert (post.title, post.version) == ("Before", 1)


def _win_loss_form(**overrides):
    form = {"title": "Lost to Rival", "body": "Price.", "outcome": "lost", "currency": "USD"}
    return {**form, **overrides}


@pytest.mark.parametrize("value", ["٣", "²", HUGE, "-1"])
def test_a_report_naming_a_reason_in_other_scripts_digits_is_not_filed(
    app, client, login, value, row_counts
):
    with app.app_context():
        reason = factories.term(TaxonomyKind.REASON, name="Price")
        db.session.commit()
        reason_id = reason.id
    login("rep")
    before = row_counts()
    arabic = _other_script(reason_id)
    for field in ("secondary_reason_ids", "primary_reason_id", "competitor_id"):
        for bad in (value, arabic):
            response = client.post("/posts/new/win-loss", data=_win_loss_form(**{field: bad}))
            assert response.status_code == 200, (field, bad)
    assert row_counts() == before


def test_a_report_for_a_team_given_in_other_scripts_digits_or_past_a_column_is_not_filed(
    app, client, login, row_counts
):
    with app.app_context():
        team_id = factories.team("operations").id
        db.session.commit()
    login("rep")
    before = row_counts()
    for value in (_other_script(team_id), HUGE, "²"):
        data = {"title": "Deliveries are late", "body": "Customers said so.", "team_id": value}
        assert client.post("/posts/new/field-feedback", data=data).status_code == 200
    assert row_counts() == before


@pytest.mark.parametrize("value", ["٣", "²", HUGE, "1e3"])
def test_the_sla_policy_refuses_numbers_that_are_not_ascii_digits(app, client, login, value):
    login("admin")
    page = client.get("/fixes/sla").text
    assert "P1_ack_hours" in page
    with app.app_context():
        before = settings.get("triage_target_hours")
    data = {
        f"{p}_{kind}": "5"
        for p in ("P1", "P2", "P3", "P4")
        for kind in ("ack_hours", "resolve_days")
    }
    data.update(
        triage_target_hours=value,
        verify_window_days="14",
        sponsor_after_hours="48",
        alert_min_impact="3",
    )
    response = client.post("/fixes/sla", data=data)
    assert response.status_code == 200
    assert "Enter a whole number." in response.text or "That number is too large." in response.text
    with app.app_context():
        assert settings.get("triage_target_hours") == before
