"""Writing e-mail messages. Every message is queued in the outbox (``forum.core.outbox``) and
sent by the delivery worker; nothing here talks to a mail server."""

from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app


def one_line(text: str, limit: int = 300) -> str:
    """Collapse every run of whitespace (newlines included) and cut to ``limit`` characters.

    Titles and names end up in e-mail headers; a newline there would start a new header.
    """
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    # No limit on the recipient: cutting an address would change it.
    msg["To"] = one_line(to, 10_000)
    msg["Subject"] = one_line(subject)
    msg["Message-ID"] = make_msgid(domain="voice-of-sales.local")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg
