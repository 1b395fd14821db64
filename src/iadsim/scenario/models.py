"""The scenario file format: pydantic models, one per section of the file.

The file is the exchange format; the engine never sees it. ``compile`` turns a
validated :class:`Scenario` into arrays. Every quantity is stored here in SI
units (see :mod:`iadsim.scenario.units`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from iadsim import limits
from iadsim.c2 import registry
from iadsim.errors import FieldError
from iadsim.scenario import presets
from iadsim.scenario.base import LatLon, Model, Origin, Position, short, some
from iadsim.scenario.network import (
    EngagementRule,
    Failures,
    Network,
    OrganicSensor,
    Outage,
    Reserve,
)
from iadsim.scenario.units import (
    Area,
    ClockTime,
    Duration,
    Length,
    Money,
    Speed,
    TimePoint,
    TimePointField,
)
from iadsim.scenario.world import Motion, Terrain, WaypointField

__all__ = [
    "PROFILES",
    "SCHEMA_VERSION",
    "THREAT_KINDS",
    "Asset",
    "Doctrine",
    "FireUnit",
    "LatLon",
    "Launch",
    "Origin",
    "Raid",
    "Route",
    "Scenario",
    "Sensor",
    "ThreatClass",
]

SCHEMA_VERSION = 1
"""The version of the file format this release writes and reads natively."""

ThreatKind = Literal["owa_drone", "decoy", "cruise_missile", "ballistic_missile", "hypersonic"]
THREAT_KINDS: tuple[str, ...] = ThreatKind.__args__  # type: ignore[attr-defined]
FireUnitKind = Literal["sam", "gun", "manpads", "interceptor_drone", "ew", "aircraft", "helicopter"]
Profile = Literal["cruise", "terrain_following", "dive", "ballistic", "glide"]
PROFILES: tuple[str, ...] = Profile.__args__  # type: ignore[attr-defined]
Hardness = Literal["soft", "medium", "hard"]
# strict: a YAML `true` or a quoted "10" is a mistake, not a number (ints still pass as floats)
Probability = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]
Count = Annotated[int, Field(strict=True)]
Identifier = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"),
]


_Model = Model
_short = short
_some = some


def _with_preset(data: Any, table: Any, what: str, *, base: dict[str, Any] | None = None) -> Any:
    """Merge the named preset under the fields the file gives (the file wins)."""
    if not isinstance(data, dict) or data.get("preset") is None:  # `preset: null` = none
        return data if base is None or not isinstance(data, dict) else {**base, **data}
    name = data["preset"]
    if not isinstance(name, str) or name not in table:
        known = ", ".join(sorted(table))
        raise FieldError(("preset",), f"unknown {what} preset {_short(name)}; known: {known}")
    merged = {**(base or {}), **table[name], **data}
    return merged


class ThreatClass(_Model):
    """A class of threat: one kind of drone, decoy or missile."""

    preset: str | None = Field(None, description="preset whose fields fill those not given")
    kind: ThreatKind = Field(description="what the threat is")
    description: str = Field("", description="free text")
    speed: Speed = Field(
        description="ground speed along the route; ballistic: the speed at burnout and at "
        "re-entry of the drag-free arc; glide: the speed at the top of the glide"
    )
    altitude: Length = Field(
        description="cruise altitude above sea level (terrain_following: height above the "
        "terrain; dive: before the dive; glide: the launch altitude)"
    )
    profile: Profile = Field(
        "cruise",
        description="vertical profile: cruise (constant altitude, waypoints may change it); "
        "terrain_following (constant height above the terrain grid); dive (cruise, then a "
        "straight dive from `dive_distance` before the target); ballistic (boost, drag-free "
        "arc and re-entry in the vertical plane, on the depressed trajectory its `speed` "
        "allows); glide (climb to `apogee`, a straight glide down, then a dive from "
        "`dive_distance`)",
    )
    climb_rate: Speed | None = Field(
        None,
        description="greatest rate of climb when a waypoint asks for a higher altitude "
        "(default: the change is spread evenly over the leg)",
    )
    descent_rate: Speed | None = Field(
        None,
        description="greatest rate of descent when a waypoint asks for a lower altitude "
        "(default: the change is spread evenly over the leg)",
    )
    dive_distance: Length | None = Field(
        None, description="dive and glide: ground distance before the target where the dive starts"
    )
    apogee: Length | None = Field(None, description="glide: highest altitude, reached by a climb")
    apogee_distance: Length | None = Field(
        None,
        description="glide: ground distance from launch at which the apogee is reached "
        "(default: a quarter of the route)",
    )
    terminal_speed: Speed | None = Field(
        None,
        description="glide and dive: ground speed at impact; the speed changes evenly from "
        "the start of the dive or glide (default: `speed`)",
    )
    boost_time: Duration = Field(
        "0 s",
        description="ballistic: burn time; the missile climbs along the arc's initial "
        "direction, accelerating evenly to `speed`",
    )
    rcs: Area = Field(description="radar cross-section, e.g. '0.1 m^2'")
    ew_susceptibility: Probability = Field(
        description="chance that one threat's navigation can be defeated by electronic warfare"
    )
    lethality: dict[Hardness, Probability] = Field(
        description="chance that one leaker destroys the asset it reaches, by asset hardness"
    )
    cost: Money = Field(description="attacker's cost of one threat")
    mimics: ThreatKind | None = Field(
        None, description="for decoys: the kind command takes them for"
    )
    source: str = Field("", description="public source of the figures")

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        return _with_preset(data, presets.THREAT_PRESETS, "threat")

    @model_validator(mode="after")
    def _complete(self) -> ThreatClass:
        missing = [h for h in ("soft", "medium", "hard") if h not in self.lethality]
        if missing:
            raise FieldError(("lethality",), f"missing hardness {', '.join(missing)}")
        if self.speed <= 0:
            raise FieldError(("speed",), "must be positive")
        if self.altitude < 0:
            raise FieldError(("altitude",), "must not be negative")
        if self.rcs <= 0:
            raise FieldError(("rcs",), "must be positive")
        if self.cost < 0:
            raise FieldError(("cost",), "must not be negative")
        for name in ("climb_rate", "descent_rate", "terminal_speed"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise FieldError((name,), "must be positive")
        for name in ("dive_distance", "apogee_distance"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise FieldError((name,), "must be positive")
        if self.boost_time < 0:
            raise FieldError(("boost_time",), "must not be negative")
        if self.profile in ("dive", "glide") and self.dive_distance is None:
            raise FieldError(
                ("dive_distance",), f"profile {self.profile} needs the distance its dive starts at"
            )
        if self.profile == "glide":
            if self.apogee is None:
                raise FieldError(("apogee",), "profile glide needs the apogee of its climb")
            if self.apogee <= self.altitude:
                raise FieldError(("apogee",), "must be above the launch `altitude`")
        return self

    @property
    def perceived_kind(self) -> str:
        """The kind that command sees: a decoy looks like what it mimics."""
        return self.mimics or self.kind


class Asset(_Model):
    """A defended point."""

    id: Identifier = Field(description="name of the asset, unique; raids' targets name it")
    position: Position
    value: float = Field(
        ge=0.0,
        le=limits.MAX_ASSET_VALUE,
        strict=True,
        allow_inf_nan=False,
        description="relative value, same scale for every asset (at most 1e12)",
    )
    hardness: Hardness = Field(description="how well it withstands a hit")


class Sensor(_Model):
    """A radar, optical or acoustic sensor feeding the common air picture."""

    id: Identifier = Field(description="name of the sensor, unique among sensors")
    preset: str | None = Field(
        None, description="sensor preset whose figures fill the fields not given"
    )
    kind: Literal["radar", "optical", "acoustic"] = Field(
        description="radar: range scales with RCS^(1/4) and the radar horizon applies; "
        "optical: horizon applies; acoustic: neither"
    )
    position: Position
    range: Length = Field(description="detection range against the reference RCS")
    reference_rcs: Area = Field("1 m^2", description="RCS at which `range` holds")
    height: Length = Field(description="antenna height above ground (radar horizon)")
    scan_period: Duration = Field(description="time between looks")
    pd: Probability = Field(description="chance of detection on one look inside range")
    field_of_regard: float | None = Field(
        None,
        gt=0.0,
        lt=180.0,
        strict=True,
        description="degrees: the full angle of a downward-looking cone (an airborne "
        "electro-optical sensor sees a threat only inside it); default: all round",
    )
    discrimination: Probability = Field(
        0.0,
        description="chance that one look which sees a decoy also tells it from what it "
        "mimics; command then stops assigning fire to it (default 0: never)",
    )
    motion: Motion | None = Field(
        None,
        description="how the sensor moves (airborne early warning, reconnaissance drones, "
        "relocating radars); default: it stands at `position`",
    )
    outages: list[Outage] = Field(
        default_factory=list, max_length=100, description="scheduled outages (it cannot look)"
    )
    failures: Failures | None = Field(None, description="random failures and repairs")
    hardness: Hardness = Field("medium", description="how well it withstands a hit")
    value: float = Field(1.0, ge=0.0, le=1e6, description="its value as a target (as an asset's)")
    source: str = Field("", description="public source of the figures")

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        return _with_preset(data, presets.SENSOR_PRESETS, "sensor")

    @model_validator(mode="after")
    def _positive(self) -> Sensor:
        for name in ("range", "reference_rcs", "scan_period"):
            if getattr(self, name) <= 0:
                raise FieldError((name,), "must be positive")
        if self.height < 0:
            raise FieldError(("height",), "must not be negative")
        if self.field_of_regard is not None and not (
            self.motion is not None and self.motion.airborne
        ):
            raise FieldError(
                ("field_of_regard",),
                "only an airborne sensor (an `orbit`, or a `route` above the ground) looks "
                "down through a field of regard",
            )
        return self


_KINETIC_FIELDS = ("channels", "rounds", "reload_time", "interceptor_speed", "cost_per_shot")


class FireUnit(_Model):
    """A SAM battery, gun, mobile fire team, interceptor-drone crew or EW site."""

    id: Identifier = Field(description="name of the fire unit, unique among fire units")
    preset: str | None = Field(
        None, description="fire-unit preset whose figures fill the fields not given"
    )
    kind: FireUnitKind = Field(
        description="sam, gun, manpads, interceptor_drone, ew (soft kill), aircraft (a combat "
        "air patrol station: needs an `orbit`) or helicopter"
    )
    unit_class: str = Field(
        alias="class", description="class name for authority and reports; default: preset or kind"
    )
    layer: str = Field(description="layer for attribution, e.g. long_range, gun, ew")
    position: Position
    min_range: Length = Field(description="inner edge of the engagement envelope (slant range)")
    max_range: Length = Field(description="outer edge of the envelope; for EW, its radius")
    min_altitude: Length = Field(description="lowest altitude (above sea level) it engages at")
    max_altitude: Length = Field(description="highest altitude (above sea level) it engages at")
    height: Length = Field(
        "0 m",
        description="height of its fire-control sensor or launcher above the ground: its line "
        "of sight over the 4/3 earth and the terrain starts there (not for EW sites)",
    )
    channels: Count | None = Field(
        None, ge=1, le=limits.MAX_CHANNELS, description="simultaneous engagements (at most 1000)"
    )
    rounds: Count | None = Field(
        None, ge=0, le=limits.MAX_ROUNDS, description="ready rounds (bursts for guns)"
    )
    reserve: Count | None = Field(
        None, ge=0, le=limits.MAX_ROUNDS, description="rounds in reserve for reloads"
    )
    reload_time: Duration | None = Field(None, description="time to reload an empty launcher")
    interceptor_speed: Speed | None = Field(None, description="mean interceptor speed")
    pk: dict[str, Probability] = Field(
        description="kill chance of one round by threat class or kind (EW: chance of "
        "defeating a susceptible threat); absent = does not engage"
    )
    cost_per_shot: Money | None = Field(None, description="cost of one round")
    motion: Motion | None = Field(
        None,
        description="how the unit moves: a timed route, a racetrack orbit (aircraft, "
        "helicopters) or relocations between sites (mobile fire groups); default: it stands "
        "at `position`",
    )
    time_on_station: Duration | None = Field(
        None, description="aircraft: time one sortie spends on station"
    )
    transit_time: Duration | None = Field(
        None, description="aircraft: flight time between base and station, each way"
    )
    turnaround: Duration | None = Field(
        None, description="aircraft: time at base to refuel and rearm between sorties"
    )
    organic_sensor: OrganicSensor | None = Field(
        None,
        description="its own radar or optical sensor: with a `network`, its tracks reach the "
        "unit over no link, so the unit can fight on its own when cut off",
    )
    fallback: Literal["autonomous", "hold", "delayed"] = Field(
        "autonomous",
        description="with a `network`, what it does while cut off from every command post and "
        "networked sensor: autonomous (fights on its organic sensor's tracks), hold (holds "
        "fire), delayed (holds fire for `activation_delay`, then autonomous)",
    )
    activation_delay: Duration = Field(
        "0 s", description="fallback delayed: time cut off before it fights on its own"
    )
    reserve_for: Reserve | None = Field(
        None,
        description="rounds kept back for the threats named, e.g. {rounds: 2, for: "
        "[ballistic_missile]}",
    )
    outages: list[Outage] = Field(
        default_factory=list, max_length=100, description="scheduled outages (it cannot fire)"
    )
    failures: Failures | None = Field(None, description="random failures and repairs")
    hardness: Hardness = Field("medium", description="how well it withstands a hit")
    value: float = Field(1.0, ge=0.0, le=1e6, description="its value as a target (as an asset's)")
    source: str = Field("", description="public source of the figures")

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        merged = _with_preset(data, presets.FIRE_UNIT_PRESETS, "fire unit")
        kind = merged.get("kind")
        if isinstance(kind, str) and kind in presets.KIND_DEFAULTS:
            merged = {**presets.KIND_DEFAULTS[kind], **merged}
        if "class" not in merged and "unit_class" not in merged:
            merged["class"] = merged.get("preset") or kind
        return merged

    @model_validator(mode="after")
    def _envelope(self) -> FireUnit:
        if self.max_range <= self.min_range:
            raise FieldError(("max_range",), "must be greater than min_range")
        if self.min_range < 0:
            raise FieldError(("min_range",), "must not be negative")
        if self.max_altitude <= self.min_altitude:
            raise FieldError(("max_altitude",), "must be greater than min_altitude")
        if self.height < 0:
            raise FieldError(("height",), "must not be negative")
        if self.activation_delay < 0:
            raise FieldError(("activation_delay",), "must not be negative")
        if self.activation_delay > 0 and self.fallback != "delayed":
            raise FieldError(
                ("activation_delay",),
                f"is only for `fallback: delayed` (the fallback given is {self.fallback})",
            )
        if self.kind == "ew":
            for name in (*_KINETIC_FIELDS, "reserve", "reserve_for", "organic_sensor"):
                if getattr(self, name) is not None:
                    raise FieldError((name,), "an EW site has no magazine or interceptors")
            return self
        for name in _KINETIC_FIELDS:
            if self.kind == "aircraft" and name == "reload_time":
                if self.reload_time is not None:
                    raise FieldError(
                        (name,),
                        "an aircraft rearms at its base: the time is 2 x transit_time + "
                        "turnaround; remove reload_time",
                    )
                continue
            if getattr(self, name) is None:
                raise FieldError((name,), f"required for a fire unit of kind {self.kind}")
        assert self.interceptor_speed is not None and self.cost_per_shot is not None
        if self.interceptor_speed <= 0:
            raise FieldError(("interceptor_speed",), "must be positive")
        if self.cost_per_shot < 0:
            raise FieldError(("cost_per_shot",), "must not be negative")
        if self.reload_time is not None and self.reload_time < 0:
            raise FieldError(("reload_time",), "must not be negative")
        sortie = ("time_on_station", "transit_time", "turnaround")
        if self.kind == "aircraft":
            if self.motion is None or self.motion.orbit is None:
                raise FieldError(("motion",), "an aircraft flies a station: give `motion.orbit`")
            for name in sortie:
                value = getattr(self, name)
                if value is None:
                    raise FieldError((name,), "required for a fire unit of kind aircraft")
                if value < 0 or (name == "time_on_station" and value == 0):
                    raise FieldError(
                        (name,),
                        "must be positive" if name == "time_on_station" else "must not be negative",
                    )
        else:
            for name in sortie:
                if getattr(self, name) is not None:
                    raise FieldError((name,), "only a fire unit of kind aircraft flies sorties")
        return self

    @property
    def sortie_gap(self) -> float:
        """Aircraft: time from leaving the station to being back on it (s)."""
        return 2.0 * (self.transit_time or 0.0) + (self.turnaround or 0.0)

    @property
    def is_ew(self) -> bool:
        """True for a soft-kill EW site."""
        return self.kind == "ew"


class Launch(_Model):
    """When and where a wave is launched."""

    sites: list[Position] = Field(min_length=1, description="launch points, used in turn")
    start: TimePointField = Field(description="first launch")
    end: TimePointField | None = Field(None, description="last launch (default: start)")
    spacing: Literal["uniform", "random"] = Field(
        "uniform", description="uniform: evenly spaced; random: seeded uniform draws"
    )


class Route(_Model):
    """The path from launch site to target: waypoints, with seeded jitter."""

    waypoints: list[WaypointField] = Field(
        default_factory=list,
        max_length=limits.MAX_WAYPOINTS,
        description="points the threats fly through, in order (at most 32); each may set the "
        "altitude and speed from there on",
    )
    jitter: Length = Field("0 m", description="each waypoint moved by up to this, per threat")
    seed: Count = Field(
        0, ge=0, le=limits.MAX_SEED, description="seed of the jitter and random launch times"
    )


class Raid(_Model):
    """One wave: a number of threats of one class."""

    id: Identifier = Field(description="name of the raid, unique among raids")
    threat: str = Field(description="a key of threat_classes")
    count: Count = Field(
        ge=1,
        le=limits.MAX_THREATS,
        description="number of threats launched (at most 100,000 over all raids of a scenario)",
    )
    launch: Launch = Field(description="where and when the threats are launched")
    route: Route = Field(
        default_factory=Route,
        description="the path from launch to target: waypoints and jitter (default: straight)",
    )
    targets: dict[
        str, Annotated[float, Field(gt=0.0, le=limits.MAX_WEIGHT, strict=True, allow_inf_nan=False)]
    ] = Field(
        min_length=1,
        description="asset, sensor, fire unit or command post id -> weight; threats are shared "
        "out in proportion (a hit on a sensor, fire unit or command post puts it out of action "
        "for the rest of the night)",
    )


# --- the assignment policy: names, descriptions and needs come from iadsim.c2.registry ---------
# Read when a scenario is validated or the schema is made (not frozen at import), so a policy
# added to the table is accepted, listed and described with no change here.

_NEEDS = {"value_unit": "what one point of asset value is worth, e.g. '1 MUSD'"}
"""How a policy's needs are named in messages (``Policy.needs`` holds Doctrine field names)."""


def _one_of(names: tuple[str, ...]) -> str:
    """``'a', 'b' or 'c'``, as pydantic words a Literal."""
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _policy_name(value: Any) -> str:
    """A registered policy's name, or the error a ``Literal`` of the names would give."""
    if isinstance(value, str) and value in registry.POLICIES:
        return value
    raise PydanticCustomError(
        "literal_error",
        "Input should be {expected}",
        {"expected": _one_of(registry.POLICY_NAMES)},
    )


def _policy_schema(schema: dict[str, Any]) -> None:
    schema["enum"] = list(registry.POLICY_NAMES)
    schema["description"] = "assignment at each decision cycle: " + "; ".join(
        f"{p.name}: {p.description}" + (f" (needs {', '.join(p.needs)})" if p.needs else "")
        for p in registry.POLICIES.values()
    )


def _value_unit_schema(schema: dict[str, Any]) -> None:
    users = [p.name for p in registry.POLICIES.values() if "value_unit" in p.needs]
    schema["description"] = (
        "what one point of asset value is worth, e.g. '1 MUSD', to weigh against the cost of "
        "the rounds" + (f"; needed by policy {', '.join(users)}" if users else "")
    )


PolicyName = Annotated[str, BeforeValidator(_policy_name)]
"""A name in :data:`iadsim.c2.registry.POLICIES` (checked against the table at validation)."""


class Doctrine(_Model):
    """How command and control fights."""

    policy: PolicyName = Field(
        registry.POLICY_NAMES[0],
        # the allowed names and their description come from the table when the schema is made
        json_schema_extra=_policy_schema,
    )
    value_unit: Money | None = Field(None, json_schema_extra=_value_unit_schema)
    exact_node_limit: Count = Field(
        100_000,
        ge=1,
        le=limits.MAX_EXACT_NODES,
        description="exact: search nodes per cycle before taking the best found",
    )
    decision_cycle: Duration = Field(
        "2 s", description="time between assignment decisions (at least 1 ms)"
    )
    reaction_time: Duration = Field("10 s", description="from first detection to first shot")
    mode: Literal["shoot-look-shoot", "shoot-shoot-look"] = Field(
        "shoot-look-shoot",
        description="shoot-look-shoot: one engagement at a time per threat, look, re-engage; "
        "shoot-shoot-look: up to two engagements in flight before looking",
    )
    salvo: dict[str, Annotated[Count, Field(ge=1, le=8)]] = Field(
        default_factory=lambda: {"default": 1},
        description="rounds per engagement by threat class or kind; 'default' for the rest",
    )
    authority: dict[str, list[str]] = Field(
        default_factory=dict,
        description="fire unit class or kind -> threat classes or kinds it may engage; "
        "units not listed engage every threat they have a pk for",
    )
    max_engagements: Count | None = Field(
        None,
        ge=1,
        le=limits.MAX_ENGAGEMENTS,
        description="engagements of one threat by one fire unit at most (default: no limit)",
    )
    rules: list[EngagementRule] = Field(
        default_factory=list,
        max_length=1000,
        description="rules of engagement by time window, e.g. hold fire at drones with the "
        "long-range layer from 22:00 to 02:00: {start: '22:00', end: '02:00+1', hold_fire: "
        "[owa_drone], units: [long_range]}",
    )

    def missing_for(self, policy: str) -> tuple[str, str] | None:
        """What this doctrine lacks for ``policy`` (a registered name), if anything.

        ``(field, message)`` for the first of the policy's ``needs`` (see
        :data:`iadsim.c2.registry.POLICIES`) left unset, or ``None``. A run
        under another policy than the doctrine's (``--policy``, a sweep's
        ``policy``) is checked with it.
        """
        for need in registry.policy(policy).needs:
            if getattr(self, need, None) is None:
                return need, f"policy {policy} needs {_NEEDS.get(need, f'doctrine.{need}')}"
        return None

    @model_validator(mode="after")
    def _cycle(self) -> Doctrine:
        if self.decision_cycle < limits.MIN_DECISION_CYCLE_S:
            raise FieldError(("decision_cycle",), "must be at least 1 ms")
        if self.reaction_time < 0:
            raise FieldError(("reaction_time",), "must not be negative")
        if "default" not in self.salvo:
            raise FieldError(("salvo",), "needs a 'default' entry for threats not listed")
        missing = self.missing_for(self.policy)
        if missing is not None:
            raise FieldError((missing[0],), missing[1])
        if self.value_unit is not None and self.value_unit <= 0:
            raise FieldError(("value_unit",), "must be positive")
        return self


class Scenario(_Model):
    """A whole scenario: threats, raids, the defence, and its doctrine."""

    schema_version: Literal[1] = Field(description="version of this file format")
    name: str = Field(min_length=1, description="what the scenario is called in tables and reports")
    description: str = Field("", description="free text")
    origin: Origin | None = Field(None, description="lat/lon of the local frame's origin")
    start: ClockTime | None = Field(
        None, description="clock time at t = 0 (default: the earliest clock-time launch)"
    )
    duration: Duration = Field(description="time simulated from the start")
    threat_classes: dict[str, ThreatClass] = Field(
        min_length=1, description="threat class name -> its figures (a preset, and overrides)"
    )
    assets: list[Asset] = Field(min_length=1, description="the defended points")
    sensors: list[Sensor] = Field(min_length=1, description="radars and other sensors")
    fire_units: list[FireUnit] = Field(
        default_factory=list,
        description="SAM batteries, guns, fire teams, interceptor drones and EW sites",
    )
    raids: list[Raid] = Field(min_length=1, description="the waves of threats launched")
    doctrine: Doctrine = Field(
        default_factory=Doctrine,
        description="how the defence decides: policy, decision cycle, reaction time, salvos",
    )
    terrain: Terrain | None = Field(
        None,
        description="an elevation model for line of sight and terrain following; default: "
        "a smooth earth (4/3 radius) at sea level",
    )
    network: Network | None = Field(
        None,
        description="the command-and-control network: command posts, links, jammers; "
        "default: one instant, perfect common air picture",
    )

    @property
    def start_clock(self) -> float:
        """Clock time of t = 0 in seconds after midnight of day 0."""
        if self.start is not None:
            return self.start
        clocks = [
            raid.launch.start.seconds for raid in self.raids if not raid.launch.start.is_offset
        ]
        return min(clocks, default=0.0)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        _check_references(self)
        return self


def _unique(items: list[Any], section: str) -> None:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.id in seen:
            raise FieldError(
                (section, index, "id"), f"duplicate id {item.id!r} (also {section}.{seen[item.id]})"
            )
        seen[item.id] = index


def _threat_key_ok(scenario: Scenario, key: str) -> bool:
    return key in scenario.threat_classes or key in THREAT_KINDS


def _check_references(scenario: Scenario) -> None:
    """Cross-references between sections; raises FieldError with the full path."""
    _unique(scenario.assets, "assets")
    _unique(scenario.sensors, "sensors")
    _unique(scenario.fire_units, "fire_units")
    _unique(scenario.raids, "raids")
    if scenario.duration <= 0:
        raise FieldError(("duration",), "must be positive")
    total = sum(raid.count for raid in scenario.raids)
    if total > limits.MAX_THREATS:
        raise FieldError(
            ("raids",),
            f"the raids launch {total:,} threats in all; the limit is {limits.MAX_THREATS:,} "
            "per scenario",
        )
    classes = _some(sorted(scenario.threat_classes))
    threat_keys = f"a threat class ({classes}) or kind ({', '.join(THREAT_KINDS)})"
    assets = {a.id for a in scenario.assets}
    targetable: dict[str, list[str]] = {}
    posts = scenario.network.command_posts if scenario.network is not None else []
    for section, items in (
        ("an asset", scenario.assets),
        ("a sensor", scenario.sensors),
        ("a fire unit", scenario.fire_units),
        ("a command post", posts),
    ):
        for item in items:
            targetable.setdefault(item.id, []).append(section)
    needs_origin: list[tuple[str | int, ...]] = []
    for section in ("assets", "sensors", "fire_units"):
        for index, item in enumerate(getattr(scenario, section)):
            if isinstance(item.position, LatLon):
                needs_origin.append((section, index, "position"))
    for index, raid in enumerate(scenario.raids):
        if raid.threat not in scenario.threat_classes:
            raise FieldError(
                ("raids", index, "threat"),
                f"unknown threat class {_short(raid.threat)}; defined: {classes}",
            )
        for asset in raid.targets:
            if asset not in targetable:
                raise FieldError(
                    ("raids", index, "targets", asset),
                    f"unknown target {_short(asset)}: expected an asset ({_some(sorted(assets))})"
                    ", or a sensor, fire unit or command post id",
                )
            if len(targetable[asset]) > 1:
                raise FieldError(
                    ("raids", index, "targets", asset),
                    f"{_short(asset)} names more than one thing ({' and '.join(targetable[asset])})"
                    ": give them different ids",
                )
        points = [*raid.launch.sites, *(w.position for w in raid.route.waypoints)]
        if any(isinstance(p, LatLon) for p in points):
            needs_origin.append(("raids", index))
        if raid.route.jitter < 0:
            raise FieldError(("raids", index, "route", "jitter"), "must not be negative")
        profile = scenario.threat_classes[raid.threat].profile
        if profile in ("ballistic", "glide"):
            for k, point in enumerate(raid.route.waypoints):
                for name in ("altitude", "speed"):
                    if getattr(point, name) is not None:
                        raise FieldError(
                            ("raids", index, "route", "waypoints", k, name),
                            f"threat class {raid.threat!r} flies a {profile} profile, whose "
                            f"{name} follows from the profile: a waypoint cannot set it",
                        )
        first, last = launch_window(scenario, raid)
        if first < 0:
            raise FieldError(
                ("raids", index, "launch", "start"), "is before the scenario's `start`"
            )
        if last < first:
            raise FieldError(("raids", index, "launch", "end"), "is before the launch start")
        if last > scenario.duration:
            raise FieldError(
                ("raids", index, "launch", "end"), "is after the end of the scenario's `duration`"
            )
    if needs_origin and scenario.origin is None:
        raise FieldError(needs_origin[0], "a {lat, lon} position needs the scenario's `origin`")
    for index, unit in enumerate(scenario.fire_units):
        for key in unit.pk:
            if not _threat_key_ok(scenario, key):
                raise FieldError(
                    ("fire_units", index, "pk", key),
                    f"unknown key {_short(key)}; expected {threat_keys}",
                )
    doctrine = scenario.doctrine
    for key in doctrine.salvo:
        if key != "default" and not _threat_key_ok(scenario, key):
            raise FieldError(
                ("doctrine", "salvo", key),
                f"unknown key {_short(key)}; expected 'default' or {threat_keys}",
            )
    _check_network(scenario, threat_keys)
    _check_rules(scenario, threat_keys)
    unit_names = {u.unit_class for u in scenario.fire_units} | {u.kind for u in scenario.fire_units}
    for key, allowed in doctrine.authority.items():
        if key not in unit_names:
            raise FieldError(
                ("doctrine", "authority", key),
                f"no fire unit has class or kind {_short(key)}; "
                f"present: {_some(sorted(unit_names))}",
            )
        for position, threat in enumerate(allowed):
            if not _threat_key_ok(scenario, threat):
                raise FieldError(
                    ("doctrine", "authority", key, position),
                    f"unknown threat {_short(threat)}; expected {threat_keys}",
                )


