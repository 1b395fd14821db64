"""``iadsim report``: HTML report (map, replay, charts) and PNG charts of a scenario or a run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iadsim.cli.common import (
    check_output_dir,
    check_output_file,
    engine_option,
    policy_option,
    reported,
    seed_option,
)
from iadsim.cli.progress import Bar
from iadsim.cli.sweep import DEFAULT_STORE
from iadsim.errors import IadsimError, OptionError
from iadsim.limits import MAX_REPLICATIONS

if TYPE_CHECKING:
    from iadsim.report import ReportData

__all__ = ["report"]

DEFAULT_REPLICATIONS = 200

_FILE_SUFFIXES = (".yaml", ".yml", ".json")


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
        typer.Option(
            "--replications",
            "-n",
            help=f"for a scenario or campaign file, 1 to {MAX_REPLICATIONS:,} "
            f"[default: {DEFAULT_REPLICATIONS}]",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        seed_option("for a scenario or campaign file, 0 to 2^64-1 [default: 0]", checked=False),
    ] = None,
    replicate_index: Annotated[
        int | None,
        typer.Option("--replicate-index", min=0, help="the replication to replay [default: 0]"),
    ] = None,
    replicate_alias: Annotated[
        int | None, typer.Option("--replicate", min=0, hidden=True, help="old name")
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="for a scenario file: override a field by dotted path"),
    ] = None,
    engine: Annotated[
        str | None,
        engine_option("for a scenario or campaign file: fast or reference [default: fast]"),
    ] = None,
    policy: Annotated[
        str | None,
        policy_option("for a scenario file: assignment policy instead of its doctrine's"),
    ] = None,
    store: Annotated[
        Path,
        typer.Option(
            "--store", "-o", envvar="IADSIM_STORE", help="results store of runs and sweeps"
        ),
    ] = DEFAULT_STORE,
    point: Annotated[
        int | None,
        typer.Option("--point", min=0, help="for a sweep: the point to map [default: 0]"),
    ] = None,
) -> None:
    """Write a report: laydown map, replay of one replication, charts with confidence intervals.

    A scenario file is run (fast engine by default) and replication
    --replicate-index is re-run with the reference engine to record its events.
    A campaign file adds its stockpiles over the days and the day each runs out
    to one standard night of its defence. A stored run or sweep is read from
    --store; for a sweep the report adds leakage against the swept field.
    """
    from iadsim.api import check_run

    with reported():
        # the run's options are checked as the Python API checks them, in its words
        check_run(
            replications=DEFAULT_REPLICATIONS if replications is None else replications,
            seed=0 if seed is None else seed,
            policy=policy,
            engine="fast" if engine is None else engine,
        )
        if html is None and png is None:
            raise OptionError("--html", "give --html FILE and/or --png DIR")
        if replicate_index is not None and replicate_alias is not None:
            raise OptionError("--replicate-index", "give it once (--replicate is its old name)")
        replicate = replicate_index if replicate_index is not None else replicate_alias or 0
        path = _source_file(source)
        inputs = [path] if path is not None else []
        # every output is checked before the (possibly long) work starts
        if html is not None:
            check_output_file(html, "--html", inputs=inputs)
        made_png = png is not None and not png.exists()
        if png is not None:
            check_output_dir(png, "--png")
        try:
            data = _gather(
                source, path, store, replications, seed, replicate, overrides, engine, point, policy
            )
        except BaseException:
            if made_png and png is not None and not any(png.iterdir()):
                png.rmdir()  # made for this report, which failed: leave nothing behind
            raise
        from iadsim.report import write_html, write_pngs

        written = []
        for option, target in (("--html", html), ("--png", png)):
            if target is None:
                continue
            try:
                if option == "--html":
                    written.append(write_html(data, target))
                else:
                    written.extend(write_pngs(data, target))
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                raise OptionError(option, f"cannot write {target} ({reason})") from None
    for written_path in written:
        typer.echo(f"wrote {written_path}")


def _gather(
    source: str,
    path: Path | None,
    store: Path,
    replications: int | None,
    seed: int | None,
    replicate: int,
    overrides: list[str] | None,
    engine: str | None,
    point: int | None,
    policy: str | None = None,
) -> ReportData:
    """The report's data, from the file (run) or from the store (read)."""
    if path is not None:
        return _from_file(
            path, replications, seed, replicate, overrides or [], engine, point, policy
        )
    given = {
        "--replications": replications,
        "--seed": seed,
        "--set": overrides or None,
        "--engine": engine,
        "--policy": policy,
    }
    named = [name for name, value in given.items() if value is not None]
    if named:
        raise OptionError(
            named[0],
            f"only for a scenario or campaign file; {source!r} is read as a run or sweep id "
            f"in the store {store}, which has its own ({', '.join(named)} given)",
        )
    return _from_store(source, store, replicate, point)


def _source_file(source: str) -> Path | None:
    """The scenario or campaign file ``source`` names, or None when it is a run or sweep id.

    Raises:
        IadsimError: a folder, or something that looks like a file path but is missing.
    """
    path = Path(source)
    if path.is_file():
        return path
    if path.is_dir():
        raise IadsimError(
            f"{source}: is a folder; expected a scenario or campaign file, or a run or sweep id"
        )
    if path.suffix.lower() in _FILE_SUFFIXES or "/" in source or "\\" in source:
        raise IadsimError(f"{source}: no such file")
    return None


def _from_file(
    path: Path,
    replications: int | None,
    seed: int | None,
    replicate: int,
    overrides: list[str],
    engine: str | None,
    point: int | None,
    policy: str | None = None,
) -> ReportData:
    from iadsim.report import report_from_campaign, report_from_scenario
    from iadsim.scenario import read_raw

    if point is not None:
        raise OptionError("--point", "applies to a sweep in the store, not to a file")
    n = DEFAULT_REPLICATIONS if replications is None else replications
    if replicate >= n:
        raise OptionError(
            "--replicate-index", f"must be in 0..{n - 1} (one of the {n} replications)"
        )
    engine_name = engine or "fast"
    raw = read_raw(path)[0]
    bar = Bar(quiet_unless_terminal=True)
    try:
        if isinstance(raw, dict) and "defence" in raw:  # a campaign names its defence scenario
            if overrides:
                raise OptionError("--set", "applies to a scenario file, not to a campaign")
            if policy is not None:
                raise OptionError(
                    "--policy",
                    "applies to a scenario file, not to a campaign (set the policy in the "
                    "doctrine of the campaign's defence scenario)",
                )
            return report_from_campaign(
                path,
                replications=n,
                seed=0 if seed is None else seed,
                replicate=replicate,
                engine=engine_name,
                progress=bar.tracker("campaign"),
            )
        return report_from_scenario(
            path,
            replications=n,
            seed=0 if seed is None else seed,
            replicate=replicate,
            overrides=overrides,
            engine=engine_name,
            policy=policy,
            progress=bar.counter("replications", n),
        )
    finally:
        bar.close()


def _from_store(source: str, store: Path, replicate: int, point: int | None) -> ReportData:
    from iadsim.report import report_from_store
    from iadsim.report.sources import UnknownId
    from iadsim.store import Store

    try:
        db = Store.open(store)
    except IadsimError as exc:
        raise IadsimError(
            f"{source}: neither a file nor a run or sweep id ({exc}); give a scenario or "
            "campaign file, or a run or sweep id with --store"
        ) from None
    try:
        return report_from_store(db, source, replicate=replicate, point=point)
    except UnknownId:
        raise IadsimError(
            f"{source}: neither a file nor a run or sweep id in the store {store} (see "
            f"`iadsim results list --store {store}`)"
        ) from None
