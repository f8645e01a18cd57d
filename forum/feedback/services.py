"""Filing, editing and discussing posts. Services validate, change state and flush; the caller
commits. They raise DomainError (shown to the user) or Conflict."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from forum.accounts.models import Account
from forum.accounts.services import pick_account
from forum.auth.models import Team, TeamKind, User
from forum.auth.permissions import can, ensure
from forum.catalog.models import Commitment
from forum.core import audit
from forum.core.errors import Conflict, DomainError
from forum.core.money import Exposure, Money, Totals, account_totals, parse
from forum.core.rates import reporting_currency
from forum.core.signals import post_commented, post_corroborated, post_filed
from forum.core.time import utcnow
from forum.extensions import db
from forum.feedback import attachments as files
from forum.feedback.models import (
    Attachment,
    Comment,
    CommentRevision,
    Corroboration,
    Follow,
    Outcome,
    Post,
    PostEvent,
    PostKind,
    PostRevision,
    PostStatus,
    PromiseBasis,
)
from forum.taxonomy.models import Tag, TaxonomyKind, TaxonomyTerm, normalize_tag

MAX_TAGS = 8
EDITABLE_STATUSES = {PostStatus.NEW, PostStatus.NEEDS_INFO}


@dataclass
class PostInput:
    """What a post form carries, already parsed by the form."""

    kind: PostKind
    title: str
    body: str
    account: str = ""
    account_id: int | None = None  # the account the picker chose (wins over the typed name)
    team_id: int | None = None
    tags: list[str] = field(default_factory=list)
    shielded: bool = False
    submission_key: str | None = None
    # (content, file name) of each evidence file sent with a new post
    evidence: list[tuple[bytes, str]] = field(default_factory=list)
    # win/loss
    outcome: str | None = None
    deal_value: Decimal | None = None
    currency: str | None = None  # the organisation's reporting currency when not given
    stage: str | None = None
    competitor_id: int | None = None
    primary_reason_id: int | None = None
    secondary_reason_ids: list[int] = field(default_factory=list)
    crm_opportunity_id: str | None = None
    # what caused the loss, when a delivery/operations reason is given: a report or a fix
    cause_post_id: int | None = None
    cause_fix_id: int | None = None
    # broken promise
    promised: str | None = None
    contact_name: str | None = None
    basis: str | None = None
    basis_detail: str | None = None
    commitment_id: int | None = None
    promised_date: date | None = None
    impact: int | None = None
    revenue_at_risk: Decimal | None = None


def _term(term_id: int | None, kind: TaxonomyKind) -> TaxonomyTerm | None:
    if term_id is None:
        return None
    term = db.session.get(TaxonomyTerm, term_id)
    if term is None or term.kind != kind or not term.active:
        raise DomainError(f"Unknown {kind.label.lower()}.")
    return term


def _tags(names: list[str]) -> list[Tag]:
    wanted = []
    for raw in names:
        name = normalize_tag(raw)
        if name and name not in wanted:
            wanted.append(name)
    if len(wanted) > MAX_TAGS:
        raise DomainError(f"Use at most {MAX_TAGS} tags.")
    existing = {t.name: t for t in db.session.scalars(sa.select(Tag).where(Tag.name.in_(wanted)))}
    tags = []
    for name in wanted:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(name=name)
            db.session.add(tag)
        tags.append(tag)
    return tags


def _apply_cause(post: Post, data: PostInput) -> None:
    """A delivery/operations reason may name what caused the loss: a broken-promise report or
    a fix (by number). When that fix is verified, the deal's rep is asked to re-engage."""
    if data.cause_post_id is None and data.cause_fix_id is None:
        post.cause_post_id = post.cause_fix_id = None
        return
    reasons = [post.primary_reason, *post.secondary_reasons]
    if not any(r is not None and r.is_operations for r in reasons):
        raise DomainError(
            "Name the report or fix behind the loss only with a delivery/operations reason."
        )
    if data.cause_post_id is not None:
        cause = db.session.get(Post, data.cause_post_id)
        if cause is None or cause.kind != PostKind.BROKEN_PROMISE or cause is post:
            raise DomainError("There is no broken-promise report with that number.")
    # feedback/ stands below fixes/: the fix is looked up in its table, by name.
    fixes = db.metadata.tables["fixes"]
    if data.cause_fix_id is not None and not db.session.scalar(
        sa.select(sa.exists().where(fixes.c.id == data.cause_fix_id))
    ):
        raise DomainError("There is no fix with that number.")
    post.cause_post_id, post.cause_fix_id = data.cause_post_id, data.cause_fix_id


