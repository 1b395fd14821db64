"""``iadsim sweep``: run a sweep into a results store, with a progress bar; resumable."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim.cli.common import reported

__all__ = ["DEFAULT_STORE", "StoreOption", "sweep"]

DEFAULT_STORE = Path("iadsim-results")

StoreOption = Annotated[
    Path,
    typer.Option("--store", "-o", envvar="IADSIM_STORE", help="results store folder (made if new)"),
]


class BackendName(StrEnum):
    """Where the batches run."""

    in_process = "in-process"
    pool = "pool"
    ray = "ray"


class SweepFormat(StrEnum):
    """How ``iadsim sweep`` prints what it found."""

    table = "table"
    json = "json"


class _Bar:
    """A rich progress bar on stderr, counting replications; opened once the sweep starts.

    Opening it only then keeps an input error the first line on stderr.
    """

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    def start(self, total: int, done: int) -> None:
        from rich.console import Console
        from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

        columns = (
            *Progress.get_default_columns()[:-1],
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        self.bar = Progress(*columns, console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("replications", total=total, completed=done)

    def advance(self, replications: int) -> None:
        self.bar.advance(self.task, replications)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _figures(store: Any, run_id: str) -> dict[str, Any]:
    from iadsim.metrics import mean_interval

    summary = store.summary(run_id)
    leaked = mean_interval(store.replicates(run_id)["leaked"].to_numpy(dtype=float))
    return {
        "leaked": leaked.to_dict(),
        "defender_cost": summary.cost["defender"].to_dict(),
        "exchange_ratio": summary.cost["exchange_ratio"].to_dict(),
        "value_lost": summary.assets["value_lost"].to_dict(),
    }


def _est(e: dict[str, Any], money: bool = False) -> str:
    def num(x: float) -> str:
        if money:
            for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
                if abs(x) >= div:
                    return f"${x / div:.3g}{suffix}"
            return f"${x:.0f}"
        return f"{x:.3g}"

    if e["mean"] is None or (isinstance(e["mean"], float) and math.isnan(e["mean"])):
        return "–"
    if e["lo"] is None or e["lo"] == e["hi"]:
        return num(e["mean"])
    return f"{num(e['mean'])} [{num(e['lo'])}–{num(e['hi'])}]"


def sweep(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="sweep file, or a scenario file to sweep with --grid/--random "
            "(optional with --resume)",
            show_default=False,
        ),
    ] = None,
    grid: Annotated[
        list[str] | None,
        typer.Option("--grid", help="grid axis: dotted path=v1,v2,... (repeat for more axes)"),
    ] = None,
    random: Annotated[
        list[str] | None,
        typer.Option(
            "--random",
            help="random-design field: path=uniform(lo, hi) | log_uniform(lo, hi) | "
            "integers(lo, hi) | choice(a, b, ...)",
        ),
    ] = None,
    points: Annotated[
        int | None, typer.Option("--points", min=1, help="points of the random design")
    ] = None,
    design_seed: Annotated[
        int | None, typer.Option("--design-seed", min=0, help="seed of the random design")
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option("--replications", "-n", min=1, help="replications per point [default: 200]"),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", min=0, help="seed per point [default: 0]")
    ] = None,
    overrides: Annotated[
        list[str] | None, typer.Option("--set", help="fix a field at every point: path=value")
    ] = None,
    backend: Annotated[
        BackendName, typer.Option("--backend", "-b", help="where batches run")
    ] = BackendName.pool,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-j", min=1, help="pool processes [default: all cores]"),
    ] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="Ray cluster address (ray backend)")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, help="replications per stored batch")
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option("--engine", help="fast or reference (identical results) [default: fast]"),
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    resume: Annotated[
        bool, typer.Option("--resume", help="continue an interrupted sweep; keep what is done")
    ] = False,
    output: Annotated[
        SweepFormat, typer.Option("--format", "-f", help="table or one JSON document")
    ] = SweepFormat.table,
) -> None:
    """Vary scenario fields over a grid or a random design; store every point's results.

    Every batch is stored as it finishes. After Ctrl-C or a crash, the same
    command with --resume (or `iadsim sweep --resume` alone, for every
    unfinished sweep in the store) computes only what is missing and ends with
    the same numbers as an uninterrupted run.
    """
    with reported():
        from iadsim.errors import SweepError
        from iadsim.runner import Sweep, build_sweep
        from iadsim.store import Store

        if file is None:
            if not resume:
                raise SweepError(
                    "iadsim sweep", [("", "name a sweep or scenario file, or use --resume")]
                )
            db = Store.open(store)
            pending = db.unfinished_sweeps()
            if not pending:
                typer.echo(f"{store}: no unfinished sweep to resume", err=True)
                return
            sweeps = [Sweep.from_definition(p["definition"], source=p["source"]) for p in pending]
        else:
            sweeps = [
                build_sweep(
                    file,
                    grid=grid or (),
                    random=random or (),
                    points=points,
                    design_seed=design_seed,
                    replications=replications,
                    seed=seed,
                    overrides=overrides or (),
                    batch_size=batch_size,
                    engine=engine,
                )
            ]
            db = Store.create(store)
        reports = [_run_one(s, db, backend.value, workers, address, resume) for s in sweeps]
    documents = []
    for report in reports:
        with reported():
            rows = [
                {
                    "point": pr.point.index,
                    "values": pr.point.values,
                    "seed": pr.point.seed,
                    "run_id": pr.run_id,
                    **_figures(db, pr.run_id),
                }
                for pr in report.points
            ]
        documents.append(
            {
                "sweep_id": report.sweep_id,
                "store": str(report.store),
                "backend": report.backend,
                "workers": report.workers,
                "replications_computed": report.computed,
                "replications_reused": report.reused,
                "damaged_files_recomputed": report.damaged,
                "seconds": round(report.seconds, 3),
                "points": rows,
            }
        )
    if output is SweepFormat.json:
        typer.echo(json.dumps(documents[0] if len(documents) == 1 else documents, indent=2))
        return
    for doc in documents:
        _print_table(doc)


def _run_one(
    sweep: Any, db: Any, backend: str, workers: int | None, address: str | None, resume: bool
) -> Any:
    from iadsim.runner import run_sweep

    bar = _Bar()
    try:
        try:
            return run_sweep(
                sweep,
                db,
                backend=backend,
                workers=workers,
                address=address,
                resume=resume,
                progress=bar,
            )
        finally:
            bar.close()
    except KeyboardInterrupt:
        typer.echo(
            f"interrupted; finished batches are stored. Continue with: iadsim sweep --resume "
            f"--store {db.path}",
            err=True,
        )
        raise typer.Exit(130) from None


def _print_table(doc: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    title = (
        f"sweep {doc['sweep_id']}: {len(doc['points'])} points; "
        f"{doc['replications_computed']} replications computed, "
        f"{doc['replications_reused']} already stored"
        + (
            f", {doc['damaged_files_recomputed']} damaged files recomputed"
            if doc["damaged_files_recomputed"]
            else ""
        )
        + f"; {doc['seconds']:.1f} s ({doc['backend']}, {doc['workers']} workers)"
    )
    table = Table(
        title=title, title_justify="left", caption=f"store: {doc['store']} (mean [95% CI])"
    )
    for col in (
        "point",
        "values",
        "run",
        "leaked",
        "defender spend",
        "exchange ratio",
        "value lost",
    ):
        table.add_column(col, justify="left" if col in ("values", "run") else "right")
    for row in doc["points"]:
        values = " ".join(f"{k}={v}" for k, v in row["values"].items()) or "(base)"
        table.add_row(
            str(row["point"]),
            values,
            row["run_id"],
            _est(row["leaked"]),
            _est(row["defender_cost"], money=True),
            _est(row["exchange_ratio"]),
            _est(row["value_lost"]),
        )
    Console().print(table)
