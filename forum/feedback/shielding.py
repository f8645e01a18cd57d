"""Shielded posting: who may know who wrote a post, and what everyone else sees instead.

Leaders and admins also see the shield until they reveal the author (audited), so the name
only ever reaches a page through ``reveal_author``.

On a fix, the shield follows the person, not the link: whoever reported the problem under a
shield — in a report linked to the fix, or in one merged as a duplicate into such a report —
wears the shield on everything they do on the fix (``fix_shields``).
"""

from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from forum.auth.models import Team, User
from forum.extensions import db
from forum.feedback.models import Post

NO_REGION = "no region"


def can_see_author(viewer: User | None, post: Post) -> bool:
    """Only the author sees their own name on a shielded post."""
    return not post.shielded or (viewer is not None and viewer.id == post.author_id)


def shield_label(post: Post) -> str:
    region = post.region
    return region_shield(region.name if region else None, region.active_reps if region else 0)


def region_shield(region: str | None, reps: int) -> str:
    """The label a shielded author wears: their report's region (of ``reps`` active reps), never
    their name — and not the region either when it has fewer than ``SHIELD_MIN_REGION_REPS``."""
    if region is None:
        return f"A verified rep ({NO_REGION})"
    if reps < current_app.config["SHIELD_MIN_REGION_REPS"]:
        return "A verified rep"
    return f"A verified rep ({region})"


def fix_reports(one_fix: bool = False) -> sa.CTE:
    """``(fix_id, post_id)``: every report linked to a fix (with ``one_fix``, only those of the
    fix bound as ``shield_fix_id``), and every report merged as a duplicate into one of those,
    at any depth."""
    anchor = sa.select(Post.fix_id.label("fix_id"), Post.id.label("post_id")).where(
        Post.fix_id == sa.bindparam("shield_fix_id") if one_fix else Post.fix_id.is_not(None)
    )
    reports = anchor.cte("fix_reports", recursive=True)
    duplicate = aliased(Post)
    return reports.union_all(
        sa.select(reports.c.fix_id, duplicate.id).join(
            duplicate, duplicate.duplicate_of_id == reports.c.post_id
        )
    )


# Built once: making these statements (a recursive CTE, an aliased team with its column
# property) costs milliseconds, and they are asked for on every fix page and every move.
@cache
def _fix_shields(one_fix: bool) -> sa.Subquery:
    reports = fix_reports(one_fix)
    shielded = (
        sa.select(
            reports.c.fix_id,
            Post.author_id,
            sa.func.min(Post.region_id).label("region_id"),
        )
        .join(Post, Post.id == reports.c.post_id)
        .where(Post.shielded.is_(True))
        .group_by(reports.c.fix_id, Post.author_id)
        .subquery()
    )
    region = aliased(Team)
    return (
        sa.select(
            shielded.c.fix_id,
            shielded.c.author_id,
            region.name.label("region"),
            sa.func.coalesce(region.active_reps, 0).label("reps"),
        )
        .outerjoin(region, region.id == shielded.c.region_id)
        .subquery("fix_shields")
    )


def fix_shields() -> sa.Subquery:
    """``(fix_id, author_id, region, reps)``: who reported each fix under a shield (see
    ``fix_reports``), the region of their label and its active reps — one row per person and
    fix."""
    return _fix_shields(False)


@cache
def _shields_of_one_fix() -> sa.Select:
    shields = _fix_shields(True)
    return sa.select(shields.c.author_id, shields.c.region, shields.c.reps)


def shielded_on_fix(fix_id: int) -> dict[int, str]:
    """``{person id: their shield label}`` for everyone who reported this fix under a shield."""
    return {
        author_id: region_shield(region, reps)
        for author_id, region, reps in db.session.execute(
            _shields_of_one_fix(), {"shield_fix_id": fix_id}
        )
    }


def author_label(viewer: User | None, post: Post) -> str:
    """The author's display name, or the shield label."""
    if can_see_author(viewer, post):
        return post.author.display_name
    return shield_label(post)


def person_label(viewer: User | None, post: Post, person_id: int, name: str) -> str:
    """A name shown next to something on ``post`` (a comment, an edit, a file) by ``person_id``.

    The shielded author's own comments and edits wear the shield too.
    """
    if person_id == post.author_id and not can_see_author(viewer, post):
        return shield_label(post)
    return name
