"""Campaigns: nights of raids against one defence, with the stockpile carried from night to night.

Each night is the defence scenario with that night's raids, run through the
engine; every replication starts the night with the interceptors its own
earlier nights left. Stock of a fire-unit class is shared out across that
class's units at dusk (each up to its launchers and reserve), and what they
do not fire goes back to the stock. Deliveries and production arrive at the
start of their day. Classes without a stockpile are refilled every night.

Nights are the defence's raids scaled (the same in every replication), or
drawn from raid templates: each replication chooses a template and a size for
each raid night with counter-based draws (:func:`template_draws`), so results
include raid-to-raid variation. Replications that drew the same night (same
template, size, joined units and elements out of action) run together on one
compiled scenario; each distinct night is compiled once and kept while memory
allows (:class:`_NightCache`). A size ``step`` keeps the number of distinct
nights small.

With ``damage``, what a night destroyed is carried to the next (:class:`_Carry`),
from what the engine reports per replication (``Outcomes.asset_destroyed``, whose
columns are the night's assets and the sensors, fire units and command posts its
raids aim at). Its limits: an asset destroyed and not yet repaired is still in the
scenario, so the threats aimed at it fly and are engaged as before and command
still values it; only its loss is not counted again. A sensor, fire unit or
command post out of action is given an outage for the whole night, which costs a
compilation per distinct set out of action; rounds on a destroyed launcher go
back to the stock.
"""

from __future__ import annotations

import copy
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from iadsim import limits
from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.draws import _M1, _M2, GOLDEN, MASK, uniform
from iadsim.engine import Fate, run_replications
from iadsim.engine.simulate import prepare, start_magazines
from iadsim.errors import CampaignError, ScenarioError
from iadsim.metrics import Estimate, mean_interval
from iadsim.planning.errors import refuse_if_too_big, some
from iadsim.scenario import parse_scenario
from iadsim.scenario.campaign import Campaign, check_templates, template_raids

__all__ = ["CampaignResult", "campaign_work", "night_sizes", "run_campaign", "template_draws"]

