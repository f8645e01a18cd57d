"""The kinds of notification: the rule table of who hears of what, who can receive each kind,
and how each is delivered by default. ``audience`` says in words who is told (the preferences
page shows it); ``forum.notify.receivers`` and ``fix_receivers`` do what it says, and
tests/notify/test_rules.py checks each row against the people actually told."""

from dataclasses import dataclass

from forum.auth.models import Role
from forum.auth.permissions import role_may, roles_allowed
from forum.core.models import LabelledEnum


class Delivery(LabelledEnum):
    """How a user hears about one kind of event."""

    IMMEDIATE = "immediate"  # in the app and by e-mail at once
    DAILY = "daily"  # in the app at once, by e-mail in the daily digest
    OFF = "off"  # not at all

    @property
    def label(self) -> str:
        return {
            "immediate": "Immediately (in the app and by e-mail)",
            "daily": "In the app, and by e-mail in a daily digest",
            "off": "Off (not notified)",
        }[self.value]


@dataclass(frozen=True)
class EventType:
    key: str
    label: str  # what the preference is about, as the user reads it
    reason: str  # "You get this e-mail because ..."
    default: Delivery
    action: str  # the policy row saying which roles can receive it ("notify.<...>")
    audience: str  # who is told, in words: the rule table the receivers implement
    choices: tuple[Delivery, ...] = (Delivery.IMMEDIATE, Delivery.DAILY, Delivery.OFF)

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that can receive it, from the policy table."""
        return roles_allowed(self.action)

    def reaches(self, role: Role | str) -> bool:
        """Can a user of ``role`` receive this kind of notification?"""
        return role_may(role, self.action)


REPORTS = "notify.reports"  # what happens to reports one filed or corroborated
REPORTERS_OF_POST = "The report's author and everyone who said “me too” on it."
REPORTERS_OF_FIX = (
    "Everyone who filed or said “me too” on a report linked to the fix (or merged into one)."
)
OWNER_TEAM = "The owner team's members and its lead, and the fix's assignee."

# The rule table. Whoever caused an event is never told of it.
_TYPES = [
    EventType(
        "post_linked",
        "A report I filed or corroborated is linked to a fix",
        "you filed or corroborated the report",
        Delivery.IMMEDIATE,
        REPORTS,
        REPORTERS_OF_POST,
    ),
    EventType(
        "post_needs_info",
        "Leadership asks for more information on a report I filed or corroborated",
        "you filed or corroborated the report",
        Delivery.IMMEDIATE,
        REPORTS,
        REPORTERS_OF_POST,
    ),
    EventType(
        "post_declined",
        "A report I filed or corroborated is declined",
        "you filed or corroborated the report",
        Delivery.IMMEDIATE,
        REPORTS,
        REPORTERS_OF_POST,
    ),
    EventType(
        "post_duplicate",
        "A report I filed or corroborated is merged into another one",
        "you filed or corroborated the report",
        Delivery.IMMEDIATE,
        REPORTS,
        REPORTERS_OF_POST,
    ),
    EventType(
        "post_noted",
        "A report I filed or corroborated is read and needs no fix",
        "you filed or corroborated the report",
        Delivery.DAILY,
        REPORTS,
        REPORTERS_OF_POST,
    ),
    EventType(
        "post_me_too",
        "Other reps say “me too” on a report I filed",
        "you filed the report",
        Delivery.DAILY,
        REPORTS,
        "The report's author; several “me too”s before they read it make one notification.",
    ),
    EventType(
        "fix_resolved",
        "A fix for a problem I reported is resolved and awaits my verification",
        "you reported or corroborated the problem this fix is for",
        Delivery.IMMEDIATE,
        REPORTS,
        REPORTERS_OF_FIX,
    ),
    EventType(
        "fix_status",
        "A fix for a problem I reported changes status",
        "you reported or corroborated the problem this fix is for",
        Delivery.DAILY,
        REPORTS,
        REPORTERS_OF_FIX,
    ),
    EventType(
        "customer_to_tell",
        "A fix for a promise I reported is verified: time to tell my customer",
        "you reported the broken promise",
        Delivery.IMMEDIATE,
        REPORTS,
        "The author of each broken-promise report linked to the verified fix.",
    ),
    EventType(
        "deal_to_reengage",
        "A deal I lost can be won back: what cost it is fixed",
        "you reported the lost deal",
        Delivery.IMMEDIATE,
        REPORTS,
        "The rep of each lost or no-decision deal triaged into the verified fix, or whose "
        "delivery/operations reason points at it or at a report linked to it.",
    ),
    EventType(
        "mention",
        "Someone mentions me in a comment",
        "someone mentioned you",
        Delivery.IMMEDIATE,
        "notify.conversation",
        "The person mentioned in a comment on a post or a fix (in an internal note, only "
        "someone who may read internal notes).",
    ),
    EventType(
        "comment",
        "A new comment on a post I follow",
        "you follow the post",
        Delivery.DAILY,
        "notify.conversation",
        "The post's followers (for an internal note, only those who may read it).",
    ),
    EventType(
        "fix_comment",
        "A new comment on a fix I take part in",
        "you take part in the fix",
        Delivery.DAILY,
        "notify.conversation",
        "The fix's creator and assignee, everyone who commented on it before, and "
        + REPORTERS_OF_FIX[0].lower()
        + REPORTERS_OF_FIX[1:],
    ),
    EventType(
        "fix_new",
        "A new fix for my operations team",
        "the fix belongs to your operations team",
        Delivery.IMMEDIATE,
        "notify.team_fixes",
        "The owner team's members and its lead.",
    ),
    EventType(
        "fix_assigned",
        "A fix is assigned to me",
        "the fix is assigned to you",
        Delivery.IMMEDIATE,
        "notify.team_fixes",
        "The new assignee.",
    ),
    EventType(
        "fix_reopened",
        "A fix of my operations team is reopened: it did not hold",
        "the fix belongs to your operations team",
        Delivery.IMMEDIATE,
        "notify.team_fixes",
        OWNER_TEAM,
    ),
    EventType(
        "fix_blocked",
        "A fix I created is blocked, or unblocked",
        "you created the fix",
        Delivery.IMMEDIATE,
        "notify.own_fixes",
        "The leader who created the fix.",
    ),
    EventType(
        "post_high_impact",
        "A new report of high impact is filed",
        "you triage reports",
        Delivery.IMMEDIATE,
        "notify.new_reports",
        "Sales leaders and admins, for a report whose impact is at least the admin's threshold "
        "(Admin → Settings).",
    ),
    EventType(
        "escalation",
        "An overdue fix is escalated to me",
        "the escalation is addressed to you",
        Delivery.IMMEDIATE,
        "notify.escalation",
        "The person it goes to: the owner team's lead, then the executive sponsor.",
    ),
    EventType(
        "webhook_disabled",
        "A webhook is disabled after its deliveries kept failing",
        "you administer the webhooks",
        Delivery.IMMEDIATE,
        "notify.webhooks",
        "Every admin.",
    ),
    EventType(
        "weekly_digest",
        "The weekly digest of the top overdue fixes by revenue at risk",
        "you are in sales leadership",
        Delivery.IMMEDIATE,
        "notify.weekly_digest",
        "Every sales leader.",
        choices=(Delivery.IMMEDIATE, Delivery.OFF),
    ),
]

EVENTS: dict[str, EventType] = {t.key: t for t in _TYPES}

# Not an event of its own: the unsubscribe link of the daily digest turns off every kind of
# event the user receives in it.
DAILY_DIGEST = "daily_digest"


def events_for(role: Role | str) -> list[EventType]:
    """The kinds of event a user of ``role`` can receive, in the order the page lists them."""
    return [t for t in _TYPES if t.reaches(role)]


def receives(role: Role | str, event: str) -> bool:
    """Is ``event`` a kind of notification a user of ``role`` can receive?"""
    kind = EVENTS.get(event)
    return kind is not None and kind.reaches(role)


def choice_label(event: EventType, delivery: Delivery) -> str:
    """The label of one choice; the weekly digest has no daily option, so it reads differently."""
    if event.key == "weekly_digest":
        return {"immediate": "By e-mail, once a week", "off": "Off"}[delivery.value]
    return delivery.label
