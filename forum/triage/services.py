"""Triage: each action moves a post out of the inbox and is recorded on the post.
Services flush; the caller commits."""

from datetime import timedelta

import sqlalchemy as sa

from forum import search
from forum.auth.models import User
from forum.auth.permissions import ensure
from forum.core.errors import DomainError
from forum.core.signals import post_triaged
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback.models import Corroboration, Post, PostStatus
from forum.feedback.services import recompute_totals, set_post_status
from forum.feedback.similar import similar_posts
from forum.fixes import creation
from forum.fixes import services as fixes
from forum.fixes.models import Fix, FixStatus

UNTRIAGED = (PostStatus.NEW, PostStatus.NEEDS_INFO)
RECURRENCE_WINDOW = timedelta(days=90)


def _check(post: Post, actor: User) -> None:
    ensure(actor, "triage.act", message="Only leaders triage reports.")
    if post.status not in UNTRIAGED:
        raise DomainError(f"Post #{post.id} has already been triaged ({post.status.label}).")


def inbox(limit: int = 200) -> list[Post]:
    """Untriaged posts, oldest first (needs-information ones wait on the reporter)."""
    return db.session.scalars(
        sa.select(Post)
        .where(Post.status == PostStatus.NEW)
        .options(
            sa.orm.joinedload(Post.author),
            sa.orm.joinedload(Post.region),
            sa.orm.joinedload(Post.team),
            sa.orm.joinedload(Post.account),
        )
        .order_by(Post.created_at, Post.id)
        .limit(limit)
    ).all()


def create_fix_from_posts(posts: list[Post], *, actor: User, **fields) -> Fix:
    """One fix gathering ``posts``; each post becomes 'linked'."""
    if not posts:
        raise DomainError("Choose at least one report.")
    for post in posts:
        _check(post, actor)
    fix = creation.create_fix(actor=actor, posts=posts, **fields)
    for post in posts:
        post_triaged.send(post, actor=actor, action="linked", fix=fix)
    return fix


def attach_to_fix(post: Post, fix: Fix, *, actor: User) -> Fix:
    """Link a post to an existing fix."""
    _check(post, actor)
    creation.link_posts(fix, [post], actor=actor, version=fix.version)
    post_triaged.send(post, actor=actor, action="linked", fix=fix)
    return fix


def mark_duplicate(post: Post, original: Post, *, actor: User) -> None:
    """``post`` repeats ``original``: its reporter and corroborations move to the original."""
    _check(post, actor)
    if original.id == post.id:
        raise DomainError("A post cannot duplicate itself.")
    while original.status == PostStatus.DUPLICATE and original.duplicate_of_id:
        original = db.session.get(Post, original.duplicate_of_id)
        if original.id == post.id:
            raise DomainError("That would make a loop of duplicates.")
    already = set(
        db.session.scalars(
            sa.select(Corroboration.user_id).where(Corroboration.post_id == original.id)
        )
    )
    already.add(original.author_id)
    moved = 0
    for c in db.session.scalars(
        sa.select(Corroboration).where(Corroboration.post_id == post.id).order_by(Corroboration.id)
    ).all():
        if c.user_id in already:
            db.session.delete(c)
            continue
        c.post_id, c.moved_from_post_id = original.id, post.id
        already.add(c.user_id)
        moved += 1
    if post.author_id not in already:
        # The duplicate's reporter said the same thing: they count as a "me too" on the original.
        db.session.add(
            Corroboration(
                post_id=original.id,
                user_id=post.author_id,
                account_id=post.account_id,
                amount=post.revenue_at_risk,
                currency=post.currency if post.revenue_at_risk is not None else None,
                note=f"Reported separately as #{post.id}",
                moved_from_post_id=post.id,
            )
        )
        moved += 1
    post.duplicate_of_id = original.id
    post.triaged_at = utcnow()
    db.session.flush()
    set_post_status(
        post,
        PostStatus.DUPLICATE,
        actor=actor,
        note=f"Duplicate of #{original.id}",
        duplicate_of=original.id,
        moved_corroborations=moved,
    )
    recompute_totals(post)
    recompute_totals(original)
    post_triaged.send(post, actor=actor, action="duplicate", original=original)


