"""Summary tables of a run: pure functions of a CompiledScenario and its Outcomes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario
from iadsim.engine import Fate, Outcomes
from iadsim.metrics.estimates import Estimate, mean_estimate, proportion_estimate

__all__ = ["Accumulator", "Summary", "per_replication", "summarize", "supports"]

_FATES = {"destroyed": Fate.DESTROYED, "lost_to_ew": Fate.LOST_TO_EW, "leaked": Fate.LEAKED}


@dataclass(frozen=True)
class Summary:
    """What a run found, each figure with its Monte Carlo confidence interval.

    Counts are per night (per replication) means, each with an interval inside
    what is possible (no fewer than 0, no more leaked than launched; see
    :mod:`iadsim.metrics.estimates`). ``by_kind`` and
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
    network: dict[str, Estimate] = field(default_factory=dict)
    """With a command-and-control network: what it did per replication
    (:data:`iadsim.engine.network.METRICS`); empty without one."""

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
        } | ({"network": {k: e.to_dict() for k, e in self.network.items()}} if self.network else {})

    def rows(self) -> list[tuple[str, str, str, Estimate]]:
        """Every figure as ``(section, group, metric, estimate)``, in the tables' order.

        ``section`` is by_kind, by_class, by_layer, by_unit, shots, cost or assets;
        ``group`` the kind, class, layer, unit or asset (``""`` for a whole-run
        figure); ``metric`` what is counted (launched, destroyed, lost_to_ew, leaked,
        kills, shots, cost, rounds, defender, attacker, exchange_ratio, value_lost,
        destroyed, hits).
        """
        rows: list[tuple[str, str, str, Estimate]] = []
        for section in ("by_kind", "by_class", "by_layer", "by_unit"):
            for group, metrics in getattr(self, section).items():
                rows.extend((section, group, m, e) for m, e in metrics.items())
        rows.extend(("shots", group, "rounds", e) for group, e in self.shots.items())
        rows.extend(("cost", "", m, e) for m, e in self.cost.items())
        rows.append(("assets", "", "value_lost", self.assets["value_lost"]))
        for metric in ("destroyed", "hits"):
            rows.extend(("assets", a, metric, e) for a, e in self.assets[metric].items())
        rows.extend(("network", "", m, e) for m, e in self.network.items())
        return rows

    def to_frame(self) -> Any:
        """The summary as a long ``pandas.DataFrame``: one row per figure.

        Columns ``section``, ``group``, ``metric`` (see :meth:`rows`), ``mean``,
        ``lo`` and ``hi`` (the confidence interval at level :attr:`confidence`;
        NaN when undefined, with one replication). Per night (replication) means;
        money in US dollars. ``frame.set_index(["section", "group", "metric"])``
        gives one figure by its key.
        """
        import pandas as pd

        rows = self.rows()
        return pd.DataFrame(
            {
                "section": [r[0] for r in rows],
                "group": [r[1] for r in rows],
                "metric": [r[2] for r in rows],
                "mean": np.array([r[3].mean for r in rows], dtype=float),
                "lo": np.array([r[3].lo for r in rows], dtype=float),
                "hi": np.array([r[3].hi for r in rows], dtype=float),
            }
        )


def _group(labels: tuple[str, ...]) -> dict[str, np.ndarray]:
    groups: dict[str, np.ndarray] = {}
    for label in dict.fromkeys(labels):
        groups[label] = np.array([x == label for x in labels], dtype=bool)
    return groups


Key = tuple[str, ...]


