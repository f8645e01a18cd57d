"""The kinds of notification, who can receive each, and how each is delivered by default."""

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
    choices: tuple[Delivery, ...] = (Delivery.IMMEDIATE, Delivery.DAILY, Delivery.OFF)

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that can receive it, from the policy table."""
        return roles_allowed(self.action)

    def reaches(self, role: Role | str) -> bool:
        """Can a user of ``role`` receive this kind of notification?"""
        return role_may(role, self.action)


REPORTS = "notify.reports"  # what happens to reports one filed or corroborated

_TYPES = [
    EventType(
        "post_linked",
        "A report I filed or corroborated is linked to a fix",
        "you filed or corroborated the report",
        Delivery.IMMEDIATE,
        REPORTS,
    ),
    EventType(
        "post_needs_info",
        "Leadership asks for more information on a report I filed or corroborated",
        "you filed or corroborated the report",
        Delivery.IMMEDIATE,
        REPORTS,
    ),
    EventType(
        "post_declined",
        "A report I filed or corroborated is declined",
        "you filed or corroborated the report",
        Delivery.IMMEDIATE,
        REPORTS,
    ),
    EventType(
        "post_duplicate",
        "A report I filed or corroborated is merged into another one",
        "you filed or corroborated the report",
        Delivery.IMMEDIATE,
        REPORTS,
    ),
    EventType(
        "post_noted",
        "A report I filed or corroborated is read and needs no fix",
        "you filed or corroborated the report",
        Delivery.DAILY,
        REPORTS,
    ),
    EventType(
        "fix_resolved",
        "A fix for a problem I reported is resolved and awaits my verification",
        "you reported or corroborated the problem this fix is for",
        Delivery.IMMEDIATE,
        REPORTS,
    ),
    EventType(
        "fix_status",
        "A fix for a problem I reported changes status",
        "you reported or corroborated the problem this fix is for",
        Delivery.DAILY,
        REPORTS,
    ),
    EventType(
        "mention",
        "Someone mentions me in a comment",
        "someone mentioned you",
        Delivery.IMMEDIATE,
        "notify.conversation",
    ),
    EventType(
        "comment",
        "A new comment on a post I follow",
        "you follow the post",
        Delivery.DAILY,
        "notify.conversation",
    ),
    EventType(
        "fix_new",
        "A new fix for my operations team",
        "the fix belongs to your operations team",
        Delivery.IMMEDIATE,
        "notify.team_fixes",
    ),
    EventType(
        "escalation",
        "An overdue fix is escalated to me",
        "the escalation is addressed to you",
        Delivery.IMMEDIATE,
        "notify.escalation",
    ),
    EventType(
        "weekly_digest",
        "The weekly digest of the top overdue fixes by revenue at risk",
        "you are in sales leadership",
        Delivery.IMMEDIATE,
        "notify.weekly_digest",
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
