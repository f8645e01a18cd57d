"""Posts resembling a title, found by the search engine (``forum.search.similar``).

Search stands below feedback and never imports it; feedback asks the engine for candidate ids,
saying which posts may be candidates (not duplicates, not the post itself), and loads them.
"""

import sqlalchemy as sa

from forum import search
from forum.extensions import db
from forum.feedback.models import Post, PostStatus


def _not_duplicate(post_id):
    return sa.exists().where(Post.id == post_id, Post.status != PostStatus.DUPLICATE)


def similar_posts(
    title: str, limit: int = 5, exclude_id: int | None = None, *, typing: bool = False
) -> list[Post]:
    """Posts whose titles share the most words with ``title``; duplicates are left out.

    ``typing``: the title is still being typed, so its last word may be unfinished.
    """
    ids = search.similar(
        title,
        "post",
        limit=limit,
        scope=_not_duplicate,
        exclude_id=exclude_id,
        prefix_last=typing,
    )
    if not ids:
        return []
    posts = {p.id: p for p in db.session.scalars(sa.select(Post).where(Post.id.in_(ids)))}
    return [posts[i] for i in ids if i in posts]
