"""What the database and UPLOAD_DIR hold after a fault: reports, their attachment rows, the
files — and the checks that nothing is stored half-way."""

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from forum.core.files import NAME_RE, TEMP_RE
from forum.extensions import db
from forum.feedback.models import Attachment, Post
from forum.search.models import SearchDocument


@dataclass
class Stored:
    posts: dict[str, int]  # title: id
    attachments: dict[str, tuple[int, int]]  # stored name: (post id, size)
    per_post: dict[int, int]  # post id: number of attachments
    indexed: set[int]  # post ids with a search document (written in the post's transaction)
    finals: set[str]  # files under their final name
    temps: set[str]  # the final names of .tmp- files

    def half_stored(self) -> list[str]:
        """Reports without their one attachment row or their search document, rows without
        their file (under its final name or, when the server died between commit and rename,
        its temporary one)."""
        problems = [
            f"post {post_id} has {self.per_post.get(post_id, 0)} attachments"
            for post_id in self.posts.values()
            if self.per_post.get(post_id, 0) != 1
        ]
        problems += [
            f"post {post_id} is not in the search index"
            for post_id in set(self.posts.values()) - self.indexed
        ]
        problems += [
            f"attachment {name} of post {post_id} has no file"
            for name, (post_id, _) in self.attachments.items()
            if name not in self.finals | self.temps
        ]
        return problems

    def orphans(self) -> set[str]:
        """Files under a final name that no attachment row names."""
        return self.finals - set(self.attachments)


def stored(app, folder: Path) -> Stored:
    """A snapshot read through ``app`` (its own connection) and the files of ``folder``."""
    with app.app_context():
        posts = dict(db.session.execute(sa.select(Post.title, Post.id)).all())
        rows = db.session.execute(
            sa.select(Attachment.stored_name, Attachment.post_id, Attachment.size)
        ).all()
        indexed = set(
            db.session.scalars(
                sa.select(SearchDocument.source_id).where(SearchDocument.kind == "post")
            )
        )
        db.session.rollback()
    per_post: dict[int, int] = {}
    for _, post_id, _ in rows:
        per_post[post_id] = per_post.get(post_id, 0) + 1
    names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    return Stored(
        posts=posts,
        attachments={name: (post_id, size) for name, post_id, size in rows},
        per_post=per_post,
        indexed=indexed,
        finals={n for n in names if NAME_RE.fullmatch(n)},
        temps={m.group(1) for n in names if (m := TEMP_RE.fullmatch(n))},
    )
