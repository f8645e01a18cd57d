"""Signing payloads: HMAC-SHA256 over ``timestamp + "." + body``, with the timestamp in a header
so a receiver can refuse a replayed (old) request. README "Webhooks" shows how to verify."""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-VoS-Signature"
TIMESTAMP_HEADER = "X-VoS-Timestamp"
EVENT_HEADER = "X-VoS-Event"
DELIVERY_HEADER = "X-VoS-Delivery"
SCHEME = "v1"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header: ``v1=<hex HMAC-SHA256>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (the tests' receiver too): recompute and compare in constant time."""
    try:
        expected = signature(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, header)
