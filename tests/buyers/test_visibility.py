"""Who sees a buyer: contacts and answers for leaders and the deal's rep only; ops read the
words on their own team's fixes, named only with the buyer's consent; asking about a deal one
may not see is refused like a missing one."""

import pytest
import sqlalchemy as sa

from forum.auth.models import User
from forum.buyers import services
from forum.buyers.models import BuyerEvidence, BuyerResponse, BuyerSurvey
from forum.buyers.services import Answers
from forum.buyers.themes import create_theme
from forum.extensions import db
from forum.feedback.models import Post
from forum.fixes import creation
from tests import factories
from tests.buyers.helpers import ANSWERS, deal, link, who

WORDS = "The pallets came two weeks late"


def _answered(app, client, *, consent: bool):
    d = deal(app)
    _, path = link(app, d, name="Bob Buyer")
    client.refresh_csrf(path)
    data = ANSWERS | {"delivery_experience": WORDS}
    if consent:
        data["consent_to_quote"] = "y"
    assert client.post(path, data=data).status_code == 302
    return d


@pytest.mark.parametrize(
    ("who", "sees"),
    [("rep", True), ("leader", True), ("other_rep", False), ("ops", False), ("admin", True)],
)
def test_a_deals_buyer_page_is_for_its_rep_and_leaders(app, client, login, who, sees):
    d = _answered(app, client, consent=False)
    person = login("admin") if who == "admin" else login(who=getattr(d, who))
    page = client.get(f"/buyers/deals/{d.post_id}")
    expected = 200 if sees else (403 if person.role == "ops" else 404)
    assert page.status_code == expected
    html = page.get_data(as_text=True)
    assert ("Bob Buyer" in html) is sees and (WORDS in html) is sees
    post_page = client.get(f"/posts/{d.post_id}").get_data(as_text=True)
    assert "Bob Buyer" not in post_page and WORDS not in post_page
    assert ("/buyers/deals/" in post_page) is sees


@pytest.mark.parametrize("who", ["other_rep", "ops"])
def test_asking_about_a_deal_one_may_not_see_is_refused_and_makes_nothing(app, client, login, who):
    d = deal(app)
    login(who=getattr(d, who))
    made = client.post(f"/buyers/deals/{d.post_id}/surveys", data={"contact_name": "Bob"})
    assert made.status_code in {403, 404}
    missing = client.post("/buyers/deals/999999/surveys", data={"contact_name": "Bob"})
    assert missing.status_code == made.status_code
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(BuyerSurvey.id))) == 0


def test_a_survey_cannot_be_asked_about_a_post_that_is_no_deal(app, client, login):
    with app.app_context():
        rep = factories.user("rep")
        post = factories.post("field_feedback", author=rep)
        db.session.commit()
        post_id, author = post.id, who(rep)
    login(who=author)
    assert client.get(f"/buyers/deals/{post_id}").status_code == 404
    made = client.post(f"/buyers/deals/{post_id}/surveys", data={"contact_name": "B"})
    assert made.status_code == 404


def _on_fix(app, d):
    """The answer becomes evidence on a fix of a fresh operations team; (fix id, its ops)."""
    with app.app_context():
        leader = db.session.get(User, d.leader.id)
        team = factories.team("operations")
        ops = factories.user("ops", team_obj=team)
        promise = factories.post("broken_promise", author=db.session.get(User, d.rep.id), team=team)
        fix = creation.create_fix(
            title="Late pallets",
            problem="Late.",
            owner_team_id=team.id,
            priority="P2",
            actor=leader,
            posts=[promise],
        )
        response = db.session.scalar(sa.select(BuyerResponse))
        services.add_evidence(response, actor=leader, target="fix", target_id=fix.id)
        db.session.commit()
        return fix.id, who(ops)


