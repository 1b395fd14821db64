"""The campaign file: a defence, a horizon in days, nightly raids, stockpiles and deliveries.

Nights are either the defence file's raids scaled (``schedule``, ``model``,
``reported``) or built from raid templates (``templates``): each replication
chooses a template for each raid night and draws its size, so replications see
different raids. ``damage`` carries destroyed assets (and, once the engine
reports them, fire units and sensors) from night to night until repaired.
"""

from __future__ import annotations

import copy
import functools
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from iadsim import limits
from iadsim.errors import CampaignError, FieldError
from iadsim.scenario.load import (
    _problems,
    load_inner_scenario,
    named_file,
    parse_inner,
    read_raw,
)
from iadsim.scenario.load import _show as _short
from iadsim.scenario.units import DURATION, parse_quantity
from iadsim.scenario.units import _parse_time_point as _time_point

__all__ = [
    "Axis",
    "Campaign",
    "Damage",
    "Delivery",
    "NightlyModel",
    "Production",
    "RaidTemplate",
    "ReportedNights",
    "ScheduledNight",
    "Size",
    "Timing",
    "check_against_defence",
    "check_templates",
    "load_campaign",
    "template_raids",
]

Count = Annotated[int, Field(ge=0, le=limits.MAX_ROUNDS, strict=True)]
Day = Annotated[int, Field(ge=1, le=limits.MAX_CAMPAIGN_DAYS, strict=True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Name = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Threats = Annotated[int, Field(ge=0, le=limits.MAX_THREATS, strict=True)]
Share = Annotated[float, Field(gt=0.0, le=limits.MAX_WEIGHT, strict=True, allow_inf_nan=False)]
NightTemplates = Annotated[
    list[Name] | None,
    Field(
        None,
        min_length=1,
        max_length=64,
        description="names of the raid templates this night may draw from (default: all)",
    ),
]

_DAY_S = 86400.0
_REPAIR = DURATION._replace(
    example="14 d",
    largest=limits.MAX_CAMPAIGN_DAYS * _DAY_S,
    largest_text=f"{limits.MAX_CAMPAIGN_DAYS} d",
)


def _repair_days(value: Any) -> Any:
    """``never`` (kept as None) or a duration with its unit, as whole nights out."""
    if value is None or value == "never":
        return None
    seconds = parse_quantity(value, _REPAIR)
    if seconds <= 0:
        raise ValueError(f"a repair time must be positive, got {_short(value)}")
    return max(1, math.ceil(seconds / _DAY_S - 1e-9))


RepairDays = Annotated[
    int | None,
    BeforeValidator(_repair_days),
    WithJsonSchema(
        {
            "type": "string",
            "description": "a duration with its unit, e.g. '14 d' or '36 h' (at most "
            f"{limits.MAX_CAMPAIGN_DAYS} d), or 'never'",
            "examples": ["14 d", "never"],
        }
    ),
]
"""A repair time, read as the whole nights it takes (``None``: never)."""


def _time_text(value: Any) -> Any:
    """A clock time or a time after the start, checked and kept as written."""
    _time_point(value)
    return value


TimeText = Annotated[str, BeforeValidator(_time_text)]


class ScheduledNight(_Model):
    """One raid night of an explicit schedule."""

    day: Day = Field(description="the campaign day of the night (1: the first)")
    scale: float | None = Field(
        None,
        ge=0.0,
        le=float(limits.MAX_THREATS),
        allow_inf_nan=False,
        description="size of the night's raid as a multiple of the defence file's raids "
        "(a night launches at most 100,000 threats); with `templates`, a multiple of the "
        "drawn template's size (default 1)",
    )
    templates: NightTemplates


class NightlyModel(_Model):
    """A seeded statistical raid model: whether there is a raid each night, and its size."""

    seed: int = Field(0, ge=0, le=limits.MAX_SEED, description="seed of the nightly draws")
    raid_probability: float = Field(
        ge=0.0, le=1.0, allow_inf_nan=False, description="chance that a given night has a raid"
    )
    mean_threats: float | None = Field(
        None,
        gt=0.0,
        le=float(limits.MAX_THREATS),
        allow_inf_nan=False,
        description="mean threats launched on a raid night (at most 100,000); not with "
        "`templates`, whose sizes say it",
    )
    dispersion: float | None = Field(
        None,
        ge=0.001,
        le=1e6,
        allow_inf_nan=False,
        description="negative-binomial shape k, 0.001 to 1e6: smaller is burstier "
        "(variance = m + m^2 / k); not with `templates`",
    )
    max_threats: int | None = Field(
        None,
        ge=1,
        le=limits.MAX_THREATS,
        strict=True,
        description="cap on one night's threats (at most 100,000); not with `templates`",
    )
    templates: NightTemplates


class Size(_Model):
    """How many threats a template launches: fixed, uniform, or negative binomial."""

    fixed: Threats | None = Field(None, description="threats launched, every time")
    uniform: tuple[Threats, Threats] | None = Field(
        None, description="[least, most] threats, each whole number equally likely"
    )
    mean: float | None = Field(
        None,
        gt=0.0,
        le=float(limits.MAX_THREATS),
        allow_inf_nan=False,
        description="mean threats of a negative-binomial size (give `dispersion` too)",
    )
    dispersion: float | None = Field(
        None,
        ge=0.001,
        le=1e6,
        allow_inf_nan=False,
        description="negative-binomial shape k, 0.001 to 1e6: smaller is burstier "
        "(variance = mean + mean^2 / k)",
    )
    max: Threats | None = Field(None, description="cap on the threats drawn")
    step: int | None = Field(
        None,
        ge=1,
        le=limits.MAX_THREATS,
        strict=True,
        description="threats: drawn sizes are rounded to a multiple of it, so that "
        "replications drawing nearby sizes share one compiled night (each distinct night "
        "is compiled once); 1 keeps every size. Default: a twentieth of the mean size, at "
        "least 1 (a fixed size is never rounded)",
    )

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool):
            return {"fixed": data}
        return data

    @model_validator(mode="after")
    def _one(self) -> Size:
        given = [n for n in ("fixed", "uniform", "mean") if getattr(self, n) is not None]
        if len(given) != 1:
            raise FieldError(
                (), "give exactly one of `fixed`, `uniform` and `mean` (with `dispersion`)"
            )
        if (self.mean is None) != (self.dispersion is None):
            raise FieldError(
                ("dispersion" if self.mean is not None else "mean",),
                "a negative-binomial size needs both `mean` and `dispersion`",
            )
        if self.uniform is not None and self.uniform[1] < self.uniform[0]:
            raise FieldError(("uniform",), f"{list(self.uniform)}: the most is below the least")
        return self

    @property
    def grain(self) -> int:
        """The step sizes are rounded to: ``step``, or a twentieth of the mean size."""
        if self.fixed is not None:
            return 1
        if self.step is not None:
            return self.step
        mean = sum(self.uniform) / 2 if self.uniform is not None else self.mean or 0.0
        return max(1, round(mean / 20))

    @property
    def largest(self) -> int | None:
        """The most threats a draw can give (None: unbounded)."""
        top = self.fixed if self.fixed is not None else None
        if self.uniform is not None:
            top = self.uniform[1]
        if self.max is not None:
            top = self.max if top is None else min(top, self.max)
        if top is None:
            return None
        return self.grain * math.ceil(top / self.grain)


class Timing(_Model):
    """When a template's threats are launched: overrides every axis's launch window."""

    start: TimeText | None = Field(
        None,
        description="first launch: a clock time ('19:00', '01:00+1') or '30 min' after "
        "the defence's start",
    )
    end: TimeText | None = Field(None, description="last launch, as `start`")
    spacing: Literal["uniform", "random"] | None = Field(
        None, description="uniform: evenly spaced; random: seeded uniform draws"
    )


class Axis(_Model):
    """An axis written out in full: a raid of the scenario without id, threat and count."""

    launch: dict[str, Any] = Field(
        description="as a scenario raid's `launch`: sites, start, end, spacing"
    )
    route: dict[str, Any] | None = Field(
        None, description="as a scenario raid's `route`: waypoints, jitter, seed"
    )
    targets: dict[str, Any] | None = Field(
        None, description="as a scenario raid's `targets` (default: the template's)"
    )


class RaidTemplate(_Model):
    """A kind of raid night: axes, a mix of threat classes, a size, timing and targets."""

    name: Name = Field(description="named in nights' `templates` and in the results")
    description: str = Field("", description="free text")
    weight: Share = Field(
        1.0,
        description="relative chance of being chosen on a night that may draw it "
        "(chance = weight / sum of the night's weights)",
    )
    axes: list[Name | Axis] = Field(
        min_length=1,
        max_length=64,
        description="where the threats come from: ids of the defence file's raids (their "
        "launch sites, route and targets) or axes written out in full",
    )
    mix: dict[str, Share] | None = Field(
        None,
        max_length=64,
        description="threat class -> share of the size (in proportion); each class's threats "
        "are spread evenly over the axes. Default: each axis keeps its raid's class, and the "
        "size is shared in proportion to the raids' counts",
    )
    size: Size = Field(description="threats launched on the night (integer: a fixed size)")
    timing: Timing | None = Field(None, description="launch window for every axis")
    targets: dict[str, Share] | None = Field(
        None,
        max_length=10_000,
        description="target id -> weight (anything a scenario raid's `targets` accepts) for "
        "every axis, instead of the axes' own",
    )

    @model_validator(mode="after")
    def _classes(self) -> RaidTemplate:
        if self.mix is None:
            for j, axis in enumerate(self.axes):
                if isinstance(axis, Axis):
                    raise FieldError(
                        ("mix",),
                        f"axis {j} is written out (it has no threat class): give the "
                        "template's `mix`",
                    )
        seen: dict[str, int] = {}
        for j, axis in enumerate(self.axes):
            if isinstance(axis, str):
                if axis in seen:
                    raise FieldError(
                        ("axes", j), f"raid {_short(axis)} is also `axes.{seen[axis]}`"
                    )
                seen[axis] = j
            if isinstance(axis, Axis) and axis.targets is None and self.targets is None:
                raise FieldError(
                    ("axes", j, "targets"), "give the axis's or the template's `targets`"
                )
        return self


class Damage(_Model):
    """Damage carried from night to night: repair times and spares."""

    repair: dict[str, RepairDays] = Field(
        default_factory=dict,
        max_length=10_000,
        description="time to repair a destroyed element, with its unit ('14 d', '36 h') or "
        "'never', by id (asset, fire unit, sensor, command post), by fire-unit class or "
        "sensor preset, or "
        "'default' (default: never). Destroyed on night d, an element with repair time t is "
        "back for night d + ceil(t / 1 d)",
    )
    spares: dict[str, Count] = Field(
        default_factory=dict,
        max_length=10_000,
        description="spare launchers and radars in stock, by fire-unit class or sensor preset "
        "(kind if it has none): a destroyed unit of that class is replaced for the next night "
        "while spares last",
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
    day: Day = Field(description="day of arrival, at the start of the day")
    count: Count = Field(description="interceptors delivered")


class Production(_Model):
    """A steady flow of interceptors: ``count`` every ``every`` days, with pauses."""

    type: str = Field(description="fire-unit class whose interceptors these are")
    count: Count = Field(description="interceptors per arrival")
    every: Day = Field(description="days between arrivals")
    start: Day = Field(1, description="day of the first arrival")
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

    schema_version: Literal[1] = Field(description="version of the campaign file format")
    name: str = Field(min_length=1, description="what the campaign is called in its output")
    description: str = Field("", description="free text")
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
    deliveries: list[Delivery] = Field(
        default_factory=list, description="one-off deliveries of interceptors"
    )
    production: list[Production] = Field(
        default_factory=list, description="steady flows of interceptors, with pauses"
    )
    templates: list[RaidTemplate] = Field(
        default_factory=list,
        max_length=1_000,
        description="raid templates: each raid night of `schedule` or `model`, each "
        "replication draws one (by weight) and its size, instead of scaling the defence "
        "file's raids",
    )
    damage: Damage | None = Field(
        None,
        description="carry destroyed elements from night to night until repaired (default: "
        "every night starts with the defence whole)",
    )

    @model_validator(mode="after")
    def _nights(self) -> Campaign:
        given = [x is not None for x in (self.schedule, self.model, self.reported)]
        if sum(given) != 1:
            raise FieldError(
                ("schedule",), "give exactly one of `schedule`, `model` and `reported`"
            )
        self._check_templates()
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

    def _check_templates(self) -> None:
        """Templates named once; nights name known ones; sizes from one place only."""
        names: dict[str, int] = {}
        for k, template in enumerate(self.templates):
            if template.name in names:
                raise FieldError(
                    ("templates", k, "name"),
                    f"{_short(template.name)} is also `templates.{names[template.name]}.name`",
                )
            names[template.name] = k
        known = ", ".join(names) or "none"
        uses: list[tuple[tuple[str | int, ...], list[str] | None]] = [
            (("schedule", k, "templates"), night.templates)
            for k, night in enumerate(self.schedule or [])
        ]
        if self.model is not None:
            uses.append((("model", "templates"), self.model.templates))
        for path, chosen in uses:
            for j, name in enumerate(chosen or []):
                if name not in names:
                    raise FieldError(
                        (*path, j), f"no template named {_short(name)}; templates: {known}"
                    )
            if chosen is not None and not self.templates:
                raise FieldError(path, "names templates, but the campaign has no `templates`")
        if self.templates and self.reported is not None:
            raise FieldError(
                ("templates",),
                "nights from `reported` raids cannot draw templates: give `schedule` or `model`",
            )
        for k, night in enumerate(self.schedule or []):
            if night.scale is None and not self.templates:
                raise FieldError(("schedule", k, "scale"), "required field is missing")
        model = self.model
        if model is not None:
            sized = ("mean_threats", "dispersion", "max_threats")
            if self.templates:
                for name in sized:
                    if getattr(model, name) is not None:
                        raise FieldError(
                            ("model", name),
                            "a model with `templates` takes each night's size from the "
                            "template drawn (its `size`)",
                        )
            else:
                for name in sized[:2]:
                    if getattr(model, name) is None:
                        raise FieldError(("model", name), "required field is missing")


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
    check_templates(campaign, defence_raw, defence, source=path, lines=lines)
    return campaign, defence_raw, defence_path


def _check_template_sizes(
    campaign: Campaign, *, source: str | Path, lines: dict[str, int] | None
) -> None:
    """No scheduled night may scale a template past the threats a night may launch."""
    by_name = {t.name: t for t in campaign.templates}
    for k, night in enumerate(campaign.schedule or []):
        scale = 1.0 if night.scale is None else night.scale
        for name in night.templates or list(by_name):
            largest = by_name[name].size.largest
            if largest is not None and round(largest * scale) > limits.MAX_THREATS:
                raise CampaignError(
                    source,
                    [
                        (
                            f"schedule.{k}.scale",
                            f"night {night.day} could launch {round(largest * scale):,} threats "
                            f"({scale:g} x template {name}'s {largest:,}); the limit is "
                            f"{limits.MAX_THREATS:,} a night",
                        )
                    ],
                    lines=lines,
                )


# --- raid templates: the raids of one night ------------------------------------------------------


def _apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` shared in proportion to ``weights`` (largest remainder; ties to the first)."""
    whole = all(isinstance(w, int) for w in weights)
    scale = sum(weights)
    if total <= 0 or scale <= 0:
        return [0] * len(weights)
    if whole:  # exact: integer quotas and remainders
        quotas = [divmod(total * int(w), int(scale)) for w in weights]
        counts = [q for q, _ in quotas]
        rest: list[float] = [r for _, r in quotas]
    else:
        exact = [total * w / scale for w in weights]
        counts = [math.floor(x) for x in exact]
        rest = [x - c for x, c in zip(exact, counts, strict=True)]
    left = total - sum(counts)
    for j in sorted(range(len(weights)), key=lambda j: (-rest[j], j))[: max(left, 0)]:
        counts[j] += 1
    return counts


def _axes(defence_raw: dict[str, Any], template: RaidTemplate) -> list[dict[str, Any]]:
    """Each axis as a raid body (launch, route, targets; a defence raid keeps all its fields)."""
    by_id = {raid.get("id"): raid for raid in defence_raw.get("raids", [])}
    bodies = []
    for axis in template.axes:
        if isinstance(axis, str):
            bodies.append(by_id[axis])
        else:
            body: dict[str, Any] = {"launch": axis.launch}
            if axis.route is not None:
                body["route"] = axis.route
            if axis.targets is not None:
                body["targets"] = axis.targets
            bodies.append(body)
    return bodies


def template_raids(
    defence_raw: dict[str, Any], template: RaidTemplate, size: int, *, trial: bool = False
) -> list[tuple[dict[str, Any], int]]:
    """The raids of a night of ``size`` threats drawn from ``template``, each with its axis.

    Without a ``mix``, each axis keeps its raid's threat class and id and the size is
    shared in proportion to the raids' counts (so a template of all the defence's raids
    at their total size is the defence's own night). With a ``mix``, each class's share
    is spread evenly over the axes. Shares are whole threats, by largest remainder;
    raids left with none are dropped. ``trial``: one threat per raid, to check the
    template against the defence.
    """
    bodies = _axes(defence_raw, template)
    pieces: list[tuple[int, str, int, str]] = []  # axis, class, count, raid id
    if template.mix is None:
        counts = _apportion(size, [int(b["count"]) for b in bodies])
        for j, (body, n) in enumerate(zip(bodies, counts, strict=True)):
            pieces.append((j, str(body["threat"]), n, str(body["id"])))
    else:
        by_class = _apportion(size, list(template.mix.values()))
        for i, (name, n_class) in enumerate(zip(template.mix, by_class, strict=True)):
            spread = _apportion(n_class, [1] * len(bodies))
            for j, n in enumerate(spread):
                pieces.append((j, name, n, f"{template.name}.{j}.{i}"))
    raids = []
    for j, name, n, raid_id in pieces:
        if n <= 0 and not trial:
            continue
        body = {k: v for k, v in bodies[j].items() if k not in ("id", "threat", "count")}
        raid = copy.deepcopy(body)
        raid.update(id=raid_id, threat=name, count=1 if trial else n)
        if template.targets is not None:
            raid["targets"] = dict(template.targets)
        if template.timing is not None:
            launch = dict(raid.get("launch") or {})
            for field in ("start", "end", "spacing"):
                value = getattr(template.timing, field)
                if value is not None:
                    launch[field] = value
            raid["launch"] = launch
        raids.append((raid, j))
    return raids


def _trial_path(template: RaidTemplate, k: int, axes: list[int], path: str) -> str:
    """A problem of a template's trial night, at the template field that causes it."""
    head = f"templates.{k}"
    parts = path.split(".")
    if len(parts) < 2 or parts[0] != "raids" or not parts[1].isdigit():
        return head
    j = axes[int(parts[1])]
    rest = parts[2:]
    if rest[:1] == ["targets"] and template.targets is not None:
        return ".".join([head, *rest])
    if rest[:1] == ["launch"] and template.timing is not None:
        field = rest[1] if len(rest) > 1 else ""
        if getattr(template.timing, field, None) is not None:
            return f"{head}.timing.{field}"
    if isinstance(template.axes[j], Axis):
        return ".".join([head, "axes", str(j), *rest])
    return f"{head}.axes.{j}"


def check_templates(
    campaign: Campaign,
    defence_raw: dict[str, Any],
    defence: Any,
    *,
    source: str | Path,
    lines: dict[str, int] | None = None,
) -> None:
    """Check templates and damage against the (validated) defence they are drawn on.

    Axes must name the defence's raids, mixes its threat classes; each template's
    night (one threat per raid) must be a valid scenario, and its problems are
    reported at the template's fields. Repair times and spares must name the
    defence's assets, fire units and sensors (ids or classes).

    Raises:
        CampaignError: naming the campaign file and field.
    """

    def fail(path: str, message: str) -> None:
        raise CampaignError(source, [(path, message)], lines=lines)

    raid_ids = [raid.id for raid in defence.raids]
    classes = list(defence.threat_classes)
    for k, template in enumerate(campaign.templates):
        for j, axis in enumerate(template.axes):
            if isinstance(axis, str) and axis not in raid_ids:
                fail(
                    f"templates.{k}.axes.{j}",
                    f"the defence has no raid {_short(axis)}; its raids: {_some(raid_ids)}",
                )
        for name in template.mix or {}:
            if name not in classes:
                fail(
                    f"templates.{k}.mix.{name}",
                    f"unknown threat class {_short(name)}; the defence's: {_some(classes)}",
                )
        pieces = template_raids(defence_raw, template, 1, trial=True)
        night = dict(defence_raw)
        night["raids"] = [raid for raid, _ in pieces]
        axes = [j for _, j in pieces]
        where = functools.partial(_trial_path, template, k, axes)
        parse_inner(night, source=source, error=CampaignError, where=where, lines=lines)
    if campaign.damage is not None:
        names = _damage_names(defence)
        for section in ("repair", "spares"):
            for key in getattr(campaign.damage, section):
                if key == "default" and section == "repair":
                    continue
                if key not in names[section]:
                    fail(
                        f"damage.{section}.{key}",
                        f"the defence has no {_WHAT[section]} {_short(key)}; "
                        f"it has: {_some(sorted(names[section]))}",
                    )


_WHAT = {
    "repair": "asset, fire unit, sensor or command post (id or class)",
    "spares": "fire-unit class or sensor preset",
}


def _damage_names(defence: Any) -> dict[str, set[str]]:
    """What `damage.repair` and `damage.spares` may name in a defence."""
    spares = {u.unit_class for u in defence.fire_units}
    spares |= {s.preset or s.kind for s in defence.sensors}
    ids = {a.id for a in defence.assets} | {u.id for u in defence.fire_units}
    ids |= {s.id for s in defence.sensors}
    network = getattr(defence, "network", None)
    ids |= {p.id for p in (network.command_posts if network is not None else [])}
    return {"repair": ids | spares, "spares": spares}


def _some(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown}, ... ({len(names)} in all)"


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

    if campaign.templates:
        _check_template_sizes(campaign, source=source, lines=lines)
    elif campaign.schedule is not None:
        for k, night in enumerate(campaign.schedule):
            n = launched(night.scale or 0.0)
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
