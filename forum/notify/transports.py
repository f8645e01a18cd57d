"""How a message leaves: over SMTP, or, in development, as a file; and what counts as a failure
that will never succeed (PermanentFailure) rather than one worth retrying (TransientFailure)."""

import os
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

from forum.core import mail
from forum.core.emails import email_problem
from forum.core.mail import one_line
from forum.core.outbox import OutboxMessage


class PermanentFailure(Exception):
    """This message can never be delivered: mark it failed."""


class TransientFailure(Exception):
    """Not now: keep the message and try again later."""


class ServerUnreachable(TransientFailure):
    """The mail server cannot be reached: the rest of the batch waits too."""


# --- addresses and messages --------------------------------------------------------------------


def address_problem(address: str | None) -> str | None:
    """Why ``address`` cannot be an e-mail address, or None when it looks like one.

    A syntax check only (email-validator, international letters and intranet domains allowed);
    it never names the address, since the reason is shown on admin pages.
    """
    if not address:
        return "There is no address."
    if len(address) > 254:
        return "The address is longer than 254 characters."
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in address):
        return "The address contains spaces, line breaks or control characters."
    return email_problem(address)


def compose(row: OutboxMessage) -> EmailMessage:
    """The e-mail for one outbox row; every header value is a single line."""
    to = str(Address(display_name=one_line(row.to_name, 120), addr_spec=row.to_address))
    msg = mail.build_message(to, row.subject, row.text_body, row.html_body or None)
    del msg["Message-ID"]
    msg["Message-ID"] = row.message_id
    msg["Date"] = format_datetime(row.created_at)
    for name, value in (row.headers or {}).items():
        msg[one_line(name, 60)] = one_line(value, 900)
    return msg


def describe(exc: BaseException) -> str:
    """A one-line reason for a failed attempt, as the outbox page shows it."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {one_line(text, 300)}"
    # smtplib turns a timeout while reading a reply into SMTPServerDisconnected.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return "The mail server did not answer in time."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "The mail server closed the connection."
    if isinstance(exc, ConnectionRefusedError):
        return "The mail server refused the connection."
    return one_line(f"{exc.__class__.__name__}: {exc}", 300)


# --- transports --------------------------------------------------------------------------------


class SmtpTransport:
    """One SMTP connection for a batch, opened on first use."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.smtp: smtplib.SMTP | None = None
        self.sender = parseaddr(cfg["MAIL_FROM"])[1]

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        try:
            smtp = cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        except (OSError, smtplib.SMTPException) as exc:
            raise ServerUnreachable(describe(exc)) from exc
        return smtp

    def send(self, row: OutboxMessage, msg: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            # The envelope names the one recipient: no header can add another.
            self.smtp.send_message(msg, from_addr=self.sender, to_addrs=[row.to_address])
        except smtplib.SMTPRecipientsRefused as exc:
            answers = list(exc.recipients.values())
            reason = "; ".join(
                describe(smtplib.SMTPResponseException(code, text)) for code, text in answers
            )
            if answers and all(code >= 500 for code, _ in answers):
                raise PermanentFailure(f"The mail server refused the address: {reason}") from exc
            raise TransientFailure(f"The mail server deferred the address: {reason}") from exc
        except smtplib.SMTPDataError as exc:
            if exc.smtp_code >= 500:
                raise PermanentFailure(
                    f"The mail server refused the message: {describe(exc)}"
                ) from exc
            raise TransientFailure(describe(exc)) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentFailure(
                f"The mail server cannot take this address: {one_line(str(exc), 200)}"
            ) from exc
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise ServerUnreachable(describe(exc)) from exc
        except smtplib.SMTPException as exc:
            raise TransientFailure(describe(exc)) from exc

    def close(self) -> None:
        if self.smtp is None:
            return
        smtp, self.smtp = self.smtp, None
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class FileTransport:
    """Development: each message becomes ``MAIL_DIR/<created>-outbox-<id>.eml``.

    The name comes from the row, so sending a message again rewrites the same file.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def send(self, row: OutboxMessage, msg: EmailMessage) -> None:
        name = f"{row.created_at:%Y%m%dT%H%M%S}-outbox-{row.id:08d}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.partial"
            partial.write_bytes(bytes(msg))
            os.replace(partial, self.folder / name)
        except OSError as exc:
            raise ServerUnreachable(f"Cannot write to the mail folder: {exc.strerror}") from exc

    def close(self) -> None:
        pass


def transport_for(cfg):
    if cfg["MAIL_TRANSPORT"] == "smtp":
        return SmtpTransport(cfg)
    return FileTransport(cfg["MAIL_DIR"])