def _check_network(scenario: Scenario, threat_keys: str) -> None:
    """The network's references: links between known nodes, every fire unit fed, outages."""
    start = scenario.start_clock
    for section in ("sensors", "fire_units"):
        for index, item in enumerate(getattr(scenario, section)):
            _check_outages(item.outages, (section, index), start, scenario.duration)
    for index, unit in enumerate(scenario.fire_units):
        if unit.reserve_for is not None:
            for k, key in enumerate(unit.reserve_for.threats):
                if not _threat_key_ok(scenario, key):
                    raise FieldError(
                        ("fire_units", index, "reserve_for", "for", k),
                        f"unknown threat {_short(key)}; expected {threat_keys}",
                    )
    network = scenario.network
    if network is None:
        return
    _unique(network.command_posts, "network.command_posts")
    seen: dict[str, str] = {}
    nodes: tuple[tuple[str, list[Any]], ...] = (
        ("sensors", scenario.sensors),
        ("network.command_posts", network.command_posts),
        ("fire_units", scenario.fire_units),
    )
    for section, items in nodes:
        for index, item in enumerate(items):
            if item.id in seen:
                raise FieldError(
                    (*section.split("."), index, "id"),
                    f"id {item.id!r} is also a node in {seen[item.id]}: sensors, command posts "
                    "and fire units of a network need ids of their own",
                )
            seen[item.id] = section
    for index, post in enumerate(network.command_posts):
        _check_outages(post.outages, ("network", "command_posts", index), start, scenario.duration)
        if isinstance(post.position, LatLon) and scenario.origin is None:
            raise FieldError(
                ("network", "command_posts", index, "position"),
                "a {lat, lon} position needs the scenario's `origin`",
            )
    for index, jammer in enumerate(network.jammers):
        if isinstance(jammer.position, LatLon) and scenario.origin is None:
            raise FieldError(
                ("network", "jammers", index, "position"),
                "a {lat, lon} position needs the scenario's `origin`",
            )
    sensors = {s.id for s in scenario.sensors}
    posts = {p.id for p in network.command_posts}
    kinetic = {u.id for u in scenario.fire_units if not u.is_ew}
    ew = {u.id for u in scenario.fire_units if u.is_ew}
    out: dict[str, list[str]] = {}
    for index, link in enumerate(network.links):
        where = ("network", "links", index)
        if link.source not in sensors | posts:
            raise FieldError(
                (*where, "from"),
                f"unknown node {_short(link.source)}: a link starts at a sensor or command "
                f"post ({_some(sorted(sensors | posts))})",
            )
        if link.target in ew:
            raise FieldError((*where, "to"), f"{link.target!r} is an EW site: it needs no tracks")
        if link.target not in posts | kinetic:
            raise FieldError(
                (*where, "to"),
                f"unknown node {_short(link.target)}: a link ends at a command post or fire "
                f"unit ({_some(sorted(posts | kinetic))})",
            )
        _check_outages(link.outages, where, start, scenario.duration)
        out.setdefault(link.source, []).append(link.target)
    # every fire unit fed: some sensor's tracks reach it, or it has a sensor of its own
    reached: set[str] = set()
    stack = list(sensors)
    while stack:
        node = stack.pop()
        for nxt in out.get(node, []):
            if nxt not in reached:
                reached.add(nxt)
                stack.append(nxt)
    for index, post in enumerate(network.command_posts):
        if post.id not in reached:
            raise FieldError(
                ("network", "command_posts", index),
                f"no sensor's track can reach command post {post.id!r} over network.links",
            )
    for index, unit in enumerate(scenario.fire_units):
        if unit.id in kinetic and unit.id not in reached and unit.organic_sensor is None:
            raise FieldError(
                ("fire_units", index),
                f"no sensor's track can reach fire unit {unit.id!r} over network.links, and it "
                "has no organic_sensor: it could never engage",
            )


