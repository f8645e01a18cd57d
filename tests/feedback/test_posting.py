"""Filing the three kinds of report: what is stored, and what each form refuses."""

import pytest
import sqlalchemy as sa

from forum.accounts.models import Account
from forum.auth.models import User
from forum.core.errors import DomainError
from forum.extensions import db
from forum.feedback.models import Post, PostKind
from forum.feedback.services import PostInput, create_post
from forum.taxonomy.models import TaxonomyKind
from tests import factories
from tests.feedback.conftest import count, text

KINDS = ["field_feedback", "win_loss", "broken_promise"]


def _slug(kind: str) -> str:
    return kind.replace("_", "-")


@pytest.mark.parametrize("kind", KINDS)
def test_a_rep_files_each_kind_of_report(client, login, post_form, session, kind):
    who = login("rep")
    response = client.post(f"/posts/new/{_slug(kind)}", data=post_form(kind))
    assert response.status_code == 302
    with session() as s:
        post = s.scalar(sa.select(Post))
        assert (post.kind, post.author_id, post.status) == (kind, who.id, "new")
        assert response.headers["Location"] == f"/posts/{post.id}"


def test_a_broken_promise_keeps_its_structured_fields(client, login, post_form, session, ops_team):
    login("rep")
    form = post_form(
        "broken_promise",
        contact_name="Dana Buyer",
        basis="brochure",
        basis_detail="Datasheet p. 4",
        promised_date="2025-03-01",
        impact="3",
        revenue_at_risk="25000.50",
        currency="EUR",
        tags="shipping, Late Delivery",
    )
    client.post("/posts/new/broken-promise", data=form)
    with session() as s:
        post = s.scalar(sa.select(Post))
        assert post.promised == "Delivery within 5 working days"
        assert post.account.name == "Acme Corp"
        assert post.team_id == ops_team
        assert (post.contact_name, post.basis, post.basis_detail) == (
            "Dana Buyer",
            "brochure",
            "Datasheet p. 4",
        )
        assert (post.impact, str(post.revenue_at_risk), post.currency) == (3, "25000.50", "EUR")
        assert [t.name for t in post.tags] == ["late-delivery", "shipping"]
        assert str(post.total_at_risk) == "25000.50"


def test_a_win_loss_report_keeps_competitor_and_reasons(client, login, post_form, session):
    with session() as s:
        rival = factories.term(TaxonomyKind.COMPETITOR, "Rival Inc")
        price = factories.term(TaxonomyKind.REASON, "Too expensive", branch="price")
        late = factories.term(TaxonomyKind.REASON, "Late delivery", branch="delivery")
        ids = rival.id, price.id, late.id
        s.commit()
    login("rep")
    form = post_form(
        "win_loss",
        competitor_id=str(ids[0]),
        primary_reason_id=str(ids[1]),
        secondary_reason_ids=[str(ids[2]), str(ids[1])],
        stage="proposal",
        crm_opportunity_id="OPP-1",
    )
    client.post("/posts/new/win-loss", data=form)
    with session() as s:
        post = s.scalar(sa.select(Post))
        assert (post.outcome, str(post.deal_value), post.stage) == ("lost", "120000.00", "proposal")
        assert (post.competitor_id, post.primary_reason_id) == (ids[0], ids[1])
        assert [t.id for t in post.secondary_reasons] == [ids[2]]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("missing", ["title", "body"])
def test_a_report_without_title_or_body_shows_an_error_and_stores_nothing(
    client, login, post_form, session, kind, missing
):
    login("rep")
    response = client.post(f"/posts/new/{_slug(kind)}", data=post_form(kind, **{missing: "  "}))
    assert response.status_code == 200
    assert "error-summary" in text(response)
    with session() as s:
        assert count(s, Post) == 0


@pytest.mark.parametrize("missing", ["promised", "account", "team_id"])
def test_a_broken_promise_without_an_essential_is_refused(
    client, login, post_form, session, missing
):
    login("rep")
    response = client.post(
        "/posts/new/broken-promise", data=post_form("broken_promise", **{missing: ""})
    )
    assert response.status_code == 200
    assert "error-summary" in text(response)
    with session() as s:
        assert count(s, Post) == 0


