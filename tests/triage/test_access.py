"""Only leaders and admins triage: reps and ops get 403 on every triage route, and nothing moves."""

import pytest

from forum.extensions import db
from forum.feedback.models import Post
from tests.fixes import builders

ROUTES = [
    ("/triage/", "GET"),
    ("/triage/fix", "GET"),
    ("/triage/fix", "POST"),
    ("/triage/bulk", "POST"),
    ("/triage/posts/<int:post_id>", "GET"),
    ("/triage/posts/<int:post_id>/attach", "POST"),
    ("/triage/posts/<int:post_id>/decline", "POST"),
    ("/triage/posts/<int:post_id>/duplicate", "POST"),
    ("/triage/posts/<int:post_id>/needs-info", "POST"),
    ("/triage/posts/<int:post_id>/note", "POST"),
    ("/triage/posts/<int:post_id>/recurrence", "POST"),
]
FORM = {
    "post": "{post}",
    "reason": "No",
    "question": "Which one?",
    "remark": "Seen",
    "original_id": "{other}",
    "fix_id": "{fix}",
    "title": "A fix",
    "problem": "A problem",
    "owner_team_id": "{team}",
    "priority": "P2",
    "action": "decline",
}


def test_every_triage_route_is_in_the_matrix(app):
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("triage.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(ROUTES)


@pytest.mark.parametrize("role", ["ops_owner", "rep_reporter"])
@pytest.mark.parametrize(("rule", "method"), ROUTES, ids=[f"{m} {r}" for r, m in ROUTES])
def test_reps_and_ops_get_403_on_every_triage_route(app, client, login, role, rule, method):
    with app.app_context():
        org = builders.org()
        post = builders.report(org.user("rep_reporter"), team_id=org.ops_team_id)
        other = builders.report(org.user("rep_corroborator"), team_id=org.ops_team_id)
        fix = builders.fix_in(org, "verified")
        db.session.commit()
        values = {"post": post.id, "other": other.id, "fix": fix.id, "team": org.ops_team_id}
        who = org.who(role)
    login(who=who)
    url = rule.replace("<int:post_id>", str(values["post"]))
    data = {k: v.format(**values) for k, v in FORM.items()}
    if method == "GET":
        response = client.get(url, query_string={"post": values["post"]})
    else:
        response = client.post(url, data=data)
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Post, values["post"]).status == "new"
