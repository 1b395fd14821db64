"""The laydown file: a scenario, fire units to place, and the candidate sites."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from iadsim.errors import FieldError, ScenarioError
from iadsim.scenario.load import _problems, read_raw

__all__ = ["Laydown", "Site", "ToPlace", "load_laydown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Site(_Model):
    """A place where a fire unit could stand."""

    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
    position: Any = Field(description="[east, north] or {lat, lon}, as in scenario files")


class ToPlace(_Model):
    """Fire units of one kind to place: a fire-unit entry without position, and how many."""

    unit: dict[str, Any] = Field(description="a fire unit as in scenario files, minus position")
    count: Annotated[int, Field(ge=1, strict=True)]


class Laydown(_Model):
    """Choose sites for fire units to protect the scenario's assets from its raids."""

    schema_version: Literal[1]
    name: str = Field(min_length=1)
    scenario: str | dict[str, Any] = Field(
        description="scenario file (relative to this file) or inline scenario"
    )
    remove: list[str] = Field(
        default_factory=list, description="ids of the scenario's fire units to take away first"
    )
    place: list[ToPlace] = Field(min_length=1)
    sites: list[Site] = Field(min_length=1)
    replications: Annotated[int, Field(ge=1, strict=True)] = Field(
        200, description="replications for the baseline and the verification runs"
    )

    @model_validator(mode="after")
    def _enough_sites(self) -> Laydown:
        wanted = sum(p.count for p in self.place)
        if wanted > len(self.sites):
            raise FieldError(("sites",), f"{len(self.sites)} sites for {wanted} fire units")
        ids = [s.id for s in self.sites]
        if len(set(ids)) != len(ids):
            raise FieldError(("sites",), "site ids must be unique")
        for k, entry in enumerate(self.place):
            if "position" in entry.unit:
                raise FieldError(("place", k, "unit", "position"), "the laydown chooses it")
        return self


def load_laydown(path: str | Path) -> tuple[Laydown, dict[str, Any]]:
    """Read a laydown file; returns it and the scenario's raw data.

    Raises:
        ScenarioError: naming the file, the field path and what was expected.
    """
    path = Path(path)
    raw, lines = read_raw(path)
    try:
        laydown = Laydown.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(path, _problems(exc), lines=lines) from None
    if isinstance(laydown.scenario, dict):
        return laydown, dict(laydown.scenario)
    scenario_path = (path.parent / laydown.scenario).resolve()
    if not scenario_path.exists():
        raise ScenarioError(path, [("scenario", f"no such scenario file: {scenario_path}")])
    scenario_raw, _ = read_raw(scenario_path)
    return laydown, scenario_raw
