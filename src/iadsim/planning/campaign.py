"""Campaigns: nights of raids against one defence, with the stockpile carried from night to night.

Each night is the defence scenario with that night's raids, run through the
engine; every replication starts the night with the interceptors its own
earlier nights left. Stock of a fire-unit class is shared out across that
class's units at dusk (each up to its launchers and reserve), and what they
do not fire goes back to the stock. Deliveries and production arrive at the
start of their day. Classes without a stockpile are refilled every night.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.draws import uniform
from iadsim.engine import Fate, run_replications
from iadsim.engine.simulate import start_magazines
from iadsim.errors import CampaignError, ScenarioError
from iadsim.metrics import Estimate, mean_interval
from iadsim.planning.errors import refuse_if_too_big, some
from iadsim.scenario import parse_scenario
from iadsim.scenario.campaign import Campaign

__all__ = ["CampaignResult", "campaign_work", "night_sizes", "run_campaign"]

_NIGHT = 91  # purpose number of the raid-model draws, apart from the engine's


@dataclass(frozen=True, eq=False)
class CampaignResult:
    """Day-by-day outcomes of every replication of a campaign.

    Arrays are ``[replication, day]`` (day 1 is column 0) unless said otherwise.
    """

    name: str
    replications: int
    seed: int
    days: int
    types: tuple[str, ...]
    """Fire-unit classes with a stockpile."""
    kinds: tuple[str, ...]
    """Threat kinds launched in the defence file's raids."""
    scale: np.ndarray
    """[day] size of each night's raid as a multiple of the standard night (0: no raid)."""
    launched: np.ndarray
    """[day, kind] threats launched."""
    stock: np.ndarray
    """[replication, day, type] interceptors in stock after the night."""
    fired: np.ndarray
    """[replication, day, type] interceptors fired that night."""
    leaked: np.ndarray
    """[replication, day, kind] threats that reached their aim points."""
    destroyed: np.ndarray
    """[replication, day, kind] threats shot down."""
    lost_to_ew: np.ndarray
    """[replication, day, kind] threats defeated by EW."""
    value_lost: np.ndarray
    """[replication, day] asset value destroyed."""
    spend: np.ndarray
    """[replication, day] defender's spend in US dollars."""

    def exhaustion_day(self) -> np.ndarray:
        """[replication, type] first day the stock is empty after the night (0: never)."""
        empty = self.stock <= 0
        first = empty.argmax(axis=1) + 1
        return np.where(empty.any(axis=1), first, 0)

    def summary(self, confidence: float = 0.95) -> dict[str, Any]:
        """Totals with intervals, exhaustion-day distribution, and daily stock bands.

        Intervals stay inside what is possible (at least 0; threats of a kind at most
        those launched): see :mod:`iadsim.metrics.estimates`.
        """
        r = self.replications
        kinds = list(enumerate(self.kinds))
        top = [float(self.launched[:, j].sum()) for j in range(len(self.kinds))]

        def est(x: np.ndarray, upper: float = math.inf) -> dict[str, Any]:
            # totals are at least 0 (and threats of a kind at most those launched)
            e: Estimate = mean_interval(x, confidence, lower=0.0, upper=upper)
            return e.to_dict()

        days = self.exhaustion_day()
        exhaustion = {}
        for k, name in enumerate(self.types):
            ran_out = days[:, k] > 0
            share = float(ran_out.mean())
            entry: dict[str, Any] = {"share_exhausted": share}
            if ran_out.any():
                d = days[ran_out, k]
                entry.update(
                    median_day=float(np.median(d)),
                    day_5=float(np.percentile(d, 5)),
                    day_95=float(np.percentile(d, 95)),
                )
            exhaustion[name] = entry
        stock = {
            name: {
                "mean": self.stock[:, :, k].mean(axis=0).tolist(),
                "p5": np.percentile(self.stock[:, :, k], 5, axis=0).tolist(),
                "p95": np.percentile(self.stock[:, :, k], 95, axis=0).tolist(),
            }
            for k, name in enumerate(self.types)
        }
        return {
            "name": self.name,
            "replications": r,
            "seed": self.seed,
            "days": self.days,
            "raid_nights": int((self.scale > 0).sum()),
            "launched": {k: int(self.launched[:, j].sum()) for j, k in enumerate(self.kinds)},
            "totals": {
                "leaked": {k: est(self.leaked[:, :, j].sum(axis=1), top[j]) for j, k in kinds},
                "destroyed": {
                    k: est(self.destroyed[:, :, j].sum(axis=1), top[j]) for j, k in kinds
                },
                "lost_to_ew": {
                    k: est(self.lost_to_ew[:, :, j].sum(axis=1), top[j]) for j, k in kinds
                },
                "value_lost": est(self.value_lost.sum(axis=1)),
                "spend": est(self.spend.sum(axis=1)),
                "fired": {
                    t: est(self.fired[:, :, k].sum(axis=1)) for k, t in enumerate(self.types)
                },
            },
            "exhaustion": exhaustion,
            "stock_by_day": stock,
        }


