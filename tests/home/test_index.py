"""The home page shows each role where its day starts (the sections follow the policy)."""

import pytest

SECTIONS = {
    "rep": "It takes under a minute.",
    "ops": "Your team's fixes and commitments live here.",
    "leader": "reports to triage",
}


@pytest.mark.parametrize(
    ("role", "section"),
    [("rep", "rep"), ("ops", "ops"), ("leader", "leader"), ("admin", "leader")],
)
def test_each_role_sees_its_own_section_of_the_home_page(client, login, role, section):
    login(role)
    page = client.get("/")
    assert page.status_code == 200
    shown = {name for name, text in SECTIONS.items() if text in page.text}
    assert shown == {section}
