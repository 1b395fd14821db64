"""The procurement file: a campaign, a catalogue of purchases, a budget and a bound to hold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from iadsim.errors import FieldError, ScenarioError
from iadsim.scenario.load import _problems, read_raw
from iadsim.scenario.units import Money

__all__ = ["Bound", "Item", "Procurement", "load_procurement"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Model):
    """Something that can be bought: interceptors for a stockpile, or a fire unit."""

    id: Annotated[str, Field(min_length=1)]
    interceptors: str | None = Field(
        None, description="fire-unit class whose stockpile a lot of these adds to"
    )
    lot: Annotated[int, Field(ge=1, strict=True)] = Field(1, description="interceptors per lot")
    fire_unit: dict[str, Any] | None = Field(
        None, description="a fire unit as in scenario files (with its position)"
    )
    cost: Money = Field(description="price of one lot or one fire unit")
    lead_time: Annotated[int, Field(ge=0, strict=True)] = Field(
        description="days from order (day 0) to arrival"
    )
    max: Annotated[int, Field(ge=0, strict=True)] = Field(description="most that can be bought")

    @model_validator(mode="after")
    def _one(self) -> Item:
        if (self.interceptors is None) == (self.fire_unit is None):
            raise FieldError(("interceptors",), "give exactly one of interceptors and fire_unit")
        return self


class Bound(_Model):
    """What the plan must hold over the whole campaign."""

    metric: Literal["leaked", "value_lost"]
    kind: str | None = Field(None, description="for leaked: one threat kind (default: all)")
    max: float = Field(ge=0.0, description="the campaign total must stay at or below this")
    confidence: float = Field(
        0.9, gt=0.5, lt=1.0, description="one-sided confidence that the bound holds"
    )


class Procurement(_Model):
    """Find the cheapest purchase plan that holds a bound over a campaign."""

    schema_version: Literal[1]
    name: str = Field(min_length=1)
    campaign: str = Field(description="campaign file, relative to this file")
    catalogue: list[Item] = Field(min_length=1)
    budget: Money = Field(description="most that may be spent")
    bound: Bound
    replications: Annotated[int, Field(ge=2, strict=True)] = 50
    max_evaluations: Annotated[int, Field(ge=1, strict=True)] = Field(
        200, description="campaign simulations the search may run"
    )


def load_procurement(path: str | Path) -> tuple[Procurement, Path]:
    """Read a procurement file; returns it and the campaign file's path.

    Raises:
        ScenarioError: naming the file, the field path and what was expected.
    """
    path = Path(path)
    raw, lines = read_raw(path)
    try:
        plan = Procurement.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(path, _problems(exc), lines=lines) from None
    campaign = (path.parent / plan.campaign).resolve()
    if not campaign.exists():
        raise ScenarioError(path, [("campaign", f"no such campaign file: {campaign}")])
    return plan, campaign
