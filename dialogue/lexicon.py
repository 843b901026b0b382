"""Big alternations of phrases, run only where their first word occurs.

CPython's `re` tries every branch of an alternation at every position, so a detector of a
hundred phrases costs a hundred scans of the reply. A `KeyedPattern` splits its alternation by
the literal word (or word prefix) each branch starts with; `PhraseMatches` walks a reply's
words once and tries, anchored at each word, only the branches keyed by it. Branches with no
literal start are scanned as usual. Matches come back in order of position without overlaps,
as `re.finditer` gives them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Final, TypeAlias

_LETTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyz")
# What may follow a literal for it to be a whole word: whitespace, a boundary, an apostrophe
# (words are runs of letters, so "i'll" is the word "i" as far as keys go), or a class of
# whitespace and punctuation (_SPACE_CLASS); none of them made optional (_ends_word).
_WORD_ENDS: Final = ("\\s", "\\b", " ", "'")
_SPACE_CLASS: Final = re.compile(r"\[\\s[^\]\\a-zA-Z0-9]*\]")  # [\s-] and the like
_WHOLE: Final = "="  # marks a key that must be the whole word
_OPTIONAL: Final = ("?", "*", "{0", "{,")
_QUANTIFIERS: Final = ("?", "*", "+", "{")
# What may stand between a whole word and the next for the next one's start to be known.
_SEPARATORS: Final = ("\\s+", "\\s", " ", "'")
_WORD: Final = re.compile(r"[a-z]+")
_Source: TypeAlias = tuple[str, int]  # a regular expression's text and flags


def strip_verbose(pattern: str) -> str:
    """The pattern without VERBOSE-mode whitespace (escaped spaces and classes are kept)."""
    out: list[str] = []
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char.isspace():
            index += 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _group_end(pattern: str, start: int) -> int:
    """Index just past the parenthesised group opening at `start`."""
    depth, index, in_class = 0, start, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError(f"unbalanced group in pattern: {pattern!r}")


def split_branches(pattern: str) -> list[str]:
    """The top-level alternatives of a (non-verbose) pattern."""
    branches: list[str] = []
    depth, index, start, in_class = 0, 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:index])
            start = index + 1
        index += 1
    branches.append(pattern[start:])
    return branches


def _literal_prefix(text: str) -> str:
    """Leading letters of `text` that are certainly matched (a letter made optional is not)."""
    prefix = []
    for index, char in enumerate(text):
        if char not in _LETTERS or text.startswith(_OPTIONAL, index + 1):
            break
        prefix.append(char)
    return "".join(prefix)


def _skip_lookbehinds(text: str) -> str:
    while text.startswith(("(?<!", "(?<=")):
        text = text[_group_end(text, 0) :]
    return text


def keyed_branches(branch: str) -> list[tuple[str | None, str]]:
    """The branch as (key, branch) pairs: a leading group (A|B)rest becomes Arest and Brest.

    The key is a word prefix every match starts with; None when there is none to be had.
    """
    body = _skip_lookbehinds(branch)
    if not body.startswith("\\b"):
        return [(None, branch)]
    guards = branch[: len(branch) - len(body)]
    rest = body[2:]
    while True:  # further boundaries and lookbehinds consume nothing: keep them as guards
        trimmed = _skip_lookbehinds(rest[2:] if rest.startswith("\\b") else rest)
        if trimmed == rest:
            break
        guards += rest[: len(rest) - len(trimmed)]
        rest = trimmed
    if rest.startswith("(?:"):
        group = _leading_group(rest)
        if group is None:
            return [(None, branch)]
        alternatives, tail = group
        pairs: list[tuple[str | None, str]] = []
        for alternative in alternatives:
            pairs.extend(keyed_branches(f"{guards}\\b{alternative}{tail}"))
        return pairs
    key = _literal_prefix(rest)
    if not key:
        return [(None, branch)]
    return _keyed_by_word(guards, key, rest[len(key) :], branch)


def _keyed_by_word(
    guards: str, key: str, follower: str, branch: str
) -> list[tuple[str | None, str]]:
    """Keys for a branch whose match starts with the letters `key`, then `follower`."""
    if follower.startswith("'?"):  # i'?ll: "i" then an apostrophe, or the word "ill"
        unmarked = follower[3:] if follower.startswith("'??") else follower[2:]  # lazy: '??
        return keyed_branches(f"{guards}\\b{key}'{unmarked}") + keyed_branches(
            f"{guards}\\b{key}{unmarked}"
        )
    if _ends_word(follower):  # the key is a whole word, not a word's beginning
        return _with_next_word(guards, key, follower, branch)
    return [(key, branch)]  # the word may go on: nothing after the key, or more to match


def _ends_word(follower: str) -> bool:
    """Whether what follows a literal makes it a whole word: a word end not made optional
    (`bull\\s?shit` also matches "bullshit")."""
    space_class = _SPACE_CLASS.match(follower)
    if space_class is not None:
        return not follower.startswith(_OPTIONAL, space_class.end())
    end = next((end for end in _WORD_ENDS if follower.startswith(end)), None)
    return end is not None and not follower.startswith(_OPTIONAL, len(end))


def _leading_group(text: str) -> tuple[list[str], str] | None:
    """A leading group (?:A|B) and what follows it, as its alternatives and the rest; None if
    a quantifier applies to the group, whose alternatives then do not stand alone."""
    end = _group_end(text, 0)
    if text.startswith(_QUANTIFIERS, end):
        return None
    return split_branches(text[3 : end - 1]), text[end:]


def _with_next_word(
    guards: str, word: str, follower: str, branch: str
) -> list[tuple[str | None, str]]:
    """Key a whole word by the next word's beginning too when the branch spells it out.

    "i" starts a third of all the words tried, but `\\bi\\s+demand` needs the next word to be
    "demand": its key is "=i demand", tried only where "i" is followed by a word so starting.
    A leading group after the separator, (A|B)rest, becomes Arest and Brest as above.
    """
    whole: list[tuple[str | None, str]] = [(_WHOLE + word, branch)]
    separator = next((sep for sep in _SEPARATORS if follower.startswith(sep)), None)
    if separator is None:
        return whole
    after = follower[len(separator) :]
    if after.startswith("(?:"):
        group = _leading_group(after)
        if group is None:
            return whole
        alternatives, tail = group
        pairs: list[tuple[str | None, str]] = []
        for alternative in alternatives:
            spelled = f"{separator}{alternative}{tail}"
            pairs.extend(_with_next_word(guards, word, spelled, f"{guards}\\b{word}{spelled}"))
        return pairs
    second = _literal_prefix(after)
    if not second:
        return whole
    return [(f"{_WHOLE}{word} {second}", branch)]


Span = tuple[int, int]

_METACHARS: Final = frozenset("\\[(.^$|?*+{")


def _literal_starts(branches: list[str]) -> frozenset[str] | None:
    """The first characters of branches that all start with a plain literal, else None."""
    starts = set()
    for branch in branches:
        body = branch[1:] if branch[:1] == "\\" and branch[1:2] in "!?.$" else branch
        first = body[:1]
        optional = (body[1:2] in ("?", "*") and body[1:2] != "") or body[1:3] == "{0"
        if not first or (first in _METACHARS and body is branch) or first.isalnum() or optional:
            return None
        starts.add(first)
    return frozenset(starts)


# Every keyed pattern's groups by key, so one pass over a reply's words serves them all.
# Each group is compiled the first time a word leads to it (see _compiled): compiling them all
# took ~150-200 ms of every start-up, in processes that may score nothing (the web process, most
# commands); the turn process compiles them all before it says it is ready (compile_all).
_BY_KEY: dict[str, list[tuple[int, _Source]]] = defaultdict(list)
_COMPILED: dict[_Source, re.Pattern[str]] = {}
# (pattern id, compiled branches, the characters they must start with if all are literal)
_GENERAL: list[tuple[int, re.Pattern[str], frozenset[str] | None]] = []
_REQUIRES: dict[int, re.Pattern[str]] = {}
_LONGEST_KEY = 1
# Whole words some branches are keyed by together with the next word ("=i demand").
_PAIRED_WORDS: set[str] = set()
# Every pattern made, so that tests can hold each to what `re.finditer` finds.
REGISTERED: list[KeyedPattern] = []


class KeyedPattern:
    """A lower-case alternation run only at the words its branches can start with."""

    def __init__(
        self, pattern: str, flags: int = 0, requires: re.Pattern[str] | None = None
    ) -> None:
        """`requires`: a pattern the text must contain for any branch to be tried."""
        global _LONGEST_KEY
        if flags & re.VERBOSE:
            pattern, flags = strip_verbose(pattern), flags & ~re.VERBOSE
        self.pattern, self.flags, self.requires = pattern, flags, requires
        self.id = len(REGISTERED)  # its place in REGISTERED, where it goes once keyed
        if requires is not None:
            _REQUIRES[self.id] = requires
        grouped: dict[str, list[str]] = defaultdict(list)
        general: list[str] = []
        for branch in split_branches(pattern):
            for key, part in keyed_branches(branch):
                if key is None:
                    general.append(part)
                else:
                    grouped[key].append(part)
        for key, branches in grouped.items():
            _BY_KEY[key].append((self.id, ("|".join(branches), flags)))
            first, _, second = key.partition(" ")
            if second:
                _PAIRED_WORDS.add(first[len(_WHOLE) :])
            _LONGEST_KEY = max(_LONGEST_KEY, len(first), len(second))
        _WORD_ENTRIES.clear()  # after the keys: what words lead to has changed
        if general:
            starts = _literal_starts(general)
            _GENERAL.append((self.id, re.compile("|".join(general), flags), starts))
        REGISTERED.append(self)

    def matches(self, found: PhraseMatches) -> list[Span]:
        """This pattern's matches in the scanned text, in order, not overlapping."""
        return found.of(self.id)


