"""Where a webhook may be sent: SSRF protection, at registration and at every delivery.

A URL is http or https, without credentials, to a host whose every address is public. Its host
is resolved each time (DNS can change between registration and delivery, and from one delivery
to the next), each address is checked, and the sender connects to a checked address — never
resolving the name again. Redirects are never followed. ``WEBHOOK_ALLOWED_INTERNAL_HOSTS``
names hosts (as typed in the URL) that may resolve to private addresses, for an on-premises
chat server; it is empty by default.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

MAX_URL = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # a translator reaches the IPv4 address inside


class UnsafeTarget(ValueError):
    """The URL is malformed, or it leads (or may lead) somewhere webhooks must not go."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as typed, lower-case, without brackets
    port: int
    path: str  # with its query string
    addresses: tuple[IPAddress, ...] = ()

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse(url: str) -> Target:
    """Check the form of ``url`` (nothing is resolved). Raises ``UnsafeTarget``."""
    url = (url or "").strip()
    if not url:
        raise UnsafeTarget("Enter the URL to send to.")
    if len(url) > MAX_URL:
        raise UnsafeTarget(f"A URL has at most {MAX_URL} characters.")
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise UnsafeTarget("A URL cannot contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeTarget("That is not a valid URL.") from None
    if parts.scheme not in {"http", "https"}:
        raise UnsafeTarget("Only http and https URLs can receive webhooks.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("Put no user name or password in the URL; the payload is signed.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeTarget("The URL names no host.")
    if port == 0:
        raise UnsafeTarget("That port cannot receive anything.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def is_public(address: IPAddress) -> bool:
    """Is ``address`` on the public internet (not private, loopback, link-local, multicast,
    reserved or unspecified — also when wrapped in an IPv6 form)?"""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
        if address.teredo is not None:
            return all(is_public(a) for a in address.teredo)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def internal_allowed(host: str) -> bool:
    return host.lower() in current_app.config["WEBHOOK_ALLOWED_INTERNAL_HOSTS"]


def resolve(target: Target) -> Target:
    """``target`` with every address its host has now, each one checked. Raises
    ``UnsafeTarget`` when the host does not resolve or any address is not public (unless the
    host is allowed to be internal)."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeTarget(f"The host {target.host} cannot be found.") from None
    addresses = []
    for *_, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeTarget(f"The host {target.host} cannot be found.")
    if not internal_allowed(target.host):
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise UnsafeTarget(
                f"The host {target.host} leads to a private or reserved address ({refused[0]}); "
                "webhooks only go to public addresses."
            )
    return Target(target.scheme, target.host, target.port, target.path, tuple(addresses))


def check(url: str) -> Target:
    """Parse and resolve ``url``: the target to connect to. Raises ``UnsafeTarget``."""
    return resolve(parse(url))
