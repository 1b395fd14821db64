"""Gathering a report's data: by running a scenario file, or by reading a results store.

A stored run keeps every replicate's outcome but not its events; the replay
re-runs the chosen replicate with the reference engine
(:func:`~iadsim.engine.reference.trace_replication`). Counter-based randomness
makes that re-run exact, and it is checked against the stored row.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.errors import StoreError
from iadsim.metrics import Estimate, Summary, mean_interval, total_estimates
from iadsim.report.data import ReportData, SweepCurve, SweepResult, spend_by_class
from iadsim.report.laydown import build_laydown
from iadsim.report.replay import build_replay
from iadsim.report.world import build_side_view

__all__ = ["UnknownId", "report_from_campaign", "report_from_scenario", "report_from_store"]


class UnknownId(StoreError):
    """No run or sweep in the store has this id (or an id starting with it)."""


def _facts(summary: Summary, replicate: int) -> list[tuple[str, str]]:
    info = summary.provenance
    facts = [
        ("replications", f"{summary.replications:,}"),
        ("seed", str(summary.seed)),
        ("replay", f"replication {replicate}"),
        ("engine", str(info.get("engine", "?"))),
        ("policy", str(info.get("policy", "?"))),
        ("scenario hash", str(info.get("scenario_hash", "?"))[:16]),
        ("iadsim", str(info.get("iadsim", "?"))),
    ]
    if "run_id" in info:
        facts.insert(0, ("run", str(info["run_id"])))
    return facts


def _assemble(
    scenario: Any,
    compiled: Any,
    summary: Summary,
    *,
    seed: int,
    replicate: int,
    policy: str | None,
    source: str,
    totals: dict[str, Estimate],
    stored_row: Any = None,
) -> ReportData:
    from iadsim.engine.reference import trace_replication

    events, outcomes = trace_replication(
        compiled, seed=seed, replicate_index=replicate, policy=policy
    )
    notes = []
    if stored_row is not None:
        if not stored_row.equals(outcomes):
            raise StoreError(
                f"{source}: re-running replication {replicate} for the replay gave a different "
                "outcome from the stored one (the store was written by another version of "
                "iadsim?); the replay would not show what the numbers describe"
            )
        notes.append(
            f"The replay re-ran replication {replicate} with the reference engine; its outcome "
            "is identical to the stored one."
        )
    laydown = build_laydown(scenario, compiled)
    replay = build_replay(
        scenario,
        compiled,
        laydown.frame,
        events,
        outcomes,
        replicate=replicate,
        tracks=laydown.tracks,
    )
    return ReportData(
        title=scenario.name,
        source=source,
        facts=_facts(summary, replicate),
        summary=summary,
        spend_by_class=spend_by_class(summary, compiled),
        laydown=laydown,
        replay=replay,
        totals=totals,
        notes=notes,
        side_view=build_side_view(scenario, compiled, laydown.layer_colours),
    )


def report_from_scenario(
    path: str | Path,
    *,
    replications: int = 200,
    seed: int = 0,
    replicate: int = 0,
    overrides: Iterable[str] = (),
    engine: str = "fast",
    policy: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReportData:
    """Run a scenario file and gather its report; the replay is replication ``replicate``.

    ``policy``: the assignment policy, instead of the doctrine's.

    Raises:
        ScenarioError: if the file or an override is not a valid scenario, or it
            lacks what ``policy`` needs.
        ValueError: if ``replicate`` is not one of the replications, or
            ``policy`` is not a registered one.
    """
    from iadsim.api import prepare

    if not 0 <= replicate < replications:
        raise ValueError(f"replicate must be in 0..{replications - 1}, got {replicate}")
    scenario, compiled = prepare(path, overrides=overrides, policy=policy)
    return _run(
        scenario, compiled, replications, seed, replicate, engine, progress, str(path), policy
    )


def _run(
    scenario: Any,
    compiled: Any,
    replications: int,
    seed: int,
    replicate: int,
    engine: str,
    progress: Callable[[int], None] | None,
    source: str,
    policy: str | None = None,
) -> ReportData:
    """Run the scenario through :func:`iadsim.api.run_replicates`, the one path.

    It gives the summary and each replication's totals.
    """
    from iadsim.api import run_replicates

    result = run_replicates(
        scenario,
        compiled,
        replications=replications,
        seed=seed,
        policy=policy,
        engine=engine,
        progress=progress,
    )
    summary = result.summary
    totals = result.totals()
    return _assemble(
        scenario,
        compiled,
        summary,
        seed=seed,
        replicate=replicate,
        policy=policy,
        source=source,
        totals=totals,
    )


def report_from_campaign(
    path: str | Path,
    *,
    replications: int = 200,
    seed: int = 0,
    replicate: int = 0,
    engine: str = "fast",
    progress: Callable[..., None] | None = None,
) -> ReportData:
    """Run a campaign file and gather its report.

    The campaign's stockpiles and exhaustion days come from
    :func:`~iadsim.planning.campaign.run_campaign`; the map, replay and charts
    show one standard night of its defence scenario (its raids as written),
    run with the same replications and seed. ``progress`` is called as
    ``progress(done, total, what)``: the campaign's nights, then the standard
    night's replications.

    Raises:
        ScenarioError: if the campaign or its defence scenario is not valid.
        ValueError: if ``replicate`` is not one of the replications.
    """
    import dataclasses

    from iadsim.compile import compile_scenario
    from iadsim.planning.campaign import campaign_work, run_campaign
    from iadsim.report.campaign import campaign_view
    from iadsim.scenario import parse_scenario
    from iadsim.scenario.campaign import load_campaign

    if not 0 <= replicate < replications:
        raise ValueError(f"replicate must be in 0..{replications - 1}, got {replicate}")
    campaign, defence, defence_path = load_campaign(path)
    nights = None
    if progress is not None:
        nights = _counter(
            progress,
            campaign_work(campaign, replications),
            "campaign nights (replications x days)",
        )
    result = run_campaign(
        campaign,
        defence,
        replications=replications,
        seed=seed,
        engine=engine,
        source=str(path),
        defence_source=None if isinstance(campaign.defence, dict) else defence_path,
        base_dir=Path(path).parent,
        progress=nights,
    )
    scenario = parse_scenario(defence, source=defence_path)
    compiled = compile_scenario(scenario, source=defence_path)
    counted = None
    if progress is not None:
        counted = _counter(progress, replications, "one standard night (replications)")
    night = _run(scenario, compiled, replications, seed, replicate, engine, counted, str(path))
    return dataclasses.replace(
        night,
        title=campaign.name,
        source=f"campaign {path}: {campaign.days} days; the map, replay and charts below show "
        f"one standard night of its defence scenario, {scenario.name}",
        campaign=campaign_view(result),
    )


def _counter(progress: Callable[..., None], total: int, what: str) -> Callable[[int], None]:
    """A counting callback that reports to ``progress(done, total, what)``."""
    done = 0
    progress(0, total, what)

    def count(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total, what)

    return count


# --- the results store --------------------------------------------------------------------


def _sweep_definition(store: Any, sweep_id: str) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9a-f]+", sweep_id):
        raise StoreError(f"{store.path}: bad sweep id {sweep_id!r} in the catalogue")
    frame = store.sql(f"select definition from sweeps where sweep_id = '{sweep_id}'")
    if not len(frame):
        raise StoreError(f"{store.path}: sweep {sweep_id} is not in the catalogue")
    definition = frame["definition"].iloc[0]
    return dict(json.loads(definition) if isinstance(definition, str) else definition)


def _scenario_of_run(store: Any, record: dict[str, Any]) -> tuple[Any, Any]:
    """Rebuild a stored run's scenario from its sweep's stored definition and its point."""
    from iadsim.compile import compile_scenario, content_hash
    from iadsim.runner import Sweep, SweepPoint
    from iadsim.scenario import apply_overrides, parse_scenario

    definition = _sweep_definition(store, str(record["sweep_id"]))
    sweep = Sweep.from_definition(definition, source=str(store.path))
    point = SweepPoint(int(record["point_index"] or 0), dict(record["point"] or {}), 0)
    where = f"{sweep.scenario_path} (run {record['run_id']}: {point.label()})"
    raw = apply_overrides(sweep.scenario, point.overrides(), source=where)
    scenario = parse_scenario(raw, source=where)
    if content_hash(scenario) != record["scenario_hash"]:
        raise StoreError(
            f"{store.path}: the scenario rebuilt for run {record['run_id']} does not match its "
            "stored hash (stored by another version of iadsim?); cannot draw its map or replay"
        )
    return scenario, compile_scenario(scenario, source=where)


def _run_report(store: Any, run_id: str, replicate: int) -> tuple[ReportData, Any]:
    record = store.run(run_id)
    if record["status"] != "complete":
        raise StoreError(
            f"{store.path}: run {run_id} is not complete; `iadsim sweep --resume --store "
            f"{store.path}` finishes it"
        )
    if not 0 <= replicate < int(record["replications"]):
        raise StoreError(
            f"{store.path}: run {run_id} has replications 0..{int(record['replications']) - 1}; "
            f"there is no replication {replicate} to replay"
        )
    scenario, compiled = _scenario_of_run(store, record)
    summary = store.summary(run_id)
    outcomes = store.outcomes(run_id)
    rows = np.flatnonzero(outcomes.replications == replicate)
    stored_row = None
    if len(rows):
        from iadsim.engine import Outcomes
        from iadsim.engine.outcomes import ARRAYS

        k = int(rows[0])
        stored_row = Outcomes(
            seed=outcomes.seed,
            replications=outcomes.replications[k : k + 1],
            **{name: getattr(outcomes, name)[k : k + 1] for name in ARRAYS},
        )
    totals = total_estimates(store.replicates(run_id))
    data = _assemble(
        scenario,
        compiled,
        summary,
        totals=totals,
        seed=int(record["seed"]),
        replicate=replicate,
        policy=str(record["policy"]),
        source=f"run {run_id} in store {store.path}",
        stored_row=stored_row,
    )
    return data, record


def _number(value: Any) -> tuple[float | str, str]:
    """A swept value as a number and its unit (``"10 km"`` → 10, ``km``), or as a label."""
    if isinstance(value, bool):
        return str(value), ""
    if isinstance(value, int | float):
        return float(value), ""
    if isinstance(value, str):
        head, _, unit = value.strip().partition(" ")
        try:
            return float(head), unit.strip()
        except ValueError:
            pass
    return json.dumps(value) if not isinstance(value, str) else value, ""


def _sweep_curve(store: Any, sweep_id: str, name: str) -> SweepCurve:
    definition = _sweep_definition(store, sweep_id)
    varied = list(definition.get("grid") or {})
    varied += list(((definition.get("random") or {}).get("vary")) or {})
    runs = store.runs(sweep_id).sort_values("point_index")
    points: list[SweepResult] = []
    missing = 0
    unit = ""
    # x: the first varied field with numeric values; the others name the series
    x_field = varied[0] if varied else ""
    for path in varied:
        values = [json.loads(p or "{}").get(path) for p in runs["point"]]
        if all(isinstance(_number(v)[0], float) for v in values):
            x_field = path
            break
    for row in runs.itertuples(index=False):
        values = json.loads(row.point or "{}")
        if row.status != "complete":
            missing += 1
            continue
        x, unit_here = _number(values.get(x_field, "")) if x_field else (float(row.point_index), "")
        unit = unit or unit_here
        group = " ".join(f"{p}={values[p]}" for p in varied if p != x_field and p in values)
        summary = store.summary(row.run_id)
        stored = store.replicates(row.run_id)
        leaked = mean_interval(
            stored["leaked"].to_numpy(dtype=float),
            lower=0.0,
            upper=float(stored["launched"].max()) if len(stored) else math.inf,
        )
        by_kind = {k: m["leaked"] for k, m in summary.by_kind.items()}
        launched = sum(m["launched"].mean for m in summary.by_kind.values())
        points.append(SweepResult(x, group, leaked, launched, by_kind, str(row.run_id)))
    return SweepCurve(sweep_id, name, x_field or "point", unit, points, missing)


def _match(store: Any, ident: str) -> tuple[str, str]:
    """("sweep" or "run", full id) for a run or sweep id or a unique prefix of one."""
    sweeps = sorted({str(s) for s in store.sweeps()["sweep_id"] if str(s).startswith(ident)})
    runs = sorted({str(r) for r in store.runs()["run_id"] if str(r).startswith(ident)})
    found = [("sweep", s) for s in sweeps] + [("run", r) for r in runs]
    if not found:
        raise UnknownId(
            f"{store.path}: no run or sweep {ident!r} (see `iadsim results list --store "
            f"{store.path}`, or give a scenario file)"
        )
    if len(found) > 1:
        names = ", ".join(f"{k} {i}" for k, i in found[:5])
        raise StoreError(f"{store.path}: {ident!r} is ambiguous; it could be {names}")
    return found[0]


def report_from_store(
    store: Any, ident: str, *, replicate: int = 0, point: int | None = None
) -> ReportData:
    """Gather the report of a stored run, or of a sweep (its curve and one point's run).

    ``ident`` is a run id, a sweep id, or a unique prefix of either. For a
    sweep, the map, replay and charts show point ``point`` (default 0).

    Raises:
        StoreError: no such run or sweep, an incomplete run, or a damaged file.
    """
    from iadsim.store import Store

    if not isinstance(store, Store):
        store = Store.open(store)
    kind, full = _match(store, ident)
    if kind == "run":
        if point is not None:
            raise StoreError(f"{store.path}: --point applies to a sweep; {full} is one run")
        return _run_report(store, full, replicate)[0]
    sweeps = store.sweeps()
    name = str(sweeps.loc[sweeps["sweep_id"] == full, "name"].iloc[0])
    runs = store.runs(full).sort_values("point_index")
    indices = [int(i) for i in runs["point_index"]]
    chosen = 0 if point is None else point
    if chosen not in indices:
        raise StoreError(
            f"{store.path}: sweep {full} has points {min(indices)}..{max(indices)}; "
            f"there is no point {chosen}"
        )
    run_id = str(runs.loc[runs["point_index"] == chosen, "run_id"].iloc[0])
    data, record = _run_report(store, run_id, replicate)
    curve = _sweep_curve(store, full, name)
    label = " ".join(f"{k}={v}" for k, v in (record["point"] or {}).items()) or "(base scenario)"
    return ReportData(
        title=data.title,
        source=f"sweep {full} ({name}) in store {store.path}; map and charts: point {chosen}, "
        f"{label}",
        facts=[("sweep", full), ("points", str(len(indices))), *data.facts],
        summary=data.summary,
        spend_by_class=data.spend_by_class,
        laydown=data.laydown,
        replay=data.replay,
        totals=data.totals,
        sweep=curve,
        notes=data.notes,
        side_view=data.side_view,
    )