_Entries = tuple[tuple[int, re.Pattern[str]], ...]


def _compiled(source: _Source) -> re.Pattern[str]:
    """The group compiled, once (two threads may both compile it: harmless)."""
    compiled = _COMPILED.get(source)
    if compiled is None:
        compiled = _COMPILED[source] = re.compile(*source)
    return compiled


def compile_all() -> None:
    """Compile every keyed group now rather than at its first use (a process about to score
    many replies, whose first replies should not wait for it)."""
    for groups in _BY_KEY.values():
        for _pattern_id, source in groups:
            _compiled(source)


# Words seen before (with the next word, for words keyed in pairs) and the branch groups they
# lead to; replies reuse a small vocabulary, so after warm-up a word costs one lookup. Emptied
# when full, so that odd input can neither grow it nor leave it full of what never recurs.
_WORD_ENTRIES: dict[str, _Entries] = {}
_WORD_CACHE_LIMIT: Final = 50_000


def _entries_for(token: str, following: str) -> _Entries:
    """The branch groups to try at `token`, the word after it being `following` ("" if none)."""
    paired = token in _PAIRED_WORDS
    cache_key = f"{token} {following}" if paired else token
    cached = _WORD_ENTRIES.get(cache_key)
    if cached is not None:
        return cached
    keys = [_WHOLE + token]
    keys += (token[:length] for length in range(1, min(len(token), _LONGEST_KEY) + 1))
    if paired:
        keys += (
            f"{_WHOLE}{token} {following[:length]}"
            for length in range(1, min(len(following), _LONGEST_KEY) + 1)
        )
    entries = tuple(
        (pattern_id, _compiled(source))
        for key in keys
        for pattern_id, source in _BY_KEY.get(key, ())
    )
    if len(_WORD_ENTRIES) >= _WORD_CACHE_LIMIT:
        _WORD_ENTRIES.clear()
    _WORD_ENTRIES[cache_key] = entries
    return entries


