"""The one policy table: which role may do what, plus the decorators views use.

An action maps to the roles allowed in general. Object-level checks (own post, own team's fix)
are predicates registered next to the action and receive the user and the object.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from forum.auth.models import Role, User

R, OPS, L, A = Role.REP, Role.OPS, Role.LEADER, Role.ADMIN
EVERYONE = frozenset(Role)
REPORTERS = frozenset({R, L, A})  # who may file reports: reps, and leaders "as a rep can"

POLICY: dict[str, frozenset[Role]] = {
    # foundation
    "home.view": EVERYONE,
    "account.password": EVERYONE,
    "admin.users": frozenset({A}),
    "admin.teams": frozenset({A}),
    "admin.audit": frozenset({A}),
    "admin.settings": frozenset({A}),
    "admin.taxonomy": frozenset({A}),
    # posts
    "post.view": EVERYONE,
    "post.create": REPORTERS,
    "post.edit": REPORTERS,
    "post.corroborate": REPORTERS,
    "post.comment": EVERYONE,
    "post.internal_note": frozenset({OPS, L, A}),
    "post.reveal": frozenset({L, A}),
    "post.follow": EVERYONE,
    "post.attach": REPORTERS,
    "comment.edit": EVERYONE,
    # accounts and the commitments catalog
    "account.view": EVERYONE,
    "account.create": REPORTERS,
    "account.edit": frozenset({L, A}),
    "catalog.view": EVERYONE,
    "catalog.edit": frozenset({OPS, A}),
    # triage and fixes (who may move a fix is decided by fixes/workflow.TRANSITIONS)
    "triage.view": frozenset({L, A}),
    "triage.act": frozenset({L, A}),
    "fix.view": EVERYONE,
    "fix.create": frozenset({L, A}),
    "fix.manage": frozenset({L, A}),  # priority, due date, snooze
    "fix.assign": frozenset({OPS, L, A}),
    "fix.comment": EVERYONE,
    "fix.queue": frozenset({OPS, L, A}),
    "fix.escalations": frozenset({OPS, L, A}),
    "admin.sla": frozenset({A}),
    # notifications
    "notify.view": EVERYONE,  # one's own notifications only (checked in the views)
    "notify.preferences": EVERYONE,
    "notify.outbox": frozenset({A}),  # the e-mail outbox and the development mail folder
    # the accountability board (reads only); a rep sees their own track record
    "board.view": frozenset({L, A}),
    "board.export": frozenset({L, A}),
    "board.record": REPORTERS,
    "board.own_record": frozenset({R}),
    # search (what each result and snippet may show is decided by the rules above)
    "search.view": EVERYONE,
}


def _is_author(user: User, obj) -> bool:
    return obj.author_id == user.id


def _not_author(user: User, obj) -> bool:
    return obj.author_id != user.id


def _own_team_or_admin(user: User, obj) -> bool:
    return user.role == Role.ADMIN or (user.team_id is not None and obj.team_id == user.team_id)


# Object-level predicates: action -> f(user, obj) -> bool, checked after the role.
OBJECT_RULES: dict[str, Callable[[User, object], bool]] = {
    "post.edit": _is_author,
    "post.attach": _is_author,
    "post.corroborate": _not_author,
    "comment.edit": _is_author,
    "catalog.edit": _own_team_or_admin,
    "fix.assign": lambda user, fix: user.role != Role.OPS or user.team_id == fix.owner_team_id,
    "board.record": lambda user, person: user.role in {L, A} or user.id == person.id,
}


def register(action: str, roles, rule: Callable[[User, object], bool] | None = None) -> None:
    """Add an action to the policy (domains call this at import time)."""
    POLICY[action] = frozenset(roles)
    if rule is not None:
        OBJECT_RULES[action] = rule


def can(user, action: str, obj=None) -> bool:
    """True if ``user`` may perform ``action`` (on ``obj`` when it is given)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    roles = POLICY.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action!r}: add it to the policy table")
    if Role(user.role) not in roles:
        return False
    rule = OBJECT_RULES.get(action)
    if obj is not None and rule is not None:
        return rule(user, obj)
    return True


def require(action: str):
    """View decorator: login required, then the role check of ``action`` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = action
        return wrapped

    return decorator


def require_obj(action: str, obj) -> None:
    """Abort with 403 unless the current user may perform ``action`` on ``obj``."""
    if not can(current_user, action, obj):
        abort(403)
