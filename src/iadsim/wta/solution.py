"""What a WTA solver returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Solution"]


@dataclass(frozen=True, eq=False)
class Solution:
    """A solver's answer to one :class:`~iadsim.wta.problem.Problem`.

    Attributes:
        x: shots, ``x[i, j]`` rounds of weapon type i at target j, shape (m, n), int64.
        objective: the problem's objective at ``x`` (expected surviving value + lambda x cost).
        bound: a proven lower bound on the optimal objective, or None if the solver
            proves nothing (heuristics).
        seconds: wall-clock time the solver took.
        solver: the registered name of the solver.
        status: ``"optimal"`` (gap closed to the solver's tolerance), ``"time_limit"``
            (stopped early: ``x`` is the best found, ``bound`` the best proven) or
            ``"heuristic"`` (finished, nothing proven).
        info: solver-specific counters (iterations, cuts, nodes...).
    """

    x: NDArray[np.int64]
    objective: float
    bound: float | None
    seconds: float
    solver: str
    status: str
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap (objective - bound) / objective, or None without a bound."""
        if self.bound is None:
            return None
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / self.objective)

    def assignment(self) -> list[dict[str, int]]:
        """Non-zero entries of ``x`` as ``{"weapon": i, "target": j, "rounds": k}``, sorted."""
        rows, cols = np.nonzero(self.x)
        return [
            {"weapon": int(i), "target": int(j), "rounds": int(self.x[i, j])}
            for i, j in zip(rows, cols, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: objective, bound, gap, seconds, status and assignment."""
        return {
            "solver": self.solver,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": self.seconds,
            "info": self.info,
            "assignment": self.assignment(),
        }
