"""`rehearse play`, `validate`, `scenarios` and `graph`, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conversations import GRANTED
from tests.dialogue.test_broken_scenarios import BASE
from tests.server.test_score_command import rehearse


def messages(stdout: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.decode().splitlines()]


def test_play_json_speaks_the_protocol_and_reaches_an_ending() -> None:
    done = rehearse("play", "supportive", "--seed", "1", "--json", stdin="\n".join(GRANTED) + "\n")
    assert done.returncode == 0, done.stderr
    out = messages(done.stdout)
    assert out[0]["type"] == "manager" and out[0]["kind"] == "narration"
    assert out[0]["stage"] == "meeting_request"
    assert [m["type"] for m in out[1:4]] == ["score", "manager", "score"]
    assert out[1]["turn"] == 1 and "detected" in out[1] and "feedback" in out[1]
    end = out[-1]
    assert end["type"] == "end" and end["outcome"] == "granted"
    assert isinstance(end["score"], int) and end["summary"]["outcome"] == "granted"  # type: ignore[index]


def test_play_ends_abandoned_when_the_input_runs_out() -> None:
    done = rehearse("play", "supportive", "--seed", "1", "--json", stdin=GRANTED[0] + "\n")
    end = messages(done.stdout)[-1]
    assert end["type"] == "end" and end["outcome"] == "abandoned"


def test_play_reports_empty_lines_and_carries_on() -> None:
    done = rehearse("play", "supportive", "--json", stdin="\n" + GRANTED[0] + "\n")
    out = messages(done.stdout)
    assert out[1] == {"type": "error", "code": "empty", "message": out[1]["message"]}
    assert out[2]["type"] == "score"


def test_play_in_text_mode_shows_the_conversation() -> None:
    done = rehearse("play", "supportive", "--seed", "1", stdin="\n".join(GRANTED) + "\n")
    text = done.stdout.decode()
    assert "Priya" in text and "score" in text
    assert "The meeting is over: granted" in text


def test_play_a_drill() -> None:
    done = rehearse("play", "supportive", "--start", "counter", "--json", stdin="")
    first = messages(done.stdout)[0]
    assert first["state"] == "counter" and first["kind"] == "counter_offer"


def test_play_unknown_scenario_or_state_exits_2_naming_it() -> None:
    done = rehearse("play", "nope")
    assert done.returncode == 2 and b"unknown scenario 'nope'" in done.stderr
    done = rehearse("play", "supportive", "--start", "closng")
    assert done.returncode == 2 and b"unknown state 'closng'" in done.stderr


def test_validate_all_known_scenarios_passes() -> None:
    done = rehearse("validate")
    assert done.returncode == 0, done.stdout
    assert b"0 error(s)" in done.stdout


def test_validate_reports_file_line_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "tiny.yaml"
    broken.write_text(BASE.replace("to: yes", "to: closng"), encoding="utf-8")
    done = rehearse("validate", str(broken))
    assert done.returncode == 1
    assert f"{broken}:25: states.ask.on[0].to: unknown state 'closng'".encode() in done.stdout


def test_scenarios_lists_builtin_and_user_scenarios(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("format: 1\nid: [", encoding="utf-8")
    done = rehearse("scenarios", "--json", "--scenarios", str(tmp_path))
    assert done.returncode == 0
    rows = json.loads(done.stdout)
    assert {"id", "title", "difficulty", "tags"} <= set(rows[0])
    assert {"supportive", "tiny"} <= {row["id"] for row in rows}
    assert b"broken.yaml:2: not valid YAML" in done.stderr
    text = rehearse("scenarios").stdout.decode()
    assert "supportive" in text and "easy" in text


def test_graph_prints_mermaid() -> None:
    done = rehearse("graph", "supportive")
    assert done.returncode == 0
    text = done.stdout.decode()
    assert text.startswith("stateDiagram-v2\n")
    assert "[*] --> request" in text and "granted --> [*]" in text
