"""PRODUCT.md's table of fix statuses, copied by hand so the tests do not trust the code's copy.

Used to derive what every (from, to, user) combination must do; if forum/fixes/workflow.py drifts
from the product, the tests that read this fail.
"""

STATUSES = [
    "open",
    "acknowledged",
    "in_progress",
    "blocked",
    "resolved",
    "verified",
    "reopened",
    "wont_fix",
]
OPEN_STATUSES = ["open", "acknowledged", "in_progress", "blocked", "reopened"]

# PRODUCT.md "From post to fix": (from, to) -> (who, required).
TABLE = {
    ("open", "acknowledged"): ({"owner team", "leader"}, ""),
    ("acknowledged", "in_progress"): ({"owner team"}, ""),
    ("reopened", "in_progress"): ({"owner team"}, ""),
    ("in_progress", "blocked"): ({"owner team"}, "reason"),
    ("blocked", "in_progress"): ({"owner team"}, ""),
    ("in_progress", "resolved"): ({"owner team"}, "resolution"),
    ("resolved", "verified"): ({"reporter", "leader"}, ""),
    ("resolved", "reopened"): ({"reporter", "leader"}, "reason"),
    ("verified", "reopened"): ({"leader"}, "reason"),
    **{(s, "wont_fix"): ({"leader"}, "reason") for s in OPEN_STATUSES},
    ("wont_fix", "reopened"): ({"leader"}, "reason"),
}

# How each test user (tests/fixes/builders.org) stands towards the fix; admins count as leaders.
RELATIONS = {
    "ops_owner": {"owner team"},
    "ops_other": set(),
    "rep_reporter": {"reporter"},
    "rep_corroborator": {"reporter"},
    "rep_unrelated": set(),
    "leader": {"leader"},
    "leader_reporter": {"leader", "reporter"},
    "admin": {"leader"},
}


def expected(frm: str, to: str, actor: str, window_over: bool) -> int | str:
    """ "allowed", 403 (not yours to make) or 409 (no such move from there)."""
    rule = TABLE.get((frm, to))
    if rule is None:
        return 409
    mine = RELATIONS[actor] & rule[0]
    if not mine:
        return 403
    if to == "verified" and mine == {"leader"} and not window_over:
        # A leader verifies on the reporters' behalf only after their window.
        return 403
    return "allowed"


def allowed_moves(frm: str, actor: str, window_over: bool) -> set[str]:
    return {to for to in STATUSES if expected(frm, to, actor, window_over) == "allowed"}
