"""The transition table through the HTML routes: refused moves answer 403/409 and change nothing,
and the fix page offers exactly the moves the product table allows the viewer."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes.models import Fix, FixEvent
from tests.fixes import builders
from tests.fixes.product_table import RELATIONS, STATUSES, allowed_moves

MOVE_RE = re.compile(r'name="to" value="([a-z_]+)"')


def _fix(app, status: str, *, window_over: bool = True, **kwargs):
    """An organisation and one fix in ``status``; resolved fixes inside or past the window."""
    start = utcnow() - (timedelta(days=20) if window_over else timedelta(hours=4))
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, status, start=start, **kwargs)
        db.session.commit()
        return org, fix.id


def _sign_in(app, login, org, actor):
    with app.app_context():
        who = org.who(actor)
    login(who=who)


def _state(app, fix_id):
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        entries = db.session.scalar(sa.select(sa.func.count()).where(FixEvent.fix_id == fix_id))
        return fix.status, fix.version, entries


def _post_move(app, client, org, fix_id, to):
    with app.app_context():
        version = db.session.get(Fix, fix_id).version
        fields = builders.required(org)
    return client.post(f"/fixes/{fix_id}/status", data={"to": to, "version": version, **fields})


@pytest.mark.parametrize(
    ("status", "to", "actor", "code"),
    [
        ("open", "acknowledged", "ops_other", 403),
        ("open", "acknowledged", "rep_reporter", 403),
        ("open", "verified", "ops_owner", 409),
        ("acknowledged", "in_progress", "leader", 403),
        ("in_progress", "wont_fix", "ops_owner", 403),
        ("in_progress", "resolved", "ops_other", 403),
        ("resolved", "verified", "rep_unrelated", 403),
        ("resolved", "verified", "ops_owner", 403),
        ("verified", "reopened", "rep_reporter", 403),
        ("wont_fix", "in_progress", "ops_owner", 409),
        ("blocked", "resolved", "ops_owner", 409),
        ("open", "open", "admin", 409),
    ],
)
def test_a_refused_move_through_the_page_answers_an_error_and_changes_nothing(
    app, client, login, status, to, actor, code
):
    org, fix_id = _fix(app, status)
    _sign_in(app, login, org, actor)
    before = _state(app, fix_id)
    response = _post_move(app, client, org, fix_id, to)
    assert response.status_code == code
    assert _state(app, fix_id) == before


def test_a_leader_cannot_verify_through_the_page_inside_the_reporters_window(app, client, login):
    org, fix_id = _fix(app, "resolved", window_over=False)
    _sign_in(app, login, org, "leader")
    before = _state(app, fix_id)
    assert _post_move(app, client, org, fix_id, "verified").status_code == 403
    assert _state(app, fix_id) == before


def test_an_allowed_move_through_the_page_writes_one_entry(app, client, login):
    org, fix_id = _fix(app, "open")
    _sign_in(app, login, org, "leader")
    _, version, entries = _state(app, fix_id)
    response = _post_move(app, client, org, fix_id, "acknowledged")
    assert response.status_code == 302
    assert _state(app, fix_id) == ("acknowledged", version + 1, entries + 1)


PAGE_CASES = [
    pytest.param(status, window_over, id=status + ("" if window_over else "-in-window"))
    for status in STATUSES
    for window_over in ((True, False) if status == "resolved" else (True,))
]


@pytest.mark.parametrize(("status", "window_over"), PAGE_CASES)
def test_the_fix_page_offers_each_viewer_exactly_their_allowed_moves(
    app, client, login, status, window_over
):
    org, fix_id = _fix(app, status, window_over=window_over)
    offered, allowed = {}, {}
    for actor in RELATIONS:
        client.post("/logout")
        _sign_in(app, login, org, actor)
        page = client.get(f"/fixes/{fix_id}")
        assert page.status_code == 200
        offered[actor] = set(MOVE_RE.findall(page.text))
        allowed[actor] = allowed_moves(status, actor, window_over)
    assert offered == allowed
