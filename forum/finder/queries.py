"""Search results for one viewer: filters and permissions as scopes, hits as posts and fixes.

The engine (``forum.search``) knows documents only; here its hits meet the domains. Filters
are the feed's (kind, status, team, account) plus a period; each becomes a condition on the
target, so ranking and paging happen after filtering, in the database.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from forum import search
from forum.auth.models import Team, TeamKind, User
from forum.auth.permissions import can
from forum.core.pagination import Page
from forum.core.params import BadFilter, to_id
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Post, PostKind, PostStatus
from forum.feedback.shielding import author_label
from forum.fixes.models import Fix, FixStatus
from forum.search.query import MAX_QUERY_CHARS

PER_PAGE = 20
FIX_KIND = "fix"
PERIODS = {
    "7d": (7, "Last 7 days"),
    "30d": (30, "Last 30 days"),
    "90d": (90, "Last 90 days"),
    "365d": (365, "Last 12 months"),
}
POST_STATUSES = frozenset(s.value for s in PostStatus)
FIX_STATUSES = frozenset(s.value for s in FixStatus)


def _choice(value: str, allowed) -> str:
    if value and value not in allowed:
        raise BadFilter(f"That filter cannot be used: unknown value {value[:40]!r}.")
    return value


def _id(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return to_id(value)
    except ValueError:
        raise BadFilter("That filter cannot be used: ids are positive whole numbers.") from None


@dataclass
class SearchFilter:
    """What was typed and which filters apply; unknown filter values are refused (400)."""

    q: str = ""
    kind: str = ""  # a post kind, or "fix"
    status: str = ""  # a post status or a fix status
    team: int | None = None
    account: int | None = None
    period: str = ""

    @classmethod
    def from_args(cls, args: MultiDict) -> "SearchFilter":
        return cls(
            q=" ".join((args.get("q") or "")[:MAX_QUERY_CHARS].split()),
            kind=_choice(args.get("kind", ""), {k.value for k in PostKind} | {FIX_KIND}),
            status=_choice(args.get("status", ""), POST_STATUSES | FIX_STATUSES),
            team=_id(args.get("team")),
            account=_id(args.get("account")),
            period=_choice(args.get("period", ""), PERIODS),
        )

    def as_args(self, **changes) -> dict:
        values = {**self.__dict__, **changes}
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class Result:
    """One line of results: a post or a fix, its highlighted title and snippet."""

    target: str
    item: Post | Fix
    title: Markup
    snippet: Markup
    found_in: str = ""  # "a comment", "an internal note"... when not the item's own text
    author: str = ""  # posts: the author as this viewer may see them


@dataclass
class Outcome:
    query: search.Query
    page: Page
    items: list[Result] = field(default_factory=list)


def _exists(model, conditions):
    if not conditions:
        return None
    return lambda ident: sa.exists().where(model.id == ident, *conditions)


def scopes(f: SearchFilter, now=None) -> dict[str, search.Scope]:
    """Which posts and fixes the filters allow (every viewer may see every post and fix)."""
    since = (now or utcnow()) - timedelta(days=PERIODS[f.period][0]) if f.period else None
    result: dict[str, search.Scope] = {}
    if f.kind != FIX_KIND and f.status not in FIX_STATUSES:
        conditions = []
        if f.kind:
            conditions.append(Post.kind == f.kind)
        if f.status:
            conditions.append(Post.status == f.status)
        if f.team:
            conditions.append(Post.team_id == f.team)
        if f.account:
            conditions.append(Post.account_id == f.account)
        if since:
            conditions.append(Post.created_at >= since)
        result["post"] = _exists(Post, conditions)
    if f.kind in ("", FIX_KIND) and f.status not in POST_STATUSES:
        conditions = []
        if f.status:
            conditions.append(Fix.status == f.status)
        if f.team:
            conditions.append(Fix.owner_team_id == f.team)
        if f.account:
            # A fix is about the accounts of its linked posts.
            conditions.append(
                sa.exists().where(Post.fix_id == Fix.id, Post.account_id == f.account)
            )
        if since:
            conditions.append(Fix.created_at >= since)
        result["fix"] = _exists(Fix, conditions)
    return result


FOUND_IN = {
    ("comment", False): "a comment",
    ("comment", True): "an internal note",
    ("fix_comment", False): "a comment on the fix",
}


def run(f: SearchFilter, viewer: User, page: int = 1, now=None) -> Outcome:
    """One page of results for ``viewer``: internal notes only match for those who may read
    them, and shielded authors appear as the pages show them."""
    results = search.search(
        f.q,
        scopes(f, now),
        include_restricted=can(viewer, "post.internal_note"),
        page=page,
        per_page=PER_PAGE,
    )
    outcome = Outcome(results.query, Page([], page, PER_PAGE, results.total))
    post_ids = [h.target_id for h in results.hits if h.target == "post"]
    fix_ids = [h.target_id for h in results.hits if h.target == FIX_KIND]
    posts = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Post)
            .where(Post.id.in_(post_ids))
            .options(
                joinedload(Post.author),
                joinedload(Post.region),
                joinedload(Post.team),
                joinedload(Post.account),
            )
        )
    }
    fixes = {
        x.id: x
        for x in db.session.scalars(
            sa.select(Fix).where(Fix.id.in_(fix_ids)).options(joinedload(Fix.owner_team))
        )
    }
    for hit in results.hits:
        doc = hit.document
        found_in = FOUND_IN.get((doc.kind, doc.restricted), "")
        if hit.target == "post":
            post = posts.get(hit.target_id)
            if post is None or not can(viewer, "post.view", post):
                continue
            item = Result(
                "post",
                post,
                hit.highlight(post.title),
                hit.snippet,
                found_in,
                author_label(viewer, post),
            )
        else:
            fix = fixes.get(hit.target_id)
            if fix is None or not can(viewer, "fix.view", fix):
                continue
            item = Result(FIX_KIND, fix, hit.highlight(fix.title), hit.snippet, found_in)
        outcome.items.append(item)
    outcome.page.items = outcome.items
    return outcome


def filter_options() -> dict:
    teams = db.session.execute(
        sa.select(Team.id, Team.name).where(Team.kind == TeamKind.OPERATIONS).order_by(Team.name)
    ).all()
    return {
        "kinds": [(k.value, k.label) for k in PostKind] + [(FIX_KIND, "Fixes")],
        "post_statuses": list(PostStatus),
        "fix_statuses": list(FixStatus),
        "teams": teams,
        "periods": [(key, label) for key, (_, label) in PERIODS.items()],
    }
