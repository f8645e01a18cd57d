"""Read-only queries behind the catalog pages and its JSON options."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from forum.auth.models import Team, TeamKind, User
from forum.catalog.models import STALE_AFTER, Commitment
from forum.extensions import db


def operations_teams() -> list[Team]:
    """Every operations team, by name."""
    return list(
        db.session.scalars(
            sa.select(Team).where(Team.kind == TeamKind.OPERATIONS).order_by(Team.name)
        )
    )


@dataclass
class TeamGroup:
    team: Team
    entries: list[Commitment]


def catalog_groups(
    teams: list[Team],
    *,
    now: datetime,
    stale_only: bool = False,
    include_retired: bool = False,
) -> list[TeamGroup]:
    """The entries of ``teams`` grouped by team, owners and confirmers loaded in the same query."""
    query = (
        sa.select(Commitment)
        .where(Commitment.team_id.in_([t.id for t in teams]))
        .options(sa.orm.joinedload(Commitment.owner), sa.orm.joinedload(Commitment.confirmed_by))
        .order_by(Commitment.title, Commitment.id)
    )
    if not include_retired:
        query = query.where(Commitment.active.is_(True))
    if stale_only:
        query = query.where(Commitment.last_confirmed_at < now - STALE_AFTER)
    groups = {t.id: TeamGroup(t, []) for t in teams}
    for commitment in db.session.scalars(query).unique():
        groups[commitment.team_id].entries.append(commitment)
    return list(groups.values())


def team_options(team: Team, *, now: datetime) -> list[dict]:
    """The team's active entries as plain data, for the broken-promise form."""
    entries = db.session.scalars(
        sa.select(Commitment)
        .where(Commitment.team_id == team.id, Commitment.active.is_(True))
        .order_by(Commitment.title, Commitment.id)
    )
    return [
        {"id": c.id, "title": c.title, "promise": c.promise, "stale": c.is_stale(now)}
        for c in entries
    ]


def owner_choices(teams: list[Team]) -> list[User]:
    """Active members of ``teams`` who may own an entry, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .options(sa.orm.joinedload(User.team))
            .where(User.team_id.in_([t.id for t in teams]), User.active.is_(True))
            .order_by(User.display_name, User.id)
        )
    )