def per_replication(compiled: CompiledScenario, outcomes: Outcomes) -> dict[Key, np.ndarray]:
    """Every summary figure for each replication: the columns the Summary averages."""
    cs = compiled
    rows: dict[Key, np.ndarray] = {}
    n = len(outcomes)
    kinds = np.array([cs.class_kind[c] for c in cs.threat_class])

    def fates(prefix: Key, mask: np.ndarray) -> None:
        rows[(*prefix, "launched")] = np.full(n, float(mask.sum()))
        for name, fate in _FATES.items():
            rows[(*prefix, name)] = (outcomes.fate[:, mask] == fate).sum(axis=1).astype(float)

    for kind in dict.fromkeys(kinds.tolist()):  # kinds in raid order; unlaunched left out
        fates(("by_kind", kind), kinds == kind)
    for c, name in enumerate(cs.class_names):
        if (cs.threat_class == c).any():
            fates(("by_class", name), cs.threat_class == c)

    spend = outcomes.shots * cs.unit_cost[None, :]
    ended = (outcomes.fate == Fate.DESTROYED) | (outcomes.fate == Fate.LOST_TO_EW)
    kills = np.zeros((n, cs.n_units))
    for u in range(cs.n_units):
        kills[:, u] = ((outcomes.cause == u) & ended).sum(axis=1)
    for name, mask in _group(cs.unit_class).items():
        rows[("shots", name)] = outcomes.shots[:, mask].sum(axis=1).astype(float)
    groups = [("by_layer", _group(cs.unit_layer))]
    groups.append(
        ("by_unit", {uid: np.arange(cs.n_units) == u for u, uid in enumerate(cs.unit_ids)})
    )
    for table, members in groups:
        for name, mask in members.items():
            rows[(table, name, "kills")] = kills[:, mask].sum(axis=1)
            rows[(table, name, "shots")] = outcomes.shots[:, mask].sum(axis=1).astype(float)
            rows[(table, name, "cost")] = spend[:, mask].sum(axis=1)

    defender = spend.sum(axis=1)
    attacker = float(cs.class_cost[cs.threat_class].sum())
    rows[("cost", "defender")] = defender
    rows[("cost", "attacker")] = np.full(n, attacker)
    rows[("cost", "exchange_ratio")] = defender / attacker if attacker > 0 else np.full(n, np.nan)
    rows[("assets", "value_lost")] = (outcomes.asset_destroyed * cs.asset_value[None, :]).sum(
        axis=1
    )
    for a, aid in enumerate(cs.asset_ids):
        rows[("assets", "destroyed", aid)] = outcomes.asset_destroyed[:, a].astype(float)
        aimed = (cs.threat_target == a)[None, :]
        rows[("assets", "hits", aid)] = (outcomes.hit & aimed).sum(axis=1).astype(float)
    if cs.net_on:
        from iadsim.engine.network import network_metrics

        for name, values in network_metrics(cs, outcomes).items():
            rows[("network", name)] = values
    return rows


def supports(compiled: CompiledScenario) -> dict[Key, tuple[float, float]]:
    """The least and largest value each figure of :func:`per_replication` can take.

    Every figure is at least 0. Fates of a kind or class are at most the threats
    launched of it; rounds at most the units' ready rounds and reserve (their cost
    likewise); kills at most the threats; damaging hits on an asset at most the
    threats aimed at it; value lost at most the assets' total value. Figures not
    listed here (the attacker's spend, a constant) have no upper bound.
    """
    cs = compiled
    out: dict[Key, tuple[float, float]] = {}
    kinds = [cs.class_kind[c] for c in cs.threat_class]
    for kind in dict.fromkeys(kinds):
        launched = float(sum(1 for k in kinds if k == kind))
        for name in ("launched", *_FATES):
            out[("by_kind", kind, name)] = (0.0, launched)
    for c, name in enumerate(cs.class_names):
        launched = float((cs.threat_class == c).sum())
        for fate in ("launched", *_FATES):
            out[("by_class", name, fate)] = (0.0, launched)
    capacity = (np.asarray(cs.unit_rounds) + np.asarray(cs.unit_reserve)).astype(float)
    spend = capacity * np.asarray(cs.unit_cost, dtype=float)
    for name, mask in _group(cs.unit_class).items():
        out[("shots", name)] = (0.0, float(capacity[mask].sum()))
    groups = [("by_layer", _group(cs.unit_layer))]
    groups.append(
        ("by_unit", {uid: np.arange(cs.n_units) == u for u, uid in enumerate(cs.unit_ids)})
    )
    for table, members in groups:
        for name, mask in members.items():
            out[(table, name, "kills")] = (0.0, float(cs.n_threats))
            out[(table, name, "shots")] = (0.0, float(capacity[mask].sum()))
            out[(table, name, "cost")] = (0.0, float(spend[mask].sum()))
    attacker = float(cs.class_cost[cs.threat_class].sum())
    out[("cost", "defender")] = (0.0, float(spend.sum()))
    out[("cost", "attacker")] = (0.0, math.inf)
    out[("cost", "exchange_ratio")] = (
        0.0,
        float(spend.sum()) / attacker if attacker > 0 else math.inf,
    )
    out[("assets", "value_lost")] = (0.0, float(np.asarray(cs.asset_value).sum()))
    for a, aid in enumerate(cs.asset_ids):
        out[("assets", "destroyed", aid)] = (0.0, 1.0)
        out[("assets", "hits", aid)] = (0.0, float((cs.threat_target == a).sum()))
    if cs.net_on:
        out[("network", "track_delay")] = (0.0, float(cs.duration))
        out[("network", "tracks_undelivered")] = (0.0, float(cs.n_threats))
        out[("network", "tracks_dropped")] = (0.0, float(cs.n_threats * cs.net_n_posts))
        out[("network", "unit_seconds_cut_off")] = (0.0, float(cs.duration * cs.n_units))
        out[("network", "engagement_windows_lost")] = (0.0, float(len(cs.eng_unit)))
    return out


