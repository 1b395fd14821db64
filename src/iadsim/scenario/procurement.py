"""The procurement file: a campaign, a catalogue of purchases, a budget and a bound to hold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from iadsim import limits
from iadsim.errors import FieldError, ProcurementError
from iadsim.scenario.load import _problems, named_file, parse_inner, read_raw
from iadsim.scenario.load import _show as _short
from iadsim.scenario.models import THREAT_KINDS, ThreatKind
from iadsim.scenario.units import Money

__all__ = ["Bound", "Item", "Procurement", "load_procurement"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Model):
    """Something that can be bought: interceptors for a stockpile, or a fire unit."""

    id: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="name of the item, unique in the catalogue"
    )
    interceptors: str | None = Field(
        None, description="fire-unit class whose stockpile a lot of these adds to"
    )
    lot: Annotated[int, Field(ge=1, le=limits.MAX_ROUNDS, strict=True)] = Field(
        1, description="interceptors per lot"
    )
    fire_unit: dict[str, Any] | None = Field(
        None, description="a fire unit as in scenario files (with its position)"
    )
    cost: Money = Field(description="price of one lot or one fire unit (not negative)")
    lead_time: Annotated[int, Field(ge=0, le=limits.MAX_CAMPAIGN_DAYS, strict=True)] = Field(
        description="days from order (day 0) to arrival"
    )
    max: Annotated[int, Field(ge=0, le=limits.MAX_ROUNDS, strict=True)] = Field(
        description="most that can be bought"
    )

    @model_validator(mode="after")
    def _one(self) -> Item:
        if (self.interceptors is None) == (self.fire_unit is None):
            raise FieldError(("interceptors",), "give exactly one of interceptors and fire_unit")
        if self.cost < 0:
            raise FieldError(("cost",), "must not be negative")
        if self.fire_unit is not None and not isinstance(self.fire_unit.get("id"), str):
            raise FieldError(("fire_unit", "id"), "required: the id of the fire unit bought")
        if self.fire_unit is not None and self.max > limits.MAX_CHANNELS:
            raise FieldError(
                ("max",), f"at most {limits.MAX_CHANNELS} fire units of one kind can be bought"
            )
        return self


class Bound(_Model):
    """What the plan must hold over the whole campaign."""

    metric: Literal["leaked", "value_lost"] = Field(
        description="leaked: threats that got through; value_lost: asset value destroyed"
    )
    kind: ThreatKind | None = Field(
        None,
        description="for leaked: one threat kind (default: all): " + ", ".join(THREAT_KINDS),
    )
    max: float = Field(
        ge=0.0, allow_inf_nan=False, description="the campaign total must stay at or below this"
    )
    confidence: float = Field(
        0.9,
        gt=0.5,
        lt=1.0,
        allow_inf_nan=False,
        description="one-sided confidence that the bound holds",
    )

    @model_validator(mode="after")
    def _kind(self) -> Bound:
        if self.kind is not None and self.metric != "leaked":
            raise FieldError(("kind",), "applies to metric leaked only")
        return self


class Procurement(_Model):
    """Find the cheapest purchase plan that holds a bound over a campaign."""

    schema_version: Literal[1] = Field(description="version of the procurement file format")
    name: str = Field(min_length=1, description="what the plan is called in its output")
    campaign: str = Field(description="campaign file, relative to this file")
    catalogue: list[Item] = Field(
        min_length=1, description="what can be bought: interceptor lots and fire units"
    )
    budget: Money = Field(description="most that may be spent (not negative)")
    bound: Bound = Field(description="what the plan must hold over the whole campaign")
    replications: Annotated[int, Field(ge=2, le=limits.MAX_REPLICATIONS, strict=True)] = Field(
        50, description="campaign replications per plan evaluated (at least 2)"
    )
    max_evaluations: Annotated[int, Field(ge=1, le=1_000_000, strict=True)] = Field(
        200, description="campaign simulations the search may run (at most 1,000,000)"
    )

    @model_validator(mode="after")
    def _checks(self) -> Procurement:
        if self.budget < 0:
            raise FieldError(("budget",), "must not be negative")
        first: dict[str, int] = {}
        for k, item in enumerate(self.catalogue):
            if item.id in first:
                raise FieldError(
                    ("catalogue", k, "id"),
                    f"duplicate id {_short(item.id)} (also catalogue.{first[item.id]})",
                )
            first[item.id] = k
        return self


def load_procurement(path: str | Path) -> tuple[Procurement, Path]:
    """Read a procurement file; returns it and the campaign file's path.

    The campaign (and its defence) is read and validated too, and the procurement
    against it: interceptors are bought for a stockpiled class, fire units are valid
    fire units of the defence, and the bound's threat kind is one the raids launch.

    Raises:
        ProcurementError: naming the procurement file, the field path and what was expected.
        ScenarioError: naming the campaign or defence file, if that is not valid.
    """
    from iadsim.scenario.campaign import load_campaign

    path = Path(path)
    raw, lines = read_raw(path, error=ProcurementError)
    try:
        plan = Procurement.model_validate(raw)
    except ValidationError as exc:
        raise ProcurementError(path, _problems(exc, "procurement"), lines=lines) from None
    campaign_path = named_file(
        path,
        plan.campaign,
        error=ProcurementError,
        field="campaign",
        what="campaign file",
        lines=lines,
    )
    campaign, defence, _ = load_campaign(campaign_path)
    stocked = sorted(campaign.stockpiles)
    for k, item in enumerate(plan.catalogue):
        if item.interceptors is not None and item.interceptors not in campaign.stockpiles:
            raise ProcurementError(
                path,
                [
                    (
                        f"catalogue.{k}.interceptors",
                        f"{_short(item.interceptors)} has no stockpile in the campaign "
                        f"({campaign_path.name}); stocked: {', '.join(stocked) or 'none'}",
                    )
                ],
                lines=lines,
            )
    units = [u for u in defence.get("fire_units") or [] if isinstance(u, dict)]
    joining = []
    origin = []
    for k, item in enumerate(plan.catalogue):
        if item.fire_unit is not None:  # as the search adds it: the first one bought
            joining.append({**item.fire_unit, "id": f"{item.fire_unit['id']}-1"})
            origin.append(f"catalogue.{k}.fire_unit")
    first = len(units)

    def where(field: str) -> str | None:
        parts = field.split(".")
        if len(parts) >= 2 and parts[0] == "fire_units" and parts[1].isdigit():
            index = int(parts[1]) - first
            if 0 <= index < len(origin):
                return ".".join([origin[index], *parts[2:]])
        return "catalogue"

    defence_scenario = parse_inner(
        {**defence, "fire_units": [*units, *joining]},
        source=path,
        error=ProcurementError,
        where=where,
        lines=lines,
    )
    kind = plan.bound.kind
    if kind is not None:
        launched = sorted(
            {defence_scenario.threat_classes[r.threat].kind for r in defence_scenario.raids}
        )
        if kind not in launched:
            raise ProcurementError(
                path,
                [
                    (
                        "bound.kind",
                        f"the campaign's raids launch no {kind}; they launch {', '.join(launched)}",
                    )
                ],
                lines=lines,
            )
    return plan, campaign_path
