"""The events an endpoint can hear of, by the name its payloads carry."""

from dataclasses import dataclass


@dataclass(frozen=True)
class WebhookEvent:
    key: str
    label: str


EVENTS = [
    WebhookEvent("report.filed", "A report is filed"),
    WebhookEvent("report.triaged", "A report is triaged (linked, declined, merged, ...)"),
    WebhookEvent("fix.created", "A fix is created"),
    WebhookEvent("fix.status_changed", "A fix changes status"),
    WebhookEvent("fix.escalated", "An overdue fix is escalated"),
    WebhookEvent("fix.verified", "A fix is verified (it held)"),
    WebhookEvent("fix.reopened", "A fix is reopened (it did not hold)"),
]
KEYS = frozenset(e.key for e in EVENTS)
LABELS = {e.key: e.label for e in EVENTS}
PING = "ping"  # the test-send button's event, sent whatever the endpoint hears of