def _check_rules(scenario: Scenario, threat_keys: str) -> None:
    names = {u.id for u in scenario.fire_units} | {u.unit_class for u in scenario.fire_units}
    names |= {u.kind for u in scenario.fire_units} | {u.layer for u in scenario.fire_units}
    start = scenario.start_clock
    for index, rule in enumerate(scenario.doctrine.rules):
        where = ("doctrine", "rules", index)
        for k, key in enumerate(rule.hold_fire):
            if not _threat_key_ok(scenario, key):
                raise FieldError(
                    (*where, "hold_fire", k),
                    f"unknown threat {_short(key)}; expected {threat_keys}",
                )
        for k, key in enumerate(rule.units):
            if key not in names:
                raise FieldError(
                    (*where, "units", k),
                    f"no fire unit has id, class, kind or layer {_short(key)}; present: "
                    f"{_some(sorted(names))}",
                )
        a = rule.start.after_start(start)
        if a < 0:
            raise FieldError((*where, "start"), "is before the scenario's `start`")
        if rule.end is not None and rule.end.after_start(start) <= a:
            raise FieldError((*where, "end"), "must be after the rule's start")


def _check_outages(
    outages: list[Any], where: tuple[str | int, ...], start: float, duration: float
) -> None:
    for k, outage in enumerate(outages):
        a = outage.start.after_start(start)
        if a < 0:
            raise FieldError((*where, "outages", k, "start"), "is before the scenario's `start`")
        if outage.end is not None and outage.end.after_start(start) <= a:
            raise FieldError((*where, "outages", k, "end"), "must be after the outage's start")


def launch_window(scenario: Scenario, raid: Raid) -> tuple[float, float]:
    """First and last launch of a raid in seconds after the scenario start."""
    start = raid.launch.start.after_start(scenario.start_clock)
    end_point: TimePoint = raid.launch.end or raid.launch.start
    return start, end_point.after_start(scenario.start_clock)
