"""``iadsim report``: HTML report (map, replay, charts) and PNG charts of a scenario or a run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iadsim.cli.common import reported
from iadsim.cli.sweep import DEFAULT_STORE

if TYPE_CHECKING:
    from iadsim.report import ReportData

__all__ = ["report"]


def report(
    source: Annotated[
        str,
        typer.Argument(
            help="a scenario or campaign file (it is run), or a run or sweep id in the store "
            "(it is read)",
            metavar="RUN_OR_SCENARIO",
            show_default=False,
        ),
    ],
    html: Annotated[
        Path | None, typer.Option("--html", help="write the self-contained HTML report here")
    ] = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="write the charts as PNG files into this folder")
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option("--replications", "-n", min=1, help="for a scenario file [default: 200]"),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", min=0, help="for a scenario file [default: 0]")
    ] = None,
    replicate: Annotated[
        int, typer.Option("--replicate", min=0, help="the replication to replay")
    ] = 0,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="for a scenario file: override a field by dotted path"),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", "-e", help="for a scenario file: fast or reference")
    ] = "fast",
    store: Annotated[
        Path,
        typer.Option("--store", envvar="IADSIM_STORE", help="results store of runs and sweeps"),
    ] = DEFAULT_STORE,
    point: Annotated[
        int | None,
        typer.Option("--point", min=0, help="for a sweep: the point to map [default: 0]"),
    ] = None,
) -> None:
    """Write a report: laydown map, replay of one replication, charts with confidence intervals.

    A scenario file is run (fast engine by default) and replication --replicate
    is re-run with the reference engine to record its events. A campaign file
    adds its stockpiles over the days and the day each runs out to one standard
    night of its defence. A stored run or sweep is read from --store; for a
    sweep the report adds leakage against the swept field.
    """
    with reported():
        if html is None and png is None:
            raise typer.BadParameter("give --html FILE and/or --png DIR", param_hint="--html")
        data = _gather(source, replications, seed, replicate, overrides or [], engine, store, point)
        from iadsim.report import write_html, write_pngs

        written = []
        if html is not None:
            written.append(write_html(data, html))
        if png is not None:
            written.extend(write_pngs(data, png))
    for path in written:
        typer.echo(f"wrote {path}")


def _gather(
    source: str,
    replications: int | None,
    seed: int | None,
    replicate: int,
    overrides: list[str],
    engine: str,
    store: Path,
    point: int | None,
) -> ReportData:
    from iadsim.report import report_from_campaign, report_from_scenario, report_from_store
    from iadsim.scenario import read_raw

    path = Path(source)
    if path.is_file():
        if point is not None:
            raise typer.BadParameter("applies to a sweep in the store", param_hint="--point")
        if engine not in ("fast", "reference"):
            raise typer.BadParameter(
                f"expected fast or reference, got {engine!r}", param_hint="--engine"
            )
        n = 200 if replications is None else replications
        if replicate >= n:
            raise typer.BadParameter(f"must be in 0..{n - 1}", param_hint="--replicate")
        if "defence" in read_raw(path)[0]:  # a campaign file names its defence scenario
            if overrides:
                raise typer.BadParameter(
                    "applies to a scenario file, not a campaign", param_hint="--set"
                )
            return report_from_campaign(
                path, replications=n, seed=0 if seed is None else seed, replicate=replicate,
                engine=engine,
            )  # fmt: skip
        return report_from_scenario(
            path,
            replications=n,
            seed=0 if seed is None else seed,
            replicate=replicate,
            overrides=overrides,
            engine=engine,
            progress=_progress(n),
        )
    options = {"--replications": replications, "--seed": seed, "--set": overrides or None}
    given = [name for name, value in options.items() if value is not None]
    if given:
        raise typer.BadParameter(
            f"{', '.join(given)}: only for a scenario or campaign file; {source!r} is not a "
            f"file, so it is read as a run or sweep in {store}, which has its own"
        )
    return report_from_store(store, source, replicate=replicate, point=point)


def _progress(total: int) -> Callable[[int], None] | None:
    """A quiet progress callback: a rich bar on stderr when it is a terminal, else nothing."""
    import sys

    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task("replications", total=total)
    bar.start()

    def advance(n: int) -> None:
        bar.advance(task, n)
        if bar.tasks[0].finished:
            bar.stop()

    return advance
