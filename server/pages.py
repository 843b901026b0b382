"""Server-rendered pages (Jinja2, autoescaped): user text is always shown as text.

Forms that change state carry a CSRF token bound to the owner and must come from this site.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from dialogue import STAGES
from dialogue.guide import load_guide
from dialogue.prepared import Prepared
from dialogue.resources import web_root
from dialogue.rubric import load_rubric
from server.api import start_session
from server.charts import Series, legend, line_chart, sparkline
from server.deps import OwnerDep, PracticeDep, turns_of
from server.guards import same_origin
from server.highlight import label, pieces
from server.identity import Signer
from server.practice import NotFoundError, Practice

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(web_root() / "templates"))
templates.env.globals["stage_ids"] = STAGES
templates.env.filters["words"] = lambda value: str(value).replace("_", " ")
templates.env.globals["highlight_label"] = label

MAX_FORM_BYTES = 16_384


def _render(request: Request, template: str, **context: Any) -> HTMLResponse:
    signer: Signer = request.app.state.signer
    context["csrf"] = signer.csrf_token(request.state.owner)
    return templates.TemplateResponse(request, template, context)


async def _form(request: Request) -> dict[str, str]:
    """A checked urlencoded form: same site, right token, not too big."""
    if not same_origin(request):
        raise HTTPException(status_code=403, detail="forms from other sites are refused")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(status_code=413, detail="that form is too large")
    fields = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    signer: Signer = request.app.state.signer
    if not signer.csrf_ok(request.state.owner, fields.get("csrf")):
        raise HTTPException(status_code=403, detail="the form's security token is missing or old")
    return fields


def _scenarios(practice: Practice) -> list[Any]:
    return [engine.spec for engine in practice.library.in_order()]


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, practice: PracticeDep) -> HTMLResponse:
    return _render(request, "home.html", scenarios=_scenarios(practice))


@router.get("/guide", response_class=HTMLResponse)
async def guide(request: Request) -> HTMLResponse:
    return _render(request, "guide.html", guide=load_guide(), rubric=load_rubric())


@router.get("/score", response_class=HTMLResponse)
async def score_page(request: Request) -> HTMLResponse:
    return _render(request, "score.html", stages=STAGES)


@router.get("/prepare/{scenario}", response_class=HTMLResponse)
async def prepare(
    request: Request, scenario: str, practice: PracticeDep, owner: OwnerDep
) -> HTMLResponse:
    engine = practice.library.engines.get(scenario)
    if engine is None:
        raise HTTPException(status_code=404, detail=f"unknown scenario {scenario!r}")
    notes = await run_in_threadpool(practice.notes, owner, scenario)
    return _render(request, "prepare.html", spec=engine.spec, notes=notes or Prepared())


@router.post("/prepare/{scenario}")
async def save_preparation(
    request: Request, scenario: str, practice: PracticeDep, owner: OwnerDep
) -> Response:
    fields = await _form(request)
    if scenario not in practice.library.engines:
        raise HTTPException(status_code=404, detail=f"unknown scenario {scenario!r}")
    lines = [line.strip() for line in fields.get("accomplishments", "").splitlines()]
    try:
        notes = Prepared(
            accomplishments=[line[:1000] for line in lines if line][:10],
            ask=fields.get("ask", "").strip()[:1000] or None,
            market_research=fields.get("market_research", "").strip()[:1000] or None,
            best_alternative=fields.get("best_alternative", "").strip()[:1000] or None,
        )
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    await run_in_threadpool(practice.save_notes, owner, scenario, notes)
    if fields.get("action") == "start":
        return await _start(request, practice, owner, scenario, None)
    return RedirectResponse(f"/prepare/{scenario}?saved=1", status_code=303)


async def _start(
    request: Request, practice: Practice, owner: str, scenario: str, start: str | None
) -> Response:
    notes = await run_in_threadpool(practice.notes, owner, scenario)
    created = await start_session(
        turns_of(request), owner=owner, scenario=scenario, start=start, prepared=notes
    )
    return RedirectResponse(f"/practice/{created['id']}", status_code=303)


@router.post("/start")
async def start(request: Request, practice: PracticeDep, owner: OwnerDep) -> Response:
    """Start a scenario (or a drill of it) with whatever the owner prepared for it."""
    fields = await _form(request)
    scenario, drill = fields.get("scenario", ""), fields.get("start") or None
    return await _start(request, practice, owner, scenario, drill)


async def _session(practice: Practice, session_id: str, owner: str) -> dict[str, Any]:
    try:
        session: dict[str, Any] = await run_in_threadpool(practice.transcript, session_id, owner)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=f"no practice session {session_id!r}") from exc
    return session


@router.get("/practice/{session_id}", response_class=HTMLResponse)
async def practice_page(
    request: Request, session_id: str, practice: PracticeDep, owner: OwnerDep
) -> HTMLResponse:
    session = await _session(practice, session_id, owner)
    engine = practice.library.get(session["scenario"])
    startable = [
        name for name, state in engine.spec.states.items() if not (state.ending or state.interrupt)
    ]
    guide = load_guide()
    hints = {stage: advice.model_dump() for stage, advice in guide.stages.items()}
    return _render(
        request,
        "practice.html",
        session=session,
        spec=engine.spec,
        hints=hints,
        startable=startable,
        rubric=load_rubric(),
    )


@router.get("/transcripts", response_class=HTMLResponse)
async def transcripts(
    request: Request, practice: PracticeDep, owner: OwnerDep, scenario: str | None = None
) -> HTMLResponse:
    history = await run_in_threadpool(practice.history, owner)
    shown = [s for s in history if not scenario or s["scenario"] == scenario]
    finished = [s for s in shown if s["summary"]]
    series = _score_series(finished)
    rubric = load_rubric()
    sparks = _criterion_sparks(finished, rubric.ids)
    return _render(
        request,
        "transcripts.html",
        sessions=list(reversed(shown)),
        scenarios=_scenarios(practice),
        chosen=scenario,
        chart=line_chart("Score per attempt, by scenario", series, len(finished), "scores"),
        legend=legend(series),
        finished=finished,
        sparks=sparks,
    )


def _score_series(finished: list[dict[str, Any]]) -> list[Series]:
    by_scenario: dict[str, list[tuple[int, float]]] = {}
    for number, session in enumerate(finished, start=1):
        name = session["title"] or session["scenario"]
        by_scenario.setdefault(name, []).append((number, float(session["score"] or 0)))
    return [Series(name, points) for name, points in by_scenario.items()]


def _criterion_sparks(finished: list[dict[str, Any]], ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """For each criterion, the share of replies that met it in each finished attempt."""
    out = []
    for cid in ids:
        values = []
        for session in finished:
            summary = session["summary"]
            turns = summary.get("turns") or 0
            values.append(100 * summary["criteria"].get(cid, 0) / turns if turns else 0.0)
        latest = round(values[-1]) if values else None
        label_text = f"{cid.replace('_', ' ')}: share of replies meeting it per attempt"
        out.append({"id": cid, "svg": sparkline(values, label_text), "latest": latest})
    return out


@router.get("/transcripts/{session_id}", response_class=HTMLResponse)
async def transcript_page(
    request: Request, session_id: str, practice: PracticeDep, owner: OwnerDep
) -> HTMLResponse:
    session = await _session(practice, session_id, owner)
    engine = practice.library.engines.get(session["scenario"])
    manager = engine.spec.manager.name if engine else "Manager"
    violations = frozenset(load_rubric().violations)
    for turn in session["turns"]:
        if turn["speaker"] == "user":
            turn["pieces"] = pieces(turn["text"], turn["criteria"], violations)
    history = await run_in_threadpool(practice.history, owner)
    earlier = [
        s
        for s in history
        if s["scenario"] == session["scenario"]
        and s["started"] < session["started"]
        and s["summary"]
    ]
    previous = earlier[-1] if earlier else None
    return _render(
        request,
        "transcript.html",
        session=session,
        manager=manager,
        previous=previous,
        rubric=load_rubric(),
    )


@router.post("/transcripts/{session_id}/delete")
async def delete_transcript(
    request: Request, session_id: str, practice: PracticeDep, owner: OwnerDep
) -> Response:
    await _form(request)
    try:
        await run_in_threadpool(practice.delete, session_id, owner)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=f"no practice session {session_id!r}") from exc
    return RedirectResponse("/transcripts?deleted=1", status_code=303)
