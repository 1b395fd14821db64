"""Laydown: choose sites for fire units by a maximal-covering MILP, then verify by simulation.

1. Baseline: simulate the scenario without the units to be placed; each threat's
   chance of leaking, times the value it puts at stake (asset value x its
   lethality against that asset), is what is left to protect.
2. Coverage: compile the scenario with one copy of each unit at every candidate
   site. The compiler's engagement windows say which placement can engage which
   threat, with the same kinematics as the engine; a placement's contribution is
   its kill chance per engagement.
3. MILP (HiGHS): choose ``count`` sites per unit kind, one unit per site,
   maximising sum_j w_j * y_j with y_j <= min(1, sum of chosen placements' kill
   chances against threat j): the value-weighted protection of the assets.
4. Verify: simulate the scenario with the chosen laydown (and any other laydown
   to compare with) and report value lost and leakage with intervals.

Before any of it, the laydown is resolved against its scenario: every id in
``remove`` must be one of the scenario's fire units, and each unit to place must
make a valid fire unit at every candidate site; a problem is reported against
the laydown file's own field (``remove.0``, ``place.1.unit.pk``,
``sites.4.position``). Limits: at most :data:`MAX_PLACEMENTS` (unit kind, site)
pairs and :data:`MAX_PAIRS` placements that can engage a threat (the MILP's size);
the MILP stops after :data:`TIME_LIMIT` seconds with the best laydown found and
says how far from optimal it may be.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.engine import Fate, simulate_batches
from iadsim.errors import LaydownError
from iadsim.metrics import Estimate, mean_interval
from iadsim.planning.errors import refuse_if_too_big
from iadsim.scenario import parse_scenario
from iadsim.scenario.laydown import Laydown, check_laydown

__all__ = [
    "MAX_PAIRS",
    "MAX_PLACEMENTS",
    "TIME_LIMIT",
    "LaydownResult",
    "Tracker",
    "Verified",
    "coverage",
    "evaluate",
    "geojson",
    "optimize_laydown",
    "resolve",
    "solve_covering",
]

MAX_PLACEMENTS = 2_000
"""Most (unit kind, candidate site) pairs: each is a fire unit compiled against every threat."""
MAX_PAIRS = 2_000_000
"""Most (placement, threat) pairs that can engage: the MILP's engagement variables."""
TIME_LIMIT = 300.0
"""Seconds the covering MILP may run before it stops with the best laydown found."""

Tracker = Callable[[int, "int | None", str], None]
"""Progress: told (done, total or None while the amount is unknown, what is under way)."""


@dataclass(frozen=True)
class LaydownResult:
    """The chosen sites, the model's objective, and the verified outcome."""

    choice: dict[str, list[str]]
    """Unit kind (its index in ``place``, as a string) -> chosen site ids."""
    objective: float
    """Protected value the covering model expects."""
    scenario: dict[str, Any]
    """The scenario with the chosen laydown, ready to run or save."""
    verified: Verified
    """The chosen laydown, simulated."""
    gap: float = 0.0
    """Relative gap the MILP proved: 0 if optimal, else how far from the best the choice may be."""

    @property
    def value_lost(self) -> Estimate:
        """Asset value lost per night with the chosen laydown."""
        return self.verified.value_lost

    @property
    def leaked(self) -> Estimate:
        """Threats leaked per night with the chosen laydown."""
        return self.verified.leaked


def _without(raw: dict[str, Any], remove: list[str]) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    out["fire_units"] = [u for u in out.get("fire_units") or [] if u["id"] not in remove]
    return out


def _placed(unit: dict[str, Any], uid: str, position: Any) -> dict[str, Any]:
    return {**copy.deepcopy(unit), "id": uid, "position": position}


@dataclass(frozen=True)
class Verified:
    """A scenario simulated: figures per night with intervals, and what they came from."""

    value_lost: Estimate
    leaked: Estimate
    lost_per_night: np.ndarray
    """[replication] asset value destroyed: pairs with another run of the same seed."""
    leak_rate: np.ndarray
    """[threat] share of replications in which the threat leaked."""
    compiled: CompiledScenario