def reported_factors(
    campaign: Campaign, standard: dict[str, int], base_dir: Path
) -> list[dict[str, float]]:
    """For each day, each threat kind's reported launches as a multiple of the standard night.

    Decoys follow the one-way-attack drones: the reports count them together.
    """
    import datetime as dt

    from iadsim.history import load_raids

    assert campaign.reported is not None
    history = load_raids(base_dir / campaign.reported.csv)
    first = dt.date.fromisoformat(campaign.reported.first_night)
    rows = history.between(first, first + dt.timedelta(days=campaign.days - 1))
    counts = rows.groupby(["date", "kind"])["launched"].sum()
    drones = standard.get("owa_drone", 0) + standard.get("decoy", 0)
    factors: list[dict[str, float]] = []
    for day in range(campaign.days):
        date = first + dt.timedelta(days=day)
        night: dict[str, float] = {}
        for kind, n in standard.items():
            reported_kind = "owa_drone" if kind == "decoy" else kind
            launched = float(counts.get((date, reported_kind), 0.0))
            base = drones if reported_kind == "owa_drone" else n
            night[kind] = launched / base if base else 0.0
        factors.append(night)
    return factors


def night_sizes(campaign: Campaign, standard: int) -> np.ndarray:
    """Each night's raid as a multiple of the standard night (0 = no raid), day 1 first."""
    scale = np.zeros(campaign.days)
    if campaign.schedule is not None:
        for night in campaign.schedule:
            scale[night.day - 1] = night.scale
        return scale
    model = campaign.model
    assert model is not None
    from scipy.stats import nbinom

    k = model.dispersion
    p = k / (k + model.mean_threats)
    for day in range(1, campaign.days + 1):
        if uniform(model.seed, 0, _NIGHT, day, 0) >= model.raid_probability:
            continue
        size = int(nbinom.ppf(uniform(model.seed, 0, _NIGHT, day, 1), k, p))
        if model.max_threats is not None:
            size = min(size, model.max_threats)
        scale[day - 1] = size / standard
    return scale


def _night(defence: dict[str, Any], scale: dict[str, float]) -> dict[str, Any] | None:
    """The defence with each raid scaled by its kind's factor; None if nothing is launched."""
    raw = copy.deepcopy(defence)
    kind_of = {name: _kind(spec) for name, spec in raw["threat_classes"].items()}
    raids = []
    for raid in raw["raids"]:
        count = round(raid["count"] * scale.get(kind_of[raid["threat"]], 0.0))
        if count > 0:
            raids.append({**raid, "count": count})
    if not raids:
        return None
    raw["raids"] = raids
    return raw


def _kind(spec: dict[str, Any]) -> str:
    """A threat class's kind, from the file's entry or its preset."""
    from iadsim.scenario.presets import THREAT_PRESETS

    if "kind" in spec:
        return str(spec["kind"])
    return str(THREAT_PRESETS[spec["preset"]]["kind"])


