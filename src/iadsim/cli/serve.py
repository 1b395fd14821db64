"""``iadsim serve``: the local web application (editor, live runs and results, wargame)."""

from __future__ import annotations

import errno
import ipaddress
import socket
from pathlib import Path
from typing import Annotated

import typer

from iadsim.cli.common import reported
from iadsim.errors import OptionError

__all__ = ["serve"]


def _check_host(host: str) -> str:
    """The address to bind to: an IP address or a name this machine resolves."""
    text = host.strip()
    if not text or any(c.isspace() or ord(c) < 32 for c in text) or len(text) > 253:
        raise OptionError("--host", f"expected an address such as 127.0.0.1, got {host!r}")
    try:
        ipaddress.ip_address(text.strip("[]"))
        return text.strip("[]")
    except ValueError:
        pass
    try:
        socket.getaddrinfo(text, None)
    except (OSError, UnicodeError):
        raise OptionError(
            "--host", f"cannot resolve {text!r}; give an address such as 127.0.0.1"
        ) from None
    return text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """Fail early, in one line, when the port is taken or the address is not this machine's."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            if exc.errno == errno.EADDRNOTAVAIL:
                raise OptionError(
                    "--host", f"{host} is not an address of this machine ({reason})"
                ) from None
            raise OptionError(
                "--port", f"cannot listen on {host}:{port} ({reason}); choose another --port"
            ) from None


def serve(
    host: Annotated[
        str, typer.Option("--host", help="address to listen on (localhost only by default)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port to listen on")] = 8765,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="results store folder for runs [default: WORKSPACE/results]",
            show_default=False,
        ),
    ] = None,
    workspace: Annotated[
        Path,
        typer.Option(
            "--workspace",
            help="folder whose scenario files the page may open and save (nothing outside it)",
        ),
    ] = Path("."),
    open_browser: Annotated[
        bool, typer.Option("--open", help="open the page in the default web browser")
    ] = False,
) -> None:
    """Serve the web application: scenario editor on a map, live runs and results, wargame.

    The address printed carries a token made for this launch; without it the server
    answers nothing (other users of this machine and other web pages cannot use it).
    Stop it with Ctrl-C.
    """
    from iadsim.cli.common import check_output_dir

    with reported():
        bound = _check_host(host)
        folder = Path(workspace)
        if not folder.is_dir():
            raise OptionError("--workspace", f"expected an existing folder, got {workspace}")
        store_path = Path(store) if store is not None else folder / "results"
        if store_path.exists() and not store_path.is_dir():
            raise OptionError("--store", f"expected a folder, but {store_path} is a file")
        if store is not None:
            check_output_dir(store_path, "--store")
        _check_port(bound, port)
    import uvicorn

    from iadsim.web.app import create_app
    from iadsim.web.security import MAX_WS_MESSAGE_BYTES, new_token

    token = new_token()
    hosts = frozenset() if _is_loopback(bound) else frozenset({bound, socket.gethostname()})
    app = create_app(folder, store_path, token, hosts=hosts, port=port)
    shown = "127.0.0.1" if bound in ("0.0.0.0", "::") else bound
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}/?token={token}"
    typer.echo(
        f"iadsim serve: workspace {folder.resolve()}, results in {store_path.resolve()}\n"
        f"open {url}\n(the token in the address is needed; Ctrl-C stops the server)",
        err=True,
    )
    if not _is_loopback(bound):
        typer.echo(
            f"warning: listening on {bound}, not only this machine: anyone with the address "
            "and token can use it, over plain HTTP",
            err=True,
        )
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    config = uvicorn.Config(
        app,
        host=bound,
        port=port,
        log_level="warning",
        ws_max_size=MAX_WS_MESSAGE_BYTES,
        server_header=False,
        lifespan="on",
    )
    uvicorn.Server(config).run()
