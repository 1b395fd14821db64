"""The laydown file: a scenario, fire units to place, and the candidate sites."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from iadsim import limits
from iadsim.errors import FieldError, LaydownError, ScenarioError
from iadsim.scenario.load import (
    _problems,
    load_inner_scenario,
    parse_inner,
    parse_scenario,
    read_raw,
)
from iadsim.scenario.load import _show as _short

__all__ = ["Laydown", "Site", "ToPlace", "check_laydown", "load_laydown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Site(_Model):
    """A place where a fire unit could stand."""

    id: Annotated[
        str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    ] = Field(description="name of the site, unique in the file (letters, digits, . _ -)")
    position: Any = Field(description="[east, north] or {lat, lon}, as in scenario files")


class ToPlace(_Model):
    """Fire units of one kind to place: a fire-unit entry without position, and how many."""

    unit: dict[str, Any] = Field(description="a fire unit as in scenario files, minus position")
    count: Annotated[int, Field(ge=1, le=limits.MAX_NODES, strict=True)] = Field(
        description="how many fire units of this kind to place, each at its own site"
    )


class Laydown(_Model):
    """Choose sites for fire units to protect the scenario's assets from its raids."""

    schema_version: Literal[1] = Field(description="version of the laydown file format")
    name: str = Field(min_length=1, description="what the laydown is called in reports")
    scenario: str | dict[str, Any] = Field(
        description="scenario file (relative to this file) or inline scenario"
    )
    remove: list[str] = Field(
        default_factory=list, description="ids of the scenario's fire units to take away first"
    )
    place: list[ToPlace] = Field(
        min_length=1, description="the fire units to place: a unit entry and a count each"
    )
    sites: list[Site] = Field(
        min_length=1,
        description="candidate sites; at least as many as the fire units to place",
    )
    replications: Annotated[int, Field(ge=1, le=limits.MAX_REPLICATIONS, strict=True)] = Field(
        200, description="replications for the baseline and the verification runs"
    )

    @model_validator(mode="after")
    def _enough_sites(self) -> Laydown:
        wanted = sum(p.count for p in self.place)
        if wanted > len(self.sites):
            raise FieldError(("sites",), f"{len(self.sites)} sites for {wanted} fire units")
        first: dict[str, int] = {}
        for k, site in enumerate(self.sites):
            if site.id in first:
                raise FieldError(
                    ("sites", k, "id"),
                    f"duplicate id {_short(site.id)} (also sites.{first[site.id]}); site ids "
                    "must be unique",
                )
            first[site.id] = k
        for k, entry in enumerate(self.place):
            if "position" in entry.unit:
                raise FieldError(("place", k, "unit", "position"), "the laydown chooses it")
        return self


def load_laydown(path: str | Path) -> tuple[Laydown, dict[str, Any]]:
    """Read a laydown file; returns it and the scenario's raw data.

    The scenario is validated too, and the laydown against it (:func:`check_laydown`).

    Raises:
        LaydownError: naming the laydown file, the field path and what was expected.
        ScenarioError: naming the scenario file, if that is not a valid scenario.
    """
    path = Path(path)
    raw, lines = read_raw(path, error=LaydownError)
    try:
        laydown = Laydown.model_validate(raw)
    except ValidationError as exc:
        raise LaydownError(path, _problems(exc, "laydown"), lines=lines) from None
    scenario_raw, _, _ = load_inner_scenario(
        path, laydown.scenario, error=LaydownError, field="scenario", lines=lines
    )
    check_laydown(laydown, scenario_raw, source=path, lines=lines)
    return laydown, scenario_raw


