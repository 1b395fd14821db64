"""The campaign file: a defence, a horizon in days, nightly raids, stockpiles and deliveries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from iadsim import limits
from iadsim.errors import CampaignError, FieldError
from iadsim.scenario.load import (
    _problems,
    load_inner_scenario,
    named_file,
    read_raw,
)
from iadsim.scenario.load import _show as _short

__all__ = [
    "Campaign",
    "Delivery",
    "NightlyModel",
    "Production",
    "ReportedNights",
    "ScheduledNight",
    "check_against_defence",
    "load_campaign",
]

Count = Annotated[int, Field(ge=0, le=limits.MAX_ROUNDS, strict=True)]
Day = Annotated[int, Field(ge=1, le=limits.MAX_CAMPAIGN_DAYS, strict=True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduledNight(_Model):
    """One raid night of an explicit schedule."""

    day: Day
    scale: float = Field(
        ge=0.0,
        le=float(limits.MAX_THREATS),
        allow_inf_nan=False,
        description="size of the night's raid as a multiple of the defence file's raids "
        "(a night launches at most 100,000 threats)",
    )


class NightlyModel(_Model):
    """A seeded statistical raid model: whether there is a raid each night, and its size."""

    seed: int = Field(0, ge=0, le=limits.MAX_SEED, description="seed of the nightly draws")
    raid_probability: float = Field(
        ge=0.0, le=1.0, allow_inf_nan=False, description="chance that a given night has a raid"
    )
    mean_threats: float = Field(
        gt=0.0,
        le=float(limits.MAX_THREATS),
        allow_inf_nan=False,
        description="mean threats launched on a raid night (at most 100,000)",
    )
    dispersion: float = Field(
        ge=0.001,
        le=1e6,
        allow_inf_nan=False,
        description="negative-binomial shape k, 0.001 to 1e6: smaller is burstier "
        "(variance = m + m^2 / k)",
    )
    max_threats: int | None = Field(
        None,
        ge=1,
        le=limits.MAX_THREATS,
        strict=True,
        description="cap on one night's threats (at most 100,000)",
    )


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
            shown = repr(self.first_night[:40])
            raise FieldError(
                ("first_night",), f"expected a date such as 2025-01-01, got {shown}"
            ) from None
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

    @model_validator(mode="after")
    def _days(self) -> Production:
        if self.end is not None and self.end < self.start:
            raise FieldError(("end",), f"day {self.end} is before `start` (day {self.start})")
        for k, (first, last) in enumerate(self.pauses):
            if last < first:
                raise FieldError(
                    ("pauses", k), f"[{first}, {last}]: the last day is before the first"
                )
        return self

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
        seen: dict[int, int] = {}
        for k, night in enumerate(self.schedule or []):
            if night.day > self.days:
                raise FieldError(("schedule", k, "day"), f"is after the horizon ({self.days})")
            if night.day in seen:
                raise FieldError(
                    ("schedule", k, "day"),
                    f"day {night.day} is also `schedule.{seen[night.day]}`; give each night once",
                )
            seen[night.day] = k
        for k, delivery in enumerate(self.deliveries):
            if delivery.day > self.days:
                raise FieldError(
                    ("deliveries", k, "day"), f"is after the horizon ({self.days} days)"
                )
        for k, delivery in enumerate(self.deliveries):
            if delivery.type not in self.stockpiles:
                raise FieldError(
                    ("deliveries", k, "type"),
                    f"{_short(delivery.type)} has no entry in `stockpiles`",
                )
        for k, flow in enumerate(self.production):
            if flow.type not in self.stockpiles:
                raise FieldError(
                    ("production", k, "type"), f"{_short(flow.type)} has no entry in `stockpiles`"
                )
        return self


def load_campaign(path: str | Path) -> tuple[Campaign, dict[str, Any], Path]:
    """Read a campaign file; returns it, the defence scenario's raw data and its path.

    The defence is validated here too (problems in a defence file are reported against
    it), and no night may launch more than :data:`~iadsim.limits.MAX_THREATS`
    threats.

    Raises:
        CampaignError: naming the campaign file, the field path and what was expected.
        ScenarioError: naming the defence file, if that is not a valid scenario.
    """
    path = Path(path)
    raw, lines = read_raw(path, error=CampaignError)
    try:
        campaign = Campaign.model_validate(raw)
    except ValidationError as exc:
        raise CampaignError(path, _problems(exc, "campaign"), lines=lines) from None
    if campaign.reported is not None:
        named_file(
            path,
            campaign.reported.csv,
            error=CampaignError,
            field="reported.csv",
            what="reported-raids CSV",
            lines=lines,
        )
    defence_raw, defence, defence_path = load_inner_scenario(
        path, campaign.defence, error=CampaignError, field="defence", lines=lines
    )
    check_against_defence(campaign, defence, source=path, lines=lines)
    return campaign, defence_raw, defence_path


def check_against_defence(
    campaign: Campaign, defence: Any, *, source: str | Path, lines: dict[str, int] | None = None
) -> None:
    """Check that no night of a campaign launches more threats than a scenario may.

    Nights are sized as :func:`iadsim.planning.campaign.night_sizes` sizes them (schedule
    scales, or the statistical model's seeded draws) and each raid of the (validated)
    defence is scaled and rounded as a campaign night does; none may launch more than
    :data:`~iadsim.limits.MAX_THREATS`. (Stockpiles naming a class the defence
    lacks are reported when the campaign runs, by :mod:`iadsim.planning`.)

    Raises:
        CampaignError: naming the campaign file and field.
    """
    counts = [raid.count for raid in defence.raids]
    standard = sum(counts)

    def launched(scale: float) -> int:  # as planning.campaign's nights round each raid
        return sum(round(c * scale) for c in counts)

    if campaign.schedule is not None:
        for k, night in enumerate(campaign.schedule):
            n = launched(night.scale)
            if n > limits.MAX_THREATS:
                raise CampaignError(
                    source,
                    [
                        (
                            f"schedule.{k}.scale",
                            f"night {night.day} would launch {n:,} threats ({night.scale:g} x "
                            f"the defence's {standard:,}); the limit is "
                            f"{limits.MAX_THREATS:,} a night",
                        )
                    ],
                    lines=lines,
                )
    elif campaign.model is not None:
        from iadsim.planning.campaign import night_sizes

        for day, scale in enumerate(night_sizes(campaign, standard), start=1):
            n = launched(float(scale))
            if n > limits.MAX_THREATS:
                raise CampaignError(
                    source,
                    [
                        (
                            "model.max_threats",
                            f"the model's night {day} would launch {n:,} threats; the limit "
                            f"is {limits.MAX_THREATS:,} a night: set `model.max_threats` "
                            f"(at most {limits.MAX_THREATS:,})",
                        )
                    ],
                    lines=lines,
                )