def _apply(post: Post, data: PostInput, actor: User) -> None:
    """Copy the kind's fields onto ``post`` after checking them against the database."""
    post.title = " ".join(data.title.split())
    post.body = data.body
    post.tags = _tags(data.tags)
    # An account is picked, never invented: an unknown name raises UnknownAccount with the
    # likeliest existing ones (a new customer is added on its own page first).
    post.account = pick_account(data.account, data.account_id)
    team = db.session.get(Team, data.team_id) if data.team_id else None
    if data.team_id and team is None:
        raise DomainError("That team does not exist.")
    post.team = team
    if data.kind == PostKind.WIN_LOSS:
        if data.outcome not in {o.value for o in Outcome}:
            raise DomainError("Choose the deal's outcome.")
        post.outcome = data.outcome
        currency = data.currency or reporting_currency()
        if data.deal_value is not None:
            currency = parse(data.deal_value, currency, field="Deal value").currency
        post.deal_value, post.currency, post.stage = data.deal_value, currency, data.stage
        post.competitor = _term(data.competitor_id, TaxonomyKind.COMPETITOR)
        post.primary_reason = _term(data.primary_reason_id, TaxonomyKind.REASON)
        secondary = [
            _term(i, TaxonomyKind.REASON) for i in dict.fromkeys(data.secondary_reason_ids)
        ]
        post.secondary_reasons = [t for t in secondary if t is not post.primary_reason]
        post.crm_opportunity_id = (data.crm_opportunity_id or "").strip() or None
        _apply_cause(post, data)
    elif data.kind == PostKind.BROKEN_PROMISE:
        if team is None or team.kind != TeamKind.OPERATIONS:
            raise DomainError("Choose the operations team responsible for the promise.")
        if post.account is None:
            raise DomainError("Say which account the promise was made to.")
        commitment = db.session.get(Commitment, data.commitment_id) if data.commitment_id else None
        if data.commitment_id and (commitment is None or not commitment.active):
            raise DomainError("That catalog entry does not exist.")
        post.promised = data.promised
        post.contact_name = data.contact_name or None
        post.basis = data.basis or (PromiseBasis.CATALOG if commitment else None)
        post.basis_detail = data.basis_detail or None
        post.commitment = commitment
        post.promised_date = data.promised_date
        post.impact = data.impact
        currency = data.currency or reporting_currency()
        if data.revenue_at_risk is not None:
            currency = parse(data.revenue_at_risk, currency, field="Revenue at risk").currency
        post.revenue_at_risk = data.revenue_at_risk
        post.currency = currency


def create_post(author: User, data: PostInput) -> Post:
    """File a new post with its evidence files. A repeated ``submission_key`` (a double submit)
    returns the first post and attaches nothing again."""
    if data.submission_key:
        existing = db.session.scalar(
            sa.select(Post).where(Post.submission_key == data.submission_key)
        )
        if existing is not None:
            if existing.author_id != author.id:
                raise DomainError("This form was already used.")
            return existing
    if data.shielded and not can(author, "post.shield"):
        data.shielded = False  # only reps may shield: leaders speak in their own name
    post = Post(
        kind=data.kind,
        author=author,
        region=author.team if author.team and author.team.kind == TeamKind.SALES else None,
        shielded=data.shielded,
        submission_key=data.submission_key,
        status=PostStatus.NEW,
    )
    db.session.add(post)
    _apply(post, data, author)
    db.session.flush()
    for content, filename in data.evidence:
        add_attachment(post, author, content, filename)
    db.session.add(Follow(user_id=author.id, post_id=post.id))
    recompute_totals(post)
    post_filed.send(post, actor=author)
    return post


