"""``iadsim wta``: solve static weapon-target assignment instances and run the benchmark.

Only typer is imported here; NumPy, Numba and HiGHS load inside the commands.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from iadsim.cli.common import OutputFormat, Seed, reported
from iadsim.errors import OptionError

__all__ = ["wta_app"]

wta_app = typer.Typer(
    name="wta",
    help="Static weapon-target assignment: solve an instance file, run the benchmark.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SEEDED = ("local", "exact", "oa")
"""Solvers whose answer depends on a seed."""
ANDERSEN_FILES = "wta_{size}x{mu}.txt"


Format = OutputFormat
"""How ``iadsim wta`` prints its answer: ``table`` (text for people) or ``json``."""


class Solver(StrEnum):
    """The built-in WTA solvers (see :func:`iadsim.wta.available_solvers`)."""

    columns = "columns"
    greedy = "greedy"
    descent = "descent"
    local = "local"
    exact = "exact"
    oa = "oa"


def _json(document: Any) -> str:
    """Strict JSON: NaN and infinities become null (json.dumps would write NaN)."""

    def clean(item: Any) -> Any:
        if isinstance(item, float):
            return item if math.isfinite(item) else None
        if isinstance(item, dict):
            return {key: clean(value) for key, value in item.items()}
        if isinstance(item, list | tuple):
            return [clean(value) for value in item]
        return item

    return json.dumps(clean(document), indent=2, allow_nan=False)


def _limit(value: float | None, option: str) -> float | None:
    """A time limit in seconds: >= 0; infinity means none."""
    if value is None:
        return None
    if math.isnan(value) or value < 0:
        raise OptionError(option, f"expected seconds >= 0 (or inf for none), got {value}")
    return None if math.isinf(value) else value


@wta_app.command()
def solve(
    file: Annotated[
        Path,
        typer.Argument(
            help="instance file: iadsim JSON or the Andersen et al. text format",
            show_default=False,
        ),
    ],
    solver: Annotated[Solver, typer.Option("--solver", help="which solver")] = Solver.local,
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", min=0.0, help="seconds, 0 or more (default: none)"),
    ] = None,
    seed: Seed = 0,
    output: Annotated[
        Format, typer.Option("--format", "-f", help="table (text) or one JSON document")
    ] = Format.table,
    certificate: Annotated[
        Path | None,
        typer.Option(
            "--certificate",
            help="write the proof (assignment, bound and how it was obtained) to this JSON "
            "file; --solver columns only; check it with `iadsim wta verify`",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Solve one instance and print objective, bound, time and assignment.

    Instances hold at most 1,000,000 weapon-type x target pairs and 100,000 rounds,
    in a file of at most 64 MiB; a solve that would need more memory than the
    machine has is refused before it starts. --seed steers local, exact and oa.
    """
    from iadsim.wta import available_solvers, get_solver, load_instance
    from iadsim.wta.limits import check_memory

    name = solver.value
    with reported():
        if name not in available_solvers():
            raise OptionError(
                "--solver", f"{name!r} is not a solver; choose one of "
                f"{', '.join(available_solvers())}",
            )  # fmt: skip
        limit = _limit(time_limit, "--time-limit")
        if certificate is not None and name != "columns":
            raise OptionError(
                "--certificate", f"only the columns solver writes certificates, not {name}"
            )
        if certificate is not None:
            _check_output(certificate)
        problem = load_instance(file)
        check_memory(problem, name, source=file)
        options = {"seed": seed} if name in SEEDED else {}
        answer = get_solver(name, **options).solve(problem, time_limit=limit)
        if certificate is not None:
            from iadsim.wta.proof import certificate as make_certificate
            from iadsim.wta.proof import write

            try:
                write(make_certificate(problem, answer, source=file.name), certificate)
            except OSError as exc:
                raise OptionError(
                    "--certificate", f"cannot write {certificate} ({exc.strerror})"
                ) from None
    document = {"instance": str(file), "name": problem.name, **answer.to_dict()}
    if output is Format.json:
        typer.echo(_json(document))
        return
    if answer.bound is not None:
        bound = f"{answer.bound:.6f}"
    elif get_solver(name).exact:
        bound = "none (stopped before proving one)"
    else:
        bound = "none (heuristic)"
    gap = "" if answer.gap is None else f" (gap {100 * answer.gap:.4f} %)"
    typer.echo(
        f"{file}: {problem.n_weapons} weapon types, {int(problem.counts.sum())} rounds, "
        f"{problem.n_targets} targets\n"
        f"solver {answer.solver}: {answer.status} in {answer.seconds:.3f} s\n"
        f"objective {answer.objective:.6f}, bound {bound}{gap}\n"
        f"{len(document['assignment'])} weapon-target pairs fired "
        "(--format json lists them)"
    )


def _check_output(path: Path) -> None:
    """``path`` can be written: its folder exists and it is not a folder itself."""
    if path.is_dir():
        raise OptionError("--certificate", f"{path} is a folder; expected a file name")
    if not path.parent.is_dir():
        raise OptionError("--certificate", f"no such folder: {path.parent}")


