"""Asking the buyer: survey links (made, mailed or handed over, answered once), recorded
interviews and what becomes of a buyer's answer. Every service flushes; the caller commits."""

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, url_for

from forum.auth.models import User
from forum.auth.permissions import ensure
from forum.buyers.models import (
    CONTACT_NAME_MAX,
    PRODUCT_AREA_MAX,
    QUOTE_MAX,
    SHORT_MAX,
    TEXT_MAX,
    BuyerEvidence,
    BuyerOutcome,
    BuyerQuote,
    BuyerResponse,
    BuyerSurvey,
    BuyerTheme,
    Driver,
    ResponseSource,
)
from forum.core import outbox
from forum.core.emails import email_problem
from forum.core.errors import DomainError
from forum.core.mail import one_line
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback import services as posts
from forum.feedback.models import Post, PostKind
from forum.fixes.models import Fix
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm

TOKEN_BYTES = 32
# secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet. Anything else is no token.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


class NotADeal(DomainError):
    """Buyers can be asked about win/loss reports only (404, like a missing deal)."""

    status = 404


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256 (the token itself is never kept)."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def clean_text(raw, limit: int) -> str:
    """Plain text as a buyer typed it, without control or invisible direction characters,
    newlines normalised, cut to ``limit`` characters. It is always shown escaped."""
    text = unicodedata.normalize("NFC", str(raw or "")).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text).strip()
    return text[:limit]


def ensure_deal(post: Post | None) -> Post:
    if post is None or post.kind != PostKind.WIN_LOSS:
        raise NotADeal("There is no such deal.")
    return post


def survey_link(token: str) -> str:
    """The link a buyer opens (``BASE_URL`` names the site; also from the CLI and the demo)."""
    if has_request_context():
        path = url_for("survey.answer", token=token)
    else:
        with current_app.test_request_context():
            path = url_for("survey.answer", token=token)
    return current_app.config["BASE_URL"] + path


@dataclass
class NewSurvey:
    survey: BuyerSurvey
    link: str  # shown once: only its hash is kept


def create_survey(
    post: Post,
    *,
    actor: User,
    contact_name: str,
    contact_email: str = "",
    product_area: str = "",
    send: bool = False,
    now: datetime | None = None,
) -> NewSurvey:
    """A single-use link for one named buyer contact of ``post``'s deal, mailed through the
    outbox when ``send`` (the e-mail is then required). Flushes; the caller commits."""
    ensure_deal(post)
    ensure(actor, "buyer.ask", post, message="Only the deal's rep and sales leaders ask buyers.")
    now = now or utcnow()
    name = one_line(clean_text(contact_name, CONTACT_NAME_MAX), CONTACT_NAME_MAX)
    email = clean_text(contact_email, 320)
    area = one_line(clean_text(product_area, PRODUCT_AREA_MAX), PRODUCT_AREA_MAX)
    if not name:
        raise DomainError("Name the buyer contact the survey is for.")
    if email and email_problem(email):
        raise DomainError("That is not an e-mail address.")
    if send and not email:
        raise DomainError("Give the buyer's e-mail address to send the survey.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    survey = BuyerSurvey(
        post_id=post.id,
        created_by_id=actor.id,
        contact_name=name,
        contact_email=email or None,
        product_area=area,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["BUYER_SURVEY_DAYS"]),
        emailed=bool(send),
    )
    db.session.add(survey)
    db.session.flush()
    link = survey_link(token)
    if send:
        org = current_app.config["ORGANISATION_NAME"]
        outbox.enqueue(
            email,
            f"{org}: two minutes on your decision",
            render_template(
                "buyers/email.txt",
                name=name,
                org=org,
                area=area,
                link=link,
                expires=survey.expires_at,
            ),
            to_name=name,
            event=outbox.BUYER_SURVEY_EVENT,
        )
    return NewSurvey(survey, link)


