"""Read models for the triage inbox: filters, sorts, one page of reports and their flags.

The page runs a fixed number of statements whatever the number of reports: the page and its
count, the duplicate and recurrence flags of every listed report (one statement each, through
``search.similar_many``), the reports waiting on their reporter and the filters' choices. With
the flags filter, the flags of every report matching the other filters are computed first
(one more statement), so the filter and the pages agree.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from forum import search
from forum.accounts.models import Account
from forum.auth.models import Team, TeamKind, User
from forum.core.pagination import paginate
from forum.core.params import BadFilter, page_arg, to_id
from forum.extensions import db
from forum.feedback.models import Post, PostKind, PostStatus
from forum.feedback.queries import at_risk_key, has_revenue_at_risk
from forum.fixes.models import Fix, FixStatus

PAGE_SIZE = 25
RECURRENCE_WINDOW = timedelta(days=90)
SIMILAR_SHOWN = 3

SORTS = {
    "newest": ("Newest first", (Post.created_at.desc(), Post.id.desc())),
    "oldest": ("Oldest first", (Post.created_at, Post.id)),
    # in the reporting currency (``order_for``), never raw amounts across currencies
    "revenue": ("Most revenue at risk", None),
    "impact": (
        "Highest impact",
        (sa.func.coalesce(Post.impact, 0).desc(), Post.created_at.desc()),
    ),
    "metoo": ("Most “me too”s", (Post.corroboration_count.desc(), Post.created_at.desc())),
}
AGES = {
    "within": "Within the triage target",
    "past": "Past the triage target",
    "week": "More than a week old",
}
FLAGS = {
    "any": "Any flag",
    "recurrence": "Possible recurrence",
    "duplicate": "Similar reports",
    "none": "No flag",
}
IMPACTS = {"1": "1 or more", "2": "2 or more", "3": "3 or more", "4": "4 (severe)"}
YES = {"1": "Yes"}


def _choice(args: MultiDict, name: str, allowed) -> str:
    value = args.get(name, "")
    if value and value not in allowed:
        raise BadFilter(f"That filter cannot be used: unknown value for “{name}”.")
    return value


def _id(args: MultiDict, name: str) -> int | None:
    value = args.get(name, "")
    if value == "":
        return None
    try:
        return to_id(value)
    except ValueError:
        raise BadFilter(f"That filter cannot be used: “{name}” must be a record number.") from None


@dataclass
class InboxFilter:
    """What the leader asked the inbox for; every value checked (``BadFilter``: 400)."""

    kind: str = ""
    team: int | None = None
    region: int | None = None
    account: int | None = None
    impact: str = ""
    age: str = ""
    flags: str = ""
    revenue: str = ""
    competitor: str = ""
    sort: str = "newest"

    @classmethod
    def from_args(cls, args: MultiDict) -> "InboxFilter":
        return cls(
            kind=_choice(args, "kind", {k.value for k in PostKind}),
            team=_id(args, "team"),
            region=_id(args, "region"),
            account=_id(args, "account"),
            impact=_choice(args, "impact", IMPACTS),
            age=_choice(args, "age", AGES),
            flags=_choice(args, "flags", FLAGS),
            revenue=_choice(args, "revenue", YES),
            competitor=_choice(args, "competitor", YES),
            sort=_choice(args, "sort", SORTS) or "newest",
        )

    @property
    def active(self) -> bool:
        return any(v not in ("", None) for k, v in self.__dict__.items() if k != "sort")

    def args(self) -> dict:
        """The query-string arguments that give this view again (defaults left out)."""
        kept = {k: v for k, v in self.__dict__.items() if v not in ("", None)}
        if kept.get("sort") == "newest":
            del kept["sort"]
        return kept


@dataclass
class Flags:
    """What a report resembles: ids of similar older-or-newer reports and of fixes verified
    lately (a possible recurrence)."""

    duplicates: list[int] = field(default_factory=list)
    recurrences: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.duplicates or self.recurrences)


def _not_duplicate(post_id):
    return sa.exists().where(Post.id == post_id, Post.status != PostStatus.DUPLICATE)


def _verified_since(since: datetime):
    def scope(fix_id):
        return sa.exists().where(
            Fix.id == fix_id, Fix.status == FixStatus.VERIFIED, Fix.verified_at >= since
        )

    return scope


def flags_for(titles: dict[int, str], now: datetime) -> dict[int, Flags]:
    """The flags of each report (id → title): two statements, whatever their number."""
    if not titles:
        return {}
    duplicates = search.similar_many(
        titles, "post", limit=SIMILAR_SHOWN, scope=_not_duplicate, exclude_self=True
    )
    recurrences = search.similar_many(
        titles, "fix", limit=SIMILAR_SHOWN, scope=_verified_since(now - RECURRENCE_WINDOW)
    )
    return {i: Flags(duplicates.get(i, []), recurrences.get(i, [])) for i in titles}


def _matching(f: InboxFilter, now: datetime, target: timedelta) -> sa.Select:
    query = sa.select(Post).where(Post.status == PostStatus.NEW)
    if f.kind:
        query = query.where(Post.kind == f.kind)
    if f.team is not None:
        query = query.where(Post.team_id == f.team)
    if f.region is not None:
        query = query.where(Post.region_id == f.region)
    if f.account is not None:
        query = query.where(Post.account_id == f.account)
    if f.impact:
        query = query.where(Post.impact >= int(f.impact))
    if f.age == "within":
        query = query.where(Post.created_at >= now - target)
    elif f.age == "past":
        query = query.where(Post.created_at < now - target)
    elif f.age == "week":
        query = query.where(Post.created_at < now - timedelta(days=7))
    if f.revenue:
        query = query.where(has_revenue_at_risk())
    if f.competitor:
        query = query.where(Post.competitor_id.is_not(None))
    return query


def _flag_wanted(f: InboxFilter, flags: Flags) -> bool:
    return {
        "any": bool(flags),
        "recurrence": bool(flags.recurrences),
        "duplicate": bool(flags.duplicates),
        "none": not flags,
    }[f.flags]


@dataclass
class Inbox:
    page: object  # flask_sqlalchemy Pagination of Post
    flags: dict[int, Flags]
    waiting: list[Post]
    ops_teams: list[tuple[int, str]]
    regions: list[tuple[int, str]]
    accounts: list[tuple[int, str]]


def order_for(sort: str) -> tuple:
    """The ORDER BY of ``sort``; "revenue" orders by the report's revenue at risk with its "me
    too"s in the reporting currency at this month's rates (two statements for the rates)."""
    if sort == "revenue":
        return (at_risk_key().desc(), Post.created_at.desc(), Post.id.desc())
    return SORTS[sort][1]


