"""Cross-site protections: same-origin websockets, JSON-only and same-origin state changes."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection


def same_origin(connection: HTTPConnection) -> bool:
    """True when there is no Origin (not a browser) or it names this server's own host."""
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    host = connection.headers.get("host")
    if not host or origin == "null":
        return False
    parts = urlsplit(origin)
    return parts.netloc.lower() == host.lower() and parts.scheme in ("http", "https")


def is_json(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() == "application/json"