def open_survey(token: str, now: datetime | None = None) -> BuyerSurvey | None:
    """The survey a link opens, if it may still be answered; None for every other case
    (malformed, unknown, expired, answered): the caller shows one neutral page."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        return None
    survey = db.session.scalar(
        sa.select(BuyerSurvey).where(BuyerSurvey.token_hash == token_hash(token))
    )
    if survey is None or not survey.is_open(now or utcnow()):
        return None
    return survey


@dataclass
class Answers:
    """A buyer's answers, parsed by the form (survey) or typed by a leader (interview)."""

    outcome: str
    drivers: list[str] = field(default_factory=list)
    main_reason_id: int | None = None
    alternatives: str = ""
    almost_changed: str = ""
    delivery_rating: int | None = None
    delivery_experience: str = ""
    free_text: str = ""
    consent_to_quote: bool = False


def buyer_reasons() -> list[TaxonomyTerm]:
    """The reason taxonomy's active terms, as offered to buyers."""
    return list(
        db.session.scalars(
            sa.select(TaxonomyTerm)
            .where(TaxonomyTerm.kind == TaxonomyKind.REASON, TaxonomyTerm.active.is_(True))
            .order_by(TaxonomyTerm.branch, TaxonomyTerm.name)
        )
    )


def _response(answers: Answers, **fields) -> BuyerResponse:
    if answers.outcome not in BuyerOutcome._value2member_map_:
        raise DomainError("Say how the decision went.")
    drivers = list(dict.fromkeys(d for d in answers.drivers if d in Driver._value2member_map_))
    reason_id = answers.main_reason_id
    if reason_id is not None and reason_id not in {t.id for t in buyer_reasons()}:
        raise DomainError("Choose the main reason from the list.")
    rating = answers.delivery_rating
    if rating is not None and not 1 <= rating <= 5:
        raise DomainError("Rate the delivery from 1 to 5.")
    return BuyerResponse(
        outcome=BuyerOutcome(answers.outcome),
        drivers=drivers[:3],
        main_reason_id=reason_id,
        alternatives=one_line(clean_text(answers.alternatives, SHORT_MAX), SHORT_MAX),
        almost_changed=clean_text(answers.almost_changed, TEXT_MAX),
        delivery_rating=rating,
        delivery_experience=clean_text(answers.delivery_experience, TEXT_MAX),
        free_text=clean_text(answers.free_text, TEXT_MAX),
        consent_to_quote=bool(answers.consent_to_quote),
        **fields,
    )


