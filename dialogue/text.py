"""The reply as the detectors see it: normalised text that keeps offsets, and its sentences."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property
from typing import Final

# One-to-one replacements only, so offsets in the normalised text are offsets in the reply.
_FOLD: Final = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
    }
)

# Capitalised words that are names of things, not shouting.
ACRONYMS: Final = frozenset(
    "KYC FTE FTES MVP POC SDK ML AI NPS KPI KPIS AWS GCP ROI ARR MRR CSAT XAI HR CEO CTO CFO"
    " VP SVP OKR OKRS USD EUR GBP SLA SLAS API APIS ETL GPU GPUS CPU PTO EOD FYI ASAP LTV CAC"
    " SQL UI UX QA PR PRS OK AUC F1 NLP LLM LLMS CV MLE MLES SRE RSU RSUS TL DR TLDR IC PM EM"
    " YOY QOQ H1 H2 CI CD US UK EU IT CRM SAAS B2B B2C ETA ID CTR SHAP LIME RFC DM AM TV"
    " 1:1".split()
)

_SENTENCE_END: Final = re.compile(r"[!?\n;]|\.(?![\w$€£%])")


def normalise(text: str) -> str:
    """Lower-case and fold typographic quotes and dashes, keeping every offset."""
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    # A few characters lower-case to two code points (e.g. 'İ'); keep those as they are.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)


class ReplyText:
    """A reply with its normalised form (`low`) and sentence boundaries."""

    __slots__ = ("__dict__", "low", "raw")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.low = normalise(raw)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [0, *(m.end() for m in _SENTENCE_END.finditer(self.low))]

    def sentence(self, start: int, end: int | None = None) -> tuple[int, int]:
        """The [start, end) of the sentence holding position `start` (through `end`)."""
        starts = self._sentence_starts
        index = bisect_right(starts, start) - 1
        last = bisect_right(starts, end if end is not None else start) - 1
        left = starts[index]
        right = starts[last + 1] if last + 1 < len(starts) else len(self.low)
        return left, right

    def before(self, pos: int, limit: int) -> str:
        """Up to `limit` characters before `pos`, within the sentence."""
        left, _ = self.sentence(pos)
        return self.low[max(left, pos - limit) : pos]

    def after(self, pos: int, limit: int) -> str:
        """Up to `limit` characters from `pos`, within the sentence."""
        _, right = self.sentence(pos)
        return self.low[pos : min(right, pos + limit)]
