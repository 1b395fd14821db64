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

import copy
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.errors import ProcurementError, ScenarioError
from iadsim.metrics import upper_limit
from iadsim.planning.campaign import CampaignResult, _memory, campaign_work, run_campaign
from iadsim.planning.errors import refuse_if_too_big, some
from iadsim.scenario import parse_scenario
from iadsim.scenario.campaign import Campaign
from iadsim.scenario.procurement import Procurement

__all__ = [
    "Evaluation",
    "ProcurementResult",
    "Tracker",
    "evaluate_plan",
    "pareto",
    "resolve",
    "search",
]

Tracker = Callable[[int, "int | None", str], None]
"""Progress: told (done, total, what is under way)."""


@dataclass(frozen=True)
class Evaluation:
    """One plan, simulated."""

    counts: tuple[int, ...]
    cost: float
    mean: float
    upper: float
    """One-sided upper confidence limit of the campaign total (a score limit: see
    :func:`iadsim.metrics.upper_limit`)."""
    holds: bool


@dataclass
class ProcurementResult:
    """The cheapest plan found (or None), and every plan simulated on the way."""

    best: Evaluation | None
    evaluated: list[Evaluation] = field(default_factory=list)
    exhausted_budget: bool = False
    """True if the search stopped at max_evaluations."""


def _metric(result: CampaignResult, plan: Procurement) -> tuple[np.ndarray, float]:
    """Each replication's campaign total, and the largest it could be (inf: unknown)."""
    bound = plan.bound
    if bound.metric == "value_lost":
        return result.value_lost.sum(axis=1), float("inf")
    if bound.kind is None:
        return result.leaked.sum(axis=(1, 2)), float(result.launched.sum())
    j = result.kinds.index(bound.kind)
    return result.leaked[:, :, j].sum(axis=1), float(result.launched[:, j].sum())


def _unit(item: Any, k: int) -> dict[str, Any]:
    """The ``k``-th (from 1) fire unit bought of a catalogue item, with its own id."""
    unit = dict(item.fire_unit)
    return {**unit, "id": f"{unit.get('id') or item.id}-{k}"}


def _error(source: str | Path, problems: list[tuple[str, str]]) -> ProcurementError:
    return ProcurementError(source, problems)


def resolve(
    plan: Procurement,
    campaign: Campaign,
    defence: dict[str, Any],
    *,
    source: str | Path = "<procurement>",
    defence_source: str | Path = "<scenario>",
) -> None:
    """Check the procurement file against its campaign and defence before any simulation.

    Raises:
        ScenarioError: the defence is not a valid scenario.
        ProcurementError: (a ScenarioError, against the procurement file) a bound on a
            threat kind the defence does not launch, interceptors for a class that
            has no stockpile, a fire unit that is not valid in the defence, or more
            replications than fit in memory.
    """
    base = parse_scenario(copy.deepcopy(defence), source=defence_source)
    kinds = list(dict.fromkeys(base.threat_classes[r.threat].kind for r in base.raids))
    problems: list[tuple[str, str]] = []
    kind = plan.bound.kind
    if plan.bound.metric == "leaked" and kind is not None and kind not in kinds:
        problems.append(
            (
                "bound.kind",
                f"the campaign's raids launch no {kind!r}; they launch "
                f"{some(kinds)} (or leave out `kind` for all of them)",
            )
        )
    stocked = list(campaign.stockpiles)
    ids = {u.id for u in base.fire_units}
    for k, item in enumerate(plan.catalogue):
        if item.interceptors is not None and item.interceptors not in stocked:
            problems.append(
                (
                    f"catalogue.{k}.interceptors",
                    f"the campaign has no stockpile of {item.interceptors!r}; its stockpiles "
                    f"are {some(stocked)}",
                )
            )
        if item.fire_unit is not None and item.max > 0:
            trial = copy.deepcopy(defence)
            unit = _unit(item, 1)
            if unit["id"] in ids:
                problems.append(
                    (
                        f"catalogue.{k}.fire_unit.id",
                        f"the units bought would be named {unit['id']!r}, already a fire unit "
                        "of the defence; give the fire unit another id",
                    )
                )
                continue
            trial["fire_units"] = [*(trial.get("fire_units") or []), unit]
            at = len(trial["fire_units"]) - 1
            try:
                parse_scenario(trial, source=source)
            except ScenarioError as exc:
                for path, message in exc.problems:
                    head = f"fire_units.{at}"
                    if path == head or path.startswith(head + "."):
                        rest = path[len(head) :]
                        problems.append((f"catalogue.{k}.fire_unit{rest}", message))
                    else:
                        problems.append((path, message))
    if problems:
        raise _error(source, problems)
    refuse_if_too_big(
        _memory(plan.replications, campaign.days, len(stocked), len(kinds), 0),
        f"{plan.replications:,} replications of {campaign.days:,} days",
        error=ProcurementError,
        source=source,
        field="replications",
    )