def inbox(f: InboxFilter, now: datetime, target: timedelta) -> Inbox:
    """One page of untriaged reports matching ``f``, their flags, and the filters' choices."""
    query = _matching(f, now, target)
    flags: dict[int, Flags] = {}
    wanted: list[int] | None = None
    if f.flags:
        rows = db.session.execute(query.with_only_columns(Post.id, Post.title).order_by(None)).all()
        flags = flags_for({r.id: r.title for r in rows}, now)
        wanted = [i for i, fl in flags.items() if _flag_wanted(f, fl)]
        query = query.where(Post.id.in_(wanted))
    query = query.options(
        joinedload(Post.author),
        joinedload(Post.region),
        joinedload(Post.team),
        joinedload(Post.account),
    ).order_by(*order_for(f.sort))
    if wanted is None:
        page = paginate(query, per_page=PAGE_SIZE)
    else:
        # The flagged reports are already counted: no second count.
        page = db.paginate(query, page=page_arg(), per_page=PAGE_SIZE, count=False)
        page.total = len(wanted)
    if wanted is None:
        flags = flags_for({p.id: p.title for p in page.items}, now)
    waiting = db.session.scalars(
        sa.select(Post)
        .where(Post.status == PostStatus.NEEDS_INFO)
        .order_by(Post.created_at)
        .limit(100)
    ).all()
    teams = db.session.execute(sa.select(Team.id, Team.name, Team.kind).order_by(Team.name)).all()
    accounts = db.session.execute(
        sa.select(Account.id, Account.name)
        .where(sa.exists().where(Post.account_id == Account.id, Post.status == PostStatus.NEW))
        .order_by(Account.name)
    ).all()
    return Inbox(
        page,
        flags,
        waiting,
        ops_teams=[(t.id, t.name) for t in teams if t.kind == TeamKind.OPERATIONS],
        regions=[(t.id, t.name) for t in teams if t.kind == TeamKind.SALES],
        accounts=[(a.id, a.name) for a in accounts],
    )


def assignee_choices() -> dict[str, list[tuple[int, str]]]:
    """The active members of every operations team, grouped by team name (one statement)."""
    grouped: dict[str, list[tuple[int, str]]] = {}
    rows = db.session.execute(
        sa.select(Team.name, User.id, User.display_name)
        .join(User, User.team_id == Team.id)
        .where(Team.kind == TeamKind.OPERATIONS, User.active.is_(True))
        .order_by(Team.name, User.display_name)
    )
    for team, user_id, name in rows:
        grouped.setdefault(team, []).append((user_id, name))
    return grouped
