"""The draft a rep sends their customer: what went wrong, what was changed, how it is
prevented — in words safe for a customer.

It is built only from what the rep wrote (the promise, the contact, the account) and from what
operations published as the fix's resolution (the resolution note and the prevention action):
never the problem statement, comments or internal notes. The name of anyone else who reported
the problem under a shield is replaced, should the resolution mention them.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa

from forum.auth.models import User
from forum.extensions import db
from forum.feedback.shielding import shielded_on_fix
from forum.loop.models import FollowUp, FollowUpKind

COLLEAGUE = "a colleague"
MENTION = re.compile(r"(?<![\w@])@[\w.\-]+")


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str

    def mailto(self) -> str:
        """A ``mailto:`` link with no recipient: the rep picks the customer in their mail client."""
        return f"mailto:?subject={quote(self.subject, safe='')}&body={quote(self.body, safe='')}"


def _shielded_names(follow_up: FollowUp) -> list[str]:
    ids = [i for i in shielded_on_fix(follow_up.fix_id) if i != follow_up.rep_id]
    if not ids:
        return []
    names = db.session.scalars(sa.select(User.display_name).where(User.id.in_(ids))).all()
    return sorted({n for n in names if n}, key=len, reverse=True)


def scrub(text: str, names: list[str]) -> str:
    """``text`` without @mentions and without any of ``names`` (case-insensitive)."""
    text = MENTION.sub(COLLEAGUE, text or "")
    for name in names:
        text = re.sub(re.escape(name), COLLEAGUE, text, flags=re.IGNORECASE)
    return " ".join(text.split())


def _greeting(follow_up: FollowUp) -> str:
    post = follow_up.post
    if post.contact_name:
        return f"Dear {post.contact_name},"
    if post.account is not None:
        return f"Dear {post.account.name} team,"
    return "Hello,"


def subject(follow_up: FollowUp) -> str:
    if follow_up.kind == FollowUpKind.CUSTOMER:
        return "What we changed after we let you down"
    return "We have fixed what stood in the way"


def compose(follow_up: FollowUp) -> str:
    """The generated draft (the rep edits it before sending)."""
    fix, post = follow_up.fix, follow_up.post
    names = _shielded_names(follow_up)
    changed = scrub(fix.resolution_note, names)
    prevention = scrub(fix.prevention, names)
    lines = [_greeting(follow_up), ""]
    if follow_up.kind == FollowUpKind.CUSTOMER:
        promise = " ".join((post.promised or "").split()) or "something we did not deliver"
        when = f" by {post.promised_date:%-d %B %Y}" if post.promised_date else ""
        lines += [
            f"We promised you: {promise}{when}. We did not keep that promise, and I am sorry.",
            "",
        ]
    else:
        reasons = [r.name for r in [post.primary_reason, *post.secondary_reasons] if r]
        delivery = [
            r.name for r in [post.primary_reason, *post.secondary_reasons] if r and r.is_operations
        ]
        why = (delivery or reasons or ["how we delivered"])[0]
        lines += [
            f"When you decided against us, {why.lower()} weighed on your decision, and rightly so.",
            "We have fixed it, and I would like you to hear it from me.",
            "",
        ]
    lines += [
        f"What we changed: {changed}",
        "",
        f"How we keep it from happening again: {prevention}",
        "",
    ]
    if follow_up.kind == FollowUpKind.DEAL:
        lines += ["Could we talk again about what you need? I would value half an hour.", ""]
    lines += ["Kind regards,", follow_up.rep.display_name]
    return "\n".join(lines)


def draft(follow_up: FollowUp) -> Draft:
    """The message as the rep last saved it, or the generated draft."""
    return Draft(subject(follow_up), follow_up.message or compose(follow_up))
