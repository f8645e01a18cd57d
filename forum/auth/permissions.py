"""The one policy table: which role may do what, ``ensure`` for services, and the decorators
views use.

An action maps to the roles allowed in general. Object-level checks (own post, own team's fix)
are predicates registered next to the action and receive the user and the object.

This is the only module that compares roles (tests/core/test_one_policy.py keeps it so): the
others ask ``can`` or ``ensure``, or, to describe people rather than let someone act,
``role_may`` and ``roles_allowed``.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from forum.auth.models import Role, User
from forum.core.errors import MESSAGES, Forbidden

R, OPS, L, A = Role.REP, Role.OPS, Role.LEADER, Role.ADMIN
EVERYONE = frozenset(Role)
REPORTERS = frozenset({R, L, A})  # who may file reports: reps, and leaders "as a rep can"
LEADERS = frozenset({L, A})  # sales leadership; admins may do everything leaders can
STAFF = frozenset({OPS, L, A})

POLICY: dict[str, frozenset[Role]] = {
    # foundation
    "home.view": EVERYONE,
    "account.password": EVERYONE,
    "admin.users": frozenset({A}),
    "admin.teams": frozenset({A}),
    "admin.audit": frozenset({A}),
    "admin.privacy": frozenset({A}),  # export everything about a person, or erase them
    "admin.settings": frozenset({A}),
    "admin.rates": frozenset({A}),  # the reporting currency and the exchange rates
    "admin.taxonomy": frozenset({A}),
    "admin.webhooks": frozenset({A}),  # outgoing webhooks: endpoints, test sends, delivery log
    # while single sign-on is required, who may still sign in with a password (break glass)
    "auth.break_glass": frozenset({A}),
    # posts
    "post.view": EVERYONE,
    "post.create": REPORTERS,
    "post.edit": REPORTERS,
    "post.corroborate": REPORTERS,
    "post.comment": EVERYONE,
    "post.internal_note": STAFF,  # write and read internal notes
    "post.reveal": LEADERS,
    "post.shield": frozenset({R}),  # leaders speak in their own name
    "post.follow": EVERYONE,
    "post.attach": REPORTERS,
    "comment.edit": EVERYONE,
    # accounts and the commitments catalog
    "account.view": EVERYONE,
    "account.create": REPORTERS,
    "account.edit": LEADERS,
    "account.merge": frozenset({A}),  # two accounts that are one customer become one (audited)
    "admin.crm": frozenset({A}),  # CRM import: upload exports, read reports, map CRM names
    "catalog.view": EVERYONE,
    "catalog.edit": frozenset({OPS, A}),
    # triage and fixes (who may move a fix is decided by fixes/workflow.TRANSITIONS)
    "triage.view": LEADERS,
    "triage.act": LEADERS,
    "fix.view": EVERYONE,
    "fix.create": LEADERS,
    "fix.manage": LEADERS,  # priority, due date, snooze
    "fix.work": frozenset({OPS}),  # the owner team's moves in the workflow (its own fixes)
    "fix.lead": LEADERS,  # leadership's moves in the workflow (acknowledge, verify, reopen, ...)
    "fix.assign": STAFF,  # leaders any fix, ops their own team's
    "fix.comment": EVERYONE,
    "fix.staff_names": STAFF,  # reps read "the operations team" in a fix's history
    "fix.queue": STAFF,
    "fix.queue_any_team": LEADERS,  # ops see their own team's queue only
    "fix.escalations": STAFF,
    "escalation.acknowledge": EVERYONE,  # the one it went to, or leadership
    "escalation.oversee": LEADERS,  # see, acknowledge and snooze every escalation
    "admin.sla": frozenset({A}),
    "team.sponsor": LEADERS,  # who may be an operations team's executive sponsor
    # after the fix: telling the customer, re-engaging lost deals (forum/loop)
    "followup.view": REPORTERS,  # one's own follow-ups
    "followup.act": REPORTERS,  # mark one's own: customer informed, trust restored, won back...
    "followup.oversee": LEADERS,  # the customers not yet told, across the organisation
    # the buyer's own voice (forum/buyers): a deal's rep and leaders ask the buyer and read the
    # answers; leaders record interviews; ops read the quotes on their fixes (named only with
    # consent); admins curate the theme taxonomy
    "buyer.ask": REPORTERS,  # create a survey link for a deal: its rep, or leadership
    "buyer.view": REPORTERS,  # a deal's buyer contacts and answers: its rep, or leadership
    "buyer.oversee": LEADERS,  # every deal's buyers
    "buyer.interview": LEADERS,  # record an interview, with quotes and themes
    "buyer.evidence": LEADERS,  # turn an answer into a report, or evidence on a report or fix
    "buyer.fix_quotes": STAFF,  # read buyer quotes on a fix (ops: their own team's fixes)
    "admin.buyer_themes": frozenset({A}),
    # notifications
    "notify.view": EVERYONE,  # one's own notifications only (checked in the views)
    "notify.preferences": EVERYONE,
    "notify.outbox": frozenset({A}),  # the e-mail outbox and the development mail folder
    # which kinds of notification a role can receive (notify/events.py names one per kind)
    "notify.reports": REPORTERS,  # on reports one filed or corroborated, and their fixes
    "notify.conversation": EVERYONE,  # mentions, comments on followed posts
    "notify.team_fixes": frozenset({OPS}),  # new fixes for one's operations team
    "notify.escalation": STAFF,
    "notify.weekly_digest": frozenset({L}),
    "notify.new_reports": LEADERS,  # new reports of high impact, for those who triage
    "notify.webhooks": frozenset({A}),  # a webhook disabled after repeated failures
    "notify.own_fixes": LEADERS,  # a fix one created is blocked or unblocked
    # the accountability board (reads only); a rep sees their own track record
    "board.view": LEADERS,
    "board.export": LEADERS,
    "board.record": REPORTERS,
    "board.own_record": frozenset({R}),
    # the JSON API (/api/v1) and personal access tokens
    "api.use": EVERYONE,  # make tokens and call the API as oneself, with one's own rights
    "api.token_revoke": EVERYONE,  # one's own tokens; admins anyone's
    "admin.api_tokens": frozenset({A}),  # see and revoke every user's tokens
    # search (what each result and snippet may show is decided by the rules above)
    "search.view": EVERYONE,
}


def _is_author(user: User, obj) -> bool:
    return obj.author_id == user.id


def _not_author(user: User, obj) -> bool:
    return obj.author_id != user.id


def _own_team_or_admin(user: User, obj) -> bool:
    return user.role == Role.ADMIN or (user.team_id is not None and obj.team_id == user.team_id)


def _owner_team(user: User, fix) -> bool:
    return user.team_id == fix.owner_team_id


def _leads_or_works(user: User, fix) -> bool:
    return can(user, "fix.lead") or can(user, "fix.work", fix)


def _recipient_or_overseer(user: User, escalation) -> bool:
    return escalation.to_user_id == user.id or can(user, "escalation.oversee")


def _owes_follow_up(user: User, follow_up) -> bool:
    return follow_up.rep_id == user.id


def _deal_rep_or_overseer(user: User, post) -> bool:
    return post.author_id == user.id or can(user, "buyer.oversee")


def _fix_quotes(user: User, fix) -> bool:
    return can(user, "fix.lead") or user.team_id == fix.owner_team_id


def _own_token_or_admin(user: User, token) -> bool:
    return token.user_id == user.id or can(user, "admin.api_tokens")


def _own_record_or_board(user: User, person) -> bool:
    return user.id == person.id or can(user, "board.view")


# Object-level predicates: action -> f(user, obj) -> bool, checked after the role.
OBJECT_RULES: dict[str, Callable[[User, object], bool]] = {
    "post.edit": _is_author,
    "post.attach": _is_author,
    "post.corroborate": _not_author,
    "comment.edit": _is_author,
    "catalog.edit": _own_team_or_admin,
    "fix.work": _owner_team,
    "fix.assign": _leads_or_works,
    "escalation.acknowledge": _recipient_or_overseer,
    "board.record": _own_record_or_board,
    "buyer.ask": _deal_rep_or_overseer,
    "buyer.view": _deal_rep_or_overseer,
    "buyer.fix_quotes": _fix_quotes,
    "followup.view": _owes_follow_up,
    "followup.act": _owes_follow_up,
    "api.token_revoke": _own_token_or_admin,
}


def roles_allowed(action: str) -> frozenset[Role]:
    """The roles the table allows ``action``: for queries that select people by role."""
    roles = POLICY.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action!r}: add it to the policy table")
    return roles


def role_may(role: Role | str, action: str) -> bool:
    """Whether the role ``role`` is allowed ``action``, whatever the account's state and any
    object rule: for describing people (whose track record, which notifications), never for
    letting someone act (that is ``can``)."""
    return Role(role) in roles_allowed(action)


def role_filter(action: str):
    """A SQL condition on ``User``: their role is allowed ``action`` (to select recipients)."""
    return User.role.in_(sorted(roles_allowed(action)))


def can(user, action: str, obj=None) -> bool:
    """True if ``user`` may perform ``action`` (on ``obj`` when it is given)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if not role_may(user.role, action):
        return False
    rule = OBJECT_RULES.get(action)
    if obj is not None and rule is not None:
        return rule(user, obj)
    return True


def ensure(user, action: str, obj=None, *, message: str = "") -> None:
    """Raise ``Forbidden`` (HTTP 403) unless ``user`` may perform ``action`` (on ``obj``).

    Services call it before they change anything; ``message`` says what the rule is.
    """
    if not can(user, action, obj):
        raise Forbidden(message or MESSAGES[403], action=action)


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
