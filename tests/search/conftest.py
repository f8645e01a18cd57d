"""A small corpus for search tests: posts in several languages, comments, an internal note,
a shielded post and a fix, created through the services so the index follows as in real use."""

from dataclasses import dataclass

import pytest

from forum.accounts.models import Account
from forum.extensions import db
from forum.feedback import services
from forum.feedback.models import Post, PostKind
from forum.fixes import creation as fix_creation
from tests import factories
from tests.conftest import Who

POSTS = {
    "late": (
        "Late delivery to Acme",
        "The pallets arrived three weeks late; we had promised on-time delivery.",
        "Acme GmbH",
    ),
    "cafe": ("Café machine broke", "Le café était froid. Délai de livraison non respecté.", ""),
    "russian": ("Отгрузка задержана", "Клиент недоволен задержкой поставки.", ""),
    "tokyo": ("東京の配送が遅い", "東京タワーの近くの倉庫から配送しました。", ""),
    "email": ("E-mail invoices are rejected", "Billing sends the email with a broken PDF.", ""),
    "pricing": ("Pricing too high for small business", "A competitor undercuts us by 20%.", ""),
    "onboarding": ("Onboarding took months", "Implementation missed the go-live date.", ""),
}
SHIELDED = ("Support hours are too short", "Customers in APAC cannot reach anyone at night.")


def _who(user) -> Who:
    return Who(user.id, user.email, user.role, user.team_id)


@dataclass
class Corpus:
    ids: dict[str, tuple[str, int]]  # key -> (target, id)
    users: dict[str, Who]  # "rep" (wrote the open posts), "shy" (the shielded one), ...
    team_id: int
    account_id: int

    def keys(self, hits) -> set[str]:
        by_target = {v: k for k, v in self.ids.items()}
        return {by_target[(h.target, h.target_id)] for h in hits}


@pytest.fixture
def corpus(app) -> Corpus:
    return build_corpus(app)


def build_corpus(app) -> Corpus:
    """Posts, comments and a fix of every visibility, by people of every role; commits."""
    with app.app_context():
        ops_team = factories.team("operations", name="Shipping")
        leader = factories.user("leader")
        ops = factories.user("ops", team_obj=ops_team)
        rep = factories.user("rep", display_name="Riley Quinn")
        apac = factories.team("sales", name="APAC")
        shy = factories.user("rep", display_name="Jordan Blake", team_obj=apac)
        admin = factories.user("admin")
        acme = Account(name="Acme GmbH", name_key="acme gmbh", crm_id="CRM-00123")
        db.session.add(acme)
        db.session.flush()
        ids = {}
        for key, (title, body, account) in POSTS.items():
            post = services.create_post(
                rep,
                services.PostInput(
                    kind=PostKind.FIELD_FEEDBACK,
                    title=title,
                    body=body,
                    account=factories.named_account(account),
                    team_id=ops_team.id,
                ),
            )
            ids[key] = ("post", post.id)
        promise = services.create_post(
            rep,
            services.PostInput(
                kind=PostKind.BROKEN_PROMISE,
                title="Installation slot missed",
                body="Nobody came.",
                promised="A technician on site within 48 hours",
                account=factories.named_account("Globex"),
                team_id=ops_team.id,
            ),
        )
        ids["promise"] = ("post", promise.id)
        shielded = services.create_post(
            shy,
            services.PostInput(
                kind=PostKind.FIELD_FEEDBACK, title=SHIELDED[0], body=SHIELDED[1], shielded=True
            ),
        )
        ids["support"] = ("post", shielded.id)
        pricing = db.session.get(Post, ids["pricing"][1])
        services.add_comment(pricing, rep, "The deliverables list was incomplete.")
        onboarding = db.session.get(Post, ids["onboarding"][1])
        services.add_comment(
            onboarding, ops, "Root cause: a staffing gap in implementation.", internal=True
        )
        shy_post = db.session.get(Post, shielded.id)
        services.add_comment(shy_post, shy, "Signed, your APAC colleague.")
        fix = fix_creation.create_fix(
            title="Carrier capacity for Acme",
            problem="A second carrier is needed for pallets.",
            owner_team_id=ops_team.id,
            priority="P2",
            actor=leader,
        )
        ids["carrier"] = ("fix", fix.id)
        db.session.commit()
        users = {"rep": rep, "shy": shy, "ops": ops, "leader": leader, "admin": admin}
        return Corpus(ids, {k: _who(u) for k, u in users.items()}, ops_team.id, acme.id)