_NIGHT = 91  # purpose number of the raid-model draws, apart from the engine's
_RAID = 92  # purpose number of each replication's template draws (which one, what size)


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
    """[day, kind] threats launched (with templates: the mean over replications)."""
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
    launched_each: np.ndarray
    """[replication, day, kind] threats launched in each replication's night."""
    templates: tuple[str, ...]
    """Names of the raid templates (empty: nights scale the defence's raids)."""
    template: np.ndarray
    """[replication, day] index in ``templates`` of the template drawn (-1: no raid)."""
    assets: tuple[str, ...]
    """Targets: the defence's asset ids, then its fire units, sensors and command posts."""
    n_assets: int
    """How many of ``assets`` are assets (the rest are elements of the defence)."""
    asset_lost: np.ndarray
    """[replication, day, target] the target was destroyed that night (while whole)."""
    asset_down: np.ndarray
    """[replication, day] assets out of action at the end of the night."""
    carried: bool
    """Damage is carried from night to night (the campaign's ``damage``)."""

    def to_frame(self) -> Any:
        """Day-by-day outcomes as a long ``pandas.DataFrame``: one row per replication and day.

        Columns: ``replication``, ``day`` (1 to :attr:`days`), ``scale`` (the night's size
        as a multiple of the standard night; 0: no raid), ``template`` (the raid template
        drawn, or None), ``value_lost``, ``spend`` (defender, US dollars), ``assets_down``;
        for each threat kind ``launched.<kind>``, ``destroyed.<kind>``, ``lost_to_ew.<kind>``
        and ``leaked.<kind>``; for each stockpiled fire-unit class ``stock.<class>`` (after
        the night) and ``fired.<class>``.
        """
        import pandas as pd

        r, d = self.replications, self.days
        names = np.asarray(self.templates, dtype=object)
        drawn = self.template.reshape(-1)
        columns: dict[str, Any] = {
            "replication": np.repeat(np.arange(r), d),
            "day": np.tile(np.arange(1, d + 1), r),
            "scale": np.tile(np.asarray(self.scale, dtype=float), r),
            "template": np.where(drawn >= 0, names[np.maximum(drawn, 0)], None)
            if len(names)
            else np.full(r * d, None, dtype=object),
            "value_lost": self.value_lost.reshape(-1),
            "spend": self.spend.reshape(-1),
            "assets_down": self.asset_down.reshape(-1),
        }
        for j, kind in enumerate(self.kinds):
            for label, array in (
                ("launched", self.launched_each),
                ("destroyed", self.destroyed),
                ("lost_to_ew", self.lost_to_ew),
                ("leaked", self.leaked),
            ):
                columns[f"{label}.{kind}"] = array[:, :, j].reshape(-1)
        for k, name in enumerate(self.types):
            columns[f"stock.{name}"] = self.stock[:, :, k].reshape(-1)
            columns[f"fired.{name}"] = self.fired[:, :, k].reshape(-1)
        return pd.DataFrame(columns)

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
        each = self.launched_each.sum(axis=1)  # [replication, kind] threats launched
        top = [float(each[:, j].max(initial=0)) for j in range(len(self.kinds))]

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
            "launched": {k: _count(self.launched[:, j].sum()) for j, k in enumerate(self.kinds)},
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
            **self._raids(each, confidence),
            "damage_carried": self.carried,
            "assets": self._assets(confidence),
            "elements_destroyed": self._assets(confidence, elements=True),
            "assets_down_by_day": self.asset_down.mean(axis=0).tolist(),
        }

    def _raids(self, each: np.ndarray, confidence: float) -> dict[str, Any]:
        """With templates: how often each was drawn, and the spread of threats launched."""
        if not self.templates:
            return {}
        raid_nights = self.template >= 0
        nights = max(int(raid_nights.sum()), 1)
        drawn = {
            name: {
                "share_of_raid_nights": float((self.template == t).sum() / nights),
                "nights": mean_interval(
                    (self.template == t).sum(axis=1).astype(float), confidence, lower=0.0
                ).to_dict(),
            }
            for t, name in enumerate(self.templates)
        }
        spread = {
            k: {
                "mean": float(each[:, j].mean()),
                "p5": float(np.percentile(each[:, j], 5)),
                "p95": float(np.percentile(each[:, j], 95)),
            }
            for j, k in enumerate(self.kinds)
        }
        return {"templates": drawn, "launched_by_replication": spread}

    def _assets(self, confidence: float, elements: bool = False) -> dict[str, Any]:
        """Each asset (or element of the defence ever destroyed): how often it was lost."""
        times = self.asset_lost.sum(axis=1)  # [replication, target]
        out = {}
        for a, name in enumerate(self.assets):
            if (a >= self.n_assets) != elements or (elements and not times[:, a].any()):
                continue
            lost = times[:, a] > 0
            entry: dict[str, Any] = {
                "share_destroyed": float(lost.mean()),
                "times_destroyed": mean_interval(
                    times[:, a].astype(float), confidence, lower=0.0, upper=float(self.days)
                ).to_dict(),
            }
            if lost.any():
                first = self.asset_lost[:, :, a].argmax(axis=1)[lost] + 1
                entry["first_day_median"] = float(np.median(first))
            out[name] = entry
        return out


def _count(x: float) -> int | float:
    """A count as an int when whole (a mean over replications may not be)."""
    return int(x) if float(x).is_integer() else float(x)


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
    """Each night's raid as a multiple of the standard night (0 = no raid), day 1 first.

    For a campaign with templates, 1 on each raid night (the sizes are drawn per
    replication by :func:`template_draws`).
    """
    scale = np.zeros(campaign.days)
    if campaign.schedule is not None:
        for night in campaign.schedule:
            scale[night.day - 1] = 1.0 if night.scale is None else night.scale
        return scale
    model = campaign.model
    assert model is not None
    if campaign.templates:
        for day in range(1, campaign.days + 1):
            if uniform(model.seed, 0, _NIGHT, day, 0) < model.raid_probability:
                scale[day - 1] = 1.0
        return scale
    from scipy.stats import nbinom

    assert model.dispersion is not None and model.mean_threats is not None
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


