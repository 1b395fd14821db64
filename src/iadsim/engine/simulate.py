"""The engine's entry point: Monte Carlo replications of a compiled scenario."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from iadsim.c2 import POLICY_NAMES
from iadsim.c2 import policy as find_policy
from iadsim.compile import CompiledScenario
from iadsim.engine.outcomes import ARRAYS, Outcomes
from iadsim.engine.reference import run_replication
from iadsim.engine.scene import build_scene

__all__ = [
    "BATCH_SIZE",
    "ENGINES",
    "POLICIES",
    "run_replications",
    "simulate",
    "simulate_batches",
    "start_magazines",
]

ENGINES = ("fast", "reference")
"""Engines by name; each must give identical Outcomes for the same seed."""

POLICIES = POLICY_NAMES
"""Assignment policies the engines implement, by name (the table is :data:`iadsim.c2.POLICIES`)."""

BATCH_SIZE = 1024
"""Replications per batch: memory is bounded by one batch's Outcomes."""


def _check(
    replications: int, seed: int, policy: str | None, engine: str, compiled: CompiledScenario
) -> None:
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")


def _check_policy(compiled: CompiledScenario, policy: str | None) -> None:
    """The policy exists and the scenario gives what it needs."""
    chosen = find_policy(policy or compiled.policy)
    if "value_unit" in chosen.needs and np.isnan(compiled.worth).any():
        raise ValueError(f"policy {chosen.name} needs the doctrine's value_unit (e.g. '1 MUSD')")


def start_magazines(
    cs: CompiledScenario, rows: int, start: tuple[np.ndarray, np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Ready rounds and reserve of every unit at the start, one row per replication."""
    if start is None:
        ready = np.tile(np.asarray(cs.unit_rounds, dtype=np.int64), (rows, 1))
        reserve = np.tile(np.asarray(cs.unit_reserve, dtype=np.int64), (rows, 1))
        return ready, reserve

    ready = np.ascontiguousarray(start[0], dtype=np.int64)
    reserve = np.ascontiguousarray(start[1], dtype=np.int64)
    if ready.shape != (rows, cs.n_units) or reserve.shape != (rows, cs.n_units):
        raise ValueError(f"start magazines must be [{rows}, {cs.n_units}] arrays")
    if (ready < 0).any() or (reserve < 0).any():
        raise ValueError("start magazines must not be negative")
    return ready, reserve


def prepare(compiled: CompiledScenario, engine: str, policy: str | None = None) -> Any:
    """What an engine builds from a compiled scenario once, for any number of batches."""
    _check_policy(compiled, policy)
    if engine == "fast":
        from iadsim.engine.fast import prepare as prepare_fast

        return prepare_fast(compiled, policy)
    if engine == "reference":
        return build_scene(compiled, policy, lists=True)
    raise ValueError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")


def run_replications(
    compiled: CompiledScenario,
    reps: np.ndarray,
    *,
    seed: int,
    engine: str = "fast",
    policy: str | None = None,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    prepared: Any = None,
) -> Outcomes:
    """Run the given replication indices (any subset, in any order) as one batch.

    Row ``k`` of the result is replication ``reps[k]``, identical to its row in
    any other run with the same seed. ``start`` optionally gives each row's ready
    rounds and reserve per unit at the start, ``[rows, units]`` each — how a
    campaign carries the stockpile from one night to the next. ``prepared`` (from
    :func:`prepare`, same engine and policy) saves rebuilding it batch after batch.
    """
    reps = np.asarray(reps, dtype=np.int64)
    if prepared is None:
        prepared = prepare(compiled, engine, policy)
    out = Outcomes.empty(seed, reps, compiled.n_threats, compiled.n_units, compiled.n_assets)
    if engine == "fast":
        from iadsim.engine.fast import run_batch

        run_batch(compiled, seed, out.replications, out, prepared, start=start)
    else:
        ready, reserve = start_magazines(compiled, len(reps), start)
        for row, rep in enumerate(out.replications):
            run_replication(
                compiled, seed, int(rep), out, row, prepared, policy, (ready[row], reserve[row])
            )
    return out


def simulate_batches(
    compiled: CompiledScenario,
    *,
    replications: int,
    seed: int,
    policy: str | None = None,
    engine: str = "fast",
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Outcomes]:
    """Run replications ``0 .. replications - 1`` in consecutive batches, yielding each.

    Memory stays at one batch whatever the count; the rows are those of
    :func:`simulate`, batch after batch.
    """
    _check(replications, seed, policy, engine, compiled)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    prepared = prepare(compiled, engine, policy)  # once for every batch
    for lo in range(0, replications, batch_size):
        reps = np.arange(lo, min(lo + batch_size, replications), dtype=np.int64)
        part = run_replications(
            compiled, reps, seed=seed, engine=engine, policy=policy, prepared=prepared
        )
        if progress is not None:
            progress(len(part))
        yield part


def simulate(
    compiled: CompiledScenario,
    *,
    replications: int,
    seed: int,
    replicate_index: int | None = None,
    policy: str | None = None,
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
        policy: the weapon-assignment policy, one of :data:`POLICIES`
            (:data:`iadsim.c2.POLICIES`); ``None`` for the scenario doctrine's.
        engine: ``"fast"`` (compiled, parallel over replications) or ``"reference"``
            (plain Python, the specification); both give identical Outcomes.
        progress: called with the number of replications just finished.

    Returns:
        :class:`Outcomes` with one row per replication run. For very many
        replications use :func:`simulate_batches`, which bounds memory.

    Raises:
        ValueError: for a negative count or seed, an index outside the run, or
            an unknown engine or policy.
    """
    _check(replications, seed, policy, engine, compiled)
    if replicate_index is not None:
        if not 0 <= replicate_index < replications:
            raise ValueError(f"replicate_index {replicate_index} is outside 0..{replications - 1}")
        out = run_replications(
            compiled, np.array([replicate_index]), seed=seed, engine=engine, policy=policy
        )
        if progress is not None:
            progress(1)
        return out
    reps = np.arange(replications, dtype=np.int64)
    out = Outcomes.empty(seed, reps, compiled.n_threats, compiled.n_units, compiled.n_assets)
    lo = 0
    for part in simulate_batches(
        compiled,
        replications=replications,
        seed=seed,
        policy=policy,
        engine=engine,
        progress=progress,
    ):
        hi = lo + len(part)
        for name in ARRAYS:
            getattr(out, name)[lo:hi] = getattr(part, name)
        lo = hi
    return out
