"""The README's table of demo users is the demo's own list: every user, name, role and team."""

import re
from pathlib import Path

from forum.demo import LEADS, USERS

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `([^`]+@example\.com)` \| ([^|]+) \| (\w+) \| ([^|]+) \|$", re.M)


def _table() -> list[tuple[str, str, str, str]]:
    return [tuple(part.strip() for part in row) for row in ROW.findall(README.read_text())]


def test_the_readme_lists_every_demo_user_with_their_name_role_and_team():
    listed = [(email, name, role, team.split(" (")[0]) for email, name, role, team in _table()]
    assert listed == [(e, n, r.value, t or "—") for e, n, r, t in USERS]


def test_the_readme_names_who_leads_and_sponsors_each_operations_team():
    said = {email: team for email, _, _, team in _table()}
    for team, (lead, sponsor) in LEADS.items():
        assert f"leads {team}" in said[lead]
        assert team in said[sponsor].split("sponsors ", 1)[1]
