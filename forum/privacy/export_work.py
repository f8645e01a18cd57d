"""The person export's sections about operational work: fixes, their comments and history,
escalations, catalog commitments, the follow-ups they owe after a fix and the customer
accounts they own (from the CRM import)."""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from forum.accounts.models import Account
from forum.auth.models import User
from forum.buyers.models import BuyerResponse, BuyerSurvey
from forum.catalog.models import Commitment
from forum.fixes import history
from forum.fixes.models import Escalation, Fix, FixComment, FixEvent
from forum.loop.models import FollowUp
from forum.privacy.rows import objects, rows


def fixes(user: User) -> Iterator[dict]:
    query = (
        sa.select(Fix.id, Fix.title, Fix.status, Fix.created_by_id, Fix.assignee_id)
        .where(sa.or_(Fix.created_by_id == user.id, Fix.assignee_id == user.id))
        .order_by(Fix.id)
    )
    for fix_id, title, status, created_by, assignee in rows(query):
        yield {
            "id": fix_id,
            "title": title,
            "status": status,
            "created_by_them": created_by == user.id,
            "assigned_to_them": assignee == user.id,
        }


def fix_comments(user: User) -> Iterator[dict]:
    query = sa.select(FixComment).where(FixComment.author_id == user.id)
    for c in objects(query.order_by(FixComment.id)):
        yield {"fix_id": c.fix_id, "body": c.body, "created_at": c.created_at}


def fix_history(user: User) -> Iterator[dict]:
    query = (
        sa.select(FixEvent)
        .where(FixEvent.actor_id == user.id)
        .order_by(FixEvent.fix_id, FixEvent.seq)
    )
    for e in objects(query):
        said = history.shown_entry(e, {})  # others by id only (in details)
        yield {
            "fix_id": e.fix_id,
            "seq": e.seq,
            "at": e.at,
            "kind": e.kind,
            "from": said.from_value,
            "to": said.to_value,
            "note": said.note,
            "details": e.details,
        }


def escalations(user: User) -> Iterator[dict]:
    query = (
        sa.select(Escalation)
        .where(sa.or_(Escalation.to_user_id == user.id, Escalation.acknowledged_by_id == user.id))
        .order_by(Escalation.id)
    )
    for e in objects(query):
        yield {
            "fix_id": e.fix_id,
            "level": e.level,
            "round": e.round,
            "sent_to_them": e.to_user_id == user.id,
            "escalated_at": e.created_at,
            "acknowledged_at": e.acknowledged_at,
            "acknowledged_by_them": e.acknowledged_by_id == user.id,
        }


def commitments(user: User) -> Iterator[dict]:
    query = (
        sa.select(Commitment)
        .where(sa.or_(Commitment.owner_id == user.id, Commitment.confirmed_by_id == user.id))
        .order_by(Commitment.id)
    )
    for c in objects(query):
        yield {
            "id": c.id,
            "team_id": c.team_id,
            "title": c.title,
            "owned_by_them": c.owner_id == user.id,
            "last_confirmed_by_them": c.confirmed_by_id == user.id,
            "last_confirmed_at": c.last_confirmed_at,
        }


def accounts_owned(user: User) -> Iterator[dict]:
    query = (
        sa.select(Account.id, Account.name, Account.crm_id)
        .where(Account.owner_id == user.id)
        .order_by(Account.id)
    )
    for a in rows(query):
        yield {"id": a.id, "name": a.name, "crm_id": a.crm_id}


def follow_ups(user: User) -> Iterator[dict]:
    """What they owe after a verified fix (tell a customer, re-engage a deal), with what was
    marked; who else marked a step is an id."""
    query = (
        sa.select(FollowUp)
        .where(FollowUp.rep_id == user.id)
        .options(selectinload(FollowUp.events))
        .order_by(FollowUp.id)
    )
    for f in objects(query):
        yield {
            "id": f.id,
            "kind": f.kind,
            "state": f.state,
            "fix_id": f.fix_id,
            "post_id": f.post_id,
            "message": f.message,
            "informed_on": f.informed_on,
            "created_at": f.created_at,
            "closed_at": f.closed_at,
            "history": [
                {
                    "at": e.at,
                    "actor_id": e.actor_id,
                    "kind": e.kind,
                    "from": e.from_state,
                    "to": e.to_state,
                    "note": e.note,
                    "on": e.on_date,
                }
                for e in f.events
            ],
        }


def buyer_requests(user: User) -> Iterator[dict]:
    """The survey links they made and the buyer interviews they recorded. The buyer's name and
    address are the buyer's data, not theirs, and stay out of their export."""
    surveys = sa.select(BuyerSurvey).where(BuyerSurvey.created_by_id == user.id)
    for s in objects(surveys.order_by(BuyerSurvey.id)):
        yield {
            "kind": "survey_link",
            "id": s.id,
            "post_id": s.post_id,
            "product_area": s.product_area,
            "emailed": s.emailed,
            "created_at": s.created_at,
            "answered_at": s.answered_at,
        }
    interviews = sa.select(BuyerResponse).where(BuyerResponse.recorded_by_id == user.id)
    for r in objects(interviews.order_by(BuyerResponse.id)):
        yield {
            "kind": "interview",
            "id": r.id,
            "post_id": r.post_id,
            "submitted_at": r.submitted_at,
        }
