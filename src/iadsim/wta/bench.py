"""The WTA benchmark: Ahuja et al. sizes and the Andersen et al. instances, every solver.

Used by ``iadsim wta bench`` and ``benchmarks/wta.py``. For each instance it
runs each solver with a time limit and reports objective, bound, seconds and
the gap of each objective to the best bound any solver proved on it. The
``oa`` solver, a plain outer-approximation loop over HiGHS, is the
general-purpose MIP baseline measured in the same run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from iadsim.wta.instances import ahuja_instance
from iadsim.wta.io import read_andersen
from iadsim.wta.problem import Problem
from iadsim.wta.registry import get_solver

__all__ = ["BenchRow", "bench_instances", "format_rows", "run_bench"]

AHUJA_SIZES = (10, 20, 40, 80, 200)
ANDERSEN_SIZES = ("50x100", "100x200", "200x400", "300x600")
SOLVERS = ("greedy", "descent", "local", "exact", "columns", "oa")


@dataclass
class BenchRow:
    """One solver on one instance."""

    instance: str
    solver: str
    objective: float
    bound: float | None
    seconds: float
    status: str
    gap: float = math.nan
    """(objective - best bound on the instance) / objective."""


def bench_instances(
    data: Path | None, *, quick: bool = False, seed: int = 1
) -> Iterator[tuple[str, Callable[[], Problem]]]:
    """(name, loader) of each benchmark instance; Andersen ones only if ``data`` holds them."""
    for n in AHUJA_SIZES[:3] if quick else AHUJA_SIZES:
        yield f"ahuja-{n}", lambda n=n: ahuja_instance(n, seed=seed)  # type: ignore[misc]
    if data is None:
        return
    for size in ANDERSEN_SIZES[:1] if quick else ANDERSEN_SIZES:
        for mu in (1, 2, 3):
            path = data / f"wta_{size}x{mu}.txt"
            if path.exists():
                yield f"andersen-{size}x{mu}", lambda path=path: read_andersen(path)  # type: ignore[misc]


def run_bench(
    data: Path | None,
    *,
    quick: bool = False,
    solvers: tuple[str, ...] = SOLVERS,
    heuristic_limit: float = 1.0,
    exact_limit: float = 25.0,
    on_row: Callable[[BenchRow], None] | None = None,
) -> list[BenchRow]:
    """Run every solver on every instance; rows of one instance get their gaps when it ends."""
    rows: list[BenchRow] = []
    for solver_name in solvers:  # compile and load once, so times are of solving only
        get_solver(solver_name).solve(ahuja_instance(3, seed=0), time_limit=5.0)
    for name, load in bench_instances(data, quick=quick):
        problem = load()
        these = []
        for solver_name in solvers:
            solver = get_solver(solver_name)
            limit = exact_limit if solver.exact else heuristic_limit
            answer = solver.solve(problem, time_limit=limit)
            these.append(
                BenchRow(
                    name, solver_name, answer.objective, answer.bound, answer.seconds, answer.status
                )
            )
        bounds = [r.bound for r in these if r.bound is not None]
        best = max(bounds) if bounds else None
        for row in these:
            if best is not None and row.objective > 0:
                row.gap = max(0.0, (row.objective - best) / row.objective)
            if on_row is not None:
                on_row(row)
        rows.extend(these)
    return rows


HEADER = (
    f"{'instance':<20} {'solver':<7} {'objective':>12} {'bound':>12} {'seconds':>8} "
    f"{'gap %':>8}  status"
)


def format_rows(rows: list[BenchRow]) -> str:
    """A plain-text table of benchmark rows."""
    lines = [HEADER]
    lines.extend(format_row(row) for row in rows)
    return "\n".join(lines)


def format_row(row: BenchRow) -> str:
    """One line of the table."""
    bound = "-" if row.bound is None else f"{row.bound:12.4f}"
    gap = "-" if math.isnan(row.gap) else f"{100 * row.gap:8.4f}"
    return (
        f"{row.instance:<20} {row.solver:<7} {row.objective:12.4f} {bound:>12} "
        f"{row.seconds:8.3f} {gap:>8}  {row.status}"
    )