def check_laydown(
    laydown: Laydown,
    scenario_raw: dict[str, Any],
    *,
    source: str | Path = "<laydown>",
    lines: dict[str, int] | None = None,
) -> None:
    """Check a laydown against its scenario before any work starts.

    Every id in ``remove`` is a fire unit of the scenario; every unit to place is a
    valid fire unit at every candidate site (its fields, and each site's position);
    and the work fits: the placements' engagement windows
    (:data:`~iadsim.limits.MAX_COMPILE_PAIRS`) and the memory of the
    baseline and verification runs and of the coverage table.

    Raises:
        LaydownError: naming ``source`` and the laydown's field.
    """
    units = scenario_raw.get("fire_units") or []
    ids = [u.get("id") for u in units if isinstance(u, dict)]
    for k, uid in enumerate(laydown.remove):
        if uid not in ids:
            raise LaydownError(
                source,
                [
                    (
                        f"remove.{k}",
                        f"the scenario has no fire unit {_short(uid)}; its fire units: "
                        f"{_some([str(i) for i in ids])}",
                    )
                ],
                lines=lines,
            )
    kept = [u for u in units if not (isinstance(u, dict) and u.get("id") in laydown.remove)]
    try:  # the baseline: the scenario without the units removed
        parse_scenario({**scenario_raw, "fire_units": kept}, source=source)
    except ScenarioError as exc:
        found = "; ".join(f"field `{p}`: {m}" if p else m for p, m in exc.problems)
        raise LaydownError(
            source,
            [("remove", f"without the fire units it removes, the scenario is not valid: {found}")],
            lines=lines,
        ) from None
    # every unit to place (at the origin), then the first unit at every site
    probes: list[dict[str, Any]] = []
    origin: list[str] = []
    for k, entry in enumerate(laydown.place):
        probes.append({**entry.unit, "id": f"place-{k}", "position": ["0 m", "0 m"]})
        origin.append(f"place.{k}.unit")
    for s, site in enumerate(laydown.sites):
        probes.append({**laydown.place[0].unit, "id": f"site-{s}", "position": site.position})
        origin.append(f"sites.{s}")
    trial = {**scenario_raw, "fire_units": [*kept, *probes]}
    first = len(kept)

    def where(field: str) -> str | None:
        parts = field.split(".")
        if len(parts) >= 2 and parts[0] == "fire_units" and parts[1].isdigit():
            index = int(parts[1]) - first
            if 0 <= index < len(origin):
                rest = parts[2:]
                if origin[index].startswith("sites."):  # the site's position, or nothing new
                    if rest[:1] != ["position"]:
                        return None
                    return ".".join([origin[index], *rest])
                return ".".join([origin[index], *rest])
        return f"scenario.{field}" if field else "scenario"

    scenario = parse_inner(trial, source=source, error=LaydownError, where=where, lines=lines)
    threats = sum(r.count for r in scenario.raids)
    placements = sum(1 for _ in laydown.place) * len(laydown.sites)
    pairs = threats * (len(scenario.sensors) + len(kept) + placements)
    if pairs > limits.MAX_COMPILE_PAIRS:
        raise LaydownError(
            source,
            [
                (
                    "sites",
                    f"{placements:,} candidate placements ({len(laydown.place)} kinds of unit x "
                    f"{len(laydown.sites):,} sites) against {threats:,} threats make "
                    f"{pairs:,} (threat, sensor or fire unit) pairs to compile; the limit is "
                    f"{limits.MAX_COMPILE_PAIRS:,}: give fewer sites",
                )
            ],
            lines=lines,
        )
    # outcomes of every replication at once (16 bytes per threat), and the coverage table
    runs = laydown.replications * threats * 16.0
    problem = limits.check_memory(
        runs, f"{laydown.replications:,} replications of {threats:,} threats"
    )
    if problem is not None:
        raise LaydownError(source, [("replications", problem)], lines=lines)
    table = placements * threats * 8.0 * 2
    problem = limits.check_memory(
        table, f"the coverage of {placements:,} placements against {threats:,} threats"
    )
    if problem is not None:
        raise LaydownError(source, [("sites", problem)], lines=lines)


def _some(names: list[str], limit: int = 8) -> str:
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names)} in all)"
