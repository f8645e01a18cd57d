"""What a webhook says: versioned JSON with the event's data and a Slack-compatible ``text``
and ``blocks``, so a chat tool's incoming-webhook URL works as it is.

Payloads go to a place whose readers nobody knows, so they say what a rep may read: a shielded
author — of a report, or of a report linked to a fix when they move or verify it — is named by
their shield label only, never by name, id or e-mail.
"""

import json
from datetime import datetime

from flask import current_app

from forum.auth.models import User
from forum.core import zones
from forum.feedback.models import Post
from forum.feedback.shielding import person_label, shielded_on_fix
from forum.fixes.models import Escalation, Fix, FixStatus
from forum.notify.services import absolute, link

VERSION = "1"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def mrkdwn(text: str) -> str:
    """``text`` safe inside Slack's mrkdwn (its three control characters escaped)."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str, label: str) -> str:
    return f"<{url}|{mrkdwn(label)}>"


def envelope(
    event: str,
    uid: str,
    occurred_at: datetime,
    data: dict,
    text: str,
    detail: str,
    url: str | None = None,
) -> dict:
    """The payload: ``text`` is the plain one-line summary (chat tools show it in
    notifications), ``blocks`` the same with a link, for tools that draw them."""
    headline = f"*{_link(url, text)}*" if url else f"*{mrkdwn(text)}*"
    section = headline + (f"\n{mrkdwn(detail)}" if detail else "")
    return {
        "version": VERSION,
        "id": uid,
        "event": event,
        "occurred_at": _iso(occurred_at),
        "data": data,
        "text": f"{text} {url}" if url else text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": section}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": mrkdwn(f"Voice of Sales · {event}")}],
            },
        ],
    }


def dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


# --- the events' data --------------------------------------------------------------------------


def _post_url(post: Post) -> str:
    return absolute(link("feedback.detail", post_id=post.id))


def _fix_url(fix: Fix) -> str:
    return absolute(link("fixes.detail", fix_id=fix.id))


def report_data(post: Post) -> dict:
    return {
        "id": post.id,
        "kind": post.kind.value,
        "title": post.title,
        "status": post.status.value,
        "author": person_label(None, post, post.author_id, post.author.display_name),
        "shielded": post.shielded,
        "account": post.account.name if post.account is not None else None,
        "impact": post.impact,
        "url": _post_url(post),
    }


def fix_data(fix: Fix) -> dict:
    return {
        "id": fix.id,
        "title": fix.title,
        "status": fix.status.value,
        "priority": str(fix.priority),
        "owner_team": fix.owner_team.name,
        "due_at": _iso(fix.due_at),
        "url": _fix_url(fix),
    }


def actor_on_fix(fix: Fix, actor: User | None) -> str | None:
    """Who acted on ``fix``: their name, or their shield label if they reported it shielded."""
    if actor is None:
        return None
    return shielded_on_fix(fix.id).get(actor.id, actor.display_name)


def report_filed(post: Post) -> tuple[dict, str, str, str]:
    data = {"report": report_data(post)}
    account = f" about {post.account.name}" if post.account is not None else ""
    text = f"New {post.kind.label.lower()}{account}: {post.title}"
    return data, text, f"Filed by {data['report']['author']}.", data["report"]["url"]


TRIAGE_SENTENCES = {
    "linked": "linked to a fix",
    "duplicate": "merged into another report",
    "declined": "declined",
    "needs_info": "sent back for more information",
    "noted": "noted (no fix needed)",
}


def report_triaged(
    post: Post, action: str, actor: User, fix: Fix | None = None, original: Post | None = None
) -> tuple[dict, str, str, str]:
    data = {"report": report_data(post), "action": action, "actor": actor.display_name}
    detail = ""
    if fix is not None:
        data["fix"] = fix_data(fix)
        detail = f"Fix #{fix.id}: {fix.title}"
    if original is not None:
        data["duplicate_of"] = {"id": original.id, "url": _post_url(original)}
    sentence = TRIAGE_SENTENCES.get(action, action)
    text = f"Report #{post.id} “{post.title}” is {sentence}"
    return data, text, detail, data["report"]["url"]


def fix_created(fix: Fix, actor: User) -> tuple[dict, str, str, str]:
    data = {"fix": fix_data(fix), "actor": actor_on_fix(fix, actor)}
    text = f"New fix #{fix.id} for {fix.owner_team.name}: {fix.title}"
    detail = f"Priority {fix.priority}, due {zones.due_day(fix.due_at)}."
    return data, text, detail, data["fix"]["url"]


def fix_transitioned(
    fix: Fix, actor: User, from_status, to_status, note: str
) -> tuple[dict, str, str, str]:
    to = FixStatus(to_status)
    data = {
        "fix": fix_data(fix),
        "from_status": str(from_status) if from_status is not None else None,
        "to_status": to.value,
        "actor": actor_on_fix(fix, actor),
        "note": note or "",
    }
    text = f"Fix #{fix.id} “{fix.title}” is now {to.label.lower()}"
    detail = f"By {data['actor']}." + (f" {note}" if note else "")
    return data, text, detail, data["fix"]["url"]


def fix_escalated(fix: Fix, escalation: Escalation) -> tuple[dict, str, str, str]:
    data = {"fix": fix_data(fix), "escalation": {"level": escalation.level}}
    to = "the owner team's lead" if escalation.level == 1 else "the executive sponsor"
    text = f"Fix #{fix.id} “{fix.title}” is overdue and escalated to {to}"
    detail = f"{fix.owner_team.name}, priority {fix.priority}, due {zones.due_day(fix.due_at)}."
    return data, text, detail, data["fix"]["url"]


def ping(endpoint_name: str) -> tuple[dict, str, str, None]:
    site = current_app.config["BASE_URL"]
    text = f"Test message from Voice of Sales ({site}) to “{endpoint_name}”"
    return {"endpoint": endpoint_name}, text, "If you read this, the webhook works.", None
