"""``iadsim results``: list, show, compare and query the runs in a results store."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from typing import Annotated, Any

import typer

from iadsim.cli.common import reported
from iadsim.cli.sweep import DEFAULT_STORE, StoreOption

__all__ = ["results_app"]

results_app = typer.Typer(
    name="results",
    help="List, show, compare and query stored runs (a results store made by `iadsim sweep`).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class TableFormat(StrEnum):
    """How a results command prints a table."""

    table = "table"
    json = "json"
    csv = "csv"


Format = Annotated[TableFormat, typer.Option("--format", "-f", help="table, json or csv")]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _emit(frame: Any, output: TableFormat, title: str = "") -> None:
    if output is TableFormat.csv:
        typer.echo(frame.to_csv(index=False), nl=False)
        return
    if output is TableFormat.json:
        typer.echo(frame.to_json(orient="records", date_format="iso", indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title or None, title_justify="left")
    for col in frame.columns:
        table.add_column(str(col), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    Console().print(table)


def _open(store: Any) -> Any:
    from iadsim.store import Store

    return Store.open(store)


@results_app.command("list")
def list_runs(
    store: StoreOption = DEFAULT_STORE,
    sweeps: Annotated[bool, typer.Option("--sweeps", help="list sweeps instead of runs")] = False,
    sweep: Annotated[str | None, typer.Option("--sweep", help="only this sweep's runs")] = None,
    output: Format = TableFormat.table,
) -> None:
    """List the runs (or sweeps) in the store, newest first."""
    with reported():
        db = _open(store)
        if sweeps:
            frame = db.sweeps()
        else:
            frame = db.runs(sweep)
            if output is TableFormat.table:
                columns = ["run_id", "status", "sweep_id", "point_index", "point", "seed"]
                columns += ["replications_done", "replications", "finished_at"]
                frame = frame[columns].copy()
                frame["point"] = [
                    " ".join(f"{k}={v}" for k, v in json.loads(p).items()) if p else ""
                    for p in frame["point"]
                ]
                frame["finished_at"] = [str(t)[:19] for t in frame["finished_at"]]
                frame = frame.rename(columns={"point_index": "#", "replications_done": "done"})
    _emit(frame, output, f"{store}: {len(frame)} {'sweeps' if sweeps else 'runs'}")


@results_app.command()
def show(
    run: Annotated[str, typer.Argument(help="run id (or a unique prefix)", show_default=False)],
    store: StoreOption = DEFAULT_STORE,
    output: Annotated[
        TableFormat, typer.Option("--format", "-f", help="table or json")
    ] = TableFormat.table,
) -> None:
    """Show a run: what produced it (scenario hash, point, seed, versions) and its summary."""
    with reported():
        db = _open(store)
        record = db.run(run)
        summary = db.summary(record["run_id"])
    if output is not TableFormat.table:
        doc = {"run": record, "summary": summary.to_dict()}
        typer.echo(json.dumps(doc, indent=2, default=str))
        return
    from rich.console import Console

    from iadsim.cli.tables import render_summary

    console = Console()
    point = " ".join(f"{k}={v}" for k, v in (record["point"] or {}).items()) or "(base scenario)"
    versions = ", ".join(f"{k} {v}" for k, v in (record["versions"] or {}).items())
    console.print(
        f"run {record['run_id']} ({record['status']}): {point}\n"
        f"scenario {record['scenario_path']} (hash {record['scenario_hash'][:16]}), "
        f"seed {record['seed']}, {record['replications']} replications, "
        f"policy {record['policy']}, engine {record['engine']}\n"
        f"{record['started_at']} – {record['finished_at']} UTC; {versions}",
        highlight=False,
    )
    console.print(render_summary(summary))


@results_app.command()
def compare(
    run_a: Annotated[str, typer.Argument(help="first run (id or prefix)", show_default=False)],
    run_b: Annotated[str, typer.Argument(help="second run (id or prefix)", show_default=False)],
    store: StoreOption = DEFAULT_STORE,
    everything: Annotated[
        bool, typer.Option("--all", help="every summary figure, not only the main ones")
    ] = False,
    output: Format = TableFormat.table,
) -> None:
    """Compare two runs: each figure of both and the difference (b − a) with its interval."""
    from iadsim.store import compare_runs

    with reported():
        db = _open(store)
        a, b = db.resolve(run_a), db.resolve(run_b)
        frame = compare_runs(db, a, b)
    if output is not TableFormat.table:
        _emit(frame, output)
        return
    if not everything:
        frame = frame[frame["section"].isin(["replicate", "by_kind", "cost"])]

    def est(m: float, lo: float, hi: float) -> str:
        if math.isnan(lo) or lo == hi:
            return _cell(m)
        return f"{_cell(m)} [{_cell(lo)}–{_cell(hi)}]"

    rows = frame.assign(
        a=[est(*r) for r in frame[["a_mean", "a_lo", "a_hi"]].itertuples(index=False)],
        b=[est(*r) for r in frame[["b_mean", "b_lo", "b_hi"]].itertuples(index=False)],
        **{
            "b − a": [
                est(*r) for r in frame[["diff", "diff_lo", "diff_hi"]].itertuples(index=False)
            ]
        },
    )[["section", "group", "metric", "a", "b", "b − a", "method"]]
    _emit(rows, output, f"a = {a}, b = {b} (mean [95% CI]; per night)")


@results_app.command()
def sql(
    query: Annotated[str, typer.Argument(help="a DuckDB SQL query", show_default=False)],
    store: StoreOption = DEFAULT_STORE,
    output: Format = TableFormat.table,
) -> None:
    """Query the store with SQL (DuckDB).

    Tables: runs, sweeps, sweep_points, files (the catalogue); outcomes (one row
    per replication: run_id, replication, launched, destroyed, lost_to_ew,
    leaked, hits, rounds, defender_cost, exchange_ratio, value_lost,
    assets_destroyed, and per-threat lists); summaries (run_id, section, group,
    metric, mean, lo, hi).
    """
    with reported():
        frame = _open(store).sql(query)
    _emit(frame, output)
