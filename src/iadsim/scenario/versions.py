"""Versions of the input files, their migrations, and their JSON Schemas.

Every input file kind (scenario, sweep, campaign, laydown, procurement) carries a
``schema_version``: an integer, the version of its format. :data:`CURRENT` is
the version this iadsim writes and reads; an older file is brought up to date by
the kind's :data:`MIGRATIONS` (``MIGRATIONS[kind][v]`` turns a file of version
``v`` into one of version ``v + 1``) before the model validates it; a newer file
is a clear error (upgrade iadsim). :func:`migrate` does this on the raw data
read from a file, so each model only ever sees the current version.

:func:`json_schema` gives the JSON Schema of each kind (``iadsim schema --kind``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from iadsim.errors import (
    CampaignError,
    LaydownError,
    ProcurementError,
    ScenarioError,
    SweepError,
)

__all__ = [
    "CURRENT",
    "ERRORS",
    "KINDS",
    "MIGRATIONS",
    "OPTIONAL",
    "Migration",
    "json_schema",
    "migrate",
]

KINDS = ("scenario", "sweep", "campaign", "laydown", "procurement")
"""The input file kinds, as ``iadsim schema --kind`` names them."""

CURRENT: dict[str, int] = dict.fromkeys(KINDS, 1)
"""The ``schema_version`` of each kind that this iadsim writes and reads."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns a file's raw data of one version into the next (``schema_version`` is set after)."""

MIGRATIONS: dict[str, dict[int, Migration]] = {kind: {} for kind in KINDS}
"""``MIGRATIONS[kind][v]``: a file of version ``v`` to one of version ``v + 1`` (none yet)."""

OPTIONAL = frozenset({"sweep"})
"""Kinds whose ``schema_version`` may be left out (their model's default is
:data:`CURRENT`); the others have always required it, and their models say so."""

ERRORS: dict[str, type[ScenarioError]] = {
    "scenario": ScenarioError,
    "sweep": SweepError,
    "campaign": CampaignError,
    "laydown": LaydownError,
    "procurement": ProcurementError,
}
"""The error each kind raises, which names the file type in its message."""


def migrate(
    raw: dict[str, Any],
    *,
    kind: str,
    source: str | Path,
    lines: dict[str, int] | None = None,
    error: type[ScenarioError] | None = None,
) -> dict[str, Any]:
    """``raw`` brought to the current version of ``kind`` (a copy if anything changed).

    ``raw`` is returned unchanged when it is already current, when it has no
    ``schema_version`` (the model then takes its default, :data:`OPTIONAL`, or says
    the field is missing) or when it is not a mapping (the model says what is wrong).

    Raises:
        ScenarioError: (the kind's error, or ``error``) at ``schema_version``: not
            an integer, newer than this iadsim reads, or older with no migration.
    """
    fail = error or ERRORS[kind]
    current = CURRENT[kind]
    if not isinstance(raw, dict):
        return raw
    if "schema_version" not in raw:  # the model's default, or its "required field is missing"
        return raw
    version = raw["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        message = f"expected an integer, e.g. {current}, got {_shown(version)}"
        raise fail(source, [("schema_version", message)], lines=lines)
    if version > current:
        raise fail(
            source,
            [
                (
                    "schema_version",
                    f"version {version} is newer than this iadsim reads ({current}); "
                    "upgrade iadsim",
                )
            ],
            lines=lines,
        )
    if version < 1:
        raise fail(
            source,
            [("schema_version", f"expected a version from 1 to {current}, got {version}")],
            lines=lines,
        )
    steps = MIGRATIONS[kind]
    if version < current:
        raw = dict(raw)
    while version < current:
        step = steps.get(version)
        if step is None:
            raise fail(
                source,
                [
                    (
                        "schema_version",
                        f"no migration from version {version} of the {kind} format to "
                        f"{version + 1}; rewrite the file for version {current}",
                    )
                ],
                lines=lines,
            )
        raw = step(raw)
        version += 1
        raw["schema_version"] = version
    return raw


def _shown(value: Any) -> str:
    from iadsim.scenario.load import _kind_of

    return _kind_of(value)


def _model(kind: str) -> Any:
    if kind == "scenario":
        from iadsim.scenario.models import Scenario

        return Scenario
    if kind == "sweep":
        from iadsim.scenario.sweep import SweepFile

        return SweepFile
    if kind == "campaign":
        from iadsim.scenario.campaign import Campaign

        return Campaign
    if kind == "laydown":
        from iadsim.scenario.laydown import Laydown

        return Laydown
    from iadsim.scenario.procurement import Procurement

    return Procurement


def json_schema(kind: str = "scenario") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one input file kind, for editors and the docs.

    Raises:
        ValueError: if ``kind`` is not one of :data:`KINDS`.
    """
    if kind not in KINDS:
        raise ValueError(f"expected one of {', '.join(KINDS)}, got {kind!r}")
    document: dict[str, Any] = _model(kind).model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document.setdefault("description", "")
    document["x-iadsim-kind"] = kind
    document["x-iadsim-schema-version"] = CURRENT[kind]
    return document
