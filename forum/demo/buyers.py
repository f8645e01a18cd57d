"""The buyer's voice in the demo: survey links on a share of the deals (most answered, a few
still waiting), leaders' interviews with themed quotes, and buyers' delivery complaints as
evidence on open fixes — so the agreement view and "heard from N buyers" show on first run.

Reps mostly blame price; the buyers answer with trust, fit and delivery about half the time.
Idempotent: nothing is added once any buyer answer exists.
"""

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from forum.auth.models import User
from forum.buyers import themes as theme_service
from forum.buyers.models import (
    BuyerEvidence,
    BuyerOutcome,
    BuyerQuote,
    BuyerResponse,
    BuyerSurvey,
    Driver,
    ResponseSource,
)
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post, PostKind, PostStatus
from forum.fixes.models import Fix, FixStatus
from forum.taxonomy.models import ReasonBranch, TaxonomyKind, TaxonomyTerm

THEMES = ["Onboarding", "Trust in promises", "Pricing clarity", "Support", "Product fit"]
CONTACTS = ["Morgan Lee", "Anika Shah", "Jonas Berg", "Camila Reyes", "Kenji Mori", "Ruth Okoro"]
BUYER_WORDS = {
    ReasonBranch.DELIVERY: "Your references said deliveries ran weeks late; we could not risk it.",
    ReasonBranch.RELATIONSHIP: "We never knew who owned our rollout on your side.",
    ReasonBranch.PRODUCT: "The other product fit our warehouse process out of the box.",
    ReasonBranch.PRICE: "Honestly the price was within budget; the terms were the issue.",
    ReasonBranch.OTHER: "The timing was wrong for us.",
}
OUTCOMES = {
    "won": BuyerOutcome.BOUGHT,
    "lost": BuyerOutcome.CHOSE_OTHER,
    "no_decision": BuyerOutcome.NO_DECISION,
    "open": BuyerOutcome.STILL_DECIDING,
}


def _reasons() -> dict[str, list[TaxonomyTerm]]:
    by_branch: dict[str, list[TaxonomyTerm]] = {}
    for term in db.session.scalars(
        sa.select(TaxonomyTerm)
        .where(TaxonomyTerm.kind == TaxonomyKind.REASON, TaxonomyTerm.active.is_(True))
        .order_by(TaxonomyTerm.id)
    ):
        by_branch.setdefault(term.branch, []).append(term)
    return by_branch


def _buyer_reason(n: int, deal: Post, reasons: dict) -> TaxonomyTerm | None:
    """Every other buyer agrees with the rep; the others name trust, delivery or fit."""
    if n % 2 == 0 and deal.primary_reason_id is not None:
        return db.session.get(TaxonomyTerm, deal.primary_reason_id)
    branch = [ReasonBranch.DELIVERY, ReasonBranch.RELATIONSHIP, ReasonBranch.PRODUCT][n % 3]
    pool = reasons.get(branch) or reasons.get(ReasonBranch.OTHER) or []
    return pool[n % len(pool)] if pool else None


def seed_buyers(users: dict[str, User]) -> int:
    """Buyer answers on about a third of the deals; returns how many (0 when already seeded)."""
    if db.session.scalar(sa.select(BuyerResponse.id).limit(1)) is not None:
        return 0
    leader = users["leader@example.com"]
    themes = {
        name: theme_service.create_theme(name, actor=users["admin@example.com"]) for name in THEMES
    }
    reasons = _reasons()
    deals = db.session.scalars(
        sa.select(Post)
        .where(Post.kind == PostKind.WIN_LOSS, Post.status != PostStatus.DUPLICATE)
        .order_by(Post.id)
    ).all()
    open_fixes = db.session.scalars(
        sa.select(Fix)
        .where(Fix.status.in_([FixStatus.OPEN, FixStatus.ACKNOWLEDGED, FixStatus.IN_PROGRESS]))
        .order_by(Fix.id)
    ).all()
    now = utcnow()
    made = 0
    for n, deal in enumerate(deals):
        if n % 3 != 0:
            continue
        contact = CONTACTS[n % len(CONTACTS)]
        asked = min(deal.created_at + timedelta(days=2), now - timedelta(hours=2))
        interview = n % 5 == 0  # the leader called the buyer instead; the link still waits
        answered = n % 4 != 3 and not interview  # a few links are still waiting
        heard = min(asked + timedelta(hours=5 + 11 * (n % 5)), now)
        survey = BuyerSurvey(
            post_id=deal.id,
            created_by_id=deal.author_id,
            contact_name=contact,
            contact_email=f"{contact.split()[0].lower()}@buyer.example",
            product_area="Warehouse automation",
            # A token nobody holds: the demo links cannot be opened, only their answers read.
            token_hash=hashlib.sha256(f"demo-survey-{deal.id}".encode()).hexdigest(),
            created_at=asked,
            expires_at=asked + timedelta(days=30),
            emailed=n % 2 == 0,
            answered_at=heard if answered else None,
        )
        db.session.add(survey)
        db.session.flush()
        if not answered and not interview:
            continue
        reason = _buyer_reason(n, deal, reasons)
        branch = reason.branch if reason else ReasonBranch.OTHER
        response = BuyerResponse(
            post_id=deal.id,
            survey_id=None if interview else survey.id,
            source=ResponseSource.INTERVIEW if interview else ResponseSource.SURVEY,
            recorded_by_id=leader.id if interview else None,
            contact_name=contact if interview else None,
            outcome=OUTCOMES.get(deal.outcome or "", BuyerOutcome.STILL_DECIDING),
            drivers=[Driver.TRUST, Driver.DELIVERY, Driver.PRICE][: 1 + n % 3],
            main_reason_id=reason.id if reason else None,
            alternatives="A regional integrator" if n % 2 else "",
            delivery_experience=BUYER_WORDS[branch] if branch == ReasonBranch.DELIVERY else "",
            free_text=BUYER_WORDS.get(branch, ""),
            consent_to_quote=n % 4 == 0,
            submitted_at=heard,
        )
        if interview:
            quote = BuyerQuote(text=BUYER_WORDS.get(branch, BUYER_WORDS[ReasonBranch.OTHER]))
            quote.themes = [
                themes[THEMES[n % len(THEMES)]],
                themes["Trust in promises"],
            ][: 1 + n % 2]
            response.quotes.append(quote)
        db.session.add(response)
        db.session.flush()
        if branch == ReasonBranch.DELIVERY and open_fixes:
            fix = open_fixes[made % len(open_fixes)]
            db.session.add(
                BuyerEvidence(response_id=response.id, fix_id=fix.id, created_by_id=leader.id)
            )
        made += 1
    db.session.flush()
    return made
