"""The wargame's HTTP and websocket API: ``/api/wargame`` (see docs/wargame.md).

A thin layer over :mod:`iadsim.wargame`: each endpoint parses its JSON body,
calls the session and answers with the session's view. Sessions live in the
application's memory (:data:`MAX_SESSIONS` at most, the oldest dropped first);
saved sessions are JSON files in the workspace. Every route needs the launch
token (:func:`iadsim.web.security.require_token`).

Endpoints (``{sid}`` is a session id):

- ``POST /sessions`` start one: ``{"scenario": {"path": "a.yaml"} | {"example": name} |
  {"inline": {...scenario fields...}}, "seed": 7, "replication": 0, "auto_pause": true}``;
- ``GET /sessions``, ``GET /sessions/{sid}`` (the view), ``GET /sessions/{sid}/static``,
  ``DELETE /sessions/{sid}``;
- ``POST /sessions/{sid}/assign`` ``{"threat": 3, "unit": "sam-1"}``, ``.../unassign``
  ``{"threat": 3}``, ``.../delegate`` ``{"policy": "greedy" | null, "units": [...]}`` (or
  ``"layer": "gun"``, or neither: all units);
- ``POST /sessions/{sid}/advance`` ``{"seconds": 10}``, ``.../step``, ``.../finish``
  ``{"policy": null}``;
- ``GET /sessions/{sid}/review`` (after the night), ``GET /sessions/{sid}/record``,
  ``POST /sessions/{sid}/save`` ``{"path": "plays/night.json"}``, ``POST /load``
  ``{"path": "plays/night.json", "scenario": {...as above...}}``;
- ``WS /sessions/{sid}/clock``: send ``{"op": "play", "speed": 60}``, ``{"op": "pause"}``,
  ``{"op": "step"}``; receive a view after every change and every tick while playing.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, WebSocket, WebSocketDisconnect
from starlette.requests import HTTPConnection

from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.errors import IadsimError, ScenarioError
from iadsim.scenario import Scenario, load_scenario, read_raw
from iadsim.wargame import (
    Session,
    WargameError,
    after_action_review,
    load_record,
    replay,
    start,
)
from iadsim.wargame.session import MAX_SPEED
from iadsim.web.documents import EXAMPLES, examples_folder
from iadsim.web.scenarios import check_document
from iadsim.web.security import MAX_WS_MESSAGE_BYTES, PathRejected, require_token, settings_of

__all__ = ["MAX_SESSIONS", "TICK_SECONDS", "router"]

MAX_SESSIONS = 16
"""Sessions kept in memory at most; starting another drops the least recently used."""

INLINE = "inline.yaml"
"""The name an inline scenario goes by in messages (and its terrain file's folder)."""

_TABLE_LOCK = threading.RLock()
"""Serialises changes to the table of sessions (routes run on several threads)."""

TICK_SECONDS = 0.1
"""Wall-clock seconds between the clock's ticks while playing (views sent as often)."""

JsonBody = Annotated[Any, Body()]
"""A request's JSON body, checked by hand (:func:`_body`) so messages name the field."""

router = APIRouter(prefix="/api/wargame", dependencies=[Depends(require_token)], tags=["wargame"])


class _Entry:
    """A session and the lock that serialises moves on it."""

    def __init__(self, session: Session, source: dict[str, Any]) -> None:
        self.session = session
        self.source = source
        self.lock = threading.Lock()
        self.speed = 0.0  # game seconds per second; 0: paused
        self.moved = time.monotonic()  # when the clock last moved (wall clock)


def _sessions(conn: HTTPConnection) -> OrderedDict[str, _Entry]:
    state = conn.app.state
    with _TABLE_LOCK:
        found: OrderedDict[str, _Entry] | None = getattr(state, "wargame_sessions", None)
        if found is None:
            found = OrderedDict()
            state.wargame_sessions = found
    return found


def _entry(conn: HTTPConnection, sid: str) -> _Entry:
    sessions = _sessions(conn)
    with _TABLE_LOCK:
        entry = sessions.get(sid)
        if entry is None:
            raise HTTPException(
                404, f"no wargame session {sid!r} (sessions end when the server stops)"
            )
        sessions.move_to_end(sid)
    return entry


def _bad(exc: Exception) -> HTTPException:
    return HTTPException(400, str(exc))


def _body(body: Any, *allowed: str) -> dict[str, Any]:
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise HTTPException(400, "the request body must be a JSON object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise HTTPException(
            400, f"unknown field(s) {', '.join(unknown)}; expected: {', '.join(allowed) or 'none'}"
        )
    return body


def _compile(conn: HTTPConnection, source: Any) -> tuple[Scenario, CompiledScenario]:
    """The scenario a request names, and compiled; its errors in the CLI's words (422).

    A workspace file or an inline scenario is checked as the editor checks it
    (:func:`iadsim.web.scenarios.check_document`: a terrain file must lie inside
    the workspace); an example is one of the package's.
    """
    if not isinstance(source, dict) or len(source) != 1:
        raise HTTPException(
            400,
            'scenario must be one of {"path": "<file in the workspace>"}, {"example": "<name>"} '
            'or {"inline": {...scenario fields...}}',
        )
    ((kind, value),) = source.items()
    workspace = settings_of(conn).workspace
    try:
        if kind == "path":
            if not isinstance(value, str):
                raise HTTPException(400, "scenario.path must be a file name in the workspace")
            raw, _ = read_raw(settings_of(conn).workspace_path(value))
            return check_document(raw, workspace, value)
        if kind == "example":
            if value not in EXAMPLES:
                raise HTTPException(400, f"unknown example {value!r}; known: {', '.join(EXAMPLES)}")
            scenario = load_scenario(examples_folder() / f"{value}.yaml")
            return scenario, compile_scenario(scenario, source=f"{value}.yaml")
        if kind == "inline":
            return check_document(value, workspace, INLINE)
    except PathRejected as exc:
        raise _bad(exc) from None
    except ScenarioError as exc:
        if kind == "path":
            exc = ScenarioError(value, exc.problems)  # named as the page names it
        raise HTTPException(422, "error: " + " ".join(str(exc).split())) from None
    except IadsimError as exc:
        raise HTTPException(422, "error: " + " ".join(str(exc).split())) from None
    raise HTTPException(400, f"unknown scenario source {kind!r}; expected path, example or inline")


def _answer(entry: _Entry, sid: str) -> dict[str, Any]:
    return {"id": sid, "speed": entry.speed, **entry.session.view()}


def _keep(conn: HTTPConnection, session: Session, source: dict[str, Any]) -> tuple[str, _Entry]:
    sessions = _sessions(conn)
    sid = secrets.token_hex(8)
    entry = _Entry(session, source)
    with _TABLE_LOCK:
        while len(sessions) >= MAX_SESSIONS:
            sessions.popitem(last=False)
        sessions[sid] = entry
    return sid, entry


def _flag(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise HTTPException(400, f"{name} must be true or false")
    return value


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise HTTPException(400, f"{name} must be a whole number")
    return value


def _listed(conn: HTTPConnection) -> list[tuple[str, _Entry]]:
    sessions = _sessions(conn)
    with _TABLE_LOCK:
        return list(sessions.items())


@router.get("/examples")
def examples() -> dict[str, Any]:
    """The example scenarios a session may start from."""
    return {"examples": list(EXAMPLES)}


@router.post("/sessions")
def start_session(request: Request, body: JsonBody = None) -> dict[str, Any]:
    """Start a session at its first decision."""
    body = _body(body, "scenario", "seed", "replication", "auto_pause")
    scenario, cs = _compile(request, body.get("scenario"))
    try:
        session = start(
            cs,
            seed=_int(body, "seed", 0),
            replication=_int(body, "replication", 0),
            auto_pause=_flag(body, "auto_pause", True),
            scenario=scenario,
        )
    except WargameError as exc:
        raise _bad(exc) from None
    sid, entry = _keep(request, session, body["scenario"])
    return {"static": session.static(), **_answer(entry, sid)}


@router.get("/sessions")
def list_sessions(request: Request) -> dict[str, Any]:
    """The sessions in memory, most recently used last."""
    return {
        "sessions": [
            {
                "id": sid,
                "name": e.session.compiled.name,
                "seed": e.session.seed,
                "replication": e.session.index,
                "time": e.session.now,
                "finished": e.session.finished,
            }
            for sid, e in _listed(request)
        ]
    }


@router.get("/sessions/{sid}")
def view(request: Request, sid: str) -> dict[str, Any]:
    """The picture at the session's clock."""
    entry = _entry(request, sid)
    with entry.lock:
        return _answer(entry, sid)


@router.get("/sessions/{sid}/static")
def static(request: Request, sid: str) -> dict[str, Any]:
    """What does not change during the night (names, assets, policies, layers)."""
    return _entry(request, sid).session.static()


@router.delete("/sessions/{sid}")
def end_session(request: Request, sid: str) -> dict[str, Any]:
    """Forget a session."""
    _entry(request, sid)
    sessions = _sessions(request)
    with _TABLE_LOCK:
        sessions.pop(sid, None)
    return {"deleted": sid}


def _move(request: Request, sid: str, what: Any) -> dict[str, Any]:
    entry = _entry(request, sid)
    with entry.lock:
        try:
            what(entry.session)
        except WargameError as exc:
            raise _bad(exc) from None
        return _answer(entry, sid)


@router.post("/sessions/{sid}/assign")
def assign(request: Request, sid: str, body: JsonBody = None) -> dict[str, Any]:
    """The player's pick at the next decision: a unit engages a threat."""
    body = _body(body, "threat", "unit")
    threat = _int(body, "threat")
    unit = body.get("unit")
    if not isinstance(unit, str | int) or isinstance(unit, bool):
        raise HTTPException(400, "unit must be a fire unit id (or index)")
    return _move(request, sid, lambda s: s.assign(threat, unit))


@router.post("/sessions/{sid}/unassign")
def unassign(request: Request, sid: str, body: JsonBody = None) -> dict[str, Any]:
    """Drop the player's pick of a threat."""
    threat = _int(_body(body, "threat"), "threat")
    return _move(request, sid, lambda s: s.unassign(threat))


@router.post("/sessions/{sid}/delegate")
def delegate(request: Request, sid: str, body: JsonBody = None) -> dict[str, Any]:
    """Hand units (or a layer, or all) to a built-in policy; ``policy: null`` takes them back."""
    body = _body(body, "policy", "units", "layer")
    policy, units, layer = body.get("policy"), body.get("units"), body.get("layer")
    if policy is not None and not isinstance(policy, str):
        raise HTTPException(400, "policy must be a policy name or null")
    if units is not None and (
        not isinstance(units, list) or not all(isinstance(u, str | int) for u in units)
    ):
        raise HTTPException(400, "units must be a list of fire unit ids")
    if layer is not None and not isinstance(layer, str):
        raise HTTPException(400, "layer must be a layer name")
    return _move(request, sid, lambda s: s.delegate(policy, units=units, layer=layer))


@router.post("/sessions/{sid}/advance")
def advance(request: Request, sid: str, body: JsonBody = None) -> dict[str, Any]:
    """Run the clock forward (game seconds)."""
    seconds = _body(body, "seconds").get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise HTTPException(400, "seconds must be a number")
    return _move(request, sid, lambda s: s.advance(seconds))


@router.post("/sessions/{sid}/step")
def step(request: Request, sid: str) -> dict[str, Any]:
    """Go to the next decision the player has a part in."""
    return _move(request, sid, lambda s: s.step())


@router.post("/sessions/{sid}/finish")
def finish(request: Request, sid: str, body: JsonBody = None) -> dict[str, Any]:
    """Run to the end of the night, the player's units handed to ``policy`` (or holding fire)."""
    policy = _body(body, "policy").get("policy")
    if policy is not None and not isinstance(policy, str):
        raise HTTPException(400, "policy must be a policy name or null")
    return _move(request, sid, lambda s: s.finish(policy))


@router.get("/sessions/{sid}/review")
def review(request: Request, sid: str) -> dict[str, Any]:
    """The after-action review: the player's night against the built-in policies'."""
    entry = _entry(request, sid)
    with entry.lock:
        try:
            return after_action_review(entry.session)
        except WargameError as exc:
            raise _bad(exc) from None


@router.get("/sessions/{sid}/record")
def record(request: Request, sid: str) -> dict[str, Any]:
    """The session as saved: scenario hash, seed, replication and every decision."""
    entry = _entry(request, sid)
    with entry.lock:
        return entry.session.record()


@router.post("/sessions/{sid}/save")
def save(request: Request, sid: str, body: JsonBody = None) -> dict[str, Any]:
    """Write the session's record as JSON into the workspace."""
    name = _body(body, "path").get("path")
    try:
        if not isinstance(name, str) or not name.endswith(".json"):
            raise WargameError("path must name a .json file in the workspace")
        path = settings_of(request).workspace_path(name)
        entry = _entry(request, sid)
        with entry.lock:
            data = entry.session.record()
        data["source"] = entry.source
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(path)
    except (WargameError, PathRejected) as exc:
        raise _bad(exc) from None
    except OSError as exc:
        raise HTTPException(400, f"cannot write {name}: {exc.strerror}") from None
    return {"saved": name, "decisions": len(data["moves"])}


@router.post("/load")
def load(request: Request, body: JsonBody = None) -> dict[str, Any]:
    """Replay a saved session (a workspace file or a record) into a new session."""
    body = _body(body, "path", "record", "scenario")
    try:
        if "path" in body:
            name = body["path"]
            if not isinstance(name, str):
                raise WargameError("path must name a .json file in the workspace")
            data = load_record(settings_of(request).workspace_path(name))
        elif isinstance(body.get("record"), dict):
            data = body["record"]
        else:
            raise WargameError("give path (a saved session in the workspace) or record")
        source = body.get("scenario") or data.get("source")
        if not isinstance(source, dict):
            raise WargameError("give the scenario the session was played on (scenario)")
        scenario, cs = _compile(request, source)
        session = replay(data, cs, scenario=scenario)
    except (WargameError, PathRejected) as exc:
        raise _bad(exc) from None
    sid, entry = _keep(request, session, source)
    return {"static": session.static(), **_answer(entry, sid)}


@router.websocket("/sessions/{sid}/clock")
async def clock(websocket: WebSocket, sid: str) -> None:
    """Run a session's clock: ``play`` at a speed, ``pause``, ``step``; a view after each change.

    Every page connected to a session shares its clock: game time advances by the
    speed times the wall-clock time since the clock last moved, whichever page's
    tick moves it, and each page gets a view whenever the session changed (a move
    made over HTTP included).
    """
    entry = _sessions(websocket).get(sid)
    await websocket.accept()
    if entry is None:
        await websocket.send_json({"error": f"no wargame session {sid!r}"})
        await websocket.close(code=1008)
        return
    session = entry.session
    sent: tuple[int, float] | None = None

    async def send(always: bool = False) -> None:
        nonlocal sent
        with entry.lock:
            if not always and sent == (session.version, entry.speed):
                return
            answer = _answer(entry, sid)
            sent = (session.version, entry.speed)
        await websocket.send_json(answer)

    def tick() -> None:
        with entry.lock:
            now = time.monotonic()
            if entry.speed > 0:
                stopped = session.advance(entry.speed * max(now - entry.moved, 0.0))
                if stopped or (session.finished and session.now >= session.end_time):
                    entry.speed = 0.0
            entry.moved = now

    await send(always=True)
    try:
        while True:
            try:
                message = await asyncio.wait_for(websocket.receive_text(), TICK_SECONDS)
            except TimeoutError:
                tick()
                await send()
                continue
            if len(message) > MAX_WS_MESSAGE_BYTES:
                await websocket.send_json({"error": "message too long"})
                continue
            try:
                command = json.loads(message)
                if not isinstance(command, dict):
                    raise ValueError
            except ValueError:
                await websocket.send_json({"error": "messages are JSON objects with an op"})
                continue
            op = command.get("op")
            if op == "play":
                speed = command.get("speed", 1)
                if (
                    isinstance(speed, bool)
                    or not isinstance(speed, int | float)
                    or not (1 <= speed <= MAX_SPEED)
                ):
                    await websocket.send_json({"error": "speed must be a number from 1 to 120"})
                    continue
                tick()
                entry.speed = float(speed)
            elif op == "pause":
                tick()
                entry.speed = 0.0
            elif op == "step":
                tick()
                entry.speed = 0.0
                with entry.lock:
                    session.step()
            elif op != "view":
                await websocket.send_json(
                    {"error": f"unknown op {op!r}; known: play, pause, step, view"}
                )
                continue
            await send(always=True)
    except WebSocketDisconnect:
        entry.speed = 0.0  # nobody may be watching: the clock stops
