"""Shielded posting: who may know who wrote a post, and what everyone else sees instead.

Leaders and admins also see the shield until they reveal the author (audited), so the name
only ever reaches a page through ``reveal_author``.
"""

from forum.auth.models import User
from forum.feedback.models import Post


def can_see_author(viewer: User | None, post: Post) -> bool:
    """Only the author sees their own name on a shielded post."""
    return not post.shielded or (viewer is not None and viewer.id == post.author_id)


def shield_label(post: Post) -> str:
    region = post.region.name if post.region is not None else "no region"
    return f"A verified rep ({region})"


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
