"""Identity, cross-site guards and security headers, as a plain ASGI middleware.

(Starlette's `@app.middleware("http")` wraps every request and response in extra tasks and
streams; this does the same job with a header rewrite, which matters under load.)
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.guards import is_json, same_origin
from server.identity import Signer, new_owner, owner_of, set_owner_cookie

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS: Final = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
)
SECURITY_HEADER_BYTES: Final = tuple(
    (n.encode("latin-1"), v.encode("latin-1")) for n, v in SECURITY_HEADERS
)
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": {"code": code, "message": message}}, status_code=status)


def _refusal(request: Request) -> Response | None:
    """Why a state-changing API request is refused, if it is."""
    if request.method not in UNSAFE_METHODS or not request.url.path.startswith("/api/"):
        return None
    if not same_origin(request):
        return _problem(403, "forbidden_origin", "requests from other sites are refused")
    if request.method != "DELETE" and not is_json(request.headers.get("content-type")):
        return _problem(415, "unsupported_media_type", "send application/json")
    return None


class IdentityAndGuards:
    """Gives every HTTP request an owner (a signed cookie), guards the API, adds headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = _refusal(request)
        if refusal is not None:
            await _with_headers(refusal)(scope, receive, send)
            return
        signer: Signer = scope["app"].state.signer
        owner = owner_of(request, signer)
        cookie: str | None = None
        if owner is None:
            owner = new_owner()
            carrier = Response()
            set_owner_cookie(carrier, signer, owner, secure=request.url.scheme == "https")
            cookie = carrier.headers["set-cookie"]
        scope.setdefault("state", {})["owner"] = owner

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The raw header list, not MutableHeaders: this runs on every response.
                raw = list(message.get("headers", []))
                present = {name.lower() for name, _ in raw}
                raw += [(n, v) for n, v in SECURITY_HEADER_BYTES if n not in present]
                if cookie is not None:
                    raw.append((b"set-cookie", cookie.encode("latin-1")))
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _with_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response
