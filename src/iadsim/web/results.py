"""Stored runs for the page: the list, each run's report (the HTML report), comparisons.

The report is :mod:`iadsim.report`'s own page for a stored run
(:func:`~iadsim.report.report_from_store` and :func:`~iadsim.report.render_html`):
the same charts, map and replay as ``iadsim report --store``, any replication.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from iadsim.errors import StoreError

__all__ = ["compare_rows", "report_html", "stored_runs"]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def stored_runs(store: Path, *, busy: bool = False) -> dict[str, Any]:
    """The runs in the store, newest first (empty if there is no store yet)."""
    from iadsim.store import Store

    if not (store / "iadsim-store.json").exists():
        return {"runs": [], "store_error": None}
    if busy:
        return {"runs": [], "store_error": "the store is being written by a run"}
    try:
        frame = Store.open(store).runs()
    except StoreError as exc:
        return {"runs": [], "store_error": "error: " + " ".join(str(exc).split())}
    keep = [
        "run_id",
        "status",
        "name",
        "sweep_id",
        "seed",
        "replications",
        "policy",
        "engine",
        "scenario_hash",
        "started_at",
        "finished_at",
        "replications_done",
    ]
    rows = []
    for record in frame[keep].to_dict(orient="records"):
        rows.append({k: _plain(v) for k, v in record.items()})
    return {"runs": rows, "store_error": None}


def report_html(store: Path, run_id: str, replicate: int) -> str:
    """The HTML report of a stored run, replaying replication ``replicate``.

    Raises:
        StoreError: no such run, an unfinished run, or no such replication.
    """
    from iadsim.report import render_html, report_from_store
    from iadsim.store import Store

    if not (store / "iadsim-store.json").exists():
        raise StoreError(f"{store}: no results yet (run a scenario first)")
    data = report_from_store(Store.open(store), run_id, replicate=replicate)
    return render_html(data)


def compare_rows(store: Path, a: str, b: str) -> dict[str, Any]:
    """Runs ``a`` and ``b`` side by side: each figure of both and their difference (b − a)."""
    from iadsim.store import Store
    from iadsim.store.compare import compare_runs

    if not (store / "iadsim-store.json").exists():
        raise StoreError(f"{store}: no results yet (run a scenario first)")
    opened = Store.open(store)
    frame = compare_runs(opened, a, b)
    rows = [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
    return {
        "ok": True,
        "a": _plain_record(opened.run(a)),
        "b": _plain_record(opened.run(b)),
        "rows": rows,
    }


def _plain_record(record: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in record.items() if k not in ("versions", "point")}
