"""Safe ``next=`` targets: only a path on this site."""

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str = "/") -> str:
    """Return ``target`` if it is a local path, else ``default``.

    Browsers drop tabs and newlines and read a backslash as a slash, so any of those (or any other
    control character or space) makes the target unsafe, as does a scheme or a host.
    """
    if not target or len(target) > 2000:
        return default
    if any(ch in target for ch in "\\") or any(ord(ch) < 33 or ord(ch) == 127 for ch in target):
        return default
    if "%09" in target.lower() or "%0a" in target.lower() or "%0d" in target.lower():
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
