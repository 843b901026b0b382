"""Errors the scorer may raise: a reply it refuses to score."""

from __future__ import annotations

from typing import Final, Literal

MAX_REPLY_CHARS: Final = 2000

RejectionCode = Literal["empty", "too_long"]


class ReplyRejectedError(ValueError):
    """A reply that cannot be scored; `code` is part of the public contract."""

    def __init__(self, code: RejectionCode, message: str) -> None:
        self.code: RejectionCode = code
        self.message = message
        super().__init__(message)

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def check_reply_text(text: str) -> None:
    """Raise ReplyRejectedError unless `text` is a reply the scorer accepts."""
    if not text.strip():
        raise ReplyRejectedError("empty", "the reply is empty: type what you would say")
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyRejectedError(
            "too_long",
            f"the reply has {len(text)} characters; the limit is {MAX_REPLY_CHARS}",
        )
