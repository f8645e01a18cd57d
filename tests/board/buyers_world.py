"""Buyers for a generated organisation (``world.build``): survey links and answers on a share
of its deals, interviews with themed quotes — written to the database and kept as records for
the oracle. A random stream of its own, so the rest of the world does not change with it.

Edges: answers on deals out of the period and on duplicates, two answers on one deal at the
same instant (the lower id is the first), links never answered, buyers naming no reason."""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from forum.buyers.models import (
    BuyerOutcome,
    BuyerQuote,
    BuyerResponse,
    BuyerSurvey,
    BuyerTheme,
    ResponseSource,
)
from forum.extensions import db
from tests.board.world import World

HOURS = [timedelta(hours=h) for h in (0, 1, 5, 24, 72)]


@dataclass
class AnswerRec:
    id: int
    post_id: int
    submitted: datetime
    main_reason_id: int | None
    quote_themes: list[list[int]] = field(default_factory=list)


@dataclass
class SurveyRec:
    post_id: int
    created: datetime
    answered: datetime | None


@dataclass
class Buyers:
    themes: dict[int, str]
    answers: list[AnswerRec]
    surveys: list[SurveyRec]


def add_buyers(world: World, seed: int) -> Buyers:
    rng = random.Random(f"buyers-{seed}")
    themes = {}
    for name in ("Onboarding", "Trust", "Pricing clarity"):
        theme = BuyerTheme(name=name, name_key=name.casefold())
        db.session.add(theme)
        db.session.flush()
        themes[theme.id] = name
    reasons = list(world.reasons)
    answers, surveys = [], []
    for n, post in enumerate(p for p in world.posts if p.kind == "win_loss"):
        if rng.random() < 0.3:
            continue
        for _ in range(rng.randint(0, 2)):  # survey links, some answered
            made = post.created + rng.choice(HOURS)
            answered = made + rng.choice(HOURS) if rng.random() < 0.6 else None
            survey = BuyerSurvey(
                post_id=post.id,
                contact_name="Generated buyer",
                token_hash=f"{seed}-{post.id}-{len(surveys)}".ljust(64, "0")[:64],
                created_at=made,
                expires_at=made + timedelta(days=30),
                answered_at=answered,
            )
            db.session.add(survey)
            db.session.flush()
            surveys.append(SurveyRec(post.id, made, answered))
            if answered is not None:
                answers.append(_answer(rng, post, reasons, answered, survey_id=survey.id))
        if rng.random() < 0.4 or n % 7 == 0:  # an interview (on every 7th deal: a tie)
            at = (
                answers[-1].submitted
                if n % 7 == 0 and answers and answers[-1].post_id == post.id
                else post.created + rng.choice(HOURS)
            )
            answers.append(_answer(rng, post, reasons, at, themes=list(themes)))
    db.session.flush()
    return Buyers(themes, answers, surveys)


def _answer(rng, post, reasons, at, *, survey_id=None, themes=()) -> AnswerRec:
    reason = rng.choice(reasons + [None, post.primary_reason_id, post.primary_reason_id])
    response = BuyerResponse(
        post_id=post.id,
        survey_id=survey_id,
        source=ResponseSource.SURVEY if survey_id else ResponseSource.INTERVIEW,
        outcome=rng.choice(list(BuyerOutcome)),
        main_reason_id=reason,
        submitted_at=at,
    )
    quote_themes = []
    for _ in range(rng.randint(0, 2) if themes else 0):
        chosen = rng.sample(list(themes), rng.randint(1, 2))
        quote = BuyerQuote(text="Generated quote")
        quote.themes = [db.session.get(BuyerTheme, t) for t in chosen]
        response.quotes.append(quote)
        quote_themes.append(chosen)
    db.session.add(response)
    db.session.flush()
    return AnswerRec(response.id, post.id, at, reason, quote_themes)
