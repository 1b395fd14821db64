"""The FastAPI application of ``iadsim serve``: :func:`create_app` and its routes.

Every route requires the launch token (:func:`iadsim.web.security.require_token`);
:class:`iadsim.web.security.Guard` checks Host, Origin and body size first. Paths
from the page are names inside the workspace folder, checked by
:func:`iadsim.web.security.workspace_path`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from iadsim import limits
from iadsim.errors import IadsimError, ScenarioError
from iadsim.web.documents import (
    EXAMPLES,
    SCENARIO_SUFFIXES,
    check_plain,
    copy_example,
    list_files,
    save_document,
)
from iadsim.web.runs import RunManager
from iadsim.web.scenarios import check_document, error_body
from iadsim.web.security import (
    MAX_BODY_BYTES,
    Guard,
    PathRejected,
    Settings,
    require_token,
    token_matches,
)

__all__ = ["create_app"]

STATIC_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
}
"""The static files served, by suffix."""

REPORTS_KEPT = 6
"""Rendered run reports kept in memory (the page switches between a few)."""

CSP = (
    "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
"""Content security policy of the page: nothing from anywhere else, no inline scripts."""

REPORT_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
"""Content security policy of a run's report (a self-contained page with inline scripts)."""


def _static_folder() -> Path:
    return Path(str(files("iadsim.web") / "static"))


