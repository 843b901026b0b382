"""The guide's technical vocabulary, matched with misspellings tolerated."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from typing import Final

from dialogue.spans import Span
from dialogue.text import ReplyText

# Canonical words; a token one edit away from a long one still counts (typos are common in chat).
_CANONICAL: Final = (
    "feature", "features", "engineering", "engineered", "model", "models", "data", "concept",
    "drift", "hyperparameter", "hyperparameters", "hyper", "parameter", "parameters", "tuning",
    "tuned", "precision", "recall", "explainable", "explainability", "interpretability",
    "interpretable", "scalability", "scalable", "testing", "tests", "test", "tested", "edge",
    "cases", "case", "xai", "shap", "lime", "optimization", "optimisation", "search",
)  # fmt: skip
_MIN_FUZZY_LENGTH: Final = 6
_LETTERS: Final = "abcdefghijklmnopqrstuvwxyz"

_TOKEN: Final = re.compile(r"[a-z]+(?:/[a-z]+)?")
_WORD: Final = re.compile(r"[a-z]+")

# Term patterns over the canonical token stream, joined by single spaces.
_TERMS: Final = re.compile(
    r"\bfeatures? engineer(?:ing|ed)\b|\bengineered (?:\w+ )?features?\b"
    r"|\b(?:model|models|data|concept) drift\b|\bdrift\b"
    r"|\bhyperparameters?\b|\bhyper parameters?\b|\bparameter tuning\b"
    r"|\bprecision\b|(?<!\bi )(?<!\byou )(?<!\bwe )(?<!\bas )(?<!\bto )(?<!\bdon t )\brecall\b"
    r"|\bexplainab(?:le|ility)\b|\binterpretab(?:le|ility)\b|\bxai\b|\bshap\b"
    r"|\bscalab(?:le|ility)\b|\ba/b\b|\bab (?:tests?|testing|tested)\b|\bsplit test"
    r"|\bedge cases?\b"
)


def _edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | transposes | replaces | inserts


@cache
def _spelling_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for word in _CANONICAL:
        if len(word) >= _MIN_FUZZY_LENGTH:
            for variant in _edits(word):
                table.setdefault(variant, word)
    for word in _CANONICAL:
        table[word] = word  # exact words win over another word's misspelling
    table["modle"] = "model"
    table["drfit"] = "drift"
    table["hyperparamter"] = "hyperparameter"
    table["hyperparamters"] = "hyperparameters"
    table["hyperparam"] = "hyperparameter"
    table["hyperparams"] = "hyperparameters"
    return table


# Every term holds one of these words; a reply with none of them has no term.
_ANCHORS: Final = frozenset(
    "engineering engineered drift hyperparameter hyperparameters parameter parameters"
    " precision recall explainable explainability interpretability interpretable scalability"
    " scalable xai shap a/b ab split edge".split()
)


@cache
def _anchor_spellings() -> frozenset[str]:
    """Every token that reads as an anchor word, misspellings included."""
    return frozenset(token for token, word in _spelling_table().items() if word in _ANCHORS)


def technical_terms(reply: ReplyText) -> list[Span]:
    """Spans of the guide's vocabulary in the reply."""
    low = reply.low
    if "a/b" not in low and _anchor_spellings().isdisjoint(_WORD.findall(low)):
        return []
    table = _spelling_table()
    words: list[str] = []
    origins: list[tuple[int, int]] = []
    for match in _TOKEN.finditer(reply.low):
        token = match[0]
        words.append(table.get(token, token))
        origins.append(match.span())
    stream = " ".join(words)
    # Map stream offsets back to token indexes.
    starts: list[int] = []
    position = 0
    for word in words:
        starts.append(position)
        position += len(word) + 1
    spans: list[Span] = []
    for match in _TERMS.finditer(stream):
        first = _token_at(starts, match.start())
        last = _token_at(starts, match.end() - 1)
        begin, end = origins[first][0], origins[last][1]
        spans.append(Span(begin, end, reply.raw[begin:end]))
    return spans


def _token_at(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset) - 1
