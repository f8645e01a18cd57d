"""Test factories: they add and flush, never commit (the test decides when)."""

import itertools

from forum.accounts.models import Account
from forum.accounts.services import account_key
from forum.auth.models import Role, Team, TeamKind, User
from forum.auth.services import hash_password
from forum.catalog.models import Commitment
from forum.extensions import db
from forum.taxonomy.models import TaxonomyTerm
from forum.taxonomy.services import term_key

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


def commitment(team_id: int, title: str | None = None, **fields) -> Commitment:
    """An active catalog entry of ``team_id``, confirmed now unless told otherwise."""
    n = next(_seq)
    fields.setdefault("promise", f"We deliver thing {n} within {n} days.")
    obj = Commitment(team_id=team_id, title=title or f"Entry {n}", **fields)
    db.session.add(obj)
    db.session.flush()
    return obj


def term(kind: str = "competitor", name: str | None = None, **fields) -> TaxonomyTerm:
    """A taxonomy term; reasons default to the product branch."""
    n = next(_seq)
    name = name or f"Term {n}"
    fields.setdefault("branch", "product" if kind == "reason" else "")
    obj = TaxonomyTerm(kind=kind, name=name, name_key=term_key(name), **fields)
    db.session.add(obj)
    db.session.flush()
    return obj