def update_post(post: Post, actor: User, data: PostInput, *, version: int) -> Post:
    """The author edits their post while it is untriaged; the old text is kept as a revision."""
    if post.version != version:
        raise Conflict("This post was changed since you opened it. Reload to see the changes.")
    if post.status not in EDITABLE_STATUSES:
        raise DomainError("A post can no longer be edited once it has been triaged.")
    if (post.title, post.body) != (data.title, data.body):
        db.session.add(
            PostRevision(post_id=post.id, editor_id=actor.id, title=post.title, body=post.body)
        )
    data.kind = post.kind
    _apply(post, data, actor)
    post.version += 1
    db.session.flush()
    recompute_totals(post)
    return post


def recompute_totals(post: Post) -> None:
    """Corroboration count and revenue at risk, each account counted once (its largest amount)."""
    rows = db.session.execute(
        sa.select(
            Corroboration.account_id,
            Corroboration.amount,
            Corroboration.currency,
            Corroboration.created_at,
            Corroboration.id,
        ).where(Corroboration.post_id == post.id)
    ).all()
    count, at_risk = totals(post, rows)
    post.corroboration_count = count
    post.total_at_risk = at_risk.get(post.currency)
    post.at_risk_by_currency = {m.currency: str(m.amount) for m in at_risk if m.amount}
    db.session.flush()


def totals(post: Post, rows) -> tuple[int, Totals]:
    """Count and revenue at risk of ``post`` given its corroborations' (account id, amount,
    currency, created at, id): each account once (``forum.core.money.per_account``)."""
    # A "me too" naming no other account is about the post's own account.
    own_key = post.account_id or ("post", post.id)
    items = []
    own = post.own_at_risk
    if own is not None:
        items.append(Exposure(own_key, own, (post.created_at or utcnow(), 0, post.id or 0)))
    for account_id, amount, currency, at, row_id in rows:
        if not amount:
            continue
        key = account_id if account_id is not None else own_key
        items.append(Exposure(key, Money(currency or post.currency, amount), (at, 1, row_id)))
    return len(rows), account_totals(items)


def _insert_ignore(table, values: dict):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(**values).on_conflict_do_nothing()


def corroborate(
    post: Post,
    user: User,
    *,
    account: str = "",
    amount: Decimal | None = None,
    currency: str | None = None,
    note: str = "",
    account_id: int | None = None,
) -> Corroboration:
    """'Me too': one per user per post, enforced by the unique constraint (also under races)."""
    if post.author_id == user.id:
        raise DomainError("You cannot corroborate your own post.")
    if post.status == PostStatus.DUPLICATE and post.duplicate_of_id:
        raise DomainError("This post is a duplicate: corroborate the original instead.")
    money = None
    if amount is not None:
        # A "me too" amount is in the report's currency unless the corroborator says otherwise.
        money = parse(amount, currency or post.currency, field="Amount")
    acct: Account | None = pick_account(account, account_id)
    # RETURNING tells whether the row went in: with it, PostgreSQL's rowcount is -1, not 1.
    inserted = db.session.execute(
        _insert_ignore(
            Corroboration.__table__,
            dict(
                post_id=post.id,
                user_id=user.id,
                account_id=acct.id if acct else None,
                amount=money.amount if money else None,
                currency=money.currency if money else None,
                note=note.strip()[:500],
                created_at=utcnow(),
            ),
        ).returning(Corroboration.__table__.c.id)
    ).scalar_one_or_none()
    if inserted is None:
        raise Conflict("You have already said “me too” on this post.")
    mine = db.session.scalar(
        sa.select(Corroboration).where(
            Corroboration.post_id == post.id, Corroboration.user_id == user.id
        )
    )
    _follow(user, post)
    recompute_totals(post)
    post_corroborated.send(post, actor=user, corroboration=mine)
    return mine


