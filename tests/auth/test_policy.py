"""The policy table answers every "may this person ..." question: roles × actions, the object
rules, ``ensure`` for services, and ``role_may``/``roles_allowed`` for describing people."""

from itertools import product
from types import SimpleNamespace

import pytest

from forum.auth.models import Role
from forum.auth.permissions import POLICY, can, ensure, role_may, roles_allowed
from forum.core.errors import DomainError, Forbidden

ROLES = ("rep", "ops", "leader", "admin")
OWNER_TEAM, OTHER_TEAM = 7, 8


def person(role: str, *, id: int = 1, team_id: int | None = None, active: bool = True):
    """A signed-in user as the policy sees one (no database needed)."""
    return SimpleNamespace(id=id, role=role, team_id=team_id, active=active, is_authenticated=True)


# Who may, by role alone, for the actions that replaced role comparisons in views and services.
ROLE_LEVEL = {
    "post.shield": {"rep"},
    "post.internal_note": {"ops", "leader", "admin"},
    "post.reveal": {"leader", "admin"},
    "triage.act": {"leader", "admin"},
    "fix.create": {"leader", "admin"},
    "fix.manage": {"leader", "admin"},
    "fix.work": {"ops"},
    "fix.lead": {"leader", "admin"},
    "fix.assign": {"ops", "leader", "admin"},
    "fix.staff_names": {"ops", "leader", "admin"},
    "fix.queue_any_team": {"leader", "admin"},
    "escalation.acknowledge": set(ROLES),
    "escalation.oversee": {"leader", "admin"},
    "team.sponsor": {"leader", "admin"},
    "notify.reports": {"rep", "leader", "admin"},
    "notify.conversation": set(ROLES),
    "notify.team_fixes": {"ops"},
    "notify.escalation": {"ops", "leader", "admin"},
    "notify.weekly_digest": {"leader"},
    "notify.new_reports": {"leader", "admin"},
    "notify.own_fixes": {"leader", "admin"},
}


@pytest.mark.parametrize(("role", "action"), list(product(ROLES, sorted(ROLE_LEVEL))))
def test_each_role_may_do_what_the_table_says(role, action):
    assert can(person(role, team_id=OWNER_TEAM), action) is (role in ROLE_LEVEL[action])


@pytest.mark.parametrize(("role", "action"), list(product(ROLES, sorted(ROLE_LEVEL))))
def test_role_may_agrees_with_can_for_an_active_user(role, action):
    assert role_may(role, action) is can(person(role), action)


def test_roles_allowed_is_the_row_of_the_table():
    assert roles_allowed("notify.weekly_digest") == {Role.LEADER}
    assert roles_allowed("fix.lead") == POLICY["fix.lead"]


@pytest.mark.parametrize("ask", [can, ensure])
def test_an_unknown_action_is_a_programming_error(ask):
    with pytest.raises(KeyError, match="policy table"):
        ask(person("admin"), "fix.teleport")


def test_role_may_ignores_whether_the_account_is_active():
    # A deactivated rep still has a track record; they just cannot sign in and act.
    assert role_may("rep", "post.create")
    assert not can(person("rep", active=False), "post.create")


def test_nobody_signed_out_or_deactivated_may_do_anything():
    assert not can(None, "home.view")
    assert not can(SimpleNamespace(is_authenticated=False), "home.view")
    assert not can(person("admin", active=False), "home.view")


# --- ensure -------------------------------------------------------------------------------


def test_ensure_returns_silently_when_the_user_may():
    assert ensure(person("leader"), "fix.manage") is None


def test_ensure_raises_forbidden_when_the_user_may_not():
    with pytest.raises(Forbidden) as caught:
        ensure(person("rep"), "fix.manage")
    assert caught.value.status == 403
    assert isinstance(caught.value, DomainError)  # rendered by the domain error handler
    assert caught.value.message == "You do not have permission to do that."
    assert caught.value.details == {"action": "fix.manage"}


def test_ensure_carries_the_services_own_message():
    with pytest.raises(Forbidden, match="Only leaders create fixes."):
        ensure(person("ops"), "fix.create", message="Only leaders create fixes.")


def test_ensure_checks_the_object_rule():
    fix = SimpleNamespace(owner_team_id=OWNER_TEAM)
    ensure(person("ops", team_id=OWNER_TEAM), "fix.work", fix)
    with pytest.raises(Forbidden):
        ensure(person("ops", team_id=OTHER_TEAM), "fix.work", fix)


def test_ensure_refuses_a_deactivated_user():
    with pytest.raises(Forbidden):
        ensure(person("admin", active=False), "home.view")


# --- object rules -----------------------------------------------------------------------------

FIX = SimpleNamespace(owner_team_id=OWNER_TEAM)


@pytest.mark.parametrize(
    ("role", "team_id", "works", "assigns"),
    [
        ("ops", OWNER_TEAM, True, True),
        ("ops", OTHER_TEAM, False, False),
        ("ops", None, False, False),
        ("leader", None, False, True),
        ("admin", None, False, True),
        ("rep", OWNER_TEAM, False, False),
    ],
)
def test_the_owner_team_works_its_fixes_and_leaders_assign_any(role, team_id, works, assigns):
    user = person(role, team_id=team_id)
    assert can(user, "fix.work", FIX) is works
    assert can(user, "fix.assign", FIX) is assigns


@pytest.mark.parametrize(
    ("role", "recipient", "allowed"),
    [
        ("ops", True, True),
        ("ops", False, False),
        ("rep", True, True),
        ("rep", False, False),
        ("leader", False, True),
        ("admin", False, True),
    ],
)
def test_an_escalation_is_acknowledged_by_its_recipient_or_leadership(role, recipient, allowed):
    user = person(role, id=5)
    escalation = SimpleNamespace(to_user_id=5 if recipient else 6)
    assert can(user, "escalation.acknowledge", escalation) is allowed


@pytest.mark.parametrize(
    ("role", "own", "allowed"),
    [
        ("rep", True, True),
        ("rep", False, False),
        ("leader", False, True),
        ("admin", False, True),
    ],
)
def test_a_track_record_is_seen_by_its_rep_and_by_leadership(role, own, allowed):
    viewer = person(role, id=5)
    assert can(viewer, "board.record", person("rep", id=5 if own else 6)) is allowed
