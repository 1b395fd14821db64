"""Comparing two stored runs: each figure of both, and their difference with its interval."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from iadsim.metrics import mean_interval
from iadsim.store.store import Store
from iadsim.store.tables import REPLICATE_COLUMNS

__all__ = ["compare_runs"]


def _half(lo: float, hi: float) -> float:
    return (hi - lo) / 2.0


def compare_runs(store: Store, a: str, b: str, *, confidence: float = 0.95) -> Any:
    """Compare runs ``a`` and ``b`` (ids or unique prefixes); return a DataFrame.

    One row per figure: ``section``, ``group``, ``metric``, then ``a_mean``,
    ``a_lo``, ``a_hi``, the same for ``b``, and ``diff`` (b − a) with
    ``diff_lo``, ``diff_hi`` and the ``method`` behind that interval:

    - section ``replicate`` (the per-replicate totals): ``paired`` when both
      runs share seed and replications (common random numbers: the interval
      of the mean of per-replicate differences), else ``independent`` (Welch);
    - the summary's sections: ``independent (approx.)``, the two half-widths
      combined in quadrature.
    """
    import pandas as pd

    ra, rb = store.run(a), store.run(b)
    rows: list[dict[str, Any]] = []
    xa, xb = store.replicates(ra["run_id"]), store.replicates(rb["run_id"])
    paired = (
        ra["seed"] == rb["seed"]
        and len(xa) == len(xb)
        and np.array_equal(xa["replication"].to_numpy(), xb["replication"].to_numpy())
    )
    for metric in REPLICATE_COLUMNS:
        va = xa[metric].to_numpy(dtype=float)
        vb = xb[metric].to_numpy(dtype=float)
        # each run's own figure stays inside its support (all are >= 0); the difference may not
        ea = mean_interval(va, confidence, lower=0.0)
        eb = mean_interval(vb, confidence, lower=0.0)
        if paired:
            d = mean_interval(vb - va, confidence)
            lo, hi, method = d.lo, d.hi, "paired"
        else:
            half = _welch_half(va, vb, confidence)
            lo, hi, method = eb.mean - ea.mean - half, eb.mean - ea.mean + half, "independent"
        rows.append(_row("replicate", "", metric, ea, eb, lo, hi, method))

    sa = store.summary_frame(ra["run_id"])
    sb = store.summary_frame(rb["run_id"])
    keys = ["section", "group", "metric"]
    both = sa.merge(sb, on=keys, how="left", suffixes=("_a", "_b"))  # a's order
    only_b = sb.merge(sa[keys], on=keys, how="left", indicator=True)
    only_b = only_b[only_b["_merge"] == "left_only"].drop(columns="_merge")
    both = pd.concat([both, only_b.rename(columns={c: f"{c}_b" for c in ("mean", "lo", "hi")})])
    for rec in both.to_dict("records"):
        ma, mb = rec["mean_a"], rec["mean_b"]
        ha, hb = _half(rec["lo_a"], rec["hi_a"]), _half(rec["lo_b"], rec["hi_b"])
        half = math.hypot(ha, hb)
        diff = mb - ma
        rows.append(
            {
                "section": rec["section"],
                "group": rec["group"],
                "metric": rec["metric"],
                "a_mean": ma,
                "a_lo": rec["lo_a"],
                "a_hi": rec["hi_a"],
                "b_mean": mb,
                "b_lo": rec["lo_b"],
                "b_hi": rec["hi_b"],
                "diff": diff,
                "diff_lo": diff - half,
                "diff_hi": diff + half,
                "method": "independent (approx.)",
            }
        )
    return pd.DataFrame(rows)


def _welch_half(va: np.ndarray, vb: np.ndarray, confidence: float) -> float:
    na, nb = len(va), len(vb)
    if na < 2 or nb < 2:
        return math.nan
    from scipy.stats import t as student_t

    qa, qb = va.var(ddof=1) / na, vb.var(ddof=1) / nb
    se = math.sqrt(qa + qb)
    if se == 0:
        return 0.0
    dof = (qa + qb) ** 2 / (qa**2 / (na - 1) + qb**2 / (nb - 1))
    return float(student_t.ppf(0.5 + confidence / 2.0, dof) * se)


def _row(
    section: str, group: str, metric: str, ea: Any, eb: Any, lo: float, hi: float, method: str
) -> dict[str, Any]:
    return {
        "section": section,
        "group": group,
        "metric": metric,
        "a_mean": ea.mean,
        "a_lo": ea.lo,
        "a_hi": ea.hi,
        "b_mean": eb.mean,
        "b_lo": eb.lo,
        "b_hi": eb.hi,
        "diff": eb.mean - ea.mean,
        "diff_lo": lo,
        "diff_hi": hi,
        "method": method,
    }
