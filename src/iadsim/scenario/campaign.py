"""The campaign file: a defence, a horizon in days, nightly raids, stockpiles and deliveries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from iadsim.errors import FieldError, ScenarioError
from iadsim.scenario.load import _problems, read_raw

__all__ = [
    "Campaign",
    "Delivery",
    "NightlyModel",
    "Production",
    "ReportedNights",
    "ScheduledNight",
    "load_campaign",
]

Count = Annotated[int, Field(ge=0, strict=True)]
Day = Annotated[int, Field(ge=1, strict=True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduledNight(_Model):
    """One raid night of an explicit schedule."""

    day: Day
    scale: float = Field(
        ge=0.0, description="size of the night's raid as a multiple of the defence file's raids"
    )


class NightlyModel(_Model):
    """A seeded statistical raid model: whether there is a raid each night, and its size."""

    seed: int = Field(0, ge=0, description="seed of the nightly draws")
    raid_probability: float = Field(
        ge=0.0, le=1.0, description="chance that a given night has a raid"
    )
    mean_threats: float = Field(gt=0.0, description="mean threats launched on a raid night")
    dispersion: float = Field(
        gt=0.0,
        description="negative-binomial shape k: smaller is burstier (variance = m + m^2 / k)",
    )
    max_threats: int | None = Field(None, ge=1, description="cap on one night's threats")


class ReportedNights(_Model):
    """Raid nights from a file in the public reported-raids CSV format."""

    csv: str = Field(description="the CSV, relative to the campaign file")
    first_night: str = Field(
        description="the date (YYYY-MM-DD) of the campaign's day 1 in the reports"
    )

    @model_validator(mode="after")
    def _date(self) -> ReportedNights:
        import datetime as dt

        try:
            dt.date.fromisoformat(self.first_night)
        except ValueError:
            raise FieldError(("first_night",), "expected a date such as 2025-01-01") from None
        return self


class Delivery(_Model):
    """A one-off delivery of interceptors, at the start of a day."""

    type: str = Field(description="fire-unit class whose interceptors these are")
    day: Day
    count: Count


class Production(_Model):
    """A steady flow of interceptors: ``count`` every ``every`` days, with pauses."""

    type: str
    count: Count
    every: Day = Field(description="days between arrivals")
    start: Day = 1
    end: Day | None = Field(None, description="last day (default: the horizon)")
    pauses: list[tuple[Day, Day]] = Field(
        default_factory=list, description="[first, last] days with no arrivals"
    )

    def arrivals(self, days: int) -> dict[int, int]:
        """Day -> interceptors arriving that day."""
        last = min(self.end or days, days)
        out = {}
        for day in range(self.start, last + 1, self.every):
            if not any(lo <= day <= hi for lo, hi in self.pauses):
                out[day] = self.count
        return out


class Campaign(_Model):
    """Nights of raids against one defence, with interceptor stockpiles carried over."""

    schema_version: Literal[1]
    name: str = Field(min_length=1)
    description: str = ""
    defence: str | dict[str, Any] = Field(
        description="scenario file (relative to this file) or inline scenario: its sensors, "
        "fire units, assets and doctrine, and raids that make up one standard night"
    )
    days: Day = Field(description="horizon in days")
    schedule: list[ScheduledNight] | None = Field(
        None, description="explicit raid nights; or give `model`"
    )
    model: NightlyModel | None = Field(None, description="statistical raid model; or `schedule`")
    reported: ReportedNights | None = Field(
        None, description="nights as reported, from the public raids CSV; or `schedule`/`model`"
    )
    stockpiles: dict[str, Count] = Field(
        default_factory=dict,
        description="interceptors in stock at the start, by fire-unit class; classes not "
        "listed are refilled to their scenario magazines every night",
    )
    deliveries: list[Delivery] = Field(default_factory=list)
    production: list[Production] = Field(default_factory=list)

    @model_validator(mode="after")
    def _nights(self) -> Campaign:
        given = [x is not None for x in (self.schedule, self.model, self.reported)]
        if sum(given) != 1:
            raise FieldError(
                ("schedule",), "give exactly one of `schedule`, `model` and `reported`"
            )
        for k, night in enumerate(self.schedule or []):
            if night.day > self.days:
                raise FieldError(("schedule", k, "day"), f"is after the horizon ({self.days})")
        for k, delivery in enumerate(self.deliveries):
            if delivery.type not in self.stockpiles:
                raise FieldError(
                    ("deliveries", k, "type"),
                    f"{delivery.type!r} has no entry in `stockpiles`",
                )
        for k, flow in enumerate(self.production):
            if flow.type not in self.stockpiles:
                raise FieldError(
                    ("production", k, "type"), f"{flow.type!r} has no entry in `stockpiles`"
                )
        return self


def load_campaign(path: str | Path) -> tuple[Campaign, dict[str, Any], Path]:
    """Read a campaign file; returns it, the defence scenario's raw data and its path.

    Raises:
        ScenarioError: naming the file, the field path and what was expected.
    """
    path = Path(path)
    raw, lines = read_raw(path)
    try:
        campaign = Campaign.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(path, _problems(exc), lines=lines) from None
    if campaign.reported is not None and not (path.parent / campaign.reported.csv).exists():
        raise ScenarioError(
            path, [("reported.csv", f"no such file: {path.parent / campaign.reported.csv}")]
        )
    if isinstance(campaign.defence, dict):
        return campaign, dict(campaign.defence), path
    defence_path = (path.parent / campaign.defence).resolve()
    if not defence_path.exists():
        raise ScenarioError(path, [("defence", f"no such scenario file: {defence_path}")])
    defence_raw, _ = read_raw(defence_path)
    return campaign, defence_raw, defence_path
