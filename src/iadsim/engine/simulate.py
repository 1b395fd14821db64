"""The engine's entry point: Monte Carlo replications of a compiled scenario."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from iadsim.compile import CompiledScenario
from iadsim.engine.outcomes import Outcomes
from iadsim.engine.reference import Tables, run_replication

__all__ = ["ENGINES", "simulate"]

ENGINES = ("fast", "reference")
"""Engines by name; each must give identical Outcomes for the same seed."""

POLICIES = ("greedy",)
"""Assignment policies the engines implement."""


def simulate(
    compiled: CompiledScenario,
    *,
    replications: int,
    seed: int,
    replicate_index: int | None = None,
    policy: str = "greedy",
    engine: str = "fast",
    progress: Callable[[int], None] | None = None,
) -> Outcomes:
    """Run Monte Carlo replications of ``compiled``.

    Args:
        compiled: the scenario, from :func:`iadsim.compile.compile_scenario`.
        replications: how many replications (``0 .. replications - 1``).
        seed: the seed; with it, any replication's outcome is fixed.
        replicate_index: run only this one replication (it reproduces row
            ``replicate_index`` of the full run exactly).
        policy: the weapon-assignment policy (``"greedy"``).
        engine: ``"fast"`` (compiled, parallel over replications) or ``"reference"``
            (plain Python, the specification); both give identical Outcomes.
        progress: called with the number of replications just finished.

    Returns:
        :class:`Outcomes` with one row per replication run.

    Raises:
        ValueError: for a negative count or seed, an index outside the run, or
            an unknown engine or policy.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; known: {', '.join(POLICIES)}")
    if replicate_index is not None:
        if not 0 <= replicate_index < replications:
            raise ValueError(f"replicate_index {replicate_index} is outside 0..{replications - 1}")
        reps = np.array([replicate_index], dtype=np.int64)
    else:
        reps = np.arange(replications, dtype=np.int64)
    out = Outcomes.empty(seed, reps, compiled.n_threats, compiled.n_units, compiled.n_assets)
    if engine == "fast":
        from iadsim.engine.fast import run_batch, scenario_args

        args = scenario_args(compiled)
        step = 256
        for lo in range(0, len(reps), step):
            part = Outcomes.empty(
                seed, reps[lo : lo + step], compiled.n_threats, compiled.n_units, compiled.n_assets
            )
            run_batch(compiled, seed, part.replications, part, args)
            out.fate[lo : lo + step] = part.fate
            out.time[lo : lo + step] = part.time
            out.cause[lo : lo + step] = part.cause
            out.hit[lo : lo + step] = part.hit
            out.shots[lo : lo + step] = part.shots
            out.engagements[lo : lo + step] = part.engagements
            out.asset_destroyed[lo : lo + step] = part.asset_destroyed
            if progress is not None:
                progress(len(part))
        return out
    tables = Tables(compiled)
    for row, rep in enumerate(reps):
        run_replication(compiled, seed, int(rep), out, row, tables)
        if progress is not None:
            progress(1)
    return out
