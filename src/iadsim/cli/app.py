"""The ``iadsim`` command: thin over the public API. Heavy imports happen inside commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from iadsim.cli.campaign import campaign as campaign_command
from iadsim.cli.common import (
    Engine,
    OutputFormat,
    engine_option,
    policy_option,
    reported,
    seed_option,
)
from iadsim.cli.history import backtest as backtest_command
from iadsim.cli.history import calibrate as calibrate_command
from iadsim.cli.history import history_app
from iadsim.cli.optimize import optimize_app
from iadsim.cli.report import report as report_command
from iadsim.cli.results import results_app
from iadsim.cli.serve import serve as serve_command
from iadsim.cli.sweep import sweep as sweep_command
from iadsim.cli.wta import wta_app
from iadsim.limits import MAX_REPLICATIONS

app = typer.Typer(
    name="iadsim",
    help="Simulate and plan layered air and missile defence against massed raids "
    "(simulation and analysis only: never connects to real sensors or weapons).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # help text is plain text: "[default: 200]" must not be read as rich markup (every
    # subcommand and group inherits this from the top-level app)
    rich_markup_mode="markdown",
)

__all__ = ["app", "main"]


ScenarioFile = Annotated[
    Path, typer.Argument(help="scenario file (YAML or JSON)", show_default=False)
]


def _show_version(value: bool) -> None:
    if value:
        from iadsim import __version__

        typer.echo(f"iadsim {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool | None,
        typer.Option(
            "--version",
            callback=_show_version,
            is_eager=True,
            help="print iadsim's version and exit",
        ),
    ] = None,
) -> None:
    """Simulate and plan layered air and missile defence against massed raids.

    Simulation and analysis only: iadsim never connects to real sensors or weapons.
    """


@app.command()
def run(
    file: ScenarioFile,
    replications: Annotated[
        int,
        typer.Option(
            "--replications",
            "-n",
            help=f"Monte Carlo replications, 1 to {MAX_REPLICATIONS:,}",
        ),
    ] = 1000,
    seed: Annotated[int, seed_option(checked=False)] = 0,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="override a field by dotted path, e.g. raids.0.count=1000"),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or one JSON document")
    ] = OutputFormat.table,
    replicate_index: Annotated[
        int | None,
        typer.Option(
            "--replicate-index",
            help="run only this replication, 0 to replications-1 (reproduces it)",
        ),
    ] = None,
    engine: Annotated[
        str, engine_option("fast (compiled, all cores) or reference (plain Python)")
    ] = Engine.fast.value,
    policy: Annotated[str | None, policy_option()] = None,
) -> None:
    """Run the Monte Carlo simulation of a scenario and print what got through and why."""
    from iadsim.api import check_run, prepare, run_compiled

    with reported():
        # the options are checked as the Python API checks them, in its words
        check_run(
            replications=replications,
            seed=seed,
            replicate_index=replicate_index,
            policy=policy,
            engine=engine,
        )
        scenario, compiled = prepare(file, overrides=overrides or (), policy=policy)
    if output is OutputFormat.json:
        summary = run_compiled(
            scenario,
            compiled,
            replications=replications,
            seed=seed,
            replicate_index=replicate_index,
            engine=engine,
            policy=policy,
        )
        typer.echo(json.dumps(summary.to_dict(), indent=2, allow_nan=False))
        return
    from iadsim.cli.progress import Bar
    from iadsim.cli.tables import print_summary

    bar = Bar()
    try:
        total = 1 if replicate_index is not None else replications
        summary = run_compiled(
            scenario,
            compiled,
            replications=replications,
            seed=seed,
            replicate_index=replicate_index,
            engine=engine,
            policy=policy,
            progress=bar.counter("replications", total),
        )
    finally:
        bar.close()
    print_summary(summary)


@app.command()
def validate(
    file: ScenarioFile,
    overrides: Annotated[
        list[str] | None, typer.Option("--set", help="override a field by dotted path")
    ] = None,
) -> None:
    """Check a scenario file, compile it, and say what it holds."""
    from iadsim.compile import compile_scenario
    from iadsim.scenario import load_scenario

    with reported():
        scenario = load_scenario(file, overrides=overrides or ())
        compiled = compile_scenario(scenario, source=file)
    typer.echo(
        f"{file}: valid scenario {scenario.name!r}: {compiled.n_threats} threats in "
        f"{len(scenario.raids)} raids, {len(scenario.sensors)} sensors, "
        f"{compiled.n_units} fire units, {compiled.n_assets} assets; "
        f"{int(compiled.eng_offset[-1])} engagement windows."
    )


@app.command()
def schema(
    kind: Annotated[
        str,
        typer.Option("--kind", "-k", help="scenario, sweep, campaign, laydown or procurement"),
    ] = "scenario",
) -> None:
    """Print the JSON Schema of an input file kind (for editors and the docs)."""
    from iadsim.cli.common import schema_document

    with reported():
        document = schema_document(kind)
    typer.echo(json.dumps(document, indent=2))


@app.command()
def presets(
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or JSON")
    ] = OutputFormat.table,
) -> None:
    """List the presets: approximate public class-level figures, each with its source."""
    from iadsim.scenario import FIRE_UNIT_PRESETS, SENSOR_PRESETS, THREAT_PRESETS

    groups = {"threat": THREAT_PRESETS, "fire unit": FIRE_UNIT_PRESETS, "sensor": SENSOR_PRESETS}
    if output is OutputFormat.json:
        typer.echo(json.dumps({k: dict(v) for k, v in groups.items()}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="Presets (approximate public figures; pk values are assumptions)", show_lines=True
    )
    for col in ("preset", "for", "figures", "source"):
        table.add_column(col, overflow="fold")
    for what, group in groups.items():
        for name, fields in group.items():
            figures = ", ".join(f"{k}={v}" for k, v in fields.items() if k != "source")
            table.add_row(name, what, figures, fields["source"])
    Console().print(table)


app.command("sweep")(sweep_command)
app.add_typer(results_app, name="results")
app.add_typer(wta_app, name="wta")
app.add_typer(history_app, name="history")
app.command("calibrate")(calibrate_command)
app.command("backtest")(backtest_command)
app.command("report")(report_command)
app.command("campaign")(campaign_command)
app.add_typer(optimize_app, name="optimize")
app.command("serve")(serve_command)


def _is_usage_error(exc: BaseException) -> bool:
    """A command-line usage error (click's ``ClickException``, as typer vendors it)."""
    return hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int)


