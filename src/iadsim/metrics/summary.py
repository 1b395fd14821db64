"""Summary tables of a run: pure functions of a CompiledScenario and its Outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario
from iadsim.engine import Fate, Outcomes
from iadsim.metrics.estimates import Estimate, mean_interval, proportion_interval

__all__ = ["Summary", "summarize"]

_FATES = {"destroyed": Fate.DESTROYED, "lost_to_ew": Fate.LOST_TO_EW, "leaked": Fate.LEAKED}


@dataclass(frozen=True)
class Summary:
    """What a run found, each figure with its Monte Carlo confidence interval.

    Counts are per night (per replication) means. ``by_kind`` and
    ``by_class`` map a threat kind or class to launched / destroyed /
    lost_to_ew / leaked; ``by_layer`` and ``by_unit`` give kills, shots and
    spend; ``cost`` gives each side's spend and the cost-exchange ratio
    (defender's spend / attacker's spend).
    """

    name: str
    replications: int
    seed: int
    confidence: float
    by_kind: dict[str, dict[str, Estimate]]
    by_class: dict[str, dict[str, Estimate]]
    shots: dict[str, Estimate]
    by_layer: dict[str, dict[str, Estimate]]
    by_unit: dict[str, dict[str, Estimate]]
    cost: dict[str, Estimate]
    assets: dict[str, Any]
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-ready data."""

        def table(rows: dict[str, dict[str, Estimate]]) -> dict[str, Any]:
            return {k: {m: e.to_dict() for m, e in v.items()} for k, v in rows.items()}

        return {
            "name": self.name,
            "replications": self.replications,
            "seed": self.seed,
            "confidence": self.confidence,
            "by_kind": table(self.by_kind),
            "by_class": table(self.by_class),
            "shots": {k: e.to_dict() for k, e in self.shots.items()},
            "by_layer": table(self.by_layer),
            "by_unit": table(self.by_unit),
            "cost": {k: e.to_dict() for k, e in self.cost.items()},
            "assets": {
                "value_lost": self.assets["value_lost"].to_dict(),
                "destroyed": {k: e.to_dict() for k, e in self.assets["destroyed"].items()},
                "hits": {k: e.to_dict() for k, e in self.assets["hits"].items()},
            },
            "provenance": self.provenance,
        }


def _fate_counts(outcomes: Outcomes, mask: np.ndarray, confidence: float) -> dict[str, Estimate]:
    rows = {"launched": mean_interval(np.full(len(outcomes), mask.sum()), confidence)}
    for name, fate in _FATES.items():
        rows[name] = mean_interval((outcomes.fate[:, mask] == fate).sum(axis=1), confidence)
    return rows


def _group(labels: tuple[str, ...]) -> dict[str, np.ndarray]:
    groups: dict[str, np.ndarray] = {}
    for label in dict.fromkeys(labels):
        groups[label] = np.array([x == label for x in labels], dtype=bool)
    return groups


def summarize(
    compiled: CompiledScenario,
    outcomes: Outcomes,
    *,
    confidence: float = 0.95,
    provenance: dict[str, Any] | None = None,
) -> Summary:
    """Summarise a run's outcomes with confidence intervals at level ``confidence``."""
    cs = compiled
    kinds = np.array([cs.class_kind[c] for c in cs.threat_class])
    launched = dict.fromkeys(
        kinds.tolist()
    )  # kinds in raid order; classes never launched are left out
    by_kind = {k: _fate_counts(outcomes, kinds == k, confidence) for k in launched}
    by_class = {
        name: _fate_counts(outcomes, cs.threat_class == c, confidence)
        for c, name in enumerate(cs.class_names)
        if (cs.threat_class == c).any()
    }

    spend = outcomes.shots * cs.unit_cost[None, :]
    kills = np.zeros((len(outcomes), cs.n_units))
    for u in range(cs.n_units):
        kills[:, u] = (
            (outcomes.cause == u)
            & ((outcomes.fate == Fate.DESTROYED) | (outcomes.fate == Fate.LOST_TO_EW))
        ).sum(axis=1)

    def per_group(mask: np.ndarray) -> dict[str, Estimate]:
        return {
            "kills": mean_interval(kills[:, mask].sum(axis=1), confidence),
            "shots": mean_interval(outcomes.shots[:, mask].sum(axis=1), confidence),
            "cost": mean_interval(spend[:, mask].sum(axis=1), confidence),
        }

    shots = {
        name: mean_interval(outcomes.shots[:, mask].sum(axis=1), confidence)
        for name, mask in _group(cs.unit_class).items()
    }
    by_layer = {name: per_group(mask) for name, mask in _group(cs.unit_layer).items()}
    by_unit = {uid: per_group(np.arange(cs.n_units) == u) for u, uid in enumerate(cs.unit_ids)}

    defender = spend.sum(axis=1)
    attacker = float(cs.class_cost[cs.threat_class].sum())
    ratio = defender / attacker if attacker > 0 else np.full(len(outcomes), np.nan)
    cost = {
        "defender": mean_interval(defender, confidence),
        "attacker": mean_interval(np.full(len(outcomes), attacker), confidence),
        "exchange_ratio": mean_interval(ratio, confidence),
    }

    value_lost = (outcomes.asset_destroyed * cs.asset_value[None, :]).sum(axis=1)
    hits = np.zeros((len(outcomes), cs.n_assets))
    for a in range(cs.n_assets):
        hits[:, a] = (outcomes.hit & (cs.threat_target == a)[None, :]).sum(axis=1)
    assets = {
        "value_lost": mean_interval(value_lost, confidence),
        "destroyed": {
            aid: proportion_interval(outcomes.asset_destroyed[:, a], confidence)
            for a, aid in enumerate(cs.asset_ids)
        },
        "hits": {aid: mean_interval(hits[:, a], confidence) for a, aid in enumerate(cs.asset_ids)},
    }
    return Summary(
        name=cs.name,
        replications=len(outcomes),
        seed=outcomes.seed,
        confidence=confidence,
        by_kind=by_kind,
        by_class=by_class,
        shots=shots,
        by_layer=by_layer,
        by_unit=by_unit,
        cost=cost,
        assets=assets,
        provenance=dict(provenance or {}),
    )
