"""Listening to the domains' signals: each event an endpoint hears of is queued for it, inside
the transaction of the change (receivers only add rows and flush, never commit or send)."""

from forum.core import signals
from forum.fixes.models import FixStatus
from forum.webhooks import payloads
from forum.webhooks.services import announce


def on_post_filed(post, *, actor, **_):
    announce("report.filed", lambda: payloads.report_filed(post))


def on_post_triaged(post, *, actor, action, fix=None, original=None, **_):
    announce(
        "report.triaged",
        lambda: payloads.report_triaged(post, action, actor, fix=fix, original=original),
    )


def on_fix_created(fix, *, actor, **_):
    announce("fix.created", lambda: payloads.fix_created(fix, actor))


def on_fix_transitioned(fix, *, actor, event, from_status=None, to_status=None, **_):
    def build():
        return payloads.fix_transitioned(fix, actor, from_status, to_status, event.note)

    announce("fix.status_changed", build)
    to = FixStatus(to_status)
    if to == FixStatus.VERIFIED:
        announce("fix.verified", build)
    elif to == FixStatus.REOPENED:
        announce("fix.reopened", build)


def on_fix_escalated(fix, *, escalation, **_):
    announce("fix.escalated", lambda: payloads.fix_escalated(fix, escalation))


def connect() -> None:
    """Listen to the domains' signals (connecting twice changes nothing)."""
    signals.post_filed.connect(on_post_filed)
    signals.post_triaged.connect(on_post_triaged)
    signals.fix_created.connect(on_fix_created)
    signals.fix_transitioned.connect(on_fix_transitioned)
    signals.fix_escalated.connect(on_fix_escalated)