def withdraw_corroboration(post: Post, user: User) -> None:
    """Take back one's 'me too'."""
    mine = db.session.scalar(
        sa.select(Corroboration).where(
            Corroboration.post_id == post.id, Corroboration.user_id == user.id
        )
    )
    if mine is None:
        raise DomainError("You have not corroborated this post.")
    db.session.delete(mine)
    db.session.flush()
    recompute_totals(post)


def add_comment(post: Post, author: User, body: str, *, internal: bool = False) -> Comment:
    """Comment on a post; internal notes are for leaders, ops and admins only."""
    if internal:
        ensure(author, "post.internal_note", message="Reps cannot write internal notes.")
    if not body.strip():
        raise DomainError("Write something first.")
    comment = Comment(post=post, author=author, body=body, internal=internal)
    db.session.add(comment)
    db.session.flush()
    if post.status == PostStatus.NEEDS_INFO and author.id == post.author_id and not internal:
        # The reporter answered the question: the post goes back to the triage inbox.
        set_post_status(post, PostStatus.NEW, actor=author, note="The reporter answered.")
    if not internal:
        _follow(author, post)
    post_commented.send(post, actor=author, comment=comment)
    return comment


def set_post_status(
    post: Post, to: PostStatus, *, actor: User | None, note: str = "", now=None, **details
) -> PostEvent:
    """Move a post to ``to`` and record it on the post's own history. Flushes."""
    event = PostEvent(
        post_id=post.id,
        actor_id=actor.id if actor else None,
        from_status=post.status,
        to_status=to,
        note=note,
        details=details,
        at=now or utcnow(),
    )
    post.status = to
    post.status_reason = note if to in {PostStatus.DECLINED, PostStatus.NEEDS_INFO} else ""
    post.version += 1
    db.session.add(event)
    db.session.flush()
    return event


def edit_comment(comment: Comment, actor: User, body: str) -> Comment:
    """The author edits a comment; the previous text is kept."""
    if comment.author_id != actor.id:
        raise DomainError("Only the author can edit a comment.")
    if not body.strip():
        raise DomainError("A comment cannot be empty.")
    if body != comment.body:
        db.session.add(CommentRevision(comment_id=comment.id, body=comment.body))
        comment.body = body
        comment.edited_at = utcnow()
    db.session.flush()
    return comment


def add_attachment(post: Post, uploader: User, data: bytes, filename: str) -> Attachment:
    """Attach evidence to a post (its author only)."""
    if post.author_id != uploader.id:
        raise DomainError("Only the author can attach files to a post.")
    if len(post.attachments) >= 10:
        raise DomainError("A post can have at most 10 files.")
    stored, display, kind, stored_bytes = files.store(data, filename)
    attachment = Attachment(
        post=post,
        uploader_id=uploader.id,
        stored_name=stored,
        original_name=display,
        content_type=kind.content_type,
        extension=kind.extension,
        size=len(stored_bytes),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def reveal_author(post: Post, actor: User, reason: str, ip: str = "") -> User:
    """A leader or admin learns who wrote a shielded post; the reveal is audited."""
    ensure(actor, "post.reveal", message="Only leaders and admins can reveal an author.")
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise DomainError("Give a reason for revealing the author (at least 5 characters).")
    audit.record("post.reveal", actor=actor, target=post, reason=reason[:500], ip=ip)
    return post.author


def _follow(user: User, post: Post) -> None:
    db.session.execute(
        _insert_ignore(
            Follow.__table__, dict(user_id=user.id, post_id=post.id, created_at=utcnow())
        )
    )


def set_following(user: User, post: Post, follow: bool) -> None:
    """Follow or unfollow a post (for notifications)."""
    if follow:
        _follow(user, post)
    else:
        db.session.execute(
            sa.delete(Follow).where(Follow.user_id == user.id, Follow.post_id == post.id)
        )
    db.session.flush()
