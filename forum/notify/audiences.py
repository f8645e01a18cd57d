"""Who is concerned by a report or a fix: the people the receivers tell (read-only queries)."""

import sqlalchemy as sa

from forum.auth.models import User
from forum.auth.permissions import role_filter
from forum.extensions import db
from forum.feedback.models import Corroboration, Post
from forum.feedback.shielding import shielded_on_fix
from forum.fixes.models import Fix
from forum.notify.services import link


def users(ids) -> list[User]:
    ids = set(ids)
    if not ids:
        return []
    return db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.id)).all()


def reporters_of_post(post: Post) -> list[User]:
    """The author and everyone who corroborated the post (also those moved to an original)."""
    corroborators = db.session.scalars(
        sa.select(Corroboration.user_id).where(
            sa.or_(Corroboration.post_id == post.id, Corroboration.moved_from_post_id == post.id)
        )
    ).all()
    return users([post.author_id, *corroborators])


def reporters_of_fix(fix: Fix) -> tuple[list[User], set[int]]:
    """Authors and corroborators of the fix's posts, and who of them reported it under a shield
    (also through a report merged into one of them)."""
    authors = db.session.scalars(sa.select(Post.author_id).where(Post.fix_id == fix.id)).all()
    corroborators = db.session.scalars(
        sa.select(Corroboration.user_id)
        .join(Post, Corroboration.post_id == Post.id)
        .where(Post.fix_id == fix.id)
    ).all()
    return users([*authors, *corroborators]), set(shielded_on_fix(fix.id))


def others(users: list[User], actor: User | None) -> list[User]:
    return [u for u in users if actor is None or u.id != actor.id]


def owner_team(fix: Fix) -> list[User]:
    """The owner team's operations members, its lead and the fix's assignee."""
    team = fix.owner_team
    members = db.session.scalars(
        sa.select(User.id).where(User.team_id == team.id, role_filter("notify.team_fixes"))
    ).all()
    extra = [i for i in (team.lead_id, fix.assignee_id) if i]
    return users([*members, *extra])


def fix_path(fix: Fix) -> str:
    return link("fixes.detail", fix_id=fix.id)


def post_path(post: Post) -> str:
    return link("feedback.detail", post_id=post.id)
