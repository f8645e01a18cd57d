"""A deal with its rep, reasons and account, and a survey link for it."""

from dataclasses import dataclass

from forum.auth.models import User
from forum.buyers import services
from forum.extensions import db
from forum.feedback.models import Post
from forum.taxonomy.models import ReasonBranch
from tests import factories
from tests.conftest import Who

ANSWERS = {
    "outcome": "chose_other",
    "driver_1": "trust",
    "driver_2": "price",
    "driver_3": "",
    "alternatives": "Rival Corp",
    "almost_changed": "A better delivery date",
    "delivery_experience": "",
    "free_text": "Your onboarding plan was vague.",
}


@dataclass
class Deal:
    post_id: int
    rep: Who
    other_rep: Who
    leader: Who
    ops: Who
    price: int
    trust: int
    account: str


def who(user) -> Who:
    return Who(user.id, user.email, user.role, user.team_id)


def deal(app) -> Deal:
    """A lost deal of Acme Parts whose rep blamed price; committed."""
    with app.app_context():
        region = factories.team("sales")
        rep = factories.user("rep", team_obj=region, display_name="Rita Rep")
        other = factories.user("rep", team_obj=region)
        leader = factories.user("leader")
        ops = factories.user("ops")
        price = factories.term("reason", "Price too high", branch=ReasonBranch.PRICE)
        trust = factories.term(
            "reason", "Did not trust delivery dates", branch=ReasonBranch.DELIVERY
        )
        post = factories.post(
            "win_loss",
            author=rep,
            account=factories.account("Acme Parts"),
            primary_reason=price,
            deal_value=50000,
            body="INTERNAL: they haggled hard",
        )
        db.session.commit()
        return Deal(
            post.id, who(rep), who(other), who(leader), who(ops), price.id, trust.id, "Acme Parts"
        )


def link(
    app, d: Deal, *, name="Bob Buyer", email="bob@buyer.example", area="Warehouse robots", now=None
) -> tuple[int, str]:
    """A survey link made by the deal's rep: (survey id, the link's path); committed."""
    with app.app_context():
        rep = db.session.get(User, d.rep.id)
        post = db.session.get(Post, d.post_id)
        made = services.create_survey(
            post, actor=rep, contact_name=name, contact_email=email, product_area=area, now=now
        )
        db.session.commit()
        return made.survey.id, made.link.removeprefix(app.config["BASE_URL"])
