"""The theme taxonomy: admins create, rename and merge themes; a merge moves the quotes and
retires the theme; every change stays in the history."""

import sqlalchemy as sa

from forum.buyers.models import BuyerQuote, BuyerResponse, BuyerTheme, BuyerThemeEvent
from forum.buyers.themes import create_theme
from forum.extensions import db
from tests.buyers.helpers import deal


def _quote(app, post_id, *theme_ids) -> int:
    with app.app_context():
        response = BuyerResponse(post_id=post_id, source="interview", outcome="bought")
        quote = BuyerQuote(text="Nobody owned our rollout")
        quote.themes = [db.session.get(BuyerTheme, t) for t in theme_ids]
        response.quotes.append(quote)
        db.session.add(response)
        db.session.commit()
        return quote.id


def test_admins_rename_and_merge_themes_and_the_history_keeps_both(app, client, login):
    d = deal(app)
    with app.app_context():
        onboarding = create_theme("Onboarding", actor=None).id
        rollout = create_theme("Rollout", actor=None).id
        db.session.commit()
    both = _quote(app, d.post_id, onboarding, rollout)
    one = _quote(app, d.post_id, rollout)
    login("admin")
    renamed = client.post(f"/buyers/themes/{onboarding}/rename", data={"name": "Onboarding plan"})
    assert renamed.status_code == 302
    merged = client.post(f"/buyers/themes/{rollout}/merge", data={"into": str(onboarding)})
    assert merged.status_code == 302
    with app.app_context():
        for quote_id in (both, one):
            names = [t.name for t in db.session.get(BuyerQuote, quote_id).themes]
            assert names == ["Onboarding plan"]
        retired = db.session.get(BuyerTheme, rollout)
        assert not retired.active and retired.merged_into_id == onboarding
        events = db.session.execute(
            sa.select(BuyerThemeEvent.kind, BuyerThemeEvent.from_name, BuyerThemeEvent.to_name)
            .where(BuyerThemeEvent.kind != "created")
            .order_by(BuyerThemeEvent.id)
        ).all()
        assert events == [
            ("renamed", "Onboarding", "Onboarding plan"),
            ("merged", "Rollout", "Onboarding plan"),
        ]
    page = client.get("/buyers/themes").get_data(as_text=True)
    assert "renamed “Onboarding” to “Onboarding plan”" in page
    assert "merged “Rollout” into “Onboarding plan”" in page


def test_a_theme_name_is_taken_once_and_a_merged_theme_cannot_be_used_again(app, client, login):
    with app.app_context():
        a = create_theme("Trust", actor=None).id
        b = create_theme("Price", actor=None).id
        db.session.commit()
    login("admin")
    assert client.post("/buyers/themes", data={"name": " trust "}).status_code == 400
    assert client.post(f"/buyers/themes/{b}/rename", data={"name": "TRUST"}).status_code == 400
    assert client.post(f"/buyers/themes/{a}/merge", data={"into": str(a)}).status_code == 400
    assert client.post(f"/buyers/themes/{a}/merge", data={"into": str(b)}).status_code == 302
    assert client.post(f"/buyers/themes/{a}/rename", data={"name": "Again"}).status_code == 400
    with app.app_context():
        assert db.session.get(BuyerTheme, a).name == "Trust"


def test_only_admins_curate_themes(app, client, login):
    for role in ("rep", "ops", "leader"):
        login(role)
        assert client.get("/buyers/themes").status_code == 403
        assert client.post("/buyers/themes", data={"name": "X"}).status_code == 403