@wta_app.command()
def verify(
    file: Annotated[
        Path,
        typer.Argument(
            help="instance file: iadsim JSON or the Andersen et al. text format",
            show_default=False,
        ),
    ],
    certificate: Annotated[
        Path,
        typer.Argument(help="certificate written by `wta solve --certificate`", show_default=False),
    ],
    resolve: Annotated[
        bool,
        typer.Option(
            "--resolve/--no-resolve",
            help="repeat the enumeration and the final MIP of an enumeration proof",
        ),
    ] = True,
    output: Annotated[
        Format, typer.Option("--format", "-f", help="table (text) or one JSON document")
    ] = Format.table,
) -> None:
    """Check a certificate: re-evaluate the assignment, recompute L(u), repeat the enumeration.

    Exit 0 when every claim holds; exit 2 with one error line naming the first that
    does not.
    """
    from iadsim.wta import load_instance
    from iadsim.wta.limits import InstanceError
    from iadsim.wta.proof import read_certificate
    from iadsim.wta.proof import verify as check

    with reported():
        problem = load_instance(file)
        try:
            document = read_certificate(certificate)
        except ValueError as exc:
            raise InstanceError(certificate, str(exc), head="not a valid certificate") from None
        try:
            checked = check(problem, document, resolve=resolve)
        except ValueError as exc:
            raise InstanceError(certificate, str(exc), head="certificate does not hold") from None
    if output is Format.json:
        typer.echo(_json({"instance": str(file), "certificate": str(certificate), **checked}))
        return
    bound = checked.get("bound")
    how = document.get("proof")
    if checked.get("resolved") is False:
        how = "L(u) only: --no-resolve"
    typer.echo(
        f"{certificate}: holds for {file}: objective {checked['objective']:.9f}"
        + ("" if bound is None else f", bound {bound:.9f} ({how})")
    )


def _andersen_folder(data: Path, quick: bool) -> Path:
    """Check that ``data`` is a folder holding (some of) the Andersen et al. files."""
    from iadsim.wta.bench import ANDERSEN_SIZES

    if not data.exists():
        raise OptionError("--data", f"no such folder: {data}")
    if not data.is_dir():
        raise OptionError("--data", f"expected a folder, but {data} is a file")
    sizes = ANDERSEN_SIZES[:1] if quick else ANDERSEN_SIZES
    names = [ANDERSEN_FILES.format(size=s, mu=mu) for s in sizes for mu in (1, 2, 3)]
    if not any((data / name).is_file() for name in names):
        raise OptionError(
            "--data",
            f"{data} holds none of the Andersen et al. instances ({names[0]} ... "
            f"{names[-1]}, from the repository tuliotoffolo/wta, folder data/)",
        )
    return data


@wta_app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="small instances only")] = False,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="folder with the Andersen et al. (2022) wta_*.txt files; without it only "
            "the generated Ahuja et al. instances are run",
            show_default=False,
        ),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.0, help="seconds per instance, exact and oa")
    ] = 25.0,
    heuristic_limit: Annotated[
        float, typer.Option("--heuristic-limit", min=0.0, help="seconds per instance, local")
    ] = 1.0,
    output: Annotated[
        Format,
        typer.Option("--format", "-f", help="table (rows as they finish) or one JSON document"),
    ] = Format.table,
) -> None:
    """Run every solver on the Ahuja et al. sizes and, with --data, the Andersen et al. ones.

    The Ahuja et al. (2007) instances are generated (seeded), so the benchmark runs
    anywhere. The Andersen, Pavlikov and Toffolo (2022) instances are not shipped
    with iadsim (their repository states no licence): give the folder holding them.
    """
    from iadsim.wta.bench import HEADER, format_row, run_bench

    with reported():
        exact_limit = _limit(time_limit, "--time-limit")
        local_limit = _limit(heuristic_limit, "--heuristic-limit")
        folder = None if data is None else _andersen_folder(data, quick)
        if folder is None:
            typer.echo(
                "note: Andersen et al. instances not run (give --data FOLDER with their "
                "wta_*.txt files)",
                err=True,
            )
        text = output is Format.table
        if text:
            typer.echo(HEADER)
        rows = run_bench(
            folder,
            quick=quick,
            exact_limit=math.inf if exact_limit is None else exact_limit,
            heuristic_limit=math.inf if local_limit is None else local_limit,
            on_row=(lambda row: typer.echo(format_row(row))) if text else None,
        )
    if not text:
        document = {
            "quick": quick,
            "data": None if folder is None else str(folder),
            "time_limit": time_limit,
            "heuristic_limit": heuristic_limit,
            "rows": [
                {
                    "instance": row.instance,
                    "solver": row.solver,
                    "objective": row.objective,
                    "bound": row.bound,
                    "seconds": row.seconds,
                    "gap": row.gap,
                    "status": row.status,
                }
                for row in rows
            ],
        }
        typer.echo(_json(document))