class _Problem(Exception):
    """A request the page should not have made: status and the message to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _body_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": f"error: {message}", "problems": []}, status)


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        data = json.loads(raw)
    except RecursionError:
        raise _Problem(400, "the request body is nested too deeply to read") from None
    except ValueError:
        raise _Problem(400, "the request body is not JSON") from None
    if not isinstance(data, dict):
        raise _Problem(400, "the request body must be a JSON object")
    try:
        check_plain(data, "request")
    except ValueError as exc:
        raise _Problem(400, str(exc)) from None
    return data


def _name(data: dict[str, Any], key: str = "path") -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise _Problem(400, f"`{key}`: expected a file name inside the workspace")
    return value


def _int(data: dict[str, Any], key: str, default: int, least: int, most: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise _Problem(400, f"`{key}`: expected a whole number from {least} to {most:,}")
    return value


def create_app(
    workspace: str | Path,
    store: str | Path,
    token: str,
    *,
    hosts: frozenset[str] = frozenset(),
    port: int | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The web application for one launch.

    Args:
        workspace: the folder whose scenario files the page may read and write.
        store: the results store folder (made on the first run).
        token: the launch token every request must carry.
        hosts: Host names accepted besides localhost ones (the address bound to).
        port: the port served on (names the token cookie).
        max_body: the largest request body, bytes.
    """
    settings = Settings(
        workspace=Path(workspace).resolve(),
        store=Path(store).resolve(),
        token=token,
        hosts=hosts,
        max_body=max_body,
        cookie=f"iadsim_token_{port}" if port else "iadsim_token",
    )
    runs = RunManager(settings.store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await runs.close()

    app = FastAPI(
        title="iadsim",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runs = runs
    app.state.reports = OrderedDict()

    @app.exception_handler(_Problem)
    async def _problem(request: Request, exc: _Problem) -> JSONResponse:
        return _body_error(exc.status, exc.message)

    @app.exception_handler(PathRejected)
    async def _rejected(request: Request, exc: PathRejected) -> JSONResponse:
        return _body_error(400, f"path refused: {exc}")

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        report = request.url.path.startswith("/api/runs/") and request.url.path.endswith("/report")
        response.headers["Content-Security-Policy"] = REPORT_CSP if report else CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        given = request.query_params.get("token")
        if given is not None:
            if not token_matches(given, settings.token):
                return HTMLResponse(_locked("wrong token"), 403)
            response = RedirectResponse("/", 303)  # the token leaves the address bar
            response.set_cookie(
                settings.cookie, settings.token, httponly=True, samesite="strict", path="/"
            )
            return response
        cookie = request.cookies.get(settings.cookie)
        if not token_matches(cookie, settings.token):
            return HTMLResponse(_locked("this server needs its launch token"), 401)
        html = (_static_folder() / "index.html").read_text(encoding="utf-8")
        return HTMLResponse(html)

    api = APIRouter(prefix="/api", dependencies=[Depends(require_token)])

    @app.get("/static/{name}", dependencies=[Depends(require_token)], include_in_schema=False)
    def static(name: str) -> Response:
        folder = _static_folder()
        known = {p.name: p for p in folder.iterdir() if p.suffix in STATIC_TYPES}
        if name not in known:
            return JSONResponse({"detail": "not found"}, 404)
        path = known[name]
        return Response(path.read_bytes(), media_type=STATIC_TYPES[path.suffix])

    @api.get("/info")
    def info() -> dict[str, Any]:
        from iadsim import __version__

        wargame = (_static_folder() / "wargame.js").is_file()
        return {
            "version": __version__,
            "workspace": str(settings.workspace),
            "store": str(settings.store),
            "examples": list(EXAMPLES),
            "wargame": wargame and _wargame_router() is not None,
            "max_replications": limits.MAX_REPLICATIONS,
        }

    @api.get("/schema")
    def schema() -> dict[str, Any]:
        from iadsim.scenario import Scenario

        document = Scenario.model_json_schema(by_alias=True)
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return document

    @api.get("/presets")
    def presets() -> dict[str, Any]:
        from iadsim.scenario import FIRE_UNIT_PRESETS, SENSOR_PRESETS, THREAT_PRESETS

        return {
            "threat": {k: dict(v) for k, v in THREAT_PRESETS.items()},
            "fire_unit": {k: dict(v) for k, v in FIRE_UNIT_PRESETS.items()},
            "sensor": {k: dict(v) for k, v in SENSOR_PRESETS.items()},
        }

    @api.get("/files")
    def list_workspace() -> dict[str, Any]:
        names, more = list_files(settings.workspace)
        return {"files": names, "truncated": more}

    @api.get("/file")
    def read_file(path: str) -> Response:
        from iadsim.scenario import read_raw

        target = settings.workspace_path(path)
        if target.suffix.lower() not in SCENARIO_SUFFIXES:
            raise PathRejected("a scenario file name ends in .yaml, .yml or .json")
        try:
            raw, lines = read_raw(target)
        except ScenarioError as exc:
            return JSONResponse(error_body(_renamed(exc, path)), 422)
        return JSONResponse({"ok": True, "path": path, "document": raw, "lines": lines})

    @api.put("/file")
    async def write_file(request: Request) -> Response:
        data = await _json_body(request)
        path = _name(data)
        document = data.get("document")
        if not isinstance(document, dict):
            raise _Problem(400, "`document`: expected the scenario's fields as a JSON object")
        saved = save_document(settings.workspace, path, document)
        body: dict[str, Any] = {"ok": True, "path": path, "bytes": saved.stat().st_size}
        try:
            await asyncio.to_thread(
                check_document, document, settings.workspace, path, compile=False
            )
            body["valid"] = True
        except IadsimError as exc:
            body.update(valid=False, **{k: v for k, v in error_body(exc).items() if k != "ok"})
        return JSONResponse(body)

    @api.post("/validate")
    async def validate(request: Request) -> Response:
        from iadsim.web.view import scenario_view

        data = await _json_body(request)
        path = data.get("path") or "untitled.yaml"
        if not isinstance(path, str):
            raise _Problem(400, "`path`: expected a file name inside the workspace")
        settings.workspace_path(path)

        def work() -> dict[str, Any]:
            scenario, compiled = check_document(data.get("document"), settings.workspace, path)
            return {"ok": True, "view": scenario_view(scenario, compiled)}

        try:
            return JSONResponse(await asyncio.to_thread(work))
        except IadsimError as exc:  # an answer, not a failed request: ok is false
            return JSONResponse(error_body(exc))

    @api.post("/examples/{name}")
    async def from_example(name: str, request: Request) -> Response:
        data = await _json_body(request)
        target = data.get("path")
        if target is not None and not isinstance(target, str):
            raise _Problem(400, "`path`: expected a file name inside the workspace")
        try:
            path = copy_example(settings.workspace, name, target)
        except ScenarioError as exc:
            return JSONResponse(error_body(exc), 404)
        return JSONResponse({"ok": True, "path": path})

    @api.post("/basemap")
    async def basemap(request: Request) -> Response:
        from iadsim.web.maps import basemap_features

        data = await _json_body(request)
        try:
            features = await asyncio.to_thread(basemap_features, data)
        except ValueError as exc:
            raise _Problem(400, str(exc)) from None
        return JSONResponse(features)

    @api.get("/runs")
    def list_runs() -> dict[str, Any]:
        from iadsim.web.results import stored_runs

        return {
            "jobs": [j.to_dict() for j in runs.jobs.values()],
            "busy": runs.busy,
            **stored_runs(settings.store, busy=runs.busy),
        }

    @api.post("/runs")
    async def start_run(request: Request) -> Response:
        from iadsim.c2 import registry

        data = await _json_body(request)
        path = _name(data)
        replications = _int(data, "replications", 200, 1, limits.MAX_REPLICATIONS)
        seed = _int(data, "seed", 0, 0, limits.MAX_SEED)
        engine = data.get("engine")
        if engine not in (None, "fast", "reference"):
            raise _Problem(400, "`engine`: expected fast or reference")
        policy = data.get("policy") or None
        if policy is not None and policy not in registry.POLICY_NAMES:
            raise _Problem(400, f"`policy`: expected one of {', '.join(registry.POLICY_NAMES)}")
        target = settings.workspace_path(path)
        if runs.busy:
            raise _Problem(409, "a run is going; wait for it or cancel it first")

        def check() -> None:
            from iadsim.scenario import read_raw

            raw, lines = read_raw(target)
            scenario, _ = check_document(raw, settings.workspace, path, compile=False, lines=lines)
            if policy is not None:
                missing = scenario.doctrine.missing_for(policy)
                if missing is not None:
                    raise ScenarioError(path, [(f"doctrine.{missing[0]}", missing[1])])

        try:
            await asyncio.to_thread(check)
        except IadsimError as exc:
            return JSONResponse(error_body(_renamed(exc, path)), 422)
        job = await runs.start(
            file=path,
            path=target,
            replications=replications,
            seed=seed,
            engine=engine,
            policy=policy,
        )
        return JSONResponse({"ok": True, **job.to_dict()})

    @api.post("/runs/{job_id}/cancel")
    async def cancel_run(job_id: str) -> Response:
        if not await runs.cancel(job_id):
            raise _Problem(404, f"{job_id} is not running")
        return JSONResponse({"ok": True, **runs.jobs[job_id].to_dict()})

    @api.get("/runs/{run_id}/report")
    async def run_report(run_id: str, replicate: int = 0) -> Response:
        from iadsim.web.results import report_html

        key = (run_id, replicate)
        cache: OrderedDict[tuple[str, int], str] = app.state.reports
        if key not in cache:
            if runs.busy:
                message = "a run is writing the results store; show the report when it ends"
                return HTMLResponse(f"<p>{message}</p>", 409)
            try:
                cache[key] = await asyncio.to_thread(report_html, settings.store, run_id, replicate)
            except IadsimError as exc:
                return HTMLResponse(f"<p>error: {_escape(str(exc))}</p>", 422)
            while len(cache) > REPORTS_KEPT:
                cache.popitem(last=False)
        return HTMLResponse(cache[key])

    @api.get("/compare")
    async def compare(a: str, b: str) -> Response:
        from iadsim.web.results import compare_rows

        if runs.busy:
            raise _Problem(409, "the results store is being written by a run; compare when it ends")
        try:
            return JSONResponse(await asyncio.to_thread(compare_rows, settings.store, a, b))
        except IadsimError as exc:
            return _body_error(422, str(exc))

    app.include_router(api)

    @app.websocket("/ws", dependencies=[Depends(require_token)])
    async def updates(socket: WebSocket) -> None:
        await socket.accept()
        queue = runs.subscribe()
        await socket.send_json({"type": "hello", "jobs": [j.to_dict() for j in runs.jobs.values()]})

        async def forward() -> None:
            with contextlib.suppress(Exception):  # the page went away: the receiver ends too
                while True:
                    await socket.send_json(await queue.get())

        sender = asyncio.create_task(forward())
        try:
            while True:
                text = await socket.receive_text()
                if len(text) > 10_000:
                    continue
                with contextlib.suppress(ValueError, TypeError, AttributeError):
                    message = json.loads(text)
                    if isinstance(message, dict) and isinstance(message.get("cancel"), str):
                        await runs.cancel(message["cancel"])
        except WebSocketDisconnect:
            pass
        finally:
            sender.cancel()
            runs.unsubscribe(queue)

    router = _wargame_router()
    if router is not None:
        app.include_router(router)

    app.add_middleware(Guard, hosts=hosts, max_body=max_body)  # outermost: runs first
    return app


def _renamed(exc: Exception, path: str) -> Exception:
    """``exc`` naming its file as the page does (relative to the workspace, as the CLI does)."""
    if isinstance(exc, ScenarioError):
        return type(exc)(path, exc.problems, lines=exc.lines, what=exc.what)
    return exc


def _wargame_router() -> APIRouter | None:
    """The wargame's router (``iadsim.web.wargame.router``), when that module is present."""
    try:
        from iadsim.web import wargame  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    router = getattr(wargame, "router", None)
    return router if isinstance(router, APIRouter) else None


def _escape(text: str) -> str:
    import html

    return html.escape(" ".join(text.split()))


def _locked(reason: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>iadsim</title></head>"
        f"<body><h1>iadsim</h1><p>{_escape(reason)}: open the address that <code>iadsim "
        "serve</code> printed (it ends in <code>?token=...</code>).</p></body></html>"
    )
