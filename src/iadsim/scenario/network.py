"""The defence's command-and-control network: command posts, links, and what degrades them.

Without a ``network`` section every fire unit sees every track the moment the
doctrine's reaction time has passed after the first detection (one instant,
perfect common air picture). With one, a track reaches a fire unit only over
the links (sensor -> command post -> ... -> fire unit, each with a latency;
each command post with a track capacity and a decision cycle of its own) or
from the unit's own organic sensor; links and nodes go down on a schedule, fail
at random, are jammed inside the attacker's jamming areas, or are destroyed by
threats aimed at them. The model is in :mod:`iadsim.engine.network`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from iadsim.errors import FieldError
from iadsim.scenario.base import Model, Position
from iadsim.scenario.units import Area, Duration, Length, TimePointField

__all__ = [
    "CommandPost",
    "EngagementRule",
    "Failures",
    "Jammer",
    "Link",
    "Network",
    "OrganicSensor",
    "Outage",
    "Reserve",
]

MAX_NETWORK_NODES = 1_000
"""Command posts, and links, at most (each)."""
MAX_OUTAGES = 100
"""Scheduled outages of one element at most."""

Count = Annotated[int, Field(strict=True)]
Probability = Annotated[float, Field(ge=0.0, le=1.0, strict=True)]
Identifier = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"),
]
Hardness = Literal["soft", "medium", "hard"]


class Outage(Model):
    """A scheduled outage: the element is down from `start` to `end`."""

    start: TimePointField = Field(description="when it goes down (clock time or '+offset')")
    end: TimePointField | None = Field(
        None, description="when it is back (default: not before the end of the scenario)"
    )


class Failures(Model):
    """Random failures: up for an exponential time of mean `mtbf`, then down for one of mean `mttr`.

    Drawn with counter-based randomness for each replication, so runs stay reproducible.
    """

    mtbf: Duration = Field(description="mean time between failures, e.g. '2 h'")
    mttr: Duration = Field(description="mean time to repair, e.g. '10 min'")

    @model_validator(mode="after")
    def _positive(self) -> Failures:
        if self.mtbf <= 0:
            raise FieldError(("mtbf",), "must be positive")
        if self.mttr <= 0:
            raise FieldError(("mttr",), "must be positive")
        return self


class CommandPost(Model):
    """A node that fuses tracks from sensors and passes them on to fire units and other posts."""

    id: Identifier = Field(description="name of the command post, unique in the network")
    position: Position
    track_capacity: Count | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="tracks it can hold at once (default: no limit); a track it cannot take "
        "waits until a held one ends, and is dropped if its threat arrives first",
    )
    decision_cycle: Duration = Field(
        "0 s",
        description="it passes tracks on at multiples of this period (0 s: at once)",
    )
    hardness: Hardness = Field("medium", description="how well it withstands a hit")
    value: float = Field(
        1.0, ge=0.0, le=1e6, strict=False, description="its value as a target (as an asset's)"
    )
    outages: list[Outage] = Field(
        default_factory=list, max_length=MAX_OUTAGES, description="scheduled outages"
    )
    failures: Failures | None = Field(None, description="random failures and repairs")

    @model_validator(mode="after")
    def _cycle(self) -> CommandPost:
        if self.decision_cycle < 0:
            raise FieldError(("decision_cycle",), "must not be negative")
        return self


class Link(Model):
    """A one-way link that carries tracks from one node to another."""

    source: Identifier = Field(
        alias="from", description="the node it carries tracks from: a sensor or command post id"
    )
    target: Identifier = Field(
        alias="to", description="the node it carries tracks to: a command post or fire unit id"
    )
    latency: Duration = Field("0 s", description="time a track takes over it")
    jammable: bool = Field(
        True, strict=True, description="whether the attacker's jamming areas cut it"
    )
    outages: list[Outage] = Field(
        default_factory=list, max_length=MAX_OUTAGES, description="scheduled outages"
    )
    failures: Failures | None = Field(None, description="random failures and repairs")

    @model_validator(mode="after")
    def _latency(self) -> Link:
        if self.latency < 0:
            raise FieldError(("latency",), "must not be negative")
        if self.source == self.target:
            raise FieldError(("to",), f"a link from {self.source!r} to itself")
        return self


class Jammer(Model):
    """The attacker's jamming area: a jammable link with an end inside it is down while it is on."""

    id: Identifier = Field(description="name of the jammer, unique among jammers")
    position: Position
    radius: Length = Field(description="radius of the jammed area")
    start: TimePointField | None = Field(None, description="when it is switched on (default: t=0)")
    end: TimePointField | None = Field(
        None, description="when it is switched off (default: the end of the scenario)"
    )

    @model_validator(mode="after")
    def _radius(self) -> Jammer:
        if self.radius <= 0:
            raise FieldError(("radius",), "must be positive")
        return self


class Network(Model):
    """Command posts, the links between sensors, posts and fire units, and the attacker's jammers.

    With a network, a fire unit engages only threats whose track has reached it
    over up links, or that its organic sensor has detected.
    """

    command_posts: list[CommandPost] = Field(
        default_factory=list, max_length=MAX_NETWORK_NODES, description="command posts"
    )
    links: list[Link] = Field(
        min_length=1,
        max_length=MAX_NETWORK_NODES,
        description="one-way links: sensor -> post, post -> post, post -> fire unit "
        "(or sensor -> fire unit)",
    )
    jammers: list[Jammer] = Field(
        default_factory=list,
        max_length=MAX_NETWORK_NODES,
        description="the attacker's jamming areas, which cut jammable links",
    )


class OrganicSensor(Model):
    """A fire unit's own radar or optical sensor: its tracks reach the unit over no link."""

    kind: Literal["radar", "optical", "acoustic"] = Field("radar", description="what it is")
    range: Length = Field(description="detection range against the reference RCS")
    reference_rcs: Area = Field("1 m^2", description="RCS at which `range` holds")
    scan_period: Duration = Field("2 s", description="time between looks")
    pd: Probability = Field(0.9, description="chance of detection on one look inside range")

    @model_validator(mode="after")
    def _valid(self) -> OrganicSensor:
        if self.range <= 0:
            raise FieldError(("range",), "must be positive")
        if self.scan_period <= 0:
            raise FieldError(("scan_period",), "must be positive")
        return self


class Reserve(Model):
    """Rounds a fire unit keeps back for the threats named (as Patriot keeps some for missiles)."""

    rounds: Count = Field(ge=1, le=1_000_000, description="rounds kept back")
    threats: list[str] = Field(
        min_length=1,
        alias="for",
        description="threat classes or kinds the kept rounds are for; other threats are "
        "engaged only while more than `rounds` are ready",
    )


class EngagementRule(Model):
    """Rules of engagement for a time window: hold fire at the threats named."""

    start: TimePointField = Field(description="when the rule takes effect")
    end: TimePointField | None = Field(
        None, description="when it lapses (default: the end of the scenario)"
    )
    hold_fire: list[str] = Field(
        min_length=1,
        description="threat classes or kinds not to be engaged while the rule is in force",
    )
    units: list[str] = Field(
        default_factory=list,
        description="fire unit ids, classes or kinds it binds (default: every fire unit)",
    )
