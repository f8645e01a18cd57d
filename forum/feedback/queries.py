"""Read-side queries for posts: the feed with filters, sorts and keyset pagination, the post
page's discussion, and the choices the report forms offer.

Every list runs a fixed number of statements: one for the page (with its joins and counts) and
one for the tags of the posts on it, however many posts are shown.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from math import ceil

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from forum.auth.models import Team, TeamKind, User
from forum.auth.permissions import can
from forum.catalog.models import Commitment
from forum.core.pagination import Page
from forum.core.params import MAX_INT, BadFilter, to_id
from forum.core.rates import Converter, in_reporting_sql, month_of
from forum.core.time import as_utc, utcnow
from forum.extensions import db
from forum.feedback.models import (
    Comment,
    Corroboration,
    Follow,
    Outcome,
    Post,
    PostKind,
    PostRevision,
    PostStatus,
)
from forum.feedback.shielding import person_label
from forum.taxonomy.models import Tag, TaxonomyKind, TaxonomyTerm

PAGE_SIZE = 25
MAX_AMOUNT = Decimal("1e24")  # 10^12 in a currency at a rate of up to 10^9, and then some
SORTS = {
    "newest": (Post.created_at, "Newest first"),
    "corroborated": (Post.corroboration_count, "Most corroborated"),
    "risk": (None, "Revenue at risk"),  # in the reporting currency: ``at_risk_key``
}


def at_risk_key(month: str | None = None):
    """A report's revenue at risk with its "me too"s (``Post.at_risk_by_currency``) in the
    reporting currency at ``month``'s rates (this month by default), as a SQL expression:
    what every "most revenue at risk" order sorts by, never the raw amounts of different
    currencies. Reads the reporting currency and the rates (two statements)."""
    month = month or month_of(utcnow())
    return in_reporting_sql(
        lambda c: Post.at_risk_by_currency[c].as_numeric(14, 2), Converter({month}), month
    )


def has_revenue_at_risk():
    """A report has revenue at risk when any amount, its own or a "me too"'s, in any currency,
    is: ``Post.at_risk_by_currency`` keeps only the amounts that are not zero, so it is not
    empty. (``Post.total_at_risk`` is the amount in the report's own currency only.)"""
    stored = sa.func.coalesce(sa.cast(Post.at_risk_by_currency, sa.Text), "{}")
    return stored.not_in(["{}", "null"])


def sort_column(sort: str):
    """The column (or expression) the feed orders by for ``sort``."""
    return at_risk_key() if sort == "risk" else SORTS[sort][0]


@dataclass
class FeedFilter:
    kind: str = ""
    outcome: str = ""
    status: str = ""
    team: int | None = None
    region: int | None = None
    account: int | None = None
    author: int | None = None
    tag: str = ""
    sort: str = "newest"

    @classmethod
    def from_args(cls, args: MultiDict) -> "FeedFilter":
        f = cls()
        f.kind = _choice(args.get("kind", ""), {k.value for k in PostKind})
        f.outcome = _choice(args.get("outcome", ""), {o.value for o in Outcome})
        f.status = _choice(args.get("status", ""), {s.value for s in PostStatus})
        f.sort = _choice(args.get("sort", "") or "newest", set(SORTS))
        f.team = _int(args.get("team"))
        f.region = _int(args.get("region"))
        f.account = _int(args.get("account"))
        f.author = _int(args.get("author"))
        f.tag = (args.get("tag") or "").strip()[:40]
        return f

    def as_args(self) -> dict:
        return {
            k: v
            for k, v in self.__dict__.items()
            if v not in ("", None) and not (k == "sort" and v == "newest")
        }


def visible_post_or_404(post_id: int, viewer: User, *, whole: bool = False) -> Post:
    """The post, or 404: the same answer for a missing post and one the viewer may not see.
    ``whole``: with everything its page shows (account, team, tags, files) in one statement."""
    options = [joinedload(Post.author), joinedload(Post.region)]
    if whole:
        options += [
            joinedload(Post.account),
            joinedload(Post.team),
            joinedload(Post.tags),
            joinedload(Post.attachments),
        ]
    post = db.session.get(Post, post_id, options=options)
    if post is None or not can(viewer, "post.view", post):
        abort(404)
    return post


def _choice(value: str, allowed: set[str]) -> str:
    if value and value not in allowed:
        raise BadFilter(f"That filter cannot be used: unknown value {value[:40]!r}.")
    return value


def _int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return to_id(value)
    except ValueError:
        raise BadFilter("That filter cannot be used: ids are positive whole numbers.") from None


def encode_cursor(post: Post, sort: str, key=None) -> str:
    """The cursor after ``post``; ``key`` is its value of the sort expression (the "risk"
    order's, which is computed, not a column)."""
    value = {
        "newest": lambda p: as_utc(p.created_at).isoformat(),
        "corroborated": lambda p: p.corroboration_count,
        "risk": lambda p: str(key or 0),
    }[sort](post)
    raw = json.dumps([value, post.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str):
    """The (sort value, id) a cursor carries; anything the database could choke on is refused."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, ident = json.loads(raw)
        if type(ident) is not int or not 0 <= ident <= MAX_INT:
            raise ValueError
        if sort == "newest":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError
            value = as_utc(value)  # OverflowError at the ends of the calendar
        elif sort == "corroborated":
            if type(value) is not int or not 0 <= value <= MAX_INT:
                raise ValueError
        else:
            value = Decimal(value)
            if not value.is_finite() or abs(value) > MAX_AMOUNT:
                raise ValueError
        return value, ident
    except (
        ValueError,
        TypeError,
        OverflowError,
        InvalidOperation,
        json.JSONDecodeError,
        UnicodeDecodeError,
    ):
        raise BadFilter("That filter cannot be used: the page link is damaged.") from None


# fixes/ owns the fixes table; the feed only needs each linked fix's status, so it names the
# table and column here instead of importing a domain that stands above it.
_fixes = sa.table("fixes", sa.column("id", sa.Integer), sa.column("status", sa.String))


def fix_status():
    """A correlated subquery: the status of the fix a post is linked to (or NULL)."""
    return (
        sa.select(_fixes.c.status)
        .where(_fixes.c.id == Post.fix_id)
        .correlate(Post)
        .scalar_subquery()
    )


def comment_count(viewer: User):
    """A correlated count of the comments ``viewer`` may see on each post."""
    query = sa.select(sa.func.count(Comment.id)).where(Comment.post_id == Post.id)
    if not can(viewer, "post.internal_note"):
        query = query.where(Comment.internal.is_(False))
    return query.correlate(Post).scalar_subquery()


def feed_query(f: FeedFilter, viewer: User) -> sa.Select:
    query = sa.select(
        Post, comment_count(viewer).label("comments"), fix_status().label("fix_status")
    ).options(
        joinedload(Post.author),
        joinedload(Post.region),
        joinedload(Post.team),
        joinedload(Post.account),
        joinedload(Post.competitor),  # shown by the API
        selectinload(Post.tags),
    )
    if f.kind:
        query = query.where(Post.kind == f.kind)
    if f.outcome:
        query = query.where(Post.outcome == f.outcome)
    if f.status:
        query = query.where(Post.status == f.status)
    if f.team:
        query = query.where(Post.team_id == f.team)
    if f.region:
        query = query.where(Post.region_id == f.region)
    if f.account:
        query = query.where(Post.account_id == f.account)
    if f.author:
        # Filtering by author never finds shielded posts, except one's own.
        query = query.where(Post.author_id == f.author)
        if f.author != viewer.id:
            query = query.where(Post.shielded.is_(False))
    if f.tag:
        query = query.where(Post.tags.any(Tag.name == f.tag))
    return query


def feed_page(f: FeedFilter, viewer: User, cursor: str | None = None, size: int = PAGE_SIZE):
    """One page of the feed and the cursor of the next page (None at the end)."""
    column = sort_column(f.sort)
    query = feed_query(f, viewer).add_columns(column.label("sort_key"))
    query = query.order_by(column.desc(), Post.id.desc())
    if cursor:
        value, ident = decode_cursor(cursor, f.sort)
        query = query.where(
            sa.tuple_(column, Post.id) < sa.tuple_(sa.literal(value, column.type), ident)
        )
    rows = db.session.execute(query.limit(size + 1)).unique().all()
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor(rows[-1][0], f.sort, rows[-1][-1]) if more and rows else None
    return [tuple(row[:-1]) for row in rows], next_cursor


def team_choices(kind: PostKind) -> list[tuple]:
    """The teams a report of ``kind`` may name (operations teams for a broken promise)."""
    query = sa.select(Team).order_by(Team.name)
    if kind == PostKind.BROKEN_PROMISE:
        query = query.where(Team.kind == TeamKind.OPERATIONS)
        blank = "— choose the team —"
    else:
        blank = "— any team —"
    return [("", blank)] + [(t.id, t.name) for t in db.session.scalars(query)]


def term_choices(kind: TaxonomyKind) -> list[tuple[int, str]]:
    """The active terms of ``kind`` (reasons named with their branch)."""
    terms = db.session.scalars(
        sa.select(TaxonomyTerm)
        .where(TaxonomyTerm.kind == kind, TaxonomyTerm.active.is_(True))
        .order_by(TaxonomyTerm.branch, TaxonomyTerm.name)
    ).all()
    if kind == TaxonomyKind.REASON:
        return [(t.id, f"{t.branch_label}: {t.name}") for t in terms]
    return [(t.id, t.name) for t in terms]


def commitment_choices() -> list[tuple]:
    """The active catalog commitments, named with their team."""
    entries = db.session.execute(
        sa.select(Commitment.id, Commitment.title, Team.name)
        .join(Team, Commitment.team_id == Team.id)
        .where(Commitment.active.is_(True))
        .order_by(Team.name, Commitment.title)
    ).all()
    return [("", "— none —")] + [(i, f"{team}: {title}") for i, title, team in entries]


def filter_options() -> dict:
    """The feed's filter choices: kinds, statuses, operations teams and sales regions."""
    teams = db.session.execute(sa.select(Team.id, Team.name, Team.kind).order_by(Team.name)).all()
    return {
        "kinds": PostKind,
        "statuses": PostStatus,
        "teams": [(i, n) for i, n, k in teams if k == TeamKind.OPERATIONS],
        "regions": [(i, n) for i, n, k in teams if k == TeamKind.SALES],
    }


def my_reports(user: User) -> list[sa.Row]:
    """The user's reports, newest first, each with its fix's status."""
    return db.session.execute(
        sa.select(Post, fix_status().label("fix_status"))
        .where(Post.author_id == user.id)
        .options(joinedload(Post.account), joinedload(Post.duplicate_of))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(200)
    ).all()


def visible_comment_or_404(post: Post, comment_id: int, viewer: User) -> Comment:
    """A comment of ``post``, or 404 (also for an internal note the viewer may not read)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.post_id != post.id:
        abort(404)
    if comment.internal and not can(viewer, "post.internal_note"):
        abort(404)
    return comment


COMMENTS_PER_PAGE = 20


@dataclass
class PostPage:
    """A post's discussion (one page of it), corroborations and revisions, as one viewer may
    see them."""

    comments: list[Comment]
    corroborations: list[Corroboration]
    revisions: list[PostRevision]
    following: bool
    mine: Corroboration | None
    sources: dict[int, Post]  # the merged duplicates some corroborations moved from
    comment_page: Page  # which page of the discussion ``comments`` is (items left empty)


def _visible_comments(post: Post, viewer: User) -> list:
    where = [Comment.post_id == post.id]
    if not can(viewer, "post.internal_note"):
        where.append(Comment.internal.is_(False))
    return where


def all_comments(post: Post, viewer: User) -> list[Comment]:
    """Every comment of ``post`` the viewer may read, oldest first (the API's list)."""
    return (
        db.session.scalars(
            sa.select(Comment)
            .where(*_visible_comments(post, viewer))
            .options(joinedload(Comment.author))
            .order_by(Comment.id)
        )
        .unique()
        .all()
    )


def post_page(
    post: Post, viewer: User, *, page: int | None = None, comment_id: int | None = None
) -> PostPage:
    """What the post page shows besides the post and its forms: one page of the discussion,
    oldest first within it — the newest page unless ``page`` is given, or the page holding
    ``comment_id`` (a link to one comment). A page past the end is a 404 (except page 1).

    A fixed number of statements whatever the thread's length: its size, the viewer's follow
    and the linked comment's position in one, then the page's comments and their revisions."""
    where = _visible_comments(post, viewer)
    counted = sa.select(sa.func.count(Comment.id)).where(*where).scalar_subquery()
    follows = sa.exists().where(Follow.post_id == post.id, Follow.user_id == viewer.id)
    before = (
        sa.select(sa.func.count(Comment.id)).where(*where, Comment.id <= comment_id)
        if comment_id is not None
        else sa.select(sa.literal(0))
    ).scalar_subquery()
    total, following, position = db.session.execute(sa.select(counted, follows, before)).one()
    pages = max(1, ceil(total / COMMENTS_PER_PAGE))
    if comment_id is not None and position:
        page = ceil(position / COMMENTS_PER_PAGE)
    if page is None:
        page = pages
    if page > pages:
        abort(404)
    comments = (
        db.session.scalars(
            sa.select(Comment)
            .where(*where)
            .options(joinedload(Comment.author), selectinload(Comment.revisions))
            .order_by(Comment.id)
            .limit(COMMENTS_PER_PAGE)
            .offset((page - 1) * COMMENTS_PER_PAGE)
        )
        .unique()
        .all()
        if total
        else []
    )
    corroborations = db.session.scalars(
        sa.select(Corroboration)
        .where(Corroboration.post_id == post.id)
        .options(
            joinedload(Corroboration.user),
            joinedload(Corroboration.account),
            joinedload(Corroboration.moved_from),
        )
        .order_by(Corroboration.id)
    ).all()
    revisions = db.session.scalars(
        sa.select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id)
    ).all()
    mine = next((c for c in corroborations if c.user_id == viewer.id), None)
    # A merged duplicate's reporter counts as a "me too" here; if they shielded that report,
    # their name stays behind the shield (the note names the duplicate).
    sources = {c.moved_from.id: c.moved_from for c in corroborations if c.moved_from}
    return PostPage(
        comments,
        corroborations,
        revisions,
        bool(following),
        mine,
        sources,
        Page([], page, COMMENTS_PER_PAGE, total),
    )


def corroborator_label(viewer: User, corroboration: Corroboration, source: Post | None) -> str:
    """The corroborator's name, behind the shield of the duplicate it moved from if any."""
    name = corroboration.user.display_name
    if source is None:
        return name
    return person_label(viewer, source, corroboration.user_id, name)