class PhraseMatches:
    """Every keyed pattern's matches in one lower-case text, found in one pass over its words."""

    def __init__(self, low: str) -> None:
        candidates: dict[int, dict[int, int]] = defaultdict(dict)
        skipped = {pid for pid, needed in _REQUIRES.items() if needed.search(low) is None}
        words = list(_WORD.finditer(low))
        # the word after each; the last word has none (and a text without words, nothing)
        followers = [word[0] for word in words[1:]] + [""]
        for word, following in zip(words, followers, strict=False):
            entries = _entries_for(word[0], following)
            if not entries:
                continue
            start = word.start()
            for pattern_id, compiled in entries:
                if pattern_id in skipped:
                    continue
                hit = compiled.match(low, start)
                if hit is not None:
                    ends = candidates[pattern_id]
                    ends[start] = max(ends.get(start, 0), hit.end())
        for pattern_id, compiled, starts in _GENERAL:
            if pattern_id in skipped or (starts is not None and not any(c in low for c in starts)):
                continue
            for hit in compiled.finditer(low):
                ends = candidates[pattern_id]
                ends[hit.start()] = max(ends.get(hit.start(), 0), hit.end())
        self._spans = {pid: _without_overlaps(ends) for pid, ends in candidates.items()}

    def of(self, pattern_id: int) -> list[Span]:
        return self._spans.get(pattern_id, [])


def _without_overlaps(ends: dict[int, int]) -> list[Span]:
    """Leftmost matches first, each starting after the previous one ends (as re.finditer)."""
    spans: list[Span] = []
    last_end = -1
    for start in sorted(ends):
        if start >= last_end:
            spans.append((start, ends[start]))
            last_end = ends[start] if ends[start] > start else start + 1
    return spans
