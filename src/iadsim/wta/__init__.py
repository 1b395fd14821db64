"""Static weapon-target assignment: the problem, instances, file formats and solvers.

Usable on its own::

    from iadsim.wta import ahuja_instance, solve
    problem = ahuja_instance(200, seed=1)
    best = solve(problem, "exact", time_limit=10)
    print(best.objective, best.bound)

Solvers are registered by name (``available_solvers()``): ``greedy`` (maximum
marginal return), ``descent`` and ``local`` (local search, the latter with
ruin-and-recreate restarts), ``columns`` (column generation over target
allocations with a Lagrangian bound, and a proof by listing every allocation
within the reduced-cost gap: the fastest exact solver when weapon types have
several rounds; certificates in :mod:`iadsim.wta.proof`), ``exact`` (outer
approximation over HiGHS, proves optimality) and ``oa`` (the plain
outer-approximation loop, kept as the general-purpose MIP baseline).
"""

from iadsim.wta.check import check_solver
from iadsim.wta.instances import ahuja_instance
from iadsim.wta.io import InstanceError, load_instance, read_andersen, read_json, write_json
from iadsim.wta.problem import Problem
from iadsim.wta.registry import Solver, available_solvers, get_solver, register, solve
from iadsim.wta.solution import Solution

__all__ = [
    "InstanceError",
    "Problem",
    "Solution",
    "Solver",
    "ahuja_instance",
    "available_solvers",
    "check_solver",
    "get_solver",
    "load_instance",
    "read_andersen",
    "read_json",
    "register",
    "solve",
    "write_json",
]