def _share_out(stock: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Split each row's stock across units (columns) up to their capacity, evenly, in order."""
    rows, units = stock.shape[0], capacity.shape[0]
    given = np.zeros((rows, units), dtype=np.int64)
    left = stock.astype(np.int64).copy()
    room = np.tile(capacity, (rows, 1))
    while True:
        active = (left > 0)[:, None] & (room > given)
        if not active.any():
            return given
        n_active = active.sum(axis=1)
        share = np.where(n_active > 0, np.maximum(left // np.maximum(n_active, 1), 1), 0)
        add = np.minimum(np.where(active, share[:, None], 0), room - given)
        # never hand out more than is left: trim from the last units of each row
        excess = add.sum(axis=1) - left
        for row in np.flatnonzero(excess > 0):
            for u in range(units - 1, -1, -1):
                cut = min(add[row, u], excess[row])
                add[row, u] -= cut
                excess[row] -= cut
                if excess[row] == 0:
                    break
        given += add
        left -= add.sum(axis=1)


_COMPILE_BYTES_PER_THREAT = 6_000
"""Memory of a compiled scenario per threat (routes, windows), measured on the examples."""
_RUN_BYTES_PER_THREAT = 16
"""Memory of one replication's outcome per threat (fate, time, cause, hit)."""


def _memory(replications: int, days: int, types: int, kinds: int, threats: int) -> float:
    """Bytes a campaign needs: its day-by-day arrays, and the largest night's run."""
    arrays = 8.0 * replications * days * (2 * types + 3 * kinds + 2)
    night = threats * (_COMPILE_BYTES_PER_THREAT + _RUN_BYTES_PER_THREAT * float(replications))
    return arrays + night


def _nights_field(campaign: Campaign, scale: np.ndarray) -> str:
    """The campaign field that sets the largest night's size."""
    if campaign.schedule is not None:
        biggest = int(np.argmax(scale)) + 1
        for k, night in enumerate(campaign.schedule):
            if night.day == biggest:
                return f"schedule.{k}.scale"
        return "schedule"
    if campaign.model is not None:
        capped = campaign.model.max_threats is not None
        return "model.max_threats" if capped else "model.mean_threats"
    return "reported.csv"


def _defence_error(exc: ScenarioError, source: str, defence_source: str | None) -> ScenarioError:
    """A defence problem, against its own file or, inline, under ``defence.`` of the campaign."""
    if defence_source is not None:
        return exc
    problems = [(f"defence.{path}" if path else "defence", msg) for path, msg in exc.problems]
    return CampaignError(source, problems)


def campaign_work(campaign: Campaign, replications: int) -> int:
    """How many units :func:`run_campaign` reports to its ``progress``: replications x days."""
    return replications * campaign.days


def run_campaign(
    campaign: Campaign,
    defence: dict[str, Any],
    *,
    replications: int,
    seed: int,
    engine: str = "fast",
    source: str | Path = "<campaign>",
    defence_source: str | Path | None = None,
    deliveries: Sequence[tuple[str, int, int]] = (),
    joining: Sequence[tuple[int, dict[str, Any]]] = (),
    base_dir: Path = Path(),
    progress: Callable[[int], None] | None = None,
) -> CampaignResult:
    """Run every night of a campaign, carrying each replication's stockpile forward.

    Args:
        campaign: the campaign (horizon, nights, stockpiles, deliveries).
        defence: the defence scenario's raw data; its raids make one standard night.
        replications: Monte Carlo replications (each carries its own stockpile).
        seed: the seed; night ``d`` runs with a seed derived from it and ``d``.
        engine: ``"fast"`` or ``"reference"``.
        deliveries: (type, day, count) arrivals added to the campaign's own.
        joining: (day, fire-unit entry) units that join the defence from that night
            on — how a purchase plan is tried out.
        base_dir: the folder the campaign's relative paths (a reported-raids CSV)
            are read from.
        source: the campaign file, named in errors about the campaign.
        defence_source: the defence scenario file, named in errors about it; by
            default the campaign's ``defence`` file (in ``base_dir``), and if the
            defence is written inside the campaign, errors name the campaign's
            ``defence.`` fields.
        progress: called with ``replications`` after each day, so
            :func:`campaign_work` (``replications * campaign.days``) in all.

    Raises:
        ScenarioError: if the defence is not a valid scenario.
        CampaignError: (a ScenarioError) if a stockpile names a fire-unit class the
            defence does not have, or the campaign would need more memory than is
            available (how much is said).
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    source = str(source)
    if defence_source is None and isinstance(campaign.defence, str):
        defence_source = Path(base_dir) / campaign.defence
    defence_file = None if defence_source is None else str(defence_source)
    where = defence_file or source
    try:
        base = parse_scenario(copy.deepcopy(defence), source=where)
    except ScenarioError as exc:
        raise _defence_error(exc, source, defence_file) from None
    classes = [u.unit_class for u in base.fire_units]
    for name in campaign.stockpiles:
        if name not in classes:
            raise CampaignError(
                source,
                [
                    (
                        f"stockpiles.{name}",
                        f"the defence has no fire unit of class {name!r}; "
                        f"its classes are {some(sorted(set(classes)))}",
                    )
                ],
            )
    standard = sum(r.count for r in base.raids)
    kinds = tuple(dict.fromkeys(base.threat_classes[r.threat].kind for r in base.raids))
    types = tuple(campaign.stockpiles)
    days, n_types, n_kinds = campaign.days, len(types), len(kinds)
    standard_by_kind: dict[str, int] = {}
    for r in base.raids:
        kind = base.threat_classes[r.threat].kind
        standard_by_kind[kind] = standard_by_kind.get(kind, 0) + r.count
    if campaign.reported is not None:
        factors = reported_factors(campaign, standard_by_kind, base_dir)
        scale = np.array(
            [sum(f[k] * n for k, n in standard_by_kind.items()) / standard for f in factors]
        )
    else:
        scale = night_sizes(campaign, standard)
        factors = [dict.fromkeys(standard_by_kind, float(x)) for x in scale]
    kind_of = {r.id: base.threat_classes[r.threat].kind for r in base.raids}
    biggest = max(
        (sum(round(r.count * f.get(kind_of[r.id], 0.0)) for r in base.raids) for f in factors),
        default=0,
    )
    # one replication too big: the nights are; else it is the number of replications
    alone = _memory(1, days, n_types, n_kinds, biggest)
    refuse_if_too_big(
        alone,
        f"its largest night ({biggest:,} threats)",
        error=CampaignError,
        source=source,
        field=_nights_field(campaign, scale),
    )
    refuse_if_too_big(
        _memory(replications, days, n_types, n_kinds, biggest),
        f"{days:,} days (nights of up to {biggest:,} threats) over {replications:,} replications",
        error=CampaignError,
        source=source,
        field="",
    )
    arrivals = np.zeros((days, n_types), dtype=np.int64)
    for delivery in campaign.deliveries:
        if delivery.day <= days:
            arrivals[delivery.day - 1, types.index(delivery.type)] += delivery.count
    for flow in campaign.production:
        for day, count in flow.arrivals(days).items():
            arrivals[day - 1, types.index(flow.type)] += count
    for name, day, count in deliveries:
        if name not in types:
            raise CampaignError(
                source,
                [(f"stockpiles.{name}", "interceptors are delivered but the class has no stock")],
            )
        if 1 <= day <= days:
            arrivals[day - 1, types.index(name)] += count

    shape = (replications, days)
    stock_now = np.tile(
        np.array([campaign.stockpiles[t] for t in types], dtype=np.int64), (replications, 1)
    )
    stock = np.zeros((*shape, n_types), dtype=np.int64)
    fired = np.zeros((*shape, n_types), dtype=np.int64)
    leaked = np.zeros((*shape, n_kinds), dtype=np.int64)
    destroyed = np.zeros((*shape, n_kinds), dtype=np.int64)
    lost = np.zeros((*shape, n_kinds), dtype=np.int64)
    launched = np.zeros((days, n_kinds), dtype=np.int64)
    value_lost = np.zeros(shape)
    spend = np.zeros(shape)
    compiled_by_night: dict[tuple[Any, int], CompiledScenario] = {}
    joined = sorted(joining, key=lambda item: item[0])
    reps = np.arange(replications, dtype=np.int64)
    for day in range(1, days + 1):
        stock_now += arrivals[day - 1]
        arrived = sum(1 for when, _ in joined if when <= day)
        tonight = defence
        if arrived:
            tonight = copy.deepcopy(defence)
            tonight["fire_units"] = [*tonight["fire_units"], *(u for _, u in joined[:arrived])]
        night = _night(tonight, factors[day - 1]) if scale[day - 1] > 0 else None
        if night is not None:
            key = (tuple(sorted(factors[day - 1].items())), arrived)
            if key not in compiled_by_night:
                try:
                    compiled_by_night[key] = compile_scenario(
                        parse_scenario(night, source=where), source=where
                    )
                except ScenarioError as exc:
                    raise _defence_error(exc, source, defence_file) from None
            cs = compiled_by_night[key]
            ready, reserve = start_magazines(cs, replications, None)
            night_classes = np.array(cs.unit_class)
            members_of = [night_classes == name for name in types]
            for k, members in enumerate(members_of):
                capacity = (cs.unit_rounds + cs.unit_reserve)[members]
                given = _share_out(stock_now[:, k], capacity)
                ready[:, members] = np.minimum(given, cs.unit_rounds[members])
                reserve[:, members] = given - ready[:, members]
            night_seed = (seed * 1_000_003 + day) % 2**64
            out = run_replications(cs, reps, seed=night_seed, engine=engine, start=(ready, reserve))
            for k, members in enumerate(members_of):
                fired[:, day - 1, k] = out.shots[:, members].sum(axis=1)
            stock_now -= fired[:, day - 1]
            threat_kind = np.array([cs.class_kind[c] for c in cs.threat_class])
            for j, kind in enumerate(kinds):
                mask = threat_kind == kind
                launched[day - 1, j] = mask.sum()
                leaked[:, day - 1, j] = (out.fate[:, mask] == Fate.LEAKED).sum(axis=1)
                destroyed[:, day - 1, j] = (out.fate[:, mask] == Fate.DESTROYED).sum(axis=1)
                lost[:, day - 1, j] = (out.fate[:, mask] == Fate.LOST_TO_EW).sum(axis=1)
            value_lost[:, day - 1] = (out.asset_destroyed * cs.asset_value).sum(axis=1)
            spend[:, day - 1] = (out.shots * cs.unit_cost).sum(axis=1)
        stock[:, day - 1] = stock_now
        if progress is not None:
            progress(replications)
    return CampaignResult(
        name=campaign.name,
        replications=replications,
        seed=seed,
        days=days,
        types=types,
        kinds=kinds,
        scale=scale,
        launched=launched,
        stock=stock,
        fired=fired,
        leaked=leaked,
        destroyed=destroyed,
        lost_to_ew=lost,
        value_lost=value_lost,
        spend=spend,
    )
