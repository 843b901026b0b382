"""Keyed patterns find what their branches find when each is tried at every position.

`PhraseMatches` tries a branch only at the words it is keyed by; a key that is wrong for a
branch silently loses its matches. Every registered pattern is held, over the labelled replies
and over random text made of its own words, to two references:

- the pattern itself, untouched: every match `re.finditer` finds starts a span found, or lies
  inside one; every span found starts where the pattern matches, and ends no sooner;
- its branches, each tried at every position: at each position the longest match of any
  branch (a leading group spelled out into branches of their own), taken leftmost first
  without overlaps, which is exactly what `PhraseMatches` promises (`re` keeps the first
  branch that matches, not the longest).
"""

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dialogue.scoring  # noqa: F401  (imports every detector, which registers its patterns)
from dialogue.lexicon import (
    REGISTERED,
    KeyedPattern,
    PhraseMatches,
    compile_all,
    keyed_branches,
    split_branches,
)

DATA = Path(__file__).parent.parent / "data"
REPLIES = [
    json.loads(line)["text"].lower()
    for name in ("replies_tuning.jsonl", "replies_heldout.jsonl")
    for line in (DATA / name).read_text(encoding="utf-8").splitlines()
]
# Words where keys are easy to get wrong: contractions, words that share a prefix with a key,
# and the cue words that follow them.
WORDS = [
    "i", "i'll", "ill", "i'm", "im", "i've", "ive", "i'd", "id", "in", "it", "if", "is", "its",
    "it's", "isn't", "isnt", "will", "am", "have", "documented", "leave", "quit", "look",
    "elsewhere", "understand", "get", "hear", "see", "think", "want", "my", "the", "bonus",
    "deserve", "more", "period", "demand", "follow", "up", "reach", "out", "done", "going",
    "straight", "report", "sue", "unless", "or", "else", "revisit", "next", "q1", "budget",
    "thanks", "sorry", "you", "we", "can", "could", "would", "don't", "dont", "care", "hoping",
    "increased", "by", "20%", "$5k", "re-visit", "a", "to", "hate", "ask", "know", "asking",
]  # fmt: skip
# ...and every word the patterns spell out, so that random phrases reach most branches.
WORDS += sorted({word for p in REGISTERED for word in re.findall(r"[a-z]{2,}", p.pattern)})
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", "! ", "? ", "  ", "-", "'", ""]


# Each branch with its leading group spelled out ((A|B)c as Ac and Bc), as the keys are made.
_BRANCHES = {
    pattern.id: [
        re.compile(part, pattern.flags)
        for branch in split_branches(pattern.pattern)
        for _key, part in keyed_branches(branch)
    ]
    for pattern in REGISTERED
}


def expected(pattern: KeyedPattern, low: str) -> list[tuple[int, int]]:
    ends: dict[int, int] = {}
    for branch in _BRANCHES[pattern.id]:
        position = 0
        while (hit := branch.search(low, position)) is not None:
            ends[hit.start()] = max(ends.get(hit.start(), 0), hit.end())
            position = hit.start() + 1
    spans, last_end = [], -1
    for start in sorted(ends):
        if start >= last_end:
            spans.append((start, ends[start]))
            last_end = max(ends[start], start + 1)
    return spans


def assert_like_the_pattern(pattern: KeyedPattern, low: str, spans: list[tuple[int, int]]) -> None:
    """Against the pattern as written, independently of how keys are made."""
    whole = re.compile(pattern.pattern, pattern.flags)
    for hit in whole.finditer(low):
        assert any(start <= hit.start() < max(end, start + 1) for start, end in spans), (
            f"pattern {pattern.id} lost {hit[0]!r} at {hit.start()} in {low!r}"
        )
    for start, end in spans:
        at_start = whole.match(low, start)
        assert at_start is not None and end >= at_start.end(), f"pattern {pattern.id}: {start}"


