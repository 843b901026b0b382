"""Every kind of mistake in a scenario file gives a `file:line: key: message` error."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.scenario_loader import load_library, parse_scenario

BASE = """\
format: 1
id: tiny
title: Tiny
description: A tiny scenario for tests.
difficulty: easy
manager: {name: Ann, role: Manager, style: Plain}
tags: [greeting]
variables: {salary: 100000, max_offer: 8}
start: opening
states:
  opening:
    stage: opening
    say:
      kind: greeting
      variants: ["Hello, what is on your mind?", "Hi there, what did you want to discuss?"]
    on:
      - when: {met: [purpose_stated]}
        to: ask
      - to: opening
  ask:
    stage: ask
    say: {kind: clarify, variants: ["What figure?", "How much?"]}
    on:
      - when: {ask_at_most: max_offer}
        to: yes
      - to: no
  yes:
    ending: granted
    say: {kind: acceptance, variants: ["Done: {ask}.", "Agreed, {ask}."]}
  no:
    ending: refused
    say: {kind: refusal, variants: ["No.", "Not this year."]}
"""


def problems_of(text: str) -> list[str]:
    engine, problems = parse_scenario(text, "tiny.yaml")
    errors = [str(p) for p in problems if p.severity == "error"]
    assert (engine is None) == bool(errors)
    return [str(p) for p in problems]


def test_the_base_is_valid() -> None:
    assert problems_of(BASE) == []


CASES = [
    # (what is wrong, old text, new text, the expected problem)
    ("yaml syntax", "states:\n", "states: [\n", "tiny.yaml:12: not valid YAML"),
    ("unknown key", "difficulty: easy\n", "difficulty: easy\ncolour: blue\n",
     "tiny.yaml:6: colour: unknown key 'colour' (known: format, id, title"),
    ("missing key", "title: Tiny\n", "", "tiny.yaml:1: title: missing: this key is required"),
    ("bad difficulty", "difficulty: easy", "difficulty: trivial",
     "tiny.yaml:5: difficulty: Input should be 'easy', 'medium' or 'hard' (got 'trivial')"),
    ("unknown stage", "stage: ask\n", "stage: asking\n", "tiny.yaml:21: states.ask.stage: Input should be"),
    ("unknown kind", "kind: clarify", "kind: shrug", "tiny.yaml:22: states.ask.say.kind: Input should be"),
    ("one variant", '["No.", "Not this year."]', '["No."]',
     "tiny.yaml:32: states.no.say.variants: List should have at least 2 items"),
    ("unknown state", "        to: yes\n", "        to: yess\n",
     "tiny.yaml:25: states.ask.on[0].to: unknown state 'yess' (known: ask, no, opening, yes)"),
    ("unknown condition", "{met: [purpose_stated]}", "{meets: [purpose_stated]}",
     "tiny.yaml:17: states.opening.on[0].when.meets: unknown condition 'meets' (known: ask_above"),
    ("bad argument", "{met: [purpose_stated]}", "{met: purpose_stated}",
     "tiny.yaml:17: states.opening.on[0].when.met: met: Input should be a valid list"),
    ("unknown criterion", "{met: [purpose_stated]}", "{met: [purpose]}",
     "tiny.yaml:17: states.opening.on[0].when.met: unknown criterion 'purpose' (known: acknowledges_constraints"),
    ("unknown variable", "{ask_at_most: max_offer}", "{ask_at_most: max_ofer}",
     "tiny.yaml:24: states.ask.on[0].when.ask_at_most: unknown variable 'max_ofer'"),
    ("unknown action", "        to: yes\n", "        do: {celebrate: true}\n        to: yes\n",
     "tiny.yaml:25: states.ask.on[0].do.celebrate: unknown action 'celebrate'"),
    ("placeholder never filled", '"Done: {ask}."', '"Done: {bonus_amount}."',
     "tiny.yaml:29: states.yes.say.variants[0]: placeholder {bonus_amount} is never filled"),
    ("counter never offered", '"Done: {ask}."', '"Done: {counter}."',
     "tiny.yaml:29: states.yes.say.variants[0]: placeholder {counter} is never filled: no rule makes an 'offer'"),
    ("no fallback", "      - to: opening\n", "",
     "tiny.yaml:16: states.opening.on: state 'opening' has no fallback"),
    ("unreachable ending", "      - to: no\n", "      - to: ask\n",
     "tiny.yaml:30: states.no: ending 'no' (refused) can never be reached"),
    ("no way out", "        to: ask\n", "        to: opening\n",
     "tiny.yaml:20: states.ask: state 'ask' can never be reached"),
    ("back outside an interrupt", "      - to: no\n", "      - to: $back\n",
     "tiny.yaml:26: states.ask.on[1].to: '$back' is only for the rules of an interrupt state"),
    ("unknown start", "start: opening", "start: hello",
     "tiny.yaml:9: start: unknown state 'hello' (known: ask, no, opening, yes)"),
    ("ending with rules", "    ending: refused\n", "    ending: refused\n    on: [{to: yes}]\n",
     "tiny.yaml:30: states.no: Value error, an ending has no transitions"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_mistake_is_reported_with_its_line(
    case: str, old: str, new: str, expected: str
) -> None:
    assert old in BASE, case
    found = problems_of(BASE.replace(old, new, 1))
    assert any(p.startswith(expected) for p in found), found


def test_a_state_with_no_way_out_is_reported() -> None:
    looping = BASE.replace("      - to: no\n", "      - to: ask\n").replace(
        "      - when: {ask_at_most: max_offer}\n        to: yes\n", ""
    )
    found = problems_of(looping)
    assert any("state 'ask' has no way out" in p for p in found), found


def test_a_rule_after_the_fallback_is_a_warning() -> None:
    text = BASE.replace("      - to: no\n", "      - to: no\n      - to: yes\n")
    engine, problems = parse_scenario(text, "tiny.yaml")
    assert engine is not None
    assert [str(p) for p in problems] == [
        "tiny.yaml:27: warning: states.ask.on[2]: never tried: it comes after the fallback"
    ]


def test_a_broken_user_file_is_reported_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tiny.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(BASE.replace("to: yes", "to: nowhere"), encoding="utf-8")
    (tmp_path / "again.yaml").write_text(BASE, encoding="utf-8")
    monkeypatch.setenv("REHEARSE_SCENARIOS", str(tmp_path))
    library = load_library()
    assert "tiny" in library.engines and "supportive" in library.engines
    messages = [str(p) for p in library.problems]
    assert any("broken.yaml" in m and "unknown state 'nowhere'" in m for m in messages), messages
    assert any("again.yaml" in m and "already defined" in m for m in messages), messages


def test_a_duplicate_key_is_reported_with_its_line() -> None:
    found = problems_of(BASE.replace("title: Tiny\n", "title: Tiny\ntitle: Again\n"))
    assert found == [
        'tiny.yaml:4: not valid YAML: found duplicate key "title" with value "Again" '
        '(original value: "Tiny")'
    ]


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    assert problems_of("- just\n- a list\n") == [
        "tiny.yaml:1: a scenario file is a mapping of keys (format, id, ...)"
    ]