def test_a_broken_promise_blaming_a_sales_team_is_refused(
    client, login, post_form, session, sales_team
):
    login("rep")
    form = post_form("broken_promise", team_id=str(sales_team))
    response = client.post("/posts/new/broken-promise", data=form)
    assert response.status_code == 200
    assert "Not a valid choice" in text(response)
    with session() as s:
        assert count(s, Post) == 0


def test_the_service_also_refuses_a_sales_team_for_a_broken_promise(app, sales_team):
    with app.app_context():
        rep = factories.user("rep")
        factories.account("Acme")
        data = PostInput(
            kind=PostKind.BROKEN_PROMISE,
            title="t",
            body="b",
            promised="p",
            account="Acme",
            team_id=sales_team,
        )
        with pytest.raises(DomainError, match="operations team"):
            create_post(rep, data)
        db.session.rollback()


def test_a_win_loss_report_without_an_outcome_is_refused(client, login, post_form, session):
    login("rep")
    response = client.post("/posts/new/win-loss", data=post_form("win_loss", outcome=None))
    assert response.status_code == 200
    assert "error-summary" in text(response)
    with session() as s:
        assert count(s, Post) == 0


def test_a_win_loss_report_with_an_invented_outcome_is_refused(client, login, post_form, session):
    login("rep")
    response = client.post("/posts/new/win-loss", data=post_form("win_loss", outcome="stolen"))
    assert response.status_code == 200
    with session() as s:
        assert count(s, Post) == 0


@pytest.mark.parametrize(
    "kind, field",
    [("win_loss", "deal_value"), ("broken_promise", "revenue_at_risk")],
)
@pytest.mark.parametrize(
    "amount", ["-1", "-0.01", "1e20", "1000000000000", "NaN", "Infinity", "sNaN", "12abc"]
)
def test_negative_absurd_or_non_numeric_amounts_are_refused(
    client, login, post_form, session, kind, field, amount
):
    login("rep")
    response = client.post(f"/posts/new/{_slug(kind)}", data=post_form(kind, **{field: amount}))
    assert response.status_code == 200
    assert "error-summary" in text(response)
    with session() as s:
        assert count(s, Post) == 0


@pytest.mark.parametrize(
    "field", ["competitor_id", "primary_reason_id", "secondary_reason_ids", "team_id"]
)
@pytest.mark.parametrize("value", ["999999", "abc", "-3"])
def test_unknown_taxonomy_or_team_ids_are_refused(client, login, post_form, session, field, value):
    login("rep")
    kind = "field_feedback" if field == "team_id" else "win_loss"
    response = client.post(f"/posts/new/{_slug(kind)}", data=post_form(kind, **{field: value}))
    assert response.status_code == 200
    assert "error-summary" in text(response)
    with session() as s:
        assert count(s, Post) == 0


def test_a_term_of_the_wrong_taxonomy_is_refused(client, login, post_form, session):
    with session() as s:
        cause = factories.term(TaxonomyKind.ROOT_CAUSE, "Carrier failure").id
        s.commit()
    login("rep")
    response = client.post(
        "/posts/new/win-loss", data=post_form("win_loss", competitor_id=str(cause))
    )
    assert response.status_code == 200
    with session() as s:
        assert count(s, Post) == 0


def test_an_unknown_catalog_entry_is_refused(client, login, post_form, session):
    login("rep")
    form = post_form("broken_promise", commitment_id="424242")
    response = client.post("/posts/new/broken-promise", data=form)
    assert response.status_code == 200
    with session() as s:
        assert count(s, Post) == 0


def test_an_impact_outside_one_to_four_is_refused(client, login, post_form, session):
    login("rep")
    form = post_form("broken_promise", impact="5")
    response = client.post("/posts/new/broken-promise", data=form)
    assert response.status_code == 200
    with session() as s:
        assert count(s, Post) == 0


def test_eight_tags_are_accepted(client, login, post_form, session):
    login("rep")
    tags = ", ".join(f"tag{i}" for i in range(8))
    client.post("/posts/new/field-feedback", data=post_form(tags=tags))
    with session() as s:
        assert len(s.scalar(sa.select(Post)).tags) == 8


def test_more_than_eight_tags_are_refused_with_a_message(client, login, post_form, session):
    login("rep")
    tags = ", ".join(f"tag{i}" for i in range(9))
    response = client.post("/posts/new/field-feedback", data=post_form(tags=tags))
    assert response.status_code == 200
    assert "Use at most 8 tags." in text(response)
    with session() as s:
        assert count(s, Post) == 0


