"""Sending e-mail: a file transport for development and tests, SMTP for production."""

import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from forum.core.time import utcnow


def _clean_header(value: str) -> str:
    # Newlines in a header would let a display name or title inject headers.
    return " ".join(str(value).split())


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = _clean_header(to)
    msg["Subject"] = _clean_header(subject)
    msg["Message-ID"] = make_msgid(domain="voice-of-sales.local")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def send(msg: EmailMessage) -> None:
    """Deliver one message with the configured transport; raises on failure."""
    cfg = current_app.config
    if cfg["MAIL_TRANSPORT"] == "smtp":
        cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"]) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
        return
    folder = cfg["MAIL_DIR"]
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    # The time sorts the files; the random part keeps two messages of one instant apart.
    with open(folder / f"{stamp}-{secrets.token_hex(4)}.eml", "xb") as fh:
        fh.write(bytes(msg))
