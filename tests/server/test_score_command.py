"""`rehearse score`, run as a user runs it: the installed console script, in a separate process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REHEARSE = Path(sys.executable).with_name("rehearse")


def rehearse(
    *args: str, stdin: str | bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    assert REHEARSE.exists(), f"{REHEARSE} is missing: install the project first (make test does)"
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [str(REHEARSE), *args], input=data, capture_output=True, cwd=cwd, timeout=60, check=False
    )


def test_score_prints_the_scorers_json() -> None:
    done = rehearse("score", "--stage", "ask", "I'd like a bonus of 10%, per market data.")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["stage"] == "ask"
    assert result["ask"] == {"percent": 10}
    assert "specific_ask" in result["detected"]


def test_an_unknown_stage_is_refused_with_the_known_ones() -> None:
    done = rehearse("score", "--stage", "closng", "hello")
    assert done.returncode == 2
    message = done.stderr.decode()
    assert "closng" in message and "follow_up" in message


def test_empty_text_exits_1_with_an_error_object() -> None:
    done = rehearse("score", "   ")
    assert done.returncode == 1
    assert json.loads(done.stdout) == {
        "error": {"code": "empty", "message": "the reply is empty: type what you would say"}
    }
    assert b"empty" in done.stderr


def test_jsonl_scores_each_line_in_order_and_reports_bad_lines() -> None:
    lines = ["Thanks for your time today.", "", "x" * 2001, "I'd like 12%.", "naïve ünïcode 🙂"]
    done = rehearse("score", "--jsonl", "--stage", "ask", stdin="\n".join(lines) + "\n")
    assert done.returncode == 1
    out = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(out) == len(lines)
    assert "gratitude" in out[0]["detected"]
    assert out[1] == {"error": {"code": "empty", "message": out[1]["error"]["message"]}}
    assert out[2]["error"]["code"] == "too_long"
    assert out[3]["ask"] == {"percent": 12}
    assert "score" in out[4]


def test_jsonl_with_only_good_lines_exits_0() -> None:
    done = rehearse("score", "--jsonl", stdin="thanks!\nI'd like 10%\n")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 2


def test_jsonl_survives_invalid_utf8() -> None:
    done = rehearse("score", "--jsonl", stdin=b"caf\xe9 bonus\n")
    assert done.returncode == 0
    assert "score" in json.loads(done.stdout)


def test_the_installed_copy_finds_its_data_outside_the_checkout(tmp_path: Path) -> None:
    """Installed without -e, run from elsewhere: scenarios, rubric and web assets come along."""
    python = Path(sys.executable)
    probe = (
        "import dialogue, web, scenarios\n"
        "from dialogue.resources import rubric_file, web_root\n"
        "print(dialogue.__file__)\n"
        "assert rubric_file().is_file()\n"
        "assert (web_root() / 'templates').is_dir() and (web_root() / 'static').is_dir()\n"
    )
    done = subprocess.run(
        [str(python), "-c", probe], capture_output=True, cwd=tmp_path, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "site-packages" in done.stdout.decode()
    scored = rehearse("score", "Thank you for meeting me.", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
