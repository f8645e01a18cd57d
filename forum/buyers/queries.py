"""Read models of the buyer's voice: a deal's surveys and answers, a fix's buyer evidence."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from forum.buyers.models import BuyerEvidence, BuyerQuote, BuyerResponse, BuyerSurvey, BuyerTheme
from forum.extensions import db
from forum.feedback.models import Post


def deal(post_id: int) -> Post | None:
    return db.session.get(Post, post_id)


def surveys(post_id: int) -> list[BuyerSurvey]:
    return list(
        db.session.scalars(
            sa.select(BuyerSurvey)
            .where(BuyerSurvey.post_id == post_id)
            .order_by(BuyerSurvey.created_at.desc(), BuyerSurvey.id.desc())
        )
    )


def responses(post_id: int) -> list[BuyerResponse]:
    return list(
        db.session.scalars(
            sa.select(BuyerResponse)
            .where(BuyerResponse.post_id == post_id)
            .options(
                selectinload(BuyerResponse.survey),
                selectinload(BuyerResponse.main_reason),
                selectinload(BuyerResponse.quotes).selectinload(BuyerQuote.themes),
            )
            .order_by(BuyerResponse.submitted_at, BuyerResponse.id)
        )
    )


def response(response_id: int) -> BuyerResponse | None:
    return db.session.get(BuyerResponse, response_id)


def themes(*, active_only: bool = True) -> list[BuyerTheme]:
    query = sa.select(BuyerTheme).order_by(BuyerTheme.name)
    if active_only:
        query = query.where(BuyerTheme.active.is_(True))
    return list(db.session.scalars(query))


def theme(theme_id: int) -> BuyerTheme | None:
    return db.session.get(BuyerTheme, theme_id)


def fix_evidence(fix_id: int) -> list[BuyerEvidence]:
    """The buyer answers behind a fix: given to the fix, or to one of its linked reports."""
    linked = sa.select(Post.id).where(Post.fix_id == fix_id)
    return list(
        db.session.scalars(
            sa.select(BuyerEvidence)
            .where(sa.or_(BuyerEvidence.fix_id == fix_id, BuyerEvidence.post_id.in_(linked)))
            .options(
                selectinload(BuyerEvidence.response).selectinload(BuyerResponse.survey),
                selectinload(BuyerEvidence.quote),
            )
            .order_by(BuyerEvidence.id)
        )
    )


def buyers_heard(evidence: list[BuyerEvidence]) -> int:
    """How many buyers stand behind the evidence (one per answer)."""
    return len({e.response_id for e in evidence})
