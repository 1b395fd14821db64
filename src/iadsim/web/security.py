"""The web application's guards: the launch token, Host/Origin checks, size limits, workspace paths.

Every HTTP and websocket endpoint of ``iadsim serve`` requires the per-launch token,
as Jupyter does: the printed URL carries ``?token=...``; the page then sends it back
in a cookie (set on the first visit) or in the ``X-Iadsim-Token`` header; a websocket
takes the cookie or ``?token=``. Other local users and web pages cannot drive the
server without it. Tokens are compared in constant time.

How a router uses it (e.g. ``iadsim.web.wargame``)::

    from fastapi import APIRouter, Depends, Request
    from iadsim.web.security import require_token, settings_of

    router = APIRouter(prefix="/api/wargame", dependencies=[Depends(require_token)])

    @router.get("/sessions")
    def sessions(request: Request) -> dict:
        settings = settings_of(request)       # workspace, store, limits of this launch
        path = settings.workspace_path("plays/a.yaml")   # checked: inside the workspace
        ...

The dependency works for websocket routes too (``@router.websocket(...)``): a
connection without the token is closed with code 1008 (policy violation) before it
is accepted. :class:`Guard`, the ASGI middleware, checks every request's Host
header (DNS rebinding) and Origin (cross-site pages) and limits request bodies
before any route runs.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, WebSocketException, status
from starlette.requests import HTTPConnection

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_WS_MESSAGE_BYTES",
    "TOKEN_COOKIE",
    "TOKEN_HEADER",
    "Guard",
    "PathRejected",
    "Settings",
    "new_token",
    "require_token",
    "settings_of",
    "workspace_path",
]

TOKEN_COOKIE = "iadsim_token"
"""The cookie that carries the token after the first visit (``iadsim_token_<port>`` when
the server knows its port)."""

TOKEN_HEADER = "X-Iadsim-Token"
"""The request header that may carry the token (scripts, the page's fetch calls)."""

MAX_BODY_BYTES = 4 * 1024 * 1024
"""Largest request body accepted, in bytes (a scenario is a few kilobytes)."""

MAX_WS_MESSAGE_BYTES = 1024 * 1024
"""Largest websocket message accepted, in bytes."""

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def new_token() -> str:
    """A fresh random token for one launch (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


class PathRejected(ValueError):
    """A path a client sent that does not name a file inside the workspace."""


@dataclass(frozen=True)
class Settings:
    """What one launch of the server is allowed to use.

    Attributes:
        workspace: the folder whose files the page may read and write (resolved).
        store: the results store folder (runs are written there).
        token: the launch token.
        hosts: Host header names accepted besides localhost names (the bound host).
        max_body: largest request body, bytes.
    """

    workspace: Path
    store: Path
    token: str
    hosts: frozenset[str] = field(default_factory=frozenset)
    max_body: int = MAX_BODY_BYTES
    cookie: str = TOKEN_COOKIE
    """The cookie's name (with the port, so two servers on one machine do not mix)."""

    def workspace_path(self, relative: str) -> Path:
        """``relative`` as a path inside the workspace; :class:`PathRejected` otherwise."""
        return workspace_path(self.workspace, relative)


def settings_of(conn: HTTPConnection) -> Settings:
    """The :class:`Settings` of the application serving ``conn`` (a request or websocket)."""
    settings: Settings = conn.app.state.settings
    return settings


def workspace_path(workspace: Path, relative: str) -> Path:
    """The file ``relative`` names inside ``workspace``, resolved; :class:`PathRejected` if not.

    Rejected: empty names, NUL or other control characters, absolute paths (also
    Windows drive and UNC forms), backslashes, ``..`` components, and any name whose
    resolved path (following symbolic links) leaves the workspace.
    """
    if not isinstance(relative, str) or not relative.strip():
        raise PathRejected("a file name is needed")
    if len(relative) > 1024:
        raise PathRejected("the file name is too long (at most 1024 characters)")
    if any(ord(c) < 32 or ord(c) == 127 for c in relative):
        raise PathRejected("the file name holds a control character (NUL, newline, ...)")
    if "\\" in relative or relative.startswith("/") or (len(relative) > 1 and relative[1] == ":"):
        raise PathRejected("the file name must be relative to the workspace, with / between parts")
    parts = relative.split("/")
    if any(p == ".." for p in parts):
        raise PathRejected("the file name must not contain '..'")
    root = workspace.resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise PathRejected("the file name leads outside the workspace (a symbolic link?)")
    return target


def _given_token(conn: HTTPConnection) -> str | None:
    header = conn.headers.get(TOKEN_HEADER)
    if header:
        return header
    auth = conn.headers.get("authorization", "")
    if auth.lower().startswith("token "):
        return auth[6:].strip()
    query = conn.query_params.get("token")
    if query:
        return query
    return conn.cookies.get(settings_of(conn).cookie)


def token_matches(given: str | None, token: str) -> bool:
    """Whether ``given`` is the launch token (constant-time comparison)."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


def require_token(conn: HTTPConnection) -> None:
    """FastAPI dependency: the request or websocket carries the launch token.

    HTTP: 401 without a token, 403 with a wrong one. Websocket: closed with code
    1008 (policy violation) before it is accepted.
    """
    given = _given_token(conn)
    if token_matches(given, settings_of(conn).token):
        return
    if conn.scope["type"] == "websocket":
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="token required")
    if not given:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "this server needs its launch token: open the URL that 'iadsim serve' printed",
        )
    raise HTTPException(status.HTTP_403_FORBIDDEN, "wrong token")


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _host_name(host: str) -> str:
    """``host`` without its port (``[::1]:8765`` -> ``[::1]``, ``a:1`` -> ``a``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_address(host: str) -> bool:
    """Whether ``host`` is an IP address (which DNS rebinding cannot use), not a name."""
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class Guard:
    """ASGI middleware: Host and Origin checks and the request body limit.

    A request whose Host header is neither an IP address nor a name given for this
    server (localhost, or the host it was bound to) is refused (421 / websocket
    closed): a DNS-rebinding page cannot reach the server under its own name. A request with
    an Origin header that is not this server's own origin is refused (403): a page
    from another site cannot post to it or open its websockets. A body over the
    limit is refused (413), by its Content-Length or as it streams in.
    """

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str], max_body: int) -> None:
        self.app = app
        self.hosts = LOCAL_HOSTS | {_host_name(h) for h in hosts}
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check one connection, then pass it on (or answer it with the refusal)."""
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = _host_name(headers.get("host", ""))
        problem: tuple[int, str] | None = None
        if host not in self.hosts and not _is_address(host):
            problem = (421, "unknown Host header (this server answers only to its own names)")
        else:
            origin = headers.get("origin")
            if origin is not None and origin != "null":
                scheme = "ws" if kind == "websocket" else "http"
                ok = origin.lower() in {
                    f"{p}://{headers.get('host', '').lower()}" for p in ("http", "https", scheme)
                }
                if not ok:
                    problem = (403, "cross-origin request refused")
            elif origin == "null":
                problem = (403, "cross-origin request refused")
        if problem is None and kind == "http":
            length = headers.get("content-length")
            if length is not None:
                if not length.isdigit():
                    problem = (400, "bad Content-Length")
                elif int(length) > self.max_body:
                    problem = (413, f"request body over {self.max_body:,} bytes")
        if problem is not None:
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": problem[1]})
                return
            await _plain(send, *problem)
            return
        if kind == "websocket":
            await self.app(scope, receive, send)
            return
        if "content-length" in headers or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        # a body of unknown length (chunked): read it here, up to the limit
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body:
                await _plain(send, 413, f"request body over {self.max_body:,} bytes")
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives ``body`` once, then whatever the client sends next."""
    given = False

    async def wrapped() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped


async def _plain(send: Send, code: int, text: str) -> None:
    body = ('{"detail": "' + text.replace('"', "'") + '"}').encode()
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def is_hidden(path: Path) -> bool:
    """Whether a workspace entry is hidden (a dot file) and left out of listings."""
    return path.name.startswith(".") or os.path.basename(path).startswith("~")