@pytest.mark.parametrize("consent", [False, True])
def test_ops_read_the_buyers_words_on_their_fix_named_only_with_consent(
    app, client, login, consent
):
    d = _answered(app, client, consent=consent)
    fix_id, ops = _on_fix(app, d)
    login(who=ops)
    html = client.get(f"/fixes/{fix_id}").get_data(as_text=True)
    assert "Heard from 1 buyer" in html and WORDS in html
    assert ("Bob Buyer" in html) is consent
    login(who=d.ops)  # ops of another team: the count, not the words
    html = client.get(f"/fixes/{fix_id}").get_data(as_text=True)
    assert "Heard from 1 buyer" in html and WORDS not in html and "Bob Buyer" not in html
    login(who=d.other_rep)
    html = client.get(f"/fixes/{fix_id}").get_data(as_text=True)
    assert WORDS not in html and "Bob Buyer" not in html


def test_a_buyers_answer_becomes_a_buyer_sourced_report_in_the_reps_name(app, client, login):
    d = _answered(app, client, consent=False)
    login(who=d.leader)
    with app.app_context():
        response_id = db.session.scalar(sa.select(BuyerResponse.id))
    page = client.get(f"/buyers/answers/{response_id}/evidence")
    assert page.status_code == 200
    done = client.post(
        f"/buyers/answers/{response_id}/evidence",
        data={"target": "report", "quote": "", "target_id": ""},
    )
    assert done.status_code == 302
    again = client.post(
        f"/buyers/answers/{response_id}/evidence",
        data={"target": "report", "quote": "", "target_id": ""},
    )
    assert again.status_code == 400
    with app.app_context():
        [evidence] = db.session.scalars(sa.select(BuyerEvidence)).all()
        report = db.session.get(Post, evidence.post_id)
        assert evidence.filed and report.author_id == d.rep.id
        assert [t.name for t in report.tags] == ["buyer-sourced"]
        assert WORDS in report.body and "Bob Buyer" not in report.body


def test_a_rep_may_not_turn_answers_into_evidence(app, client, login):
    d = _answered(app, client, consent=False)
    login(who=d.rep)
    with app.app_context():
        response_id = db.session.scalar(sa.select(BuyerResponse.id))
    assert client.get(f"/buyers/answers/{response_id}/evidence").status_code == 403


def test_an_interview_needs_a_leader_and_records_tagged_quotes(app, client, login):
    d = deal(app)
    with app.app_context():
        theme = create_theme("Onboarding", actor=None).id
        db.session.commit()
    login(who=d.rep)
    assert client.get(f"/buyers/deals/{d.post_id}/interview").status_code == 403
    login(who=d.leader)
    assert client.get(f"/buyers/deals/{d.post_id}/interview").status_code == 200
    done = client.post(
        f"/buyers/deals/{d.post_id}/interview",
        data=ANSWERS
        | {
            "contact_name": "Carla CFO",
            "quote_1": "Nobody owned our rollout",
            "themes_1": str(theme),
        },
    )
    assert done.status_code == 302
    with app.app_context():
        response = db.session.scalar(sa.select(BuyerResponse))
        assert response.source == "interview" and response.buyer_name == "Carla CFO"
        assert [(q.text, [t.name for t in q.themes]) for q in response.quotes] == [
            ("Nobody owned our rollout", ["Onboarding"])
        ]


def test_answers_from_the_service_cannot_name_an_unknown_reason(app):
    d = deal(app)
    with app.app_context():
        post = db.session.get(Post, d.post_id)
        leader = db.session.get(User, d.leader.id)
        with pytest.raises(services.DomainError):
            services.record_interview(
                post,
                Answers(outcome="bought", main_reason_id=999999),
                actor=leader,
                contact_name="X",
            )


def test_evidence_on_a_report_or_fix_that_is_no_number_is_refused_like_a_missing_one(
    app, client, login
):
    d = _answered(app, client, consent=False)
    login(who=d.leader)
    with app.app_context():
        response_id = db.session.scalar(sa.select(BuyerResponse.id))
    for target_id in ("²", "-1", "99999999999999999999", "999999", str(d.post_id)):
        for target in ("post", "fix"):
            answer = client.post(
                f"/buyers/answers/{response_id}/evidence",
                data={"target": target, "target_id": target_id, "quote": ""},
            )
            assert answer.status_code in {400, 404}, (target, target_id)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(BuyerEvidence.id))) == 0