def evaluate(
    raw: dict[str, Any],
    *,
    replications: int,
    seed: int,
    source: str | Path = "<scenario>",
    progress: Callable[[int], None] | None = None,
) -> Verified:
    """Simulate a scenario: value lost and leaked threats per night, each threat's leak rate.

    Replications are run in batches, so memory holds one batch and two numbers per
    replication; ``progress`` is told the replications of each batch done.
    """
    cs = compile_scenario(parse_scenario(copy.deepcopy(raw), source=source), source=source)
    lost = np.zeros(replications)
    leaked_per_night = np.zeros(replications)
    leaks = np.zeros(cs.n_threats, dtype=np.int64)
    row = 0
    for out in simulate_batches(cs, replications=replications, seed=seed, progress=progress):
        rows = slice(row, row + len(out))
        leaked = out.fate == Fate.LEAKED
        lost[rows] = (out.asset_destroyed * cs.asset_value).sum(axis=1)
        leaked_per_night[rows] = leaked.sum(axis=1)
        leaks += leaked.sum(axis=0)
        row += len(out)
    total_value = float(np.asarray(cs.asset_value).sum())
    return Verified(
        mean_interval(lost, lower=0.0, upper=total_value),
        mean_interval(leaked_per_night, lower=0.0, upper=float(cs.n_threats)),
        lost,
        leaks / replications,
        cs,
    )


def _error(source: str | Path, problems: list[tuple[str, str]]) -> LaydownError:
    return LaydownError(source, list(dict.fromkeys(problems)))


def resolve(
    laydown: Laydown,
    raw: dict[str, Any],
    *,
    source: str | Path = "<laydown>",
    scenario_source: str | Path | None = None,
) -> None:
    """Check the laydown against its scenario before any work: names, units, sites, size.

    :func:`~iadsim.scenario.laydown.check_laydown` (which :func:`load_laydown
    <iadsim.scenario.laydown.load_laydown>` runs too): every id in ``remove`` is a
    fire unit of the scenario, every unit to place is a valid fire unit at every
    site, and the work fits in memory; then the MILP's size (:data:`MAX_PLACEMENTS`).

    Args:
        laydown: the laydown file's content.
        raw: its scenario's raw data.
        source: the laydown file, named in errors about it.
        scenario_source: the scenario file, named in errors about it; ``None`` if
            the scenario is written inside the laydown.

    Raises:
        ScenarioError: the scenario is not valid.
        LaydownError: (a ScenarioError) naming the laydown's field.
    """
    if scenario_source is not None:
        parse_scenario(copy.deepcopy(raw), source=scenario_source)
    check_laydown(laydown, raw, source=source)
    placements = len(laydown.place) * len(laydown.sites)
    if placements > MAX_PLACEMENTS:
        raise _error(
            source,
            [
                (
                    "sites",
                    f"{len(laydown.place)} unit kinds at {len(laydown.sites):,} sites make "
                    f"{placements:,} placements for the covering model to choose from; at "
                    f"most {MAX_PLACEMENTS:,}",
                )
            ],
        )


def _trial(
    raw: dict[str, Any], laydown: Laydown
) -> tuple[dict[str, Any], int, list[tuple[int, int]]]:
    """The scenario with one copy of each unit to place at every candidate site."""
    trial = _without(raw, laydown.remove)
    first = len(trial["fire_units"])
    placements = []
    for k, entry in enumerate(laydown.place):
        for s, site in enumerate(laydown.sites):
            trial["fire_units"].append(_placed(entry.unit, f"candidate-{k}-{s}", site.position))
            placements.append((k, s))
    return trial, first, placements


def coverage(
    raw: dict[str, Any], laydown: Laydown
) -> tuple[np.ndarray, list[tuple[int, int]], CompiledScenario]:
    """Kill chance of each candidate placement against each threat (0: cannot engage).

    Returns ``[placement, threat]`` chances, the placements as (kind, site) pairs, and
    the compiled scenario holding every placement.
    """
    trial, first, placements = _trial(raw, laydown)
    cs = compile_scenario(parse_scenario(trial))
    cover = np.zeros((len(placements), cs.n_threats))
    for i in range(cs.n_threats):
        for e in range(int(cs.eng_offset[i]), int(cs.eng_offset[i + 1])):
            u = int(cs.eng_unit[e])
            if u >= first:
                p = u - first
                cover[p, i] = cs.pk[u, cs.threat_class[i]]
    return cover, placements, cs


def solve_covering(
    weights: np.ndarray,
    cover: np.ndarray,
    placements: list[tuple[int, int]],
    counts: list[int],
    n_sites: int,
    capacity: np.ndarray | None = None,
) -> tuple[list[int], float]:
    """The maximal-covering MILP: which placements to take, and the objective.

    See :func:`solve_covering_gap`, which also says how close to optimal the choice is.
    """
    chosen, objective, _ = solve_covering_gap(weights, cover, placements, counts, n_sites, capacity)
    return chosen, objective


