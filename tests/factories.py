"""Test factories: they add and flush, never commit (the test decides when)."""

import itertools

from forum.auth.models import Role, Team, TeamKind, User
from forum.auth.services import hash_password
from forum.extensions import db

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
    **fields,
) -> User:
    role = Role(role)
    n = next(_seq)
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
