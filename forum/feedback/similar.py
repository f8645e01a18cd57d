"""Posts resembling a title: word overlap on titles (the search engine refines this later)."""

import re

import sqlalchemy as sa

from forum.extensions import db
from forum.feedback.models import Post, PostStatus

STOPWORDS = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "is",
    "was",
    "are",
    "not",
    "our",
    "we",
    "they",
    "their",
    "it",
    "at",
    "by",
    "from",
    "no",
    "too",
    "as",
    "be",
}


def words(title: str) -> list[str]:
    found = [w for w in re.findall(r"\w{3,}", (title or "").casefold()) if w not in STOPWORDS]
    return list(dict.fromkeys(found))[:8]


def similar_posts(title: str, limit: int = 5, exclude_id: int | None = None) -> list[Post]:
    """Posts sharing the most words with ``title``; duplicates are left out."""
    terms = words(title)
    if not terms:
        return []
    score = sum(
        (
            sa.case((sa.func.lower(Post.title).contains(term, autoescape=True), 1), else_=0)
            for term in terms
        ),
        sa.literal(0),
    )
    query = (
        sa.select(Post, score.label("score"))
        .where(Post.status != PostStatus.DUPLICATE)
        .where(score >= max(1, min(2, len(terms))))
        .order_by(score.desc(), Post.corroboration_count.desc(), Post.id.desc())
        .limit(limit)
    )
    if exclude_id:
        query = query.where(Post.id != exclude_id)
    return [row[0] for row in db.session.execute(query)]