def decline(post: Post, *, actor: User, reason: str) -> None:
    _check(post, actor)
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise DomainError("Give the reporter a reason for declining.")
    post.triaged_at = utcnow()
    set_post_status(post, PostStatus.DECLINED, actor=actor, note=reason)
    post_triaged.send(post, actor=actor, action="declined")


def ask_for_info(post: Post, *, actor: User, question: str) -> None:
    """Send the post back to its reporter with a question; their reply returns it here."""
    _check(post, actor)
    question = (question or "").strip()
    if len(question) < 3:
        raise DomainError("Write the question for the reporter.")
    set_post_status(post, PostStatus.NEEDS_INFO, actor=actor, note=question)
    post_triaged.send(post, actor=actor, action="needs_info")


def note(post: Post, *, actor: User, remark: str = "") -> None:
    """Read, and no fix needed."""
    _check(post, actor)
    post.triaged_at = utcnow()
    set_post_status(post, PostStatus.NOTED, actor=actor, note=(remark or "").strip())
    post_triaged.send(post, actor=actor, action="noted")


def bulk(posts: list[Post], act, *, actor: User) -> tuple[list[Post], dict[int, str]]:
    """Apply ``act(post)`` (one of the single-report services above) to each post, each in a
    savepoint: a refused post changes nothing and the others go ahead. Returns the posts done
    and, for each refused one, why. Flushes; the caller commits."""
    ensure(actor, "triage.act", message="Only leaders triage reports.")
    done, refused = [], {}
    for post in posts:
        try:
            with db.session.begin_nested():
                act(post)
        except DomainError as exc:
            refused[post.id] = exc.message
        else:
            done.append(post)
    return done, refused


def possible_recurrences(post: Post, now=None) -> list[Fix]:
    """Fixes verified in the last 90 days whose title shares words with the post's title."""
    now = now or utcnow()

    def verified_lately(fix_id):
        return sa.exists().where(
            Fix.id == fix_id,
            Fix.status == FixStatus.VERIFIED,
            Fix.verified_at >= now - RECURRENCE_WINDOW,
        )

    ids = search.similar(post.title, "fix", limit=3, scope=verified_lately)
    if not ids:
        return []
    fixes_by_id = {f.id: f for f in db.session.scalars(sa.select(Fix).where(Fix.id.in_(ids)))}
    return [fixes_by_id[i] for i in ids if i in fixes_by_id]


def possible_duplicates(post: Post) -> list[Post]:
    return similar_posts(post.title, limit=3, exclude_id=post.id)


def likely_original(post: Post, similar: list[Post]) -> Post | None:
    """The report ``post`` most likely repeats: the best similar one filed before it (a newer
    report is never offered as the original)."""
    return next(
        (p for p in similar if (p.created_at, p.id) < (post.created_at, post.id)),
        None,
    )


def reopen_for_recurrence(post: Post, fix: Fix, *, actor: User) -> Fix:
    """The problem is back: reopen the verified fix (counted as a recurrence) and link the post."""
    _check(post, actor)
    if fix.status != FixStatus.VERIFIED:
        # Only a fix that was verified can recur; anything else is an ordinary attach or reopen.
        raise DomainError(f"Fix #{fix.id} is not verified, so this is not a recurrence.")
    fixes.transition(
        fix,
        FixStatus.REOPENED,
        actor=actor,
        version=fix.version,
        note=f"Recurrence reported in post #{post.id}",
        recurrence_post=post,
    )
    creation.link_posts(fix, [post], actor=actor, version=fix.version)
    post_triaged.send(post, actor=actor, action="linked", fix=fix)
    return fix
