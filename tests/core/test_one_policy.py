"""One rule, written once: outside the policy table, no module compares roles.

Every "may this person ..." question goes to ``forum/auth/permissions.py`` (``can``, ``ensure``,
or ``role_may`` and ``roles_allowed`` to describe people). This test reads every other module
under ``forum/`` and fails on a comparison (``==``, ``!=``, ``in``, ``not in``) with
``Role.<X>`` or an attribute named ``role`` on either side.
"""

import ast
import re
from pathlib import Path

import pytest

from forum.auth.permissions import POLICY
from forum.notify.events import EVENTS

ROOT = Path(__file__).resolve().parents[2]
POLICY_MODULE = "forum/auth/permissions.py"
# the demo and the benchmark organisations pick their people by role
SEED_DATA = ("forum/demo/", "forum/bench/")

# Modules whose role comparisons are about the role itself, not about a permission.
ALLOWED = {
    # user management: a rep belongs to a sales region and ops to an operations team, an admin
    # cannot demote themselves, and the audit entry records whether the role changed
    "forum/auth/services.py": "role and team consistency",
    # the admin's user list filters by the role picked in the form (a SQL filter)
    "forum/admin/views.py": "filter the user list by role",
}

COMPARISONS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)


def _names_a_role(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == "role":
            return True
        if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            if sub.value.id == "Role":
                return True
    return False


def role_comparisons(source: str) -> list[tuple[int, str]]:
    """The line and text of every comparison of roles in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        if not any(isinstance(op, COMPARISONS) for op in node.ops):
            continue
        if any(_names_a_role(side) for side in [node.left, *node.comparators]):
            found.append((node.lineno, ast.get_source_segment(source, node)))
    return found


def _modules() -> list[str]:
    paths = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "forum").rglob("*.py"))
    return [p for p in paths if p != POLICY_MODULE and not p.startswith(SEED_DATA)]


@pytest.mark.parametrize(
    "source",
    [
        "if actor.role not in {Role.LEADER, Role.ADMIN}: pass",
        "plain = viewer.role == Role.REP",
        "ok = Role(person.role) in REPORTER_ROLES",
        "ok = Role.OPS != kind",
        "query.where(User.role == Role.LEADER)",
    ],
)
def test_the_check_finds_a_role_comparison(source):
    assert role_comparisons(source)


@pytest.mark.parametrize(
    "source",
    [
        "ensure(actor, 'fix.manage')",
        "ok = can(user, 'fix.work', fix) and user.team_id == fix.owner_team_id",
        "create_user(email, name, Role.ADMIN, None)",
        "query.where(User.role.in_(roles_allowed('notify.weekly_digest')))",
        "label = LABELS.get(actor.user_role)",
    ],
)
def test_the_check_leaves_other_code_alone(source):
    assert not role_comparisons(source)


def test_no_module_compares_roles_instead_of_asking_the_policy():
    offenders = []
    for path in _modules():
        if path in ALLOWED:
            continue
        source = (ROOT / path).read_text(encoding="utf-8")
        offenders += [f"{path}:{line}: {text}" for line, text in role_comparisons(source)]
    assert not offenders, "ask forum/auth/permissions.py instead:\n" + "\n".join(offenders)


@pytest.mark.parametrize("path", sorted(ALLOWED))
def test_every_allowed_module_still_needs_its_exemption(path):
    assert role_comparisons((ROOT / path).read_text(encoding="utf-8"))


# Where each question to the policy names its action.
ASKS = {
    **{"can": 1, "ensure": 1, "role_may": 1},
    **{"require": 0, "require_obj": 0, "roles_allowed": 0, "role_filter": 0},
}
TEMPLATE_ASK = re.compile(r"""\bcan\(\s*[\w.]+\s*,\s*['"]([\w.]+)['"]""")


def _actions_asked_in_code() -> set[tuple[str, str]]:
    asked = set()
    for path in _modules():
        for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ASKS or len(node.args) <= ASKS[name]:
                continue
            arg = node.args[ASKS[name]]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                asked.add((path, arg.value))
    return asked


def _actions_asked_in_templates() -> set[tuple[str, str]]:
    asked = set()
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for action in TEMPLATE_ASK.findall(path.read_text(encoding="utf-8")):
            asked.add((path.relative_to(ROOT).as_posix(), action))
    return asked


def test_every_action_the_code_asks_about_is_in_the_table():
    asked = _actions_asked_in_code() | _actions_asked_in_templates()
    asked |= {("forum/notify/events.py", kind.action) for kind in EVENTS.values()}
    assert asked, "the scan found no question to the policy at all"
    unknown = sorted(f"{path}: {action}" for path, action in asked if action not in POLICY)
    assert not unknown, "not in the policy table:\n" + "\n".join(unknown)
