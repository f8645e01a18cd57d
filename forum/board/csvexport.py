"""CSV exports of reports, fixes and fix history, streamed row by row.

They apply what the pages apply: the same filters, the shield on shielded authors (also in the
history, where a shielded reporter verifying or reopening their fix would otherwise be named),
and every cell goes through ``forum.core.csvsafe``, which neutralises what a spreadsheet could
take for a formula.
"""

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from forum.auth.models import Team, User
from forum.board.queries.sql import in_range
from forum.core.csvsafe import CHUNK
from forum.core.rates import Converter, month_of
from forum.extensions import db
from forum.feedback.models import Post
from forum.feedback.shielding import author_label, fix_shields, region_shield
from forum.fixes import history, revenue
from forum.fixes.models import EventKind, Fix, FixEvent
from forum.taxonomy.models import TaxonomyTerm

POST_HEADER = [
    "id",
    "filed_at_utc",
    "kind",
    "status",
    "title",
    "author",
    "region",
    "team",
    "account",
    "segment",
    "outcome",
    "deal_value",
    "currency",
    "competitor",
    "primary_reason",
    "revenue_at_risk",
    "me_too",
    "fix_id",
]


def post_rows(query: sa.Select, viewer: User) -> Iterator[list]:
    """The reports of ``query``; authors as ``viewer`` may see them on the pages."""
    query = query.options(
        joinedload(Post.author),
        joinedload(Post.region),
        joinedload(Post.team),
        joinedload(Post.account),
        joinedload(Post.competitor),
        joinedload(Post.primary_reason),
    ).order_by(Post.created_at, Post.id)
    for post in db.session.scalars(query.execution_options(yield_per=CHUNK)):
        yield [
            post.id,
            post.created_at,
            post.kind,
            post.status,
            post.title,
            author_label(viewer, post),
            post.region.name if post.region else "",
            post.team.name if post.team else "",
            post.account.name if post.account else "",
            post.account.segment if post.account else "",
            post.outcome,
            post.deal_value,
            post.currency,
            post.competitor.name if post.competitor else "",
            post.primary_reason.name if post.primary_reason else "",
            post.revenue_at_risk,
            post.corroboration_count,
            post.fix_id,
        ]


FIX_HEADER = [
    "id",
    "title",
    "owner_team",
    "priority",
    "status",
    "created_at_utc",
    "acknowledged_at_utc",
    "due_at_utc",
    "resolved_at_utc",
    "verified_at_utc",
    "closed_at_utc",
    "overdue_now",
    "resolved_on_time",
    "days_to_resolve",
    "reopen_count",
    "recurrence_count",
    # In the reporting currency at this month's rates; the amounts by original currency beside
    # it ("EUR 423000.00; USD 5000.00"), and what could not be converted.
    "revenue_at_risk",
    "reporting_currency",
    "revenue_incomplete",
    "revenue_by_currency",
    "root_cause",
    "prevention",
]


def fix_rows(query: sa.Select, now: datetime) -> Iterator[list]:
    """The fixes of ``query`` (a ``select(Fix)`` already joined to its owner team)."""
    cause = aliased(TaxonomyTerm)
    rows = db.session.execute(
        query.with_only_columns(Fix, Team.name, cause.name)
        .outerjoin(cause, Fix.root_cause_id == cause.id)
        .order_by(Fix.id)
        .execution_options(yield_per=CHUNK)
    )
    convert = Converter({month_of(now)})
    for batch in rows.partitions(CHUNK):
        per_fix = revenue.of_fixes(fix.id for fix, _, _ in batch)
        for fix, team, root_cause in batch:
            yield _fix_row(fix, team, root_cause, now, convert(per_fix[fix.id], month_of(now)))


def _fix_row(fix: Fix, team: str, root_cause: str | None, now: datetime, money) -> list:
    resolved = fix.status in {"resolved", "verified"} and fix.resolved_at is not None
    return [
        fix.id,
        fix.title,
        team,
        fix.priority,
        fix.status,
        fix.created_at,
        fix.acknowledged_at,
        fix.due_at,
        fix.resolved_at,
        fix.verified_at,
        fix.closed_at,
        "yes" if fix.is_overdue(now) else "no",
        ("yes" if fix.resolved_at <= fix.due_at else "no") if resolved else "",
        f"{(fix.resolved_at - fix.created_at).total_seconds() / 86400:.2f}" if resolved else "",
        fix.reopen_count,
        fix.recurrence_count,
        money.total.amount,
        money.reporting,
        money.note,
        "; ".join(f"{p.original.currency} {p.original.amount}" for p in money.parts),
        root_cause or "",
        fix.prevention,
    ]


HISTORY_HEADER = [
    "fix_id",
    "fix_title",
    "owner_team",
    "seq",
    "at_utc",
    "kind",
    "from",
    "to",
    "by",
    "note",
]


def history_rows(fix_query: sa.Select, start: datetime, end: datetime, viewer: User):
    """History entries written in ``[start, end)`` for the fixes of ``fix_query``.

    An entry made by someone who reported one of the fix's posts under a shield is signed with
    the shield, as the post is (except to that person). The people an entry concerns are named
    as they are called now (``history.shown``).
    """
    actor, from_person, to_person = aliased(User), aliased(User), aliased(User)
    # The people an assignment or an escalation concerns, by the ids it keeps (history.shown).
    details = FixEvent.details
    from_id = details["from_id"].as_integer()
    to_id = sa.case(
        (FixEvent.kind == EventKind.ESCALATED, details["to_user_id"].as_integer()),
        else_=details["to_id"].as_integer(),
    )
    shields = fix_shields()  # who reported each fix under a shield: once, not per entry
    fixes = fix_query.with_only_columns(Fix.id, Fix.title, Team.name.label("team")).subquery()
    query = (
        sa.select(
            FixEvent.fix_id,
            fixes.c.title,
            fixes.c.team,
            FixEvent.seq,
            FixEvent.at,
            FixEvent.kind,
            FixEvent.from_value,
            FixEvent.to_value,
            FixEvent.actor_id,
            actor.display_name,
            shields.c.author_id.label("shielded"),
            shields.c.region,
            shields.c.reps,
            FixEvent.note,
            from_person.display_name,
            to_person.display_name,
        )
        .join(fixes, fixes.c.id == FixEvent.fix_id)
        .outerjoin(actor, actor.id == FixEvent.actor_id)
        .outerjoin(
            from_person,
            sa.and_(FixEvent.kind == EventKind.ASSIGNED, from_person.id == from_id),
        )
        .outerjoin(
            to_person,
            sa.and_(FixEvent.kind.in_(list(history.PERSON_KEYS)), to_person.id == to_id),
        )
        .outerjoin(
            shields,
            sa.and_(shields.c.fix_id == FixEvent.fix_id, shields.c.author_id == FixEvent.actor_id),
        )
        .where(in_range(FixEvent.at, start, end))
        .order_by(FixEvent.at, FixEvent.id)
        .execution_options(yield_per=CHUNK * 4)
    )
    for row in db.session.execute(query):
        (fix_id, title, team, seq, at, kind, frm, to, actor_id, name, shielded, *rest) = row
        *shield, note, from_name, to_name = rest
        people = {"from_id": from_name, "to_id": to_name, "to_user_id": to_name}
        said = history.shown(kind, frm, to, note, people.get)
        if actor_id is None:
            by = "Voice of Sales (automatic)"
        elif shielded is not None and actor_id != viewer.id:
            by = region_shield(*shield)
        else:
            by = name
        yield [fix_id, title, team, seq, at, kind, said.from_value, said.to_value, by, said.note]
