"""Validating the editor's document as the CLI does, and what its map shows.

The document is the scenario file's data (as ``read_raw`` gives it). It is checked
by :func:`iadsim.scenario.parse_scenario` and compiled by
:func:`iadsim.compile.compile_scenario`, so the page shows the CLI's own messages:
``error: <file>: invalid scenario: field `a.b`: ...``.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from iadsim.errors import ScenarioError
from iadsim.web.security import PathRejected, workspace_path

__all__ = ["anchor_terrain", "check_document", "error_body"]


def error_body(exc: ScenarioError | Exception) -> dict[str, Any]:
    """The JSON the page gets for a bad document: the CLI's paragraph and each problem."""
    text = "error: " + " ".join(str(exc).split())
    problems = []
    if isinstance(exc, ScenarioError):
        problems = [{"path": str(p), "message": " ".join(str(m).split())} for p, m in exc.problems]
    return {"ok": False, "error": text, "problems": problems}


def anchor_terrain(raw: dict[str, Any], workspace: Path, relative: str) -> dict[str, Any]:
    """A copy of ``raw`` whose terrain file is an absolute path inside the workspace.

    The file is named relative to the scenario file (as the CLI reads it).

    Raises:
        ScenarioError: at ``terrain.file`` when it names a file outside the workspace.
    """
    terrain = raw.get("terrain")
    if not isinstance(terrain, dict) or not isinstance(terrain.get("file"), str):
        return raw
    name = terrain["file"]
    folder = Path(relative).parent.as_posix()
    joined = name if folder in ("", ".") else f"{folder}/{name}"
    try:
        if os.path.isabs(name):
            raise PathRejected("an absolute path")
        target = workspace_path(workspace, os.path.normpath(joined).replace(os.sep, "/"))
    except PathRejected as exc:
        raise ScenarioError(
            relative,
            [("terrain.file", f"must name a file inside the workspace folder ({exc})")],
        ) from None
    out = copy.copy(raw)
    out["terrain"] = {**terrain, "file": str(target)}
    return out


def check_document(
    document: Any,
    workspace: Path,
    relative: str,
    *,
    compile: bool = True,
    lines: dict[str, int] | None = None,
) -> tuple[Any, Any]:
    """Validate (and compile) the editor's document as the scenario file ``relative``.

    Returns the scenario and its compiled form (``None`` without ``compile``). ``lines``:
    the line of each field in the file (as ``read_raw`` gives them), for messages.

    Raises:
        ScenarioError: in the CLI's words, naming ``relative``.
    """
    from iadsim.scenario import parse_scenario

    if not isinstance(document, dict):
        raise ScenarioError(
            relative,
            [
                (
                    "",
                    "expected a mapping of scenario fields (schema_version: 1, name: ..., "
                    "raids: ...)",
                )
            ],
        )
    raw = anchor_terrain(document, workspace, relative)
    scenario = parse_scenario(copy.deepcopy(raw), source=relative, lines=lines)
    if not compile:
        return scenario, None
    from iadsim.compile import compile_scenario

    return scenario, compile_scenario(scenario, source=relative)