def _usage_error(exc: Any) -> NoReturn:
    """Report a usage error in one ``error:`` line, as iadsim's own errors are; exit 2."""
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())  # ``iadsim`` alone: the help, as asked for
        sys.exit(0)
    where = f"{ctx.command_path}: " if ctx is not None else ""
    message = " ".join(str(exc.format_message()).split())
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    typer.echo(f"error: {where}{message}{hint}", err=True)
    sys.exit(int(exc.exit_code) if exc.exit_code else 2)


def main() -> None:
    """Entry point of the ``iadsim`` command.

    iadsim's own input errors exit with code 2 from inside each command. What
    escapes them is still reported in one line, never as a traceback: input too
    deep or too large for memory, or a file the machine cannot read or write (a
    full disk), exits with 2; a closed stdout pipe stops quietly (141); anything
    else is a bug in iadsim and exits with 70 (``IADSIM_DEBUG=1`` shows the
    traceback).
    """
    import os

    code: Any = None
    try:
        try:
            code = app(standalone_mode=False, prog_name="iadsim")
        except Exception as exc:
            if _is_usage_error(exc):
                _usage_error(exc)
            if type(exc).__name__ == "Abort":  # click's word for Ctrl-C
                raise KeyboardInterrupt from None
            raise
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except RecursionError:
        typer.echo("error: the input is nested too deeply to read", err=True)
        sys.exit(2)
    except MemoryError:
        typer.echo("error: not enough memory for this input; ask for less work", err=True)
        sys.exit(2)
    except BrokenPipeError:
        # the reader of stdout went away (``iadsim presets | head -1``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)
    except OSError as exc:
        # the machine, not iadsim: a full disk, a file that vanished or cannot be written
        where = f"{exc.filename}: " if exc.filename else ""
        reason = exc.strerror or " ".join(str(exc).split())[:300]
        typer.echo(f"error: {where}cannot read or write ({reason})", err=True)
        sys.exit(2)
    except Exception as exc:
        if os.environ.get("IADSIM_DEBUG"):
            raise
        detail = " ".join(str(exc).split())[:300]
        typer.echo(
            f"error: internal error ({type(exc).__name__}: {detail}); this is a bug in "
            "iadsim: please report it with the command and its input files "
            "(IADSIM_DEBUG=1 shows the traceback)",
            err=True,
        )
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
