"""Sessions and turns as the API, the websocket and the exports show them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dialogue.feedback import strengths_for
from dialogue.rubric import load_rubric
from server.json_text import json_text


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC (SQLite hands back naive datetimes: they are UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def turn_json(row: Any) -> dict[str, Any]:
    """One stored turn: the manager's line, or the user's reply with its score."""
    if row.speaker == "manager":
        return {
            "index": row.idx,
            "speaker": "manager",
            "text": row.text,
            "kind": row.kind,
            "state": row.state,
            "stage": row.stage,
        }
    turn: dict[str, Any] = {
        "index": row.idx,
        "speaker": "user",
        "text": row.text,
        "stage": row.stage,
        "score": row.score,
        "detected": row.detected,
        "criteria": row.criteria,
        "feedback": row.feedback,
        "tone": row.tone,
        "ask": row.ask,
    }
    if row.client_id is not None:
        turn["id"] = row.client_id
    return turn


def listing_json(row: Any, title: str | None = None) -> dict[str, Any]:
    """A session in the owner's list."""
    return {
        "id": row.id,
        "scenario": row.scenario,
        "title": title,
        "started": iso(row.started),
        "finished": iso(row.finished),
        "outcome": row.outcome,
        "score": row.score,
        "turns": row.turn_count,
        "transcript": f"/transcripts/{row.id}",
    }


def session_json(row: Any, turns: list[Any], title: str | None = None) -> dict[str, Any]:
    """The whole transcript of a session."""
    return {
        "id": row.id,
        "scenario": row.scenario,
        "title": title,
        "seed": row.seed,
        "start": row.start_state,
        "state": row.state,
        "stage": row.stage,
        "started": iso(row.started),
        "finished": iso(row.finished),
        "outcome": row.outcome,
        "score": row.score,
        "summary": row.summary,
        "prepared": row.prepared,
        "turns": [turn_json(turn) for turn in turns],
    }


def score_frame(user: dict[str, Any]) -> dict[str, Any]:
    """The `score` frame for a stored user turn."""
    met = set(user["detected"] or [])
    strengths = [item.to_json() for item in strengths_for(load_rubric(), user["stage"], met)]
    return {
        "type": "score",
        "turn": user["index"],
        "text": user["text"],
        "stage": user["stage"],
        "score": user["score"],
        "detected": user["detected"],
        "criteria": user["criteria"],
        "feedback": user["feedback"],
        "strengths": strengths,
        "tone": user["tone"],
        "ask": user["ask"],
    }


SCORE_PARTS = ("detected", "criteria", "feedback", "strengths", "tone", "ask")


def score_frame_text(index: int, text: str, stage: str, score: int, parts: dict[str, str]) -> str:
    """score_frame() as JSON text, from parts that are JSON text already (they are stored as
    they are, so a turn encodes them once)."""
    head = f'{{"type":"score","turn":{index},"text":{json_text(text)},"stage":{json_text(stage)}'
    rest = "".join(f',"{name}":{parts[name]}' for name in SCORE_PARTS)
    return f'{head},"score":{score}{rest}}}'


def manager_frame(manager: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "manager",
        **{k: manager[k] for k in ("index", "text", "kind", "state", "stage")},
    }


def end_frame(session: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "end",
        "outcome": session["outcome"],
        "score": session["score"],
        "summary": session["summary"],
        "transcript": f"/transcripts/{session['id']}",
    }


def markdown(session: dict[str, Any], manager_name: str) -> str:
    """A transcript as Markdown: every turn, scores and feedback, the summary."""
    title = session.get("title") or session["scenario"]
    lines = [f"# {title}", ""]
    lines.append(f"- Started: {session['started']}")
    lines.append(f"- Finished: {session['finished'] or 'not yet'}")
    lines.append(f"- Outcome: {session['outcome'] or 'in progress'}")
    if session["score"] is not None:
        lines.append(f"- Score: {session['score']}/100")
    lines.append("")
    for turn in session["turns"]:
        stage = (turn.get("stage") or "").replace("_", " ")
        if turn["speaker"] == "manager":
            speaker = "Narration" if turn["kind"] == "narration" else manager_name
            lines += [f"**{speaker}** ({stage}, {turn['kind']}):", "", _quote(turn["text"]), ""]
        else:
            met = ", ".join(turn["detected"] or []) or "nothing"
            lines += [
                f"**You** ({stage}, score {turn['score']}/100):",
                "",
                _quote(turn["text"]),
                "",
            ]
            lines.append(f"- Met: {met}")
            lines += [f"- {item['message']}" for item in (turn["feedback"] or [])[:3]]
            lines.append("")
    summary = session.get("summary")
    if summary:
        lines += [
            "## Summary",
            "",
            f"Outcome: {summary['outcome']}, score {summary['score']}/100.",
            "",
        ]
        lines += [f"- Next time: {item['message']}" for item in summary.get("advice", [])]
        lines.append("")
    return "\n".join(lines)


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])
