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
from iadsim.engine import Outcomes
from iadsim.engine.outcomes import ARRAYS
from iadsim.metrics import Estimate, Summary
from iadsim.metrics.replicates import REPLICATE_COLUMNS, replicate_totals

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


def outcomes_table(run_id: str, compiled: CompiledScenario, outcomes: Outcomes) -> Any:
    """A ``pyarrow.Table`` with one row per replication."""
    import pyarrow as pa

    n = len(outcomes)
    columns: dict[str, Any] = {
        "run_id": pa.array([run_id] * n, pa.string()),
        "replication": pa.array(outcomes.replications, pa.int64()),
    }
    columns.update({k: pa.array(v) for k, v in replicate_totals(compiled, outcomes).items()})
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


def summary_table(run_id: str, summary: Summary) -> Any:
    """A ``pyarrow.Table`` of the summary: run_id, section, group, metric, mean, lo, hi."""
    import pyarrow as pa

    rows = summary.rows()
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
