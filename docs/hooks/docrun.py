"""Helpers for the tutorials' executed blocks (markdown-exec).

``cli("run examples/single_battery.yaml -n 200")`` runs the real ``iadsim`` command in
a subprocess (the same interpreter as the build), from the repository root, and prints
the command and what it wrote as a console block. A command that fails (any exit code
but the one expected) raises, so the strict build fails: a tutorial cannot drift from
the code.
"""

from __future__ import annotations

import builtins
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
"""The repository root: tutorials name files relative to it (``examples/...``)."""

TIMES: list[tuple[str, float]] = []
"""(command, seconds) of every command run, for the build's timing."""


def _page_print() -> Any:
    """The ``print`` of the code block that called us.

    markdown-exec captures a block's output by giving the block its own ``print``; what
    this module prints must go there too, not to the build's standard output.
    """
    frame = sys._getframe(2)
    while frame is not None:
        found = frame.f_globals.get("print")
        if found is not None:
            return found
        frame = frame.f_back
    return builtins.print


def cli(
    command: str,
    *,
    expect: int = 0,
    show: str | None = None,
    stderr: bool = False,
    lines: int | None = None,
    cwd: Path | str | None = None,
    paths: dict[str, str] | None = None,
    echo: bool = True,
) -> str:
    """Run ``iadsim COMMAND`` and print it with its output as a console block.

    Args:
        command: the arguments after ``iadsim``, as typed in a shell.
        expect: the exit code the command must end with.
        show: the command as shown (default: ``iadsim COMMAND``).
        stderr: show what it wrote on stderr too (errors, warnings).
        lines: show at most this many lines of output (the rest is elided).
        cwd: the working directory (default: the repository root).
        paths: names shown -> paths used (e.g. ``{"results/": "/tmp/x/results/"}``): the
            command runs with the paths and is shown, with its output, with the names.
        echo: print the console block (False: only run it and return its output).

    Returns:
        Its standard output.
    """
    env = {
        **os.environ,
        "COLUMNS": "100",
        "NO_COLOR": "1",
        "TERM": "dumb",
        "NUMBA_NUM_THREADS": os.environ.get("NUMBA_NUM_THREADS", "2"),
    }
    shown = show or f"iadsim {command}"
    for name, path in (paths or {}).items():
        command = command.replace(name, path)
    args = [sys.executable, "-m", "iadsim.cli", *shlex.split(command)]
    started = time.perf_counter()
    done = subprocess.run(
        args,
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    TIMES.append((command, time.perf_counter() - started))
    if done.returncode != expect:
        raise RuntimeError(
            f"`iadsim {command}` exited with {done.returncode}, expected {expect}:\n"
            f"{done.stderr[-3000:]}"
        )
    text = done.stdout + (done.stderr if stderr else "")
    for name, path in (paths or {}).items():
        text = text.replace(path.rstrip("/"), name.rstrip("/"))
    text = text.replace(str(ROOT) + "/", "")  # paths inside the repository, as relative ones
    body = text.rstrip("\n").splitlines()
    if not echo:
        return done.stdout
    if lines is not None and len(body) > lines:
        body = [*body[:lines], f"... ({len(body) - lines} more lines)"]
    say = _page_print()
    say("```console")
    say(f"$ {shown}")
    say("\n".join(body).replace("```", "'''"))
    say("```")
    return done.stdout


def show_file(
    path: str,
    *,
    start: int | None = None,
    end: int | None = None,
    collapsed: bool = False,
) -> None:
    """Print a file of the repository (or some of its lines) as a YAML or Python block.

    Args:
        path: the file, relative to the repository root.
        start: the first line shown (from 1).
        end: the last line shown.
        collapsed: inside a collapsed box (its title the file name), for long files.
    """
    text = (ROOT / path).read_text(encoding="utf-8").splitlines()
    if start is not None or end is not None:
        text = text[(start or 1) - 1 : end]
    lang = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}.get(
        Path(path).suffix, "text"
    )
    block = [f"```{lang}" + ("" if collapsed else f' title="{path}"'), *text, "```"]
    if collapsed:
        block = [f'??? example "{path}"', "", *("    " + line for line in block)]
    _page_print()("\n".join(block))
