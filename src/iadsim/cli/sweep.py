"""``iadsim sweep``: run a sweep into a results store, with a progress bar; resumable."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim.cli.common import Engine, PolicyChoice, policy_option, reported, seed_option
from iadsim.errors import OptionError

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


class _Progress:
    """The sweep's progress on stderr: replications stored, and what it waits for."""

    def __init__(self) -> None:
        from iadsim.cli.progress import Bar

        self.bar = Bar()
        self._advance: Any = None

    def start(self, total: int, done: int) -> None:
        self._advance = self.bar.counter("replications", total, done)

    def advance(self, replications: int) -> None:
        if self._advance is not None:
            self._advance(replications)

    def status(self, text: str | None) -> None:
        self.bar.status(text)

    def close(self) -> None:
        self.bar.close()


def _figures(store: Any, run_id: str) -> dict[str, Any]:
    from iadsim.metrics import mean_interval

    summary = store.summary(run_id)
    stored = store.replicates(run_id)
    leaked = mean_interval(  # never below 0, never more than launched
        stored["leaked"].to_numpy(dtype=float),
        lower=0.0,
        upper=float(stored["launched"].max()) if len(stored) else float("inf"),
    )
    return {
        "leaked": leaked.to_dict(),
        "defender_cost": summary.cost["defender"].to_dict(),
        "exchange_ratio": summary.cost["exchange_ratio"].to_dict(),
        "value_lost": summary.assets["value_lost"].to_dict(),
    }


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
        int | None,
        typer.Option("--points", min=1, help="points of the random design"),
    ] = None,
    design_seed: Annotated[
        int | None,
        seed_option("seed of the random design, 0 to 2^64-1 [default: 0]", "--design-seed"),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            "-n",
            min=1,
            help="replications per point [default: 200]",
        ),
    ] = None,
    seed: Annotated[int | None, seed_option("seed per point, 0 to 2^64-1 [default: 0]")] = None,
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
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            help="replications per stored batch",
        ),
    ] = None,
    engine: Annotated[
        Engine | None,
        typer.Option("--engine", "-e", help="identical results either way [default: fast]"),
    ] = None,
    policy: Annotated[
        PolicyChoice | None,
        policy_option("assignment policy at every point instead of the sweep file's or doctrine's"),
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="continue an interrupted sweep, or recompute the damaged or missing files of "
            "a finished one; keep what is done",
        ),
    ] = False,
    output: Annotated[
        SweepFormat, typer.Option("--format", "-f", help="table or one JSON document")
    ] = SweepFormat.table,
) -> None:
    """Vary scenario fields over a grid or a random design; store every point's results.

    Every batch is stored as it finishes. After Ctrl-C or a crash, the same
    command with --resume (or `iadsim sweep --resume` alone, for every sweep in
    the store that is unfinished or has a damaged or missing file) computes only
    what is missing and ends with the same numbers as an uninterrupted run.
    While another sweep writes the same store, this one waits for it.
    """
    with reported():
        from iadsim.errors import SweepError
        from iadsim.runner import Sweep, build_sweep

        if file is None:
            if not resume:
                raise SweepError(
                    "iadsim sweep", [("", "name a sweep or scenario file, or use --resume")]
                )
            given = {
                "--grid": grid,
                "--random": random,
                "--points": points,
                "--design-seed": design_seed,
                "--replications": replications,
                "--seed": seed,
                "--set": overrides,
                "--batch-size": batch_size,
                "--engine": engine,
                "--policy": policy,
            }
            named = [name for name, value in given.items() if value]
            if named:
                raise OptionError(
                    named[0],
                    "applies to a new sweep; `iadsim sweep --resume` alone continues the "
                    "stored sweeps as they were defined (name the file to change them)",
                )
            db = _open_store(store, create=False)
            pending = _to_resume(db)
            if not pending:
                typer.echo(
                    f"{store}: nothing to resume: every sweep is complete and every stored "
                    "file is intact",
                    err=True,
                )
                if output is SweepFormat.json:
                    typer.echo("[]")
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
                    policy=policy,
                    engine=None if engine is None else engine.value,
                )
            ]
            db = _open_store(store, create=True)
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


