"""Procurement: the cheapest purchase plan that holds a bound over a campaign.

A plan is how many of each catalogue item to buy; interceptors arrive as a
delivery after their lead time, fire units join the defence from their arrival
day. Every plan is judged by simulating the whole campaign (the same seed for
every plan, so plans are compared on the same draws) and holds the bound if the
one-sided upper confidence limit of the campaign total is at or below it.

The search visits plans in increasing cost (best-first over the lattice of
counts) and never simulates a plan that buys no more of anything than a plan
already shown to fail: buying less cannot do better. So the first plan that
holds is the cheapest one — what exhaustive search would find, with far fewer
simulations. Every simulated plan goes on the budget/outcome trade-off curve.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.planning.campaign import CampaignResult, run_campaign
from iadsim.scenario.campaign import Campaign
from iadsim.scenario.procurement import Procurement

__all__ = ["Evaluation", "ProcurementResult", "evaluate_plan", "pareto", "search"]


@dataclass(frozen=True)
class Evaluation:
    """One plan, simulated."""

    counts: tuple[int, ...]
    cost: float
    mean: float
    upper: float
    """One-sided upper confidence limit of the campaign total."""
    holds: bool


@dataclass
class ProcurementResult:
    """The cheapest plan found (or None), and every plan simulated on the way."""

    best: Evaluation | None
    evaluated: list[Evaluation] = field(default_factory=list)
    exhausted_budget: bool = False
    """True if the search stopped at max_evaluations."""


def _metric(result: CampaignResult, plan: Procurement) -> np.ndarray:
    bound = plan.bound
    if bound.metric == "value_lost":
        return result.value_lost.sum(axis=1)
    if bound.kind is None:
        return result.leaked.sum(axis=(1, 2))
    return result.leaked[:, :, result.kinds.index(bound.kind)].sum(axis=1)


def evaluate_plan(
    counts: tuple[int, ...],
    plan: Procurement,
    campaign: Campaign,
    defence: dict[str, Any],
    *,
    seed: int,
    source: str = "<procurement>",
    base_dir: Path = Path(),
) -> Evaluation:
    """Simulate the campaign with this purchase plan and judge it against the bound."""
    from scipy.stats import t as student_t

    deliveries = []
    joining = []
    for item, n in zip(plan.catalogue, counts, strict=True):
        if n == 0:
            continue
        day = item.lead_time + 1
        if item.interceptors is not None:
            deliveries.append((item.interceptors, day, n * item.lot))
        else:
            assert item.fire_unit is not None
            for k in range(n):
                joining.append((day, {**item.fire_unit, "id": f"{item.fire_unit['id']}-{k + 1}"}))
    result = run_campaign(
        campaign,
        defence,
        replications=plan.replications,
        seed=seed,
        source=source,
        deliveries=deliveries,
        joining=joining,
        base_dir=base_dir,
    )
    x = _metric(result, plan)
    mean = float(x.mean())
    n = len(x)
    sd = float(x.std(ddof=1)) if n > 1 else 0.0
    upper = mean + float(student_t.ppf(plan.bound.confidence, n - 1)) * sd / math.sqrt(n)
    cost = float(sum(item.cost * c for item, c in zip(plan.catalogue, counts, strict=True)))
    return Evaluation(counts, cost, mean, upper, upper <= plan.bound.max)


def search(
    plan: Procurement,
    campaign: Campaign,
    defence: dict[str, Any],
    *,
    seed: int = 0,
    source: str = "<procurement>",
    base_dir: Path = Path(),
) -> ProcurementResult:
    """Best-first search for the cheapest plan that holds the bound, within the budget."""
    costs = [item.cost for item in plan.catalogue]
    limits = [item.max for item in plan.catalogue]
    start = tuple(0 for _ in plan.catalogue)
    frontier: list[tuple[float, tuple[int, ...]]] = [(0.0, start)]
    seen = {start}
    failed: list[tuple[int, ...]] = []
    out = ProcurementResult(best=None)
    while frontier:
        cost, counts = heapq.heappop(frontier)
        if cost > plan.budget:
            break
        dominated = any(all(c <= f for c, f in zip(counts, bad, strict=True)) for bad in failed)
        if not dominated:
            if len(out.evaluated) >= plan.max_evaluations:
                out.exhausted_budget = True
                break
            result = evaluate_plan(
                counts, plan, campaign, defence, seed=seed, source=source, base_dir=base_dir
            )
            out.evaluated.append(result)
            if result.holds:
                out.best = result
                break
            failed.append(counts)
        for k in range(len(counts)):
            if counts[k] < limits[k]:
                nxt = (*counts[:k], counts[k] + 1, *counts[k + 1 :])
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(frontier, (cost + costs[k], nxt))
    return out


def pareto(evaluated: list[Evaluation]) -> list[Evaluation]:
    """Plans no other plan beats on both cost and outcome: the trade-off curve, by cost."""
    curve: list[Evaluation] = []
    for e in sorted(evaluated, key=lambda e: (e.cost, e.mean)):
        if not curve or e.mean < curve[-1].mean:
            curve.append(e)
    return curve
