"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the mail tests, serving a socket bound
beforehand so that no other process can take its port."""

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from tests.ports import reserve_port


@dataclass
class Received:
    rcpt_tos: list[str]
    message: object  # email.message.EmailMessage


@dataclass
class Inbox:
    """What the SMTP server took, and the answer it gives to the next messages."""

    received: list[Received] = field(default_factory=list)
    # (code and text) to answer DATA with, or None to accept; RCPT refusals per address.
    data_reply: str | None = None
    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        with self.lock:
            self.received.append(
                Received(
                    list(envelope.rcpt_tos),
                    message_from_bytes(envelope.original_content, policy=policy.default),
                )
            )
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(r.message["Message-ID"]).strip() for r in self.received]


class _BoundController(Controller):
    """aiosmtpd serving on a socket bound beforehand (no free-port race)."""

    def __init__(self, handler, sock: socket.socket):
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1])
        self._sock = sock

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class SmtpServer:
    """aiosmtpd on 127.0.0.1; it can be stopped and started again on the same port.

    ``sock`` is a socket from ``reserve_port()`` (a new one by default): the port is ours from
    the moment the server object exists, before it listens.
    """

    def __init__(self, sock: socket.socket | None = None):
        self.sock: socket.socket | None = sock or reserve_port()
        self.port = self.sock.getsockname()[1]
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        if self.sock is None:  # stopped: the server closed its socket
            self.sock = reserve_port(self.port)
        self.controller = _BoundController(self.inbox, self.sock)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
            self.sock = None
