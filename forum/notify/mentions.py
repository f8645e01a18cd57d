"""@mentions in comments.

The rule: ``@`` followed by the part of someone's e-mail address before the ``@``
(``@jordan.blake`` for jordan.blake@example.com), in any letter case. A mention that names
nobody, or more than one person, notifies nobody and stays plain text; so does an ``@`` inside
code or inside an e-mail address.
"""

import re

import sqlalchemy as sa

from forum.auth.models import User
from forum.extensions import db

MAX_MENTIONS = 20
HINT = (
    "To notify someone, write @ and the part of their e-mail address before the @ "
    "(e.g. @jordan.blake for jordan.blake@example.com). Markdown works."
)

_FENCED = re.compile(r"^(```|~~~).*?^\1", re.DOTALL | re.MULTILINE)
_INLINE_CODE = re.compile(r"(`+).+?\1", re.DOTALL)
# Not preceded by a character that would make it part of an address or a word.
_MENTION = re.compile(r"(?<![\w.@+-])@([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9])?)")


def mentioned_names(text: str) -> list[str]:
    """The distinct local parts mentioned in ``text``, lower-cased, in order of appearance."""
    text = _INLINE_CODE.sub(" ", _FENCED.sub(" ", text or ""))
    found: list[str] = []
    for match in _MENTION.finditer(text):
        name = match.group(1).lower()
        if name not in found:
            found.append(name)
        if len(found) >= MAX_MENTIONS:
            break
    return found


def mentioned_users(text: str) -> list[User]:
    """The active users ``text`` mentions unambiguously."""
    users = []
    for name in mentioned_names(text):
        matches = db.session.scalars(
            sa.select(User)
            .where(
                sa.func.lower(User.email).startswith(f"{name}@", autoescape=True),
                User.active.is_(True),
            )
            .limit(2)
        ).all()
        if len(matches) == 1:
            users.append(matches[0])
    return users
