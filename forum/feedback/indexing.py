"""What search indexes about posts, and which changes refresh it.

A post's document: its title; its body and, for broken promises, what was promised; and
"extra" fields — the account's name and CRM id, the CRM opportunity id, tags, and the author's
name unless the post is shielded (so nobody, leaders included, finds a shielded post by its
author). A comment's document leads to its post and is restricted when it is an internal note.
"""

from collections import defaultdict

import sqlalchemy as sa

from forum import search
from forum.accounts.models import Account
from forum.auth.models import User
from forum.feedback.models import Comment, Post, post_tags
from forum.taxonomy.models import Tag

EXTRA_SEPARATOR = " · "


def post_documents(connection, ids: list[int]) -> list[search.Document]:
    rows = connection.execute(
        sa.select(
            Post.id,
            Post.title,
            Post.body,
            Post.promised,
            Post.shielded,
            Post.crm_opportunity_id,
            Account.name.label("account_name"),
            Account.crm_id,
            User.display_name,
        )
        .select_from(Post)
        .join(User, User.id == Post.author_id)
        .outerjoin(Account, Account.id == Post.account_id)
        .where(Post.id.in_(ids))
    ).all()
    tags = defaultdict(list)
    for post_id, name in connection.execute(
        sa.select(post_tags.c.post_id, Tag.name)
        .join(Tag, Tag.id == post_tags.c.tag_id)
        .where(post_tags.c.post_id.in_(ids))
        .order_by(Tag.name)
    ):
        tags[post_id].append(name)
    docs = []
    for r in rows:
        extra = [r.account_name, r.crm_id, r.crm_opportunity_id, *tags[r.id]]
        if not r.shielded:
            extra.append(r.display_name)
        docs.append(
            search.Document(
                kind="post",
                source_id=r.id,
                target="post",
                target_id=r.id,
                title=r.title,
                body="\n\n".join(t for t in (r.body, r.promised) if t),
                extra=EXTRA_SEPARATOR.join(t for t in extra if t),
            )
        )
    return docs


def comment_documents(connection, ids: list[int]) -> list[search.Document]:
    rows = connection.execute(
        sa.select(Comment.id, Comment.post_id, Comment.body, Comment.internal).where(
            Comment.id.in_(ids)
        )
    )
    return [
        search.Document(
            kind="comment",
            source_id=r.id,
            target="post",
            target_id=r.post_id,
            body=r.body,
            restricted=r.internal,
        )
        for r in rows
    ]


search.register_kind("post", post_documents, sa.select(Post.id))
search.register_kind("comment", comment_documents, sa.select(Comment.id))

POST_FIELDS = (
    "title",
    "body",
    "promised",
    "shielded",
    "crm_opportunity_id",
    "account",
    "account_id",
    "author",
    "author_id",
    "tags",
)
search.follow(
    Post,
    lambda post: [("post", post.id)],
    attrs=POST_FIELDS,
    target=lambda post: ("post", post.id),
)
search.follow(Comment, lambda c: [("comment", c.id)], attrs=("body", "internal", "post_id", "post"))
search.follow(
    Account,
    lambda account: [("post", sa.select(Post.id).where(Post.account_id == account.id))],
    attrs=("name", "crm_id"),
    on_new=False,
)
search.follow(
    User,
    lambda user: [
        ("post", sa.select(Post.id).where(Post.author_id == user.id, Post.shielded.is_(False)))
    ],
    attrs=("display_name",),
    on_new=False,
)
search.follow(
    Tag,
    lambda tag: [("post", sa.select(post_tags.c.post_id).where(post_tags.c.tag_id == tag.id))],
    attrs=("name",),
    on_new=False,
)
