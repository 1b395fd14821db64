"""``iadsim wta``: solve static weapon-target assignment instances and run the benchmark.

Only typer is imported here; NumPy, Numba and HiGHS load inside the commands.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from iadsim.cli.common import reported

__all__ = ["wta_app"]

wta_app = typer.Typer(
    name="wta",
    help="Static weapon-target assignment: solve an instance file, run the benchmark.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    """How ``iadsim wta solve`` prints its answer."""

    text = "text"
    json = "json"


@wta_app.command()
def solve(
    file: Annotated[
        Path,
        typer.Argument(
            help="instance file: iadsim JSON or the Andersen et al. text format",
            show_default=False,
        ),
    ],
    solver: Annotated[
        str, typer.Option("--solver", help="greedy, descent, local, exact or oa")
    ] = "local",
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", min=0.0, help="seconds (default: none)")
    ] = None,
    output: Annotated[
        Format, typer.Option("--format", "-f", help="text or one JSON document")
    ] = Format.text,
) -> None:
    """Solve one instance and print objective, bound, time and assignment."""
    from iadsim.wta import available_solvers, get_solver, load_instance

    if solver not in available_solvers():
        raise typer.BadParameter(
            f"{solver!r} is not a solver; choose one of {', '.join(available_solvers())}",
            param_hint="--solver",
        )
    with reported():
        problem = load_instance(file)
    answer = get_solver(solver).solve(problem, time_limit=time_limit)
    document = {"instance": str(file), "name": problem.name, **answer.to_dict()}
    if output is Format.json:
        typer.echo(json.dumps(document, indent=2))
        return
    bound = "none (heuristic)" if answer.bound is None else f"{answer.bound:.6f}"
    gap = "" if answer.gap is None else f" (gap {100 * answer.gap:.4f} %)"
    typer.echo(
        f"{file}: {problem.n_weapons} weapon types, {int(problem.counts.sum())} rounds, "
        f"{problem.n_targets} targets\n"
        f"solver {answer.solver}: {answer.status} in {answer.seconds:.3f} s\n"
        f"objective {answer.objective:.6f}, bound {bound}{gap}\n"
        f"{len(document['assignment'])} weapon-target pairs fired "
        "(--format json lists them)"
    )


@wta_app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="small instances only")] = False,
    data: Annotated[
        Path, typer.Option("--data", help="folder with the Andersen et al. wta_*.txt files")
    ] = Path("../shared/data/wta"),
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.0, help="seconds per instance, exact and oa")
    ] = 25.0,
    heuristic_limit: Annotated[
        float, typer.Option("--heuristic-limit", min=0.0, help="seconds per instance, local")
    ] = 1.0,
) -> None:
    """Run every solver on the Ahuja et al. sizes and the Andersen et al. instances."""
    from iadsim.wta.bench import HEADER, format_row, run_bench

    folder = data if data.is_dir() else None
    if folder is None:
        typer.echo(f"note: {data} not found; Andersen et al. instances skipped", err=True)
    typer.echo(HEADER)
    run_bench(
        folder,
        quick=quick,
        exact_limit=time_limit,
        heuristic_limit=heuristic_limit,
        on_row=lambda row: typer.echo(format_row(row)),
    )