def solve_covering_gap(
    weights: np.ndarray,
    cover: np.ndarray,
    placements: list[tuple[int, int]],
    counts: list[int],
    n_sites: int,
    capacity: np.ndarray | None = None,
    *,
    time_limit: float = TIME_LIMIT,
) -> tuple[list[int], float, float]:
    """The maximal-covering MILP: placements taken, objective, and the relative gap proved.

    Variables: x_p (take placement p, binary), z_pj (engagements of threat j by p,
    0..1) and y_j (protection of threat j, 0..1). Maximise sum_j w_j y_j subject to
    y_j <= sum_p cover_pj z_pj, z_pj <= x_p, sum_j z_pj <= capacity_p x_p (rounds),
    ``counts[k]`` placements of kind k, and one unit per site.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    n_p, n_t = cover.shape
    pairs = np.argwhere(cover > 0)  # (p, j) that can engage at all
    n_z = len(pairs)
    n_var = n_p + n_z + n_t
    zi = n_p + np.arange(n_z)
    yi = n_p + n_z
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []
    r = 0

    def add(cs: np.ndarray, vs: np.ndarray, low: float, high: float) -> None:
        nonlocal r
        rows.append(np.full(len(cs), r))
        cols.append(cs)
        vals.append(vs)
        lo.append(low)
        hi.append(high)
        r += 1

    by_threat: dict[int, list[int]] = {}
    by_place: dict[int, list[int]] = {}
    for k, (p, j) in enumerate(pairs):
        by_threat.setdefault(int(j), []).append(k)
        by_place.setdefault(int(p), []).append(k)
        add(np.array([zi[k], p]), np.array([1.0, -1.0]), -np.inf, 0.0)  # z_pj <= x_p
    for j in range(n_t):  # y_j - sum_p cover_pj z_pj <= 0
        ks = by_threat.get(j, [])
        c = np.concatenate([[yi + j], zi[ks]])
        v = np.concatenate([[1.0], -cover[pairs[ks, 0], pairs[ks, 1]] if ks else []])
        add(c.astype(int), v, -np.inf, 0.0)
    if capacity is not None:
        for p in range(n_p):  # sum_j z_pj <= capacity_p x_p
            ks = by_place.get(p, [])
            if ks:
                c = np.concatenate([zi[ks], [p]]).astype(int)
                v = np.concatenate([np.ones(len(ks)), [-float(capacity[p])]])
                add(c, v, -np.inf, 0.0)
    for k, count in enumerate(counts):
        members = np.array([p for p, (kk, _) in enumerate(placements) if kk == k])
        add(members, np.ones(len(members)), count, count)
    for s in range(n_sites):
        members = np.array([p for p, (_, ss) in enumerate(placements) if ss == s])
        add(members, np.ones(len(members)), 0.0, 1.0)
    matrix = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, n_var)
    ).tocsr()
    objective = np.zeros(n_var)
    objective[yi:] = -weights
    integrality = np.zeros(n_var)
    integrality[:n_p] = 1
    result = milp(
        objective,
        constraints=LinearConstraint(matrix, lo, hi),
        integrality=integrality,
        bounds=Bounds(np.zeros(n_var), np.ones(n_var)),
        options={"disp": False, "time_limit": time_limit, "mip_rel_gap": 1e-6},
    )
    if result.x is None:
        raise RuntimeError(f"the covering MILP found no solution: {result.message}")
    chosen = [p for p in range(n_p) if result.x[p] > 0.5]
    gap = float(getattr(result, "mip_gap", 0.0) or 0.0) if result.status != 0 else 0.0
    return chosen, float(-result.fun), gap


def optimize_laydown(
    laydown: Laydown,
    raw: dict[str, Any],
    *,
    seed: int = 0,
    source: str | Path = "<laydown>",
    scenario_source: str | Path | None = None,
    progress: Tracker | None = None,
) -> tuple[LaydownResult, Verified]:
    """Choose the laydown and verify it; also returns the baseline (units removed), simulated.

    Args:
        laydown: the laydown file's content.
        raw: its scenario's raw data.
        seed: the seed of the baseline and verification runs (the same draws).
        source: the laydown file, named in errors.
        scenario_source: the scenario file (``None``: inside the laydown).
        progress: told (done, total, what) through the stages: the baseline's
            replications, the coverage, the MILP (total ``None``: no measure of how
            far it is), the verification's replications.

    Raises:
        ScenarioError: see :func:`resolve`; also when the work would not fit in memory
            or the MILP finds no laydown within :data:`TIME_LIMIT`.
    """
    resolve(laydown, raw, source=source, scenario_source=scenario_source)
    n = laydown.replications
    refuse_if_too_big(
        16.0 * n, f"{n:,} replications", error=LaydownError, source=source, field="replications"
    )

    def stage(what: str, total: int | None) -> Callable[[int], None] | None:
        if progress is None:
            return None
        done = [0]
        progress(0, total, what)

        def advance(count: int) -> None:
            done[0] += count
            progress(done[0], total, what)

        return advance

    base = _without(raw, laydown.remove)
    where = scenario_source or source
    baseline = evaluate(
        base, replications=n, seed=seed, source=where, progress=stage("baseline", n)
    )
    base_cs = baseline.compiled
    stage("coverage of every candidate site", None)
    refuse_if_too_big(
        8.0 * len(laydown.place) * len(laydown.sites) * base_cs.n_threats,
        f"the coverage of {len(laydown.sites):,} sites against {base_cs.n_threats:,} threats",
        error=LaydownError,
        source=source,
        field="sites",
    )
    worth = base_cs.value * base_cs.damage_prob  # value at stake if the threat leaks
    cover, placements, trial = coverage(raw, laydown)
    pairs = int((cover > 0).sum())
    if pairs > MAX_PAIRS:
        raise _error(
            source,
            [
                (
                    "sites",
                    f"{pairs:,} (placement, threat) pairs can engage: a covering model too "
                    f"large to solve (at most {MAX_PAIRS:,}); use fewer sites or unit kinds",
                )
            ],
        )
    weights = worth * baseline.leak_rate
    counts = [entry.count for entry in laydown.place]
    first = trial.n_units - len(placements)
    capacity = (trial.unit_rounds + trial.unit_reserve)[first:]
    stage("choosing sites (covering MILP, HiGHS)", None)
    try:
        chosen, objective, gap = solve_covering_gap(
            weights, cover, placements, counts, len(laydown.sites), capacity
        )
    except RuntimeError as exc:
        raise _error(
            source,
            [("sites", f"{exc}; within {TIME_LIMIT:.0f} s; fewer sites or unit kinds help")],
        ) from None
    scenario = copy.deepcopy(base)
    choice: dict[str, list[str]] = {}
    for p in chosen:
        k, s = placements[p]
        site = laydown.sites[s]
        unit = laydown.place[k].unit
        uid = f"{unit.get('preset') or unit.get('kind')}-{site.id}"
        taken = {u["id"] for u in scenario["fire_units"]}
        uid = (
            next(f"{uid}-{i}" for i in range(1, len(taken) + 2) if f"{uid}-{i}" not in taken)
            if uid in taken
            else uid
        )
        scenario["fire_units"].append(_placed(laydown.place[k].unit, uid, site.position))
        choice.setdefault(str(k), []).append(site.id)
    verified = evaluate(
        scenario, replications=n, seed=seed, source=where, progress=stage("verifying", n)
    )
    return LaydownResult(choice, objective, scenario, verified, gap), baseline


def geojson(scenario: dict[str, Any]) -> dict[str, Any]:
    """Fire units, sensors and assets as GeoJSON points.

    With an origin, positions are lon/lat (local metres turned into degrees on the
    tangent plane: within a few hundred metres at 100 km); without, local metres.
    """
    parsed = parse_scenario(copy.deepcopy(scenario))
    origin = parsed.origin
    features = []

    def point(position: Any) -> tuple[list[float], str]:
        if not isinstance(position, tuple):
            return [position.lon, position.lat], "lonlat"
        if origin is None:
            return [position[0], position[1]], "local-metres"
        # small-offset inverse of the local frame, metres to degrees
        lat = origin.lat + position[1] / 111_320.0
        lon = origin.lon + position[0] / (111_320.0 * np.cos(np.radians(origin.lat)))
        return [lon, lat], "lonlat"

    def add(item: Any, role: str, extra: dict[str, Any]) -> None:
        coords, frame = point(item.position)
        props = {"id": item.id, "role": role, "frame": frame, **extra}
        geometry = {"type": "Point", "coordinates": coords}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})

    for unit in parsed.fire_units:
        extra = {"class": unit.unit_class, "layer": unit.layer, "max_range_m": unit.max_range}
        add(unit, "fire_unit", extra)
    for sensor in parsed.sensors:
        add(sensor, "sensor", {"range_m": sensor.range})
    for asset in parsed.assets:
        add(asset, "asset", {"value": asset.value})
    return {"type": "FeatureCollection", "features": features}
