"""Rehearse's pure library: scoring replies against the guide (no web or database imports)."""

from dialogue.errors import MAX_REPLY_CHARS, ReplyRejectedError
from dialogue.prepared import Prepared
from dialogue.scoring import Score, score_reply
from dialogue.stages import STAGES, Stage, UnknownStageError, parse_stage

__all__ = [
    "MAX_REPLY_CHARS",
    "STAGES",
    "Prepared",
    "ReplyRejectedError",
    "Score",
    "Stage",
    "UnknownStageError",
    "parse_stage",
    "score_reply",
]
