"""Tables the store writes: per-replicate outcomes and summaries, as Arrow tables for Parquet.

Outcomes are stored losslessly (every array of every replication, as list
columns) beside a few per-replicate totals that are handy in SQL. Summaries
are stored long: one row per (section, group, metric) with mean and interval.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario
from iadsim.engine import Fate, Outcomes
from iadsim.engine.outcomes import ARRAYS
from iadsim.metrics import Estimate, Summary

__all__ = [
    "REPLICATE_COLUMNS",
    "outcomes_from_table",
    "outcomes_table",
    "summary_from_table",
    "summary_table",
]

_EMPTY = Outcomes.empty(0, np.zeros(0, dtype=np.int64), 0, 0, 0)
_ARRAYS = {name: getattr(_EMPTY, name).dtype for name in ARRAYS}
"""Each per-replication array of :class:`Outcomes` and its dtype, as the engine makes them."""

REPLICATE_COLUMNS = {
    "launched": "threats launched",
    "destroyed": "threats destroyed by fire units",
    "lost_to_ew": "threats defeated by EW",
    "leaked": "threats that reached their aim point",
    "hits": "leakers that destroyed their target",
    "rounds": "rounds fired by all fire units",
    "defender_cost": "defender spend, US dollars",
    "exchange_ratio": "defender spend / attacker spend",
    "value_lost": "value of the assets destroyed",
    "assets_destroyed": "assets destroyed",
}
"""Per-replicate totals stored beside the full outcomes: column name → meaning."""


def _totals(compiled: CompiledScenario, o: Outcomes) -> dict[str, np.ndarray]:
    spend = (o.shots * compiled.unit_cost[None, :]).sum(axis=1)
    attacker = float(compiled.class_cost[compiled.threat_class].sum())
    return {
        "launched": np.full(len(o), compiled.n_threats, dtype=np.int32),
        "destroyed": (o.fate == Fate.DESTROYED).sum(axis=1).astype(np.int32),
        "lost_to_ew": (o.fate == Fate.LOST_TO_EW).sum(axis=1).astype(np.int32),
        "leaked": (o.fate == Fate.LEAKED).sum(axis=1).astype(np.int32),
        "hits": o.hit.sum(axis=1).astype(np.int32),
        "rounds": o.shots.sum(axis=1).astype(np.int64),
        "defender_cost": spend.astype(np.float64),
        "exchange_ratio": spend / attacker if attacker > 0 else np.full(len(o), np.nan),
        "value_lost": (o.asset_destroyed * compiled.asset_value[None, :]).sum(axis=1),
        "assets_destroyed": o.asset_destroyed.sum(axis=1).astype(np.int32),
    }


def outcomes_table(run_id: str, compiled: CompiledScenario, outcomes: Outcomes) -> Any:
    """A ``pyarrow.Table`` with one row per replication."""
    import pyarrow as pa

    n = len(outcomes)
    columns: dict[str, Any] = {
        "run_id": pa.array([run_id] * n, pa.string()),
        "replication": pa.array(outcomes.replications, pa.int64()),
    }
    columns.update({k: pa.array(v) for k, v in _totals(compiled, outcomes).items()})
    widths = {}
    for name, dtype in _ARRAYS.items():
        array = np.ascontiguousarray(getattr(outcomes, name))
        width = array.shape[1]
        widths[name] = width
        offsets = pa.array(np.arange(n + 1, dtype=np.int32) * width, pa.int32())
        values = pa.array(array.reshape(-1), pa.from_numpy_dtype(dtype))
        columns[name] = pa.ListArray.from_arrays(offsets, values)
    meta = {"iadsim.seed": str(outcomes.seed)}
    meta.update({f"iadsim.width.{k}": str(v) for k, v in widths.items()})
    return pa.table(columns).replace_schema_metadata(meta)


def outcomes_from_table(table: Any) -> Outcomes:
    """The :class:`Outcomes` stored in ``table`` (rows in the table's order)."""
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    n = table.num_rows
    arrays = {}
    for name, dtype in _ARRAYS.items():
        width = int(meta[f"iadsim.width.{name}"])
        values = table.column(name).combine_chunks().flatten().to_numpy(zero_copy_only=False)
        arrays[name] = np.asarray(values, dtype=dtype).reshape(n, width)
    return Outcomes(
        seed=int(meta["iadsim.seed"]),
        replications=np.asarray(table.column("replication").to_numpy(), dtype=np.int64),
        **arrays,
    )


def _rows(summary: Summary) -> list[tuple[str, str, str, Estimate]]:
    rows: list[tuple[str, str, str, Estimate]] = []
    for section in ("by_kind", "by_class", "by_layer", "by_unit"):
        for group, metrics in getattr(summary, section).items():
            rows.extend((section, group, m, e) for m, e in metrics.items())
    rows.extend(("shots", group, "rounds", e) for group, e in summary.shots.items())
    rows.extend(("cost", "", m, e) for m, e in summary.cost.items())
    rows.append(("assets", "", "value_lost", summary.assets["value_lost"]))
    for metric in ("destroyed", "hits"):
        rows.extend(("assets", a, metric, e) for a, e in summary.assets[metric].items())
    return rows


def summary_table(run_id: str, summary: Summary) -> Any:
    """A ``pyarrow.Table`` of the summary: run_id, section, group, metric, mean, lo, hi."""
    import pyarrow as pa

    rows = _rows(summary)
    meta = {
        "iadsim.name": summary.name,
        "iadsim.replications": str(summary.replications),
        "iadsim.seed": str(summary.seed),
        "iadsim.confidence": repr(summary.confidence),
    }
    return pa.table(
        {
            "run_id": pa.array([run_id] * len(rows), pa.string()),
            "section": pa.array([r[0] for r in rows], pa.string()),
            "group": pa.array([r[1] for r in rows], pa.string()),
            "metric": pa.array([r[2] for r in rows], pa.string()),
            "mean": pa.array([r[3].mean for r in rows], pa.float64()),
            "lo": pa.array([r[3].lo for r in rows], pa.float64()),
            "hi": pa.array([r[3].hi for r in rows], pa.float64()),
        }
    ).replace_schema_metadata(meta)


def summary_from_table(table: Any, provenance: dict[str, Any] | None = None) -> Summary:
    """The :class:`Summary` stored in ``table``."""
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    parts: dict[str, Any] = {
        "by_kind": {},
        "by_class": {},
        "by_layer": {},
        "by_unit": {},
        "shots": {},
        "cost": {},
    }
    assets: dict[str, Any] = {"value_lost": Estimate(math.nan, math.nan, math.nan)}
    assets.update(destroyed={}, hits={})
    data = table.to_pydict()
    for section, group, metric, mean, lo, hi in zip(
        data["section"],
        data["group"],
        data["metric"],
        data["mean"],
        data["lo"],
        data["hi"],
        strict=True,
    ):
        e = Estimate(*(math.nan if v is None else float(v) for v in (mean, lo, hi)))
        if section == "shots":
            parts["shots"][group] = e
        elif section == "cost":
            parts["cost"][metric] = e
        elif section == "assets":
            if metric == "value_lost":
                assets["value_lost"] = e
            else:
                assets[metric][group] = e
        else:
            parts[section].setdefault(group, {})[metric] = e
    return Summary(
        name=meta.get("iadsim.name", ""),
        replications=int(meta.get("iadsim.replications", 0)),
        seed=int(meta.get("iadsim.seed", 0)),
        confidence=float(meta.get("iadsim.confidence", 0.95)),
        assets=assets,
        provenance=dict(provenance or {}),
        **parts,
    )