def evaluate_plan(
    counts: tuple[int, ...],
    plan: Procurement,
    campaign: Campaign,
    defence: dict[str, Any],
    *,
    seed: int,
    source: str | Path = "<campaign>",
    defence_source: str | Path | None = None,
    base_dir: Path = Path(),
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Simulate the campaign with this purchase plan and judge it against the bound.

    ``source`` and ``defence_source`` are the campaign and defence files (see
    :func:`~iadsim.planning.campaign.run_campaign`, which ``progress`` is given to).
    """
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
                joining.append((day, _unit(item, k + 1)))
    result = run_campaign(
        campaign,
        defence,
        replications=plan.replications,
        seed=seed,
        source=source,
        defence_source=defence_source,
        deliveries=deliveries,
        joining=joining,
        base_dir=base_dir,
        progress=progress,
    )
    x, most = _metric(result, plan)
    mean = float(x.mean())
    upper = upper_limit(x, plan.bound.confidence, lower=0.0, upper=most)
    cost = float(sum(item.cost * c for item, c in zip(plan.catalogue, counts, strict=True)))
    return Evaluation(counts, cost, mean, upper, upper <= plan.bound.max)


def search(
    plan: Procurement,
    campaign: Campaign,
    defence: dict[str, Any],
    *,
    seed: int = 0,
    source: str | Path = "<campaign>",
    defence_source: str | Path | None = None,
    procurement_source: str | Path = "<procurement>",
    base_dir: Path = Path(),
    progress: Tracker | None = None,
) -> ProcurementResult:
    """Best-first search for the cheapest plan that holds the bound, within the budget.

    Args:
        plan: the procurement file's content.
        campaign: its campaign.
        defence: the campaign's defence scenario, raw.
        seed: the seed of every plan's campaign (common random numbers).
        source: the campaign file, named in errors about it.
        defence_source: the defence file (``None``: inside the campaign).
        procurement_source: the procurement file, named in errors about it.
        base_dir: the campaign file's folder.
        progress: told (replication-nights done, of the plan's total, "plan N: ...")
            while each plan is simulated.

    Raises:
        ScenarioError: from :func:`resolve` (checked before any simulation) and
            :func:`~iadsim.planning.campaign.run_campaign`.
    """
    where = defence_source if defence_source is not None else source
    resolve(plan, campaign, defence, source=procurement_source, defence_source=where)
    costs = [item.cost for item in plan.catalogue]
    limits = [item.max for item in plan.catalogue]
    start = tuple(0 for _ in plan.catalogue)
    frontier: list[tuple[float, tuple[int, ...]]] = [(0.0, start)]
    seen = {start}
    failed: list[tuple[int, ...]] = []
    out = ProcurementResult(best=None)
    work = campaign_work(campaign, plan.replications)
    names = [item.id for item in plan.catalogue]
    while frontier:
        cost, counts = heapq.heappop(frontier)
        if cost > plan.budget:
            break
        dominated = any(all(c <= f for c, f in zip(counts, bad, strict=True)) for bad in failed)
        if not dominated:
            if len(out.evaluated) >= plan.max_evaluations:
                out.exhausted_budget = True
                break
            advance = None
            if progress is not None:
                pairs = zip(names, counts, strict=True)
                bought = ", ".join(f"{n} x {name}" for name, n in pairs if n)
                what = f"plan {len(out.evaluated) + 1}: {bought or 'buy nothing'}"
                done = [0]
                progress(0, work, what)

                def advance(count: int, done: list[int] = done, what: str = what) -> None:
                    done[0] += count
                    progress(done[0], work, what)

            result = evaluate_plan(
                counts,
                plan,
                campaign,
                defence,
                seed=seed,
                source=source,
                defence_source=defence_source,
                base_dir=base_dir,
                progress=advance,
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