def _uniforms(seed: int, reps: np.ndarray, purpose: int, entity: int, index: int) -> np.ndarray:
    """:func:`iadsim.draws.uniform` for many replications at once (the same numbers)."""
    m = np.uint64(MASK)

    def mix(z: np.ndarray) -> np.ndarray:
        z = ((z ^ (z >> np.uint64(30))) * np.uint64(_M1)) & m
        z = ((z ^ (z >> np.uint64(27))) * np.uint64(_M2)) & m
        return z ^ (z >> np.uint64(31))

    def word(x: int) -> np.uint64:
        return np.uint64(int(x) & MASK)

    golden = np.uint64(GOLDEN)
    with np.errstate(over="ignore"):
        h = mix(np.full(len(reps), word(seed) + golden, dtype=np.uint64))
        h = mix((h ^ np.asarray(reps, dtype=np.int64).astype(np.uint64)) + golden)
        for key in (purpose, entity, index):
            h = mix((h ^ word(key)) + golden)
    return (h >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _raid_nights(campaign: Campaign) -> list[tuple[int, list[int], float]]:
    """Raid nights of a campaign with templates: (day, templates it may draw, size factor)."""
    everyone = list(range(len(campaign.templates)))
    index = {t.name: k for k, t in enumerate(campaign.templates)}

    def allowed(names: list[str] | None) -> list[int]:
        return everyone if names is None else [index[n] for n in dict.fromkeys(names)]

    if campaign.schedule is not None:
        return sorted(
            (n.day, allowed(n.templates), 1.0 if n.scale is None else n.scale)
            for n in campaign.schedule
        )
    assert campaign.model is not None
    chosen = allowed(campaign.model.templates)
    scale = night_sizes(campaign, 1)
    return [(day, chosen, 1.0) for day in range(1, campaign.days + 1) if scale[day - 1] > 0]


def template_draws(
    campaign: Campaign, replications: int, seed: int, *, source: str | Path = "<campaign>"
) -> tuple[np.ndarray, np.ndarray]:
    """Which template each replication draws each night, and how many threats it launches.

    Counter-based: replication ``r``'s night ``d`` uses ``uniform(seed, r, 92, d, 0)``
    to choose among the night's templates by weight and ``uniform(seed, r, 92, d, 1)``
    for the size (fixed, uniform, or the negative binomial's quantile), which is then
    multiplied by the night's ``scale``, rounded, and rounded to the template's ``step``
    (by default a twentieth of its mean size: see :attr:`~iadsim.scenario.campaign.Size.grain`).

    Returns:
        ``template`` [replication, day] (-1: no raid) and ``size`` [replication, day].

    Raises:
        CampaignError: if a drawn size is more than a night may launch.
    """
    from scipy.stats import nbinom

    reps = np.arange(replications, dtype=np.int64)
    chosen = np.full((replications, campaign.days), -1, dtype=np.int64)
    size = np.zeros((replications, campaign.days), dtype=np.int64)
    templates = campaign.templates
    for day, allowed, scale in _raid_nights(campaign):
        weights = np.array([templates[t].weight for t in allowed], dtype=float)
        edges = np.cumsum(weights) / weights.sum()
        pick = np.searchsorted(edges, _uniforms(seed, reps, _RAID, day, 0), side="right")
        which = np.asarray(allowed, dtype=np.int64)[np.minimum(pick, len(allowed) - 1)]
        u = _uniforms(seed, reps, _RAID, day, 1)
        n = np.zeros(replications, dtype=float)
        for t in allowed:
            rows = which == t
            spec = templates[t].size
            if spec.fixed is not None:
                n[rows] = spec.fixed
            elif spec.uniform is not None:
                lo, hi = spec.uniform
                n[rows] = lo + np.floor(u[rows] * (hi - lo + 1))
            else:
                assert spec.mean is not None and spec.dispersion is not None
                k = spec.dispersion
                n[rows] = np.maximum(nbinom.ppf(u[rows], k, k / (k + spec.mean)), 0)
            if spec.max is not None:
                n[rows] = np.minimum(n[rows], spec.max)
            n[rows] = np.round(n[rows] * scale)
            n[rows] = spec.grain * np.round(n[rows] / spec.grain)
            if rows.any() and n[rows].max() > limits.MAX_THREATS:
                field = "size.max" if spec.mean is not None else "size"
                raise CampaignError(
                    source,
                    [
                        (
                            f"templates.{t}.{field}",
                            f"night {day} drew {n[rows].max():,.0f} threats; the limit is "
                            f"{limits.MAX_THREATS:,} a night: set `size.max`",
                        )
                    ],
                )
        chosen[:, day - 1] = np.where(n > 0, which, -1)
        size[:, day - 1] = n.astype(np.int64)
    return chosen, size


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


def _memory(
    replications: int, days: int, types: int, kinds: int, threats: int, assets: int = 0
) -> float:
    """Bytes a campaign needs: its day-by-day arrays, and the largest night's run."""
    arrays = 8.0 * replications * days * (2 * types + 4 * kinds + 5) + replications * days * assets
    night = threats * (_COMPILE_BYTES_PER_THREAT + _RUN_BYTES_PER_THREAT * float(replications))
    return arrays + night + min(_CACHE_BYTES, threats * _COMPILE_BYTES_PER_THREAT * 8.0)


_CACHE_BYTES = 256 * 2**20
"""Compiled nights kept for later nights (least recently used go first)."""

_NEVER = 10**9
"""The night a never-repaired element is back: beyond any horizon."""


class _NightCache:
    """Each distinct night compiled and prepared once, kept while memory allows."""

    def __init__(self, where: str, source: str, defence_file: str | None, engine: str) -> None:
        self.where, self.source, self.engine = where, source, engine
        self.defence_file = defence_file
        self.kept: OrderedDict[tuple[Any, ...], tuple[CompiledScenario, Any, int]] = OrderedDict()
        self.bytes = 0
        self.compiled = 0
        """Nights compiled so far (for measurements)."""

    def get(self, key: tuple[Any, ...], night: dict[str, Any]) -> tuple[CompiledScenario, Any]:
        if key in self.kept:
            self.kept.move_to_end(key)
            cs, prepared, _ = self.kept[key]
            return cs, prepared
        try:
            cs = compile_scenario(parse_scenario(night, source=self.where), source=self.where)
        except ScenarioError as exc:
            raise _defence_error(exc, self.source, self.defence_file) from None
        prepared = prepare(cs, self.engine)
        self.compiled += 1
        size = cs.n_threats * _COMPILE_BYTES_PER_THREAT
        self.kept[key] = (cs, prepared, size)
        self.bytes += size
        while self.bytes > _CACHE_BYTES and len(self.kept) > 1:
            _, (_, _, freed) = self.kept.popitem(last=False)
            self.bytes -= freed
        return cs, prepared


def _unit_class(entry: dict[str, Any]) -> str:
    """A fire-unit entry's class, as the scenario reads it (class, preset, kind)."""
    return str(entry.get("class") or entry.get("preset") or entry.get("kind"))


class _Carry:
    """Damage carried from night to night, per replication, from what the engine reports.

    Targets are the defence's assets and its sensors, fire units and command posts
    (which raids may aim at); the engine reports each one destroyed in
    ``Outcomes.asset_destroyed``, by the compiled night's ``asset_ids``. One destroyed
    while whole counts (its value lost) and is out of action until repaired; later
    hits on it count for nothing. An asset out of action stays in the scenario (the
    threats aimed at it fly and are engaged, and command still values it); a sensor,
    fire unit or command post out of action is given an outage for the whole night.
    A destroyed sensor or fire unit is replaced for the next night by a spare of its
    class while spares last.
    """

    def __init__(
        self, base: Any, campaign: Campaign, replications: int, joiners: list[dict[str, Any]]
    ) -> None:
        damage = campaign.damage
        self.on = damage is not None
        repair = {} if damage is None else damage.repair
        self.asset_ids = tuple(a.id for a in base.assets)
        posts = base.network.command_posts if getattr(base, "network", None) else []
        units = [(u.id, u.unit_class) for u in base.fire_units]
        units += [(str(j.get("id")), _unit_class(j)) for j in joiners]
        elements = [("fire_units", i, c) for i, c in units]
        elements += [("sensors", x.id, x.preset or x.kind) for x in base.sensors]
        elements += [("command_posts", p.id, None) for p in posts]
        self.elements = [(section, ident) for section, ident, _ in elements]
        self.ids = [*self.asset_ids, *(ident for _, ident, _ in elements)]
        self.column = {ident: k for k, ident in enumerate(self.ids)}
        classes = [None] * len(self.asset_ids) + [c for _, _, c in elements]
        spare_names = list(dict.fromkeys(c for c in classes if c is not None))
        self.spare_of = np.array([spare_names.index(c) if c else -1 for c in classes])

        def nights_out(ident: str, kind: str | None) -> int:
            days = repair.get(ident, repair.get(kind or "", repair.get("default")))
            return _NEVER if days is None else int(days)

        self.repair = np.array(
            [nights_out(i, c) for i, c in zip(self.ids, classes, strict=True)], dtype=np.int64
        )
        spares = {} if damage is None else damage.spares
        self.spares = np.tile(
            np.array([spares.get(c, 0) for c in spare_names], dtype=np.int64), (replications, 1)
        )
        r, days = replications, campaign.days
        self.back = np.zeros((r, len(self.ids)), dtype=np.int64)
        """[replication, target] the night from which each target is whole again."""
        self.lost = np.zeros((r, days, len(self.ids)), dtype=np.bool_)
        self.down_after = np.zeros((r, days), dtype=np.int64)

    def out_of_action(self, day: int) -> np.ndarray:
        """[replication, element] sensors, fire units and command posts out of action tonight."""
        if not self.on:
            return np.zeros((self.back.shape[0], 0), dtype=np.bool_)
        return self.back[:, len(self.asset_ids) :] > day

    def remove(self, night: dict[str, Any], down: tuple[int, ...]) -> dict[str, Any]:
        """The night with an outage all night long for each element out of action (``down``)."""
        out = {self.elements[k] for k, d in enumerate(down) if d}
        if not out:
            return night
        night = copy.deepcopy(night)
        whole_night = [{"start": "0 s"}]  # from the start to the end of the scenario
        for section in ("fire_units", "sensors"):
            for item in night.get(section) or []:
                if (section, item.get("id")) in out:
                    item["outages"] = whole_night
        for post in (night.get("network") or {}).get("command_posts") or []:
            if ("command_posts", post.get("id")) in out:
                post["outages"] = whole_night
        return night

    def end_of_night(self, day: int) -> None:
        """Count the assets out of action once every replication's night is over."""
        if self.on:
            self.down_after[:, day - 1] = (self.back[:, : len(self.asset_ids)] > day).sum(axis=1)

    def night(self, rows: np.ndarray, day: int, cs: CompiledScenario, out: Any) -> np.ndarray:
        """Record a night's damage for ``rows``; returns the value each lost."""
        reported = np.asarray(out.asset_destroyed, dtype=np.bool_)
        columns = np.array([self.column.get(i, -1) for i in cs.asset_ids], dtype=np.int64)
        known = columns >= 0
        hit = np.zeros((len(rows), len(self.ids)), dtype=np.bool_)
        hit[:, columns[known]] = reported[:, known]
        value = np.zeros(len(self.ids))
        value[columns[known]] = np.asarray(cs.asset_value)[known]
        if not self.on:
            self.lost[rows, day - 1] = hit
            self.down_after[rows, day - 1] = hit[:, : len(self.asset_ids)].sum(axis=1)
            return np.asarray((hit * value).sum(axis=1))
        new = hit & (self.back[rows] <= day)
        self.lost[rows, day - 1] = new
        back = np.where(new, day + self.repair, self.back[rows])
        for k, target in np.argwhere(new & (self.spare_of >= 0)):
            spare = self.spare_of[target]
            if self.spares[rows[k], spare] > 0:  # replaced for the next night
                self.spares[rows[k], spare] -= 1
                back[k, target] = day + 1
        self.back[rows] = back
        return np.asarray((new * value).sum(axis=1))


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
        seed: the seed; night ``d`` runs with a seed derived from it and ``d``, and
            with templates, each replication's nights are drawn with it
            (:func:`template_draws`).
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
            defence does not have, a template or ``damage`` does not fit the defence
            (:func:`~iadsim.scenario.campaign.check_templates`), a drawn night is too
            big, or the campaign would need more memory than is available (how much
            is said).
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
    if campaign.templates or campaign.damage is not None:
        check_templates(campaign, defence, base, source=source)
    standard = sum(r.count for r in base.raids)
    mixed = [name for t in campaign.templates for name in (t.mix or {})]
    kinds = tuple(
        dict.fromkeys(
            [base.threat_classes[r.threat].kind for r in base.raids]
            + [base.threat_classes[name].kind for name in mixed]
        )
    )
    types = tuple(campaign.stockpiles)
    days, n_types, n_kinds = campaign.days, len(types), len(kinds)
    standard_by_kind: dict[str, int] = {}
    for r in base.raids:
        kind = base.threat_classes[r.threat].kind
        standard_by_kind[kind] = standard_by_kind.get(kind, 0) + r.count
    drawn: tuple[np.ndarray, np.ndarray] | None = None
    if campaign.templates:  # the draws are [replication, day] arrays too: check them first
        refuse_if_too_big(
            _memory(replications, days, n_types, n_kinds, 0, len(base.assets)),
            f"{days:,} days over {replications:,} replications",
            error=CampaignError,
            source=source,
            field="",
        )
        drawn = template_draws(campaign, replications, seed, source=source)
        scale = drawn[1].mean(axis=0) / standard
        factors = [dict.fromkeys(standard_by_kind, 0.0) for _ in range(days)]
        biggest = int(drawn[1].max(initial=0))
        field = f"templates.{int(drawn[0].flat[int(drawn[1].argmax())])}.size"
    else:
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
        field = _nights_field(campaign, scale)
    n_assets = len(base.assets)
    # one replication too big: the nights are; else it is the number of replications
    alone = _memory(1, days, n_types, n_kinds, biggest, n_assets)
    refuse_if_too_big(
        alone,
        f"its largest night ({biggest:,} threats)",
        error=CampaignError,
        source=source,
        field=field,
    )
    refuse_if_too_big(
        _memory(replications, days, n_types, n_kinds, biggest, n_assets),
        f"{days:,} days (nights of up to {biggest:,} threats) over {replications:,} replications",
        error=CampaignError,
        source=source,
        field="",
    )
    carry = _Carry(base, campaign, replications, [u for _, u in joining])
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
    launched = np.zeros((*shape, n_kinds), dtype=np.int64)
    value_lost = np.zeros(shape)
    spend = np.zeros(shape)
    nights = _NightCache(where, source, defence_file, engine)
    joined = sorted(joining, key=lambda item: item[0])
    for day in range(1, days + 1):
        stock_now += arrivals[day - 1]
        arrived = sum(1 for when, _ in joined if when <= day)
        tonight = defence
        if arrived:
            tonight = copy.deepcopy(defence)
            tonight["fire_units"] = [*tonight["fire_units"], *(u for _, u in joined[:arrived])]
        if drawn is not None:
            what = np.stack([drawn[0][:, day - 1], drawn[1][:, day - 1]], axis=1)
            raiding = drawn[0][:, day - 1] >= 0
        else:
            what = np.zeros((replications, 2), dtype=np.int64)
            raiding = np.full(replications, scale[day - 1] > 0)
        down = carry.out_of_action(day)
        keys, group_of = np.unique(
            np.concatenate([what, down.astype(np.int64)], axis=1), axis=0, return_inverse=True
        )
        night_seed = (seed * 1_000_003 + day) % 2**64
        for g, key_row in enumerate(keys):
            rows = np.flatnonzero((group_of.ravel() == g) & raiding)
            if not len(rows):
                continue
            t, size, *out_of_action = (int(x) for x in key_row)
            if drawn is not None:
                scaled = None
                night: dict[str, Any] | None = dict(tonight)
                assert night is not None
                raids = template_raids(tonight, campaign.templates[t], size)
                night["raids"] = [raid for raid, _ in raids]
            else:
                scaled = tuple(sorted(factors[day - 1].items()))
                night = _night(tonight, factors[day - 1])
            if night is None:
                continue
            key = (arrived, scaled, t, size, *out_of_action)
            cs, prepared = nights.get(key, carry.remove(night, tuple(out_of_action)))
            ready, reserve = start_magazines(cs, len(rows), None)
            night_classes = np.array(cs.unit_class)
            members_of = [night_classes == name for name in types]
            for k, unit_mask in enumerate(members_of):
                capacity = (cs.unit_rounds + cs.unit_reserve)[unit_mask]
                given = _share_out(stock_now[rows, k], capacity)
                ready[:, unit_mask] = np.minimum(given, cs.unit_rounds[unit_mask])
                reserve[:, unit_mask] = given - ready[:, unit_mask]
            out = run_replications(
                cs,
                rows,
                seed=night_seed,
                engine=engine,
                start=(ready, reserve),
                prepared=prepared,
            )
            for k, unit_mask in enumerate(members_of):
                fired[rows, day - 1, k] = out.shots[:, unit_mask].sum(axis=1)
            threat_kind = np.array([cs.class_kind[c] for c in cs.threat_class])
            for j, kind in enumerate(kinds):
                mask = threat_kind == kind
                launched[rows, day - 1, j] = mask.sum()
                leaked[rows, day - 1, j] = (out.fate[:, mask] == Fate.LEAKED).sum(axis=1)
                destroyed[rows, day - 1, j] = (out.fate[:, mask] == Fate.DESTROYED).sum(axis=1)
                lost[rows, day - 1, j] = (out.fate[:, mask] == Fate.LOST_TO_EW).sum(axis=1)
            value_lost[rows, day - 1] = carry.night(rows, day, cs, out)
            spend[rows, day - 1] = (out.shots * cs.unit_cost).sum(axis=1)
        stock_now -= fired[:, day - 1]
        stock[:, day - 1] = stock_now
        carry.end_of_night(day)
        if progress is not None:
            progress(replications)
    names = tuple(t.name for t in campaign.templates)
    return CampaignResult(
        name=campaign.name,
        replications=replications,
        seed=seed,
        days=days,
        types=types,
        kinds=kinds,
        scale=scale,
        launched=launched.mean(axis=0) if drawn is not None else launched[0].copy(),
        stock=stock,
        fired=fired,
        leaked=leaked,
        destroyed=destroyed,
        lost_to_ew=lost,
        value_lost=value_lost,
        spend=spend,
        launched_each=launched,
        templates=names,
        template=drawn[0] if drawn is not None else np.full(shape, -1, dtype=np.int64),
        assets=tuple(carry.ids),
        n_assets=len(carry.asset_ids),
        asset_lost=carry.lost,
        asset_down=carry.down_after,
        carried=campaign.damage is not None,
    )