def test_a_title_longer_than_200_characters_is_refused(client, login, post_form, session):
    login("rep")
    response = client.post("/posts/new/field-feedback", data=post_form(title="x" * 201))
    assert response.status_code == 200
    with session() as s:
        assert count(s, Post) == 0


def test_an_unknown_kind_of_report_is_404(client, login, post_form):
    login("rep")
    assert client.get("/posts/new/complaint").status_code == 404


def test_a_new_account_typed_by_a_rep_is_created_once(client, login, post_form, session):
    login("rep")
    client.post("/posts/new/field-feedback", data=post_form(account="Globex"))
    client.post("/posts/new/field-feedback", data=post_form(account="  globex "))
    with session() as s:
        assert count(s, Account) == 1
        assert count(s, Post) == 2


def test_a_leader_cannot_shield_a_report(client, login, post_form, session):
    login("leader")
    client.post("/posts/new/field-feedback", data=post_form(shielded="y"))
    with session() as s:
        assert s.scalar(sa.select(Post.shielded)) is False


def test_a_rep_can_shield_a_report(client, login, post_form, session):
    login("rep")
    client.post("/posts/new/field-feedback", data=post_form(shielded="y"))
    with session() as s:
        assert s.scalar(sa.select(Post.shielded)) is True


def test_the_region_of_a_report_is_the_reps_sales_team(client, login, post_form, session):
    who = login("rep")
    client.post("/posts/new/field-feedback", data=post_form())
    with session() as s:
        assert s.scalar(sa.select(Post.region_id)) == who.team_id


def test_the_operations_team_list_offers_only_operations_teams(client, login, ops_team, sales_team):
    login("rep")
    page = text(client.get("/posts/new/broken-promise"))
    assert "Shipping" in page
    assert "Far North" not in page


def test_a_form_without_csrf_token_is_refused_and_stores_nothing(client, login, post_form, session):
    login("rep")
    response = client.post("/posts/new/field-feedback", data=post_form(), csrf=False)
    assert response.status_code in (200, 400)
    with session() as s:
        assert count(s, Post) == 0


# Double submits


def test_the_same_form_sent_twice_creates_one_report(client, login, post_form, session):
    login("rep")
    form = post_form(submission_key="a" * 32)
    first = client.post("/posts/new/field-feedback", data=form)
    second = client.post("/posts/new/field-feedback", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    with session() as s:
        assert count(s, Post) == 1


def test_the_new_report_form_carries_a_fresh_submission_key(client, login):
    login("rep")
    first = text(client.get("/posts/new/field-feedback"))
    second = text(client.get("/posts/new/field-feedback"))
    key = 'name="submission_key" type="hidden" value="'
    assert key in first
    assert first.split(key)[1][:32] != second.split(key)[1][:32]


def test_another_user_replaying_a_submission_key_gets_no_post(
    app, sign_in, make_user, post_form, session
):
    form = post_form(submission_key="b" * 32)
    first = sign_in(make_user("rep")).post("/posts/new/field-feedback", data=form)
    assert first.status_code == 302
    second = sign_in(make_user("rep")).post("/posts/new/field-feedback", data=form)
    assert second.status_code == 200
    assert "already used" in text(second)
    with session() as s:
        assert count(s, Post) == 1


# Fields nobody sets through the form


def test_fields_a_reporter_may_not_set_are_ignored(client, login, make_user, post_form, session):
    """Author, status, counters, the fix link and the totals come from the app, never the form."""
    other = make_user("rep")
    me = login("rep")
    form = post_form(
        author_id=str(other.id),
        status="linked",
        corroboration_count="99",
        total_at_risk="1000000",
        fix_id="1",
        version="7",
        role="admin",
    )
    response = client.post("/posts/new/field-feedback", data=form)
    assert response.status_code == 302
    with session() as s:
        post = s.scalars(sa.select(Post).order_by(Post.id.desc())).first()
        assert (post.author_id, post.status, post.corroboration_count) == (me.id, "new", 0)
        assert (post.fix_id, post.version, post.total_at_risk) == (None, 1, 0)
        assert s.get(User, me.id).role == "rep"