def submit(token: str, answers: Answers, now: datetime | None = None) -> BuyerResponse | None:
    """Record the answers of the survey ``token`` opens, once. Returns None (and changes
    nothing) when the link cannot be used: unknown, expired, or already answered — also by a
    request racing this one (the claim is one conditional UPDATE). Flushes."""
    now = now or utcnow()
    survey = open_survey(token, now)
    if survey is None:
        return None
    response = _response(
        answers, post_id=survey.post_id, survey_id=survey.id, source=ResponseSource.SURVEY
    )
    claimed = db.session.execute(
        sa.update(BuyerSurvey)
        .where(
            BuyerSurvey.id == survey.id,
            BuyerSurvey.answered_at.is_(None),
            BuyerSurvey.expires_at > now,
        )
        .values(answered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    response.submitted_at = now
    db.session.add(response)
    db.session.flush()
    db.session.expire(survey)
    return response


@dataclass
class QuoteInput:
    text: str
    theme_ids: list[int] = field(default_factory=list)


def record_interview(
    post: Post,
    answers: Answers,
    *,
    actor: User,
    contact_name: str,
    quotes: list[QuoteInput] = (),
    now: datetime | None = None,
) -> BuyerResponse:
    """A leader's record of a conversation with a buyer about ``post``'s deal, with quotes
    tagged by theme. Flushes; the caller commits."""
    ensure_deal(post)
    ensure(actor, "buyer.interview", message="Sales leaders record buyer interviews.")
    name = one_line(clean_text(contact_name, CONTACT_NAME_MAX), CONTACT_NAME_MAX)
    if not name:
        raise DomainError("Name the buyer you talked to.")
    response = _response(
        answers,
        post_id=post.id,
        source=ResponseSource.INTERVIEW,
        recorded_by_id=actor.id,
        contact_name=name,
        submitted_at=now or utcnow(),
    )
    themes = {
        t.id: t
        for t in db.session.scalars(sa.select(BuyerTheme).where(BuyerTheme.active.is_(True)))
    }
    for q in quotes:
        text = clean_text(q.text, QUOTE_MAX)
        if not text:
            continue
        unknown = [i for i in q.theme_ids if i not in themes]
        if unknown:
            raise DomainError("Tag quotes with themes from the list.")
        response.quotes.append(
            BuyerQuote(text=text, themes=[themes[i] for i in dict.fromkeys(q.theme_ids)])
        )
    db.session.add(response)
    db.session.flush()
    return response


BUYER_SOURCED_TAG = "buyer-sourced"


def _buyer_words(response: BuyerResponse, quote: BuyerQuote | None) -> str:
    if quote is not None:
        return quote.text
    parts = [response.delivery_experience, response.almost_changed, response.free_text]
    return "\n\n".join(p for p in parts if p) or "(The buyer gave no details in words.)"


def add_evidence(
    response: BuyerResponse,
    *,
    actor: User,
    target: str,
    target_id: int | None = None,
    quote: BuyerQuote | None = None,
) -> BuyerEvidence:
    """Make a buyer's answer (or one quote of it) count: a new report filed on the deal rep's
    behalf and labelled buyer-sourced (``target="report"``), or evidence on an existing report
    (``"post"``) or fix (``"fix"``). The buyer's name goes nowhere. Flushes; the caller commits."""
    ensure(actor, "buyer.evidence", message="Sales leaders decide what buyer answers become.")
    if quote is not None and quote.response_id != response.id:
        raise DomainError("That quote belongs to another answer.")
    evidence = BuyerEvidence(
        response_id=response.id, quote_id=quote.id if quote else None, created_by_id=actor.id
    )
    if target == "report":
        already = db.session.scalar(
            sa.select(BuyerEvidence.id).where(
                BuyerEvidence.response_id == response.id,
                BuyerEvidence.filed.is_(True),
                BuyerEvidence.quote_id.is_(None)
                if quote is None
                else BuyerEvidence.quote_id == quote.id,
            )
        )
        if already is not None:
            raise DomainError("A report was already filed from this answer.")
        deal = response.post
        report = posts.create_post(
            deal.author,
            posts.PostInput(
                kind=PostKind.FIELD_FEEDBACK,
                title=one_line(f"A buyer on {deal.title}", 200),
                body=_buyer_words(response, quote),
                account=deal.account.name if deal.account else "",
                tags=[BUYER_SOURCED_TAG],
            ),
        )
        evidence.post_id, evidence.filed = report.id, True
    elif target == "post":
        report = db.session.get(Post, target_id) if target_id else None
        if report is None or report.id == response.post_id:
            raise NotADeal("There is no report with that number.")
        evidence.post_id = report.id
    elif target == "fix":
        fix = db.session.get(Fix, target_id) if target_id else None
        if fix is None:
            raise NotADeal("There is no fix with that number.")
        evidence.fix_id = fix.id
    else:
        raise DomainError("Choose what the answer becomes.")
    same_target = (
        BuyerEvidence.post_id == evidence.post_id
        if evidence.post_id is not None
        else BuyerEvidence.fix_id == evidence.fix_id
    )
    duplicate = None
    if not evidence.filed:
        duplicate = db.session.scalar(
            sa.select(BuyerEvidence.id).where(BuyerEvidence.response_id == response.id, same_target)
        )
    if duplicate is not None:
        raise DomainError("This answer is already evidence there.")
    db.session.add(evidence)
    db.session.flush()
    return evidence