class Accumulator:
    """Streams batches of Outcomes into a Summary, holding only running moments.

    Each figure keeps (count, mean, sum of squared deviations, least and
    largest value), combined batch by batch with Chan et al.'s pairwise update,
    so a million replications need no more memory than one batch. Batches are
    combined in the order added. Intervals are taken inside each figure's
    support (:func:`supports`, widened to any value seen outside it).
    """

    def __init__(self, compiled: CompiledScenario, *, confidence: float = 0.95) -> None:
        self.compiled = compiled
        self.confidence = confidence
        self.count = 0
        self.seed: int | None = None
        self.moments: dict[Key, tuple[float, float]] = {}
        self.extremes: dict[Key, tuple[float, float]] = {}
        self.bounds = supports(compiled)

    def add(self, outcomes: Outcomes) -> Accumulator:
        """Fold one batch of replications in."""
        if self.seed is None:
            self.seed = outcomes.seed
        elif outcomes.seed != self.seed:
            raise ValueError(f"batch seed {outcomes.seed} differs from the run's {self.seed}")
        m = len(outcomes)
        if m == 0:
            return self
        n = self.count
        for key, values in per_replication(self.compiled, outcomes).items():
            b_mean = float(values.mean())
            b_m2 = float(((values - b_mean) ** 2).sum())
            b_min, b_max = float(values.min()), float(values.max())
            if n == 0:
                self.moments[key] = (b_mean, b_m2)
                self.extremes[key] = (b_min, b_max)
                continue
            a_min, a_max = self.extremes[key]
            self.extremes[key] = (min(a_min, b_min), max(a_max, b_max))
            a_mean, a_m2 = self.moments[key]
            delta = b_mean - a_mean
            total = n + m
            self.moments[key] = (
                a_mean + delta * m / total,
                a_m2 + b_m2 + delta * delta * n * m / total,
            )
        self.count = n + m
        return self

    def estimate(self, key: Key, *, proportion: bool = False) -> Estimate:
        """The mean of one figure with its confidence interval."""
        mean, m2 = self.moments[key]
        if proportion:
            return proportion_estimate(mean, self.count, self.confidence)
        lower, upper = self.bounds.get(key, (0.0, math.inf))
        seen_min, seen_max = self.extremes[key]
        return mean_estimate(
            mean,
            m2,
            self.count,
            self.confidence,
            lower=min(lower, seen_min),
            upper=max(upper, seen_max),
        )

    def summary(self, *, provenance: dict[str, Any] | None = None) -> Summary:
        """The Summary of everything added so far."""
        if self.count == 0:
            raise ValueError("no replications added")
        keys = list(self.moments)

        def table(name: str) -> dict[str, dict[str, Estimate]]:
            out: dict[str, dict[str, Estimate]] = {}
            for key in keys:
                if key[0] == name:
                    out.setdefault(key[1], {})[key[2]] = self.estimate(key)
            return out

        def column(name: str, *, proportion: bool = False) -> dict[str, Estimate]:
            return {
                key[-1]: self.estimate(key, proportion=proportion)
                for key in keys
                if key[:-1] == tuple(name.split("."))
            }

        return Summary(
            name=self.compiled.name,
            replications=self.count,
            seed=int(self.seed or 0),
            confidence=self.confidence,
            by_kind=table("by_kind"),
            by_class=table("by_class"),
            shots=column("shots"),
            by_layer=table("by_layer"),
            by_unit=table("by_unit"),
            cost=column("cost"),
            assets={
                "value_lost": self.estimate(("assets", "value_lost")),
                "destroyed": column("assets.destroyed", proportion=True),
                "hits": column("assets.hits"),
            },
            provenance=dict(provenance or {}),
            network=column("network"),
        )


def summarize(
    compiled: CompiledScenario,
    outcomes: Outcomes,
    *,
    confidence: float = 0.95,
    provenance: dict[str, Any] | None = None,
) -> Summary:
    """Summarise a run's outcomes with confidence intervals at level ``confidence``."""
    return Accumulator(compiled, confidence=confidence).add(outcomes).summary(provenance=provenance)
