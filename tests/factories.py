"""Test factories: they add and flush, never commit (the test decides when)."""

import itertools

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.accounts.services import account_key
from forum.auth.models import Role, Team, TeamKind, User
from forum.auth.services import hash_password
from forum.catalog.models import Commitment
from forum.extensions import db
from forum.feedback.models import (
    Comment,
    Corroboration,
    Outcome,
    Post,
    PostKind,
    PostStatus,
)
from forum.feedback.services import recompute_totals
from forum.taxonomy.models import ReasonBranch, Tag, TaxonomyKind, TaxonomyTerm
from forum.taxonomy.services import term_key
from forum.webhooks.models import WebhookEndpoint

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def team(kind: TeamKind | str = TeamKind.SALES, name: str | None = None, **fields) -> Team:
    n = next(_seq)
    name = name or f"{'Region' if kind == TeamKind.SALES else 'Ops team'} {n}"
    obj = Team(name=name, name_key=name.casefold(), kind=str(kind), **fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def user(
    role: Role | str = Role.REP,
    *,
    team_obj: Team | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    active: bool = True,
    team_id: int | None = None,
    **fields,
) -> User:
    role = Role(role)
    n = next(_seq)
    if team_id is not None:
        team_obj = db.session.get(Team, team_id)
    if team_obj is None and role == Role.REP:
        team_obj = team(TeamKind.SALES)
    if team_obj is None and role == Role.OPS:
        team_obj = team(TeamKind.OPERATIONS)
    obj = User(
        email=email or f"{role.value}{n}@example.test",
        display_name=fields.pop("display_name", f"{role.label} {n}"),
        role=role,
        team=team_obj,
        active=active,
        password_hash=hash_password(password) if password else None,
        **fields,
    )
    db.session.add(obj)
    db.session.flush()
    return obj


def account(name: str | None = None, **fields) -> Account:
    """An account; a unique CRM id unless one (or None) is given."""
    n = next(_seq)
    name = name or f"Account {n}"
    fields.setdefault("crm_id", f"0016g00000T{n:05d}")
    obj = Account(name=name, name_key=account_key(name), **fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def commitment(
    team_id: int | None = None,
    title: str | None = None,
    *,
    team_obj: Team | None = None,
    **fields,
) -> Commitment:
    """An active catalog entry of a team (a new operations team unless one is given)."""
    n = next(_seq)
    fields.setdefault("promise", f"We deliver thing {n} within {n} days.")
    if team_id is None:
        team_id = (team_obj or team(TeamKind.OPERATIONS)).id
    obj = Commitment(team_id=team_id, title=title or fields.pop("title", f"Entry {n}"), **fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def term(
    kind: TaxonomyKind | str = TaxonomyKind.COMPETITOR, name: str | None = None, **fields
) -> TaxonomyTerm:
    """A taxonomy term; reasons default to the product branch."""
    n = next(_seq)
    kind = TaxonomyKind(kind)
    name = name or f"{kind.label} {n}"
    fields.setdefault("branch", ReasonBranch.PRODUCT if kind == TaxonomyKind.REASON else "")
    obj = TaxonomyTerm(kind=kind, name=name, name_key=term_key(name), **fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def tag(name: str) -> Tag:
    obj = db.session.scalar(sa.select(Tag).where(Tag.name == name))
    if obj is None:
        obj = Tag(name=name)
        db.session.add(obj)
        db.session.flush()
    return obj


def post(
    kind: PostKind | str = PostKind.FIELD_FEEDBACK,
    *,
    author: User | None = None,
    tags: tuple[str, ...] = (),
    **fields,
) -> Post:
    """A post of ``kind`` with that kind's essentials filled in; counters kept in step."""
    kind = PostKind(kind)
    n = next(_seq)
    author = author or user(Role.REP)
    fields.setdefault("title", f"Report {n}")
    fields.setdefault("body", f"What happened in report {n}.")
    if "region" not in fields and author.team and author.team.kind == TeamKind.SALES:
        fields["region"] = author.team
    if kind == PostKind.WIN_LOSS:
        fields.setdefault("outcome", Outcome.LOST)
    if kind == PostKind.BROKEN_PROMISE:
        fields.setdefault("promised", "Delivery within 5 working days")
        if "account_id" not in fields:
            fields.setdefault("account", account())
        if "team_id" not in fields:
            fields.setdefault("team", team(TeamKind.OPERATIONS))
    obj = Post(kind=kind, author=author, status=fields.pop("status", PostStatus.NEW), **fields)
    obj.tags = [tag(t) for t in tags]
    db.session.add(obj)
    db.session.flush()
    recompute_totals(obj)
    return obj


def comment(post_obj: Post, author: User | None = None, **fields) -> Comment:
    fields.setdefault("body", "A comment.")
    obj = Comment(post=post_obj, author=author or user(Role.REP), **fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def corroboration(post_obj: Post, by: User | None = None, **fields) -> Corroboration:
    if fields.get("amount") is not None:
        fields.setdefault("currency", post_obj.currency)
    obj = Corroboration(post=post_obj, user=by or user(Role.REP), **fields)
    db.session.add(obj)
    db.session.flush()
    recompute_totals(post_obj)
    return obj


def webhook(**fields) -> WebhookEndpoint:
    """An endpoint stored as it is (no URL check, no DNS): for pages that list or show one."""
    n = next(_seq)
    fields.setdefault("name", f"Endpoint {n}")
    fields.setdefault("url", f"https://93.184.215.14/hooks/{n}")
    fields.setdefault("secret", f"whsec_test{n}")
    fields.setdefault("events", ["report.filed"])
    obj = WebhookEndpoint(**fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def named_account(name: str) -> str:
    """``name``, after making sure an account of that name exists: reports pick existing
    accounts and never create one (forum.accounts.services.pick_account)."""
    from forum.accounts.services import find_account

    if name and find_account(name) is None:
        account(name)
    return name
