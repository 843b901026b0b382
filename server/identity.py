"""Who is asking: an owner id in a signed, HttpOnly, SameSite cookie, set on the first request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Final

from starlette.requests import HTTPConnection
from starlette.responses import Response

COOKIE: Final = "rehearse_owner"
MAX_AGE: Final = 400 * 24 * 3600  # the most browsers keep a cookie


class Signer:
    """Signs owner ids with the server's secret key (HMAC-SHA256)."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")

    def _mac(self, owner: str) -> str:
        digest = hmac.new(self._key, owner.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode("ascii")

    def sign(self, owner: str) -> str:
        return f"{owner}.{self._mac(owner)}"

    def csrf_token(self, owner: str) -> str:
        """The token this owner's forms must carry (bound to the owner, so not guessable)."""
        return self._mac(f"csrf:{owner}")

    def csrf_ok(self, owner: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token(owner))

    def verify(self, value: str | None) -> str | None:
        """The owner id if the cookie value is genuine, else None."""
        if not value or value.count(".") != 1:
            return None
        owner, mac = value.split(".")
        if not owner.isalnum() or not hmac.compare_digest(mac, self._mac(owner)):
            return None
        return owner


def new_owner() -> str:
    return secrets.token_hex(16)


def owner_of(connection: HTTPConnection, signer: Signer) -> str | None:
    return signer.verify(connection.cookies.get(COOKIE))


def set_owner_cookie(response: Response, signer: Signer, owner: str, secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        signer.sign(owner),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
