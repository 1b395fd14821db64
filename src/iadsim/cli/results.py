"""``iadsim results``: list, show, compare and query the runs in a results store."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim.cli.common import reported
from iadsim.cli.sweep import DEFAULT_STORE

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

StoreOption = Annotated[
    Path,
    typer.Option("--store", "-o", envvar="IADSIM_STORE", help="results store folder"),
]


def _cell(value: Any) -> str:
    from iadsim.format import number

    if value is None:
        return ""
    if isinstance(value, float):
        return number(value)
    return str(value)


def _table(frame: Any, title: str = "", wrap: tuple[str, ...] | None = None) -> Any:
    """A rich table of ``frame``; only the ``wrap`` columns wrap (all when None)."""
    from rich.table import Table

    table = Table(title=title or None, title_justify="left")
    for col in frame.columns:
        if wrap is None or col in wrap:
            table.add_column(str(col), overflow="fold")
        else:
            table.add_column(str(col), no_wrap=True)
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    return table


def _emit(
    frame: Any,
    output: TableFormat,
    title: str = "",
    wrap: tuple[str, ...] | None = None,
    optional: tuple[str, ...] = (),
) -> None:
    """Print ``frame`` as a table, CSV or JSON.

    In a table, only the ``wrap`` columns wrap (all of them when ``wrap`` is
    None), and the ``optional`` columns are left out if the table would not fit
    the terminal otherwise.
    """
    if output is TableFormat.csv:
        typer.echo(frame.to_csv(index=False), nl=False)
        return
    if output is TableFormat.json:
        typer.echo(frame.to_json(orient="records", date_format="iso", indent=2))
        return
    from rich.console import Console

    from iadsim.cli.tables import fits

    console = Console()
    table = _table(frame, title, wrap)
    if optional and not fits(table, console):
        table = _table(frame.drop(columns=list(optional)), title, wrap)
    console.print(table)


def _point_text(point: Any) -> str:
    """A stored point (JSON text or dict) as ``name=value ...`` with values to 4 digits."""
    from iadsim.cli.tables import short_names, value_text

    values = json.loads(point) if isinstance(point, str) else (point or {})
    names = short_names(values)
    return " ".join(f"{names[k]}={value_text(v)}" for k, v in values.items())


def _time(value: Any) -> str:
    text = str(value)
    return "" if text in ("NaT", "None", "nan") else text[:16]


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
    """List the runs (or sweeps) in the store, newest first.

    The table shortens ids to 8 characters (enough for `iadsim results show` and
    `iadsim report`, which take a unique prefix); json and csv give everything.
    """
    with reported():
        db = _open(store)
        frame = db.sweeps() if sweeps else db.runs(sweep)
    title = f"{store}: {len(frame)} {'sweeps' if sweeps else 'runs'}"
    if output is not TableFormat.table:
        _emit(frame, output)
        return
    import pandas as pd

    if sweeps:
        table = pd.DataFrame(
            {
                "sweep": [str(s)[:8] for s in frame["sweep_id"]],
                "status": frame["status"],
                "name": frame["name"],
                "points": frame["points"],
                "reps": frame["replications"],
                "seed": frame["seed"],
                "finished (UTC)": [_time(t) for t in frame["finished_at"]],
            }
        )
        wrap: tuple[str, ...] = ("name",)
    else:
        table = pd.DataFrame(
            {
                "run": [str(r)[:8] for r in frame["run_id"]],
                "status": frame["status"],
                "sweep": [str(s)[:8] if s else "" for s in frame["sweep_id"]],
                "#": frame["point_index"],
                "point": [_point_text(p) for p in frame["point"]],
                "seed": frame["seed"],
                "done": [
                    f"{int(d)}/{int(n)}"
                    for d, n in zip(frame["replications_done"], frame["replications"], strict=True)
                ],
                "finished (UTC)": [_time(t) for t in frame["finished_at"]],
            }
        )
        wrap = ("point",)
    _emit(table, output, title, wrap=wrap, optional=("finished (UTC)",))


@results_app.command()
def show(
    run: Annotated[str, typer.Argument(help="run id (or a unique prefix)", show_default=False)],
    store: StoreOption = DEFAULT_STORE,
    output: Annotated[
        TableFormat,
        typer.Option(
            "--format",
            "-f",
            help="table; json (the run's record and summary); csv (the summary, one row per "
            "figure)",
        ),
    ] = TableFormat.table,
) -> None:
    """Show a run: what produced it (scenario hash, point, seed, versions) and its summary."""
    with reported():
        db = _open(store)
        record = db.run(run)
        summary = db.summary(record["run_id"])
        frame = db.summary_frame(record["run_id"]) if output is TableFormat.csv else None
    if output is TableFormat.json:
        doc = {"run": record, "summary": summary.to_dict()}
        typer.echo(json.dumps(doc, indent=2, default=str))
        return
    if frame is not None:
        _emit(frame, output)
        return
    from rich.console import Console

    from iadsim.cli.tables import render_summary

    console = Console()
    point = _point_text(record["point"]) or "(base scenario)"
    versions = ", ".join(f"{k} {v}" for k, v in (record["versions"] or {}).items())
    console.print(
        f"run {record['run_id']} ({record['status']}): {point}\n"
        f"scenario {record['scenario_path']} (hash {record['scenario_hash'][:16]}), "
        f"seed {record['seed']}, {record['replications']} replications, "
        f"policy {record['policy']}, engine {record['engine']}\n"
        f"{_time(record['started_at'])} – {_time(record['finished_at'])} UTC; {versions}",
        highlight=False,
        markup=False,
    )
    console.print(render_summary(summary, console))


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
    _print_comparison(frame, a, b)


_SECTIONS = {
    "replicate": "totals per night",
    "by_kind": "by threat kind",
    "by_class": "by threat class",
    "shots": "rounds by fire-unit class",
    "by_layer": "by layer",
    "by_unit": "by fire unit",
    "cost": "cost",
    "assets": "assets",
}


def _print_comparison(frame: Any, a: str, b: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from iadsim.cli.tables import estimate_text, fit_table

    console = Console()

    def build(sep: str) -> Table:
        table = Table(title=f"a = {a}, b = {b}", title_justify="left")
        table.add_column("figure", overflow="fold")
        for col in ("a", "b", "b − a"):
            table.add_column(col, justify="right")
        for section, rows in frame.groupby("section", sort=False):
            methods = ", ".join(dict.fromkeys(str(m) for m in rows["method"]))
            table.add_section()
            table.add_row(f"{_SECTIONS.get(str(section), str(section))} (b − a: {methods})")
            for row in rows.itertuples(index=False):
                metric = str(row.metric)
                money = "cost" in metric or (
                    str(row.section) == "cost" and metric in ("defender", "attacker")
                )
                cells = [
                    estimate_text({"mean": m, "lo": lo, "hi": hi}, money=money, sep=sep)
                    for m, lo, hi in (
                        (row.a_mean, row.a_lo, row.a_hi),
                        (row.b_mean, row.b_lo, row.b_hi),
                        (row.diff, row.diff_lo, row.diff_hi),
                    )
                ]
                name = " ".join(str(x) for x in (row.group, row.metric) if x)
                table.add_row(f"  {name}", *cells)
        table.caption = "mean [95% CI] per night"
        table.caption_justify = "left"
        return table

    console.print(fit_table(build, console))


@results_app.command()
def sql(
    query: Annotated[str, typer.Argument(help="a DuckDB SQL query", show_default=False)],
    store: StoreOption = DEFAULT_STORE,
    output: Format = TableFormat.table,
    max_rows: Annotated[
        int,
        typer.Option("--max-rows", min=1, help="print at most this many rows"),
    ] = 100_000,
    timeout: Annotated[
        float | None,
        typer.Option("--time-limit", min=0.0, help="stop the query after so many seconds"),
    ] = None,
) -> None:
    """Query the store with SQL (DuckDB), read-only.

    Tables: runs, sweeps, sweep_points, files (the catalogue); outcomes (one row
    per replication: run_id, replication, launched, destroyed, lost_to_ew,
    leaked, hits, rounds, defender_cost, exchange_ratio, value_lost,
    assets_destroyed, and per-threat lists); summaries (run_id, section, group,
    metric, mean, lo, hi). The query reads these and nothing else: it cannot
    write, read other files, attach databases or load extensions.
    """
    with reported():
        frame = _open(store).sql(query, max_rows=max_rows, timeout=timeout)
    if frame.attrs.get("truncated"):
        typer.echo(
            f"the query returns more than {max_rows:,} rows; showing the first {max_rows:,} "
            "(--max-rows)",
            err=True,
        )
    _emit(frame, output)
