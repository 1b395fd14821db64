"""What a report shows, gathered once and drawn twice (HTML with plotly, PNG with matplotlib)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from iadsim.compile import CompiledScenario
from iadsim.metrics import Estimate, Summary
from iadsim.report.campaign import CampaignView
from iadsim.report.laydown import Laydown
from iadsim.report.replay import Replay
from iadsim.report.world import SideView

__all__ = ["ReportData", "SweepCurve", "SweepResult", "spend_by_class"]


@dataclass(frozen=True)
class SweepResult:
    """One point of a sweep on the saturation curve."""

    x: float | str
    """The swept field's value at this point (a number, or a label when not numeric)."""
    group: str
    """The other varied fields' values (empty when one field is swept)."""
    leaked: Estimate
    """Threats that got through per night, all kinds."""
    launched: float
    by_kind: dict[str, Estimate]
    """Leakers per night by threat kind."""
    run_id: str


@dataclass(frozen=True)
class SweepCurve:
    """Leakage against the swept field, one entry per stored point."""

    sweep_id: str
    name: str
    field: str
    """The dotted path on the x axis."""
    unit: str
    """The unit the values were written in (``km``), or empty."""
    points: list[SweepResult]
    missing: int = 0
    """Points whose run is not complete in the store (left out)."""


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows. Strings are raw user text: renderers escape them."""

    title: str
    """The scenario's name."""
    source: str
    """Where the numbers come from: a scenario file, or a run or sweep in a store."""
    facts: list[tuple[str, str]]
    """Provenance lines: replications, seed, engine, policy, versions."""
    summary: Summary
    spend_by_class: dict[str, Estimate]
    laydown: Laydown
    replay: Replay
    totals: dict[str, Estimate] = field(default_factory=dict)
    """destroyed, lost_to_ew and leaked per night, all kinds together, with intervals."""
    sweep: SweepCurve | None = None
    campaign: CampaignView | None = None
    """For a campaign: its stockpiles over the days (the rest shows its standard night)."""
    notes: list[str] = field(default_factory=list)
    """Remarks worth showing, e.g. that the replay was re-run from a stored run."""
    side_view: SideView | None = None
    """Threat altitudes against distance to target, with the fire units' envelopes."""


def spend_by_class(summary: Summary, compiled: CompiledScenario) -> dict[str, Estimate]:
    """Defender spend (US dollars per night) by fire-unit class, with confidence intervals.

    Rounds by class carry an interval; when every unit of a class costs the
    same per round, spend is rounds times that cost and so is its interval.
    A class with mixed costs gets the sum of its units' mean spend, without
    an interval.
    """
    out: dict[str, Estimate] = {}
    classes = np.array(compiled.unit_class)
    for name, rounds in summary.shots.items():
        costs = compiled.unit_cost[classes == name]
        if len(costs) and np.all(costs == costs[0]):
            c = float(costs[0])
            out[name] = Estimate(rounds.mean * c, rounds.lo * c, rounds.hi * c)
        else:
            ids = [
                u for u, k in zip(compiled.unit_ids, compiled.unit_class, strict=True) if k == name
            ]
            mean = sum(summary.by_unit[u]["cost"].mean for u in ids if u in summary.by_unit)
            out[name] = Estimate(mean, math.nan, math.nan)
    return out