def assert_same(low: str) -> None:
    found = PhraseMatches(low)
    for pattern in REGISTERED:
        plain = expected(pattern, low)
        if pattern.requires is not None and pattern.requires.search(low) is None:
            assert plain == [], f"pattern {pattern.id}: its prerequisite is not necessary"
        spans = pattern.matches(found)
        assert_like_the_pattern(pattern, low, spans)
        assert spans == plain, f"pattern {pattern.id} on {low!r}"


def test_patterns_are_registered_and_compile() -> None:
    assert len(REGISTERED) > 20
    compile_all()  # groups are compiled at first use; a bad one must fail here, not in a reply


@pytest.mark.parametrize("start", range(0, len(REPLIES), 50))
def test_labelled_replies(start: int) -> None:
    for low in REPLIES[start : start + 50]:
        assert_same(low)


_LOOKBEHIND = re.compile(r"\(\?<[!=][^()]*\)")
_INNERMOST_GROUP = re.compile(r"\(\?:([^()]*)\)")


def spelled_out(branch: str) -> list[str]:
    """Texts made of a branch's literal words, the first two joined by nothing, a space or a
    hyphen: where an optional separator could be keyed wrongly ("bull\\s?shit"). Each group
    stands for its first alternative ("write[\\s-]?ups?\\s+(?:is|are)" gives "writeups is")."""
    text = _LOOKBEHIND.sub("", branch)
    while (simpler := _INNERMOST_GROUP.sub(lambda group: group[1].split("|")[0], text)) != text:
        text = simpler
    words = re.findall(r"[a-z]+'?[a-z]*", re.sub(r"\\[a-zA-Z]|\[[^]]*\]|\{[^}]*\}", " ", text))
    if not words:  # emoji, punctuation: nothing to run together
        return []
    first_words = [sep.join(words[:count]) for count in (1, 2, 3) for sep in ("", " ", "-")]
    return first_words + [f"{words[0]}{sep}{' '.join(words[1:])}" for sep in ("", "-")]


@pytest.mark.parametrize("pattern", REGISTERED, ids=lambda pattern: f"pattern-{pattern.id}")
def test_every_branch_spelled_out(pattern: KeyedPattern) -> None:
    # Each alternative of a leading group on its own (as keyed_branches spells them out), so
    # that "bull\\s?shit" inside a long list is run together too. Only the texts come from
    # keyed_branches: the check is against the pattern as written.
    for branch in split_branches(pattern.pattern):
        for _key, part in keyed_branches(branch):
            for low in spelled_out(part):
                assert_like_the_pattern(pattern, low, pattern.matches(PhraseMatches(low)))


phrases = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=40
).map(lambda pairs: "".join(word + sep for word, sep in pairs))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(phrases)
def test_random_phrases(low: str) -> None:
    assert_same(low)


def test_optional_apostrophe_keys_both_spellings() -> None:
    keys = {key for key, _ in keyed_branches(r"\bi'?ll\s+go")}
    assert keys == {"=i ll", "=ill go"}  # "i" then "ll" after the apostrophe; or "ill", "go"


def test_a_word_spelled_out_after_a_whole_word_keys_the_pair() -> None:
    assert keyed_branches(r"\bi\s+(?:demand|want)\b") == [
        ("=i demand", r"\bi\s+demand\b"),
        ("=i want", r"\bi\s+want\b"),
    ]
    # an optional word between them leaves the first word alone as the key
    assert [key for key, _ in keyed_branches(r"\bi\s+(?:really\s+)?want")] == ["=i"]


def test_a_key_with_nothing_after_it_is_a_word_beginning() -> None:
    # "\b(?:ticket)" matches the start of "tickets": the key must not demand the whole word
    assert keyed_branches(r"\b(?:ticket|fraud\b)") == [
        ("ticket", r"\bticket"),
        ("=fraud", r"\bfraud\b"),
    ]
