"""Solvers behind one small interface, registered by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from iadsim.wta.problem import Problem
from iadsim.wta.solution import Solution

__all__ = ["Solver", "available_solvers", "get_solver", "register", "solve"]


class Solver(Protocol):
    """A WTA solver: options are fixed at construction, ``solve`` may be called many times.

    Every solver must pass :func:`iadsim.wta.check.check_solver`: feasible answers,
    ``objective`` equal to ``problem.objective(x)``, a bound (if any) no larger than
    the objective, identical answers on identical calls when no time limit binds,
    and return within the time limit plus a small grace.
    """

    name: str
    """The registered name."""
    exact: bool
    """Whether the solver returns a proven lower bound."""

    def solve(self, problem: Problem, *, time_limit: float | None = None) -> Solution:
        """Solve ``problem``; stop after about ``time_limit`` seconds (None: no limit)."""
        ...


_REGISTRY: dict[str, Callable[..., Solver]] = {}


def register(name: str) -> Callable[[Callable[..., Solver]], Callable[..., Solver]]:
    """Class decorator: make a solver constructible by ``get_solver(name, **options)``."""

    def decorate(factory: Callable[..., Solver]) -> Callable[..., Solver]:
        if name in _REGISTRY:
            raise ValueError(f"a WTA solver named {name!r} is already registered")
        _REGISTRY[name] = factory
        return factory

    return decorate


def _load_builtin() -> None:
    # The built-in solvers register themselves on import.
    from iadsim.wta import colgen, exact, heuristics  # noqa: F401


def available_solvers() -> list[str]:
    """Names of the registered solvers, sorted."""
    _load_builtin()
    return sorted(_REGISTRY)


def get_solver(name: str, **options: Any) -> Solver:
    """The solver registered as ``name``, built with ``options``.

    Raises:
        KeyError: no solver has that name (the message lists the ones that exist).
    """
    _load_builtin()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"no WTA solver named {name!r}; available: {', '.join(sorted(_REGISTRY))}"
        ) from None
    return factory(**options)


def solve(
    problem: Problem, solver: str = "local", *, time_limit: float | None = None, **options: Any
) -> Solution:
    """Solve ``problem`` with the solver registered as ``solver``."""
    return get_solver(solver, **options).solve(problem, time_limit=time_limit)