def _open_store(path: Path, *, create: bool) -> Any:
    """The store; a sweep queues (showing that it waits) while another one writes it."""
    from iadsim.cli.progress import Bar
    from iadsim.store import Store

    if create and path.exists() and not path.is_dir():
        raise OptionError("--store", f"expected a folder, but {path} is a file")
    bar = Bar()
    try:
        db = Store.open(path, create=create, lock_timeout=None, on_wait=bar.status)
    finally:
        bar.close()
    db.on_wait = None
    return db


def _to_resume(db: Any) -> list[dict[str, Any]]:
    """Unfinished sweeps, then finished ones with a damaged or missing file (all verified)."""
    from iadsim.cli.progress import Bar

    bar = Bar()
    db.on_wait = bar.status
    try:
        pending = db.unfinished_sweeps()
        track = bar.tracker("checking stored files")
        damaged = db.sweeps_to_repair(progress=lambda done, total: track(done, total))
    finally:
        bar.close()
        db.on_wait = None
    known = {p["sweep_id"] for p in pending}
    return pending + [p for p in damaged if p["sweep_id"] not in known]


def _run_one(
    sweep: Any, db: Any, backend: str, workers: int | None, address: str | None, resume: bool
) -> Any:
    from iadsim.runner import run_sweep

    progress = _Progress()
    db.on_wait = progress.status
    try:
        try:
            return run_sweep(
                sweep,
                db,
                backend=backend,
                workers=workers,
                address=address,
                resume=resume,
                progress=progress,
            )
        finally:
            progress.close()
            db.on_wait = None
    except Exception as exc:
        if not _interrupted(exc):
            raise
        return _stop_interrupted(db)
    except KeyboardInterrupt:
        return _stop_interrupted(db)


def _interrupted(exc: Exception) -> bool:
    """Whether ``exc`` is Ctrl-C that reached a DuckDB query.

    DuckDB turns the SIGINT into an InterruptException, or into a RuntimeError "Query
    interrupted" while fetching, instead of Python's KeyboardInterrupt.
    """
    import duckdb

    return isinstance(exc, duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "Query interrupted" in str(exc)
    )


def _stop_interrupted(db: Any) -> Any:
    """Say how to continue, and exit as Ctrl-C does (130)."""
    typer.echo(
        f"interrupted; finished batches are stored. Continue with: iadsim sweep --resume "
        f"--store {db.path}",
        err=True,
    )
    raise typer.Exit(130) from None


def _print_table(doc: dict[str, Any], console: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table

    from iadsim.cli.tables import estimate_text, fit_table, fits, short_names, value_text

    console = console or Console()
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
    fields = list(dict.fromkeys(k for row in doc["points"] for k in row["values"]))
    names = short_names(fields)
    legend = [f"{names[f]} = {f}" for f in fields if names[f] != f]
    caption = f"store {doc['store']}; mean [95% CI] per night; run: first 8 characters of its id"
    if legend:
        caption += "; " + ", ".join(legend)

    figures = [
        ("leaked", "leaked", False),
        ("defender\nspend", "defender_cost", True),
        ("exchange\nratio", "exchange_ratio", False),
        ("value\nlost", "value_lost", False),
    ]

    def build(sep: str, *, point_columns: bool = True, figure_columns: bool = True) -> Table:
        table = Table()
        table.add_column("#", justify="right")
        cells: list[list[str]] = [[str(row["point"])] for row in doc["points"]]
        if point_columns:
            for f in fields:
                table.add_column(names[f], justify="right")
            for row, line in zip(doc["points"], cells, strict=True):
                line += [value_text(row["values"][f]) if f in row["values"] else "" for f in fields]
        if figure_columns:
            for col, _, _ in figures:
                table.add_column(col, justify="right")
            for row, line in zip(doc["points"], cells, strict=True):
                line += [estimate_text(row[k], money=m, sep=sep) for _, k, m in figures]
        if point_columns:
            table.add_column("run", no_wrap=True)
            for row, line in zip(doc["points"], cells, strict=True):
                line.append(row["run_id"][:8])
        for line in cells:
            table.add_row(*line)
        return table

    console.print(title, highlight=False, markup=False)
    table = fit_table(build, console)
    if fits(table, console):
        console.print(table)
    else:  # too wide even with intervals under their means: the points, then their results
        console.print(build(" ", figure_columns=False))
        console.print(fit_table(lambda sep: build(sep, point_columns=False), console))
    console.print(caption, highlight=False, markup=False)
