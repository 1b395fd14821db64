"""Batches of replications: split a run by replication index, run a batch, put rows back in order.

Randomness is counter-based (a replication's outcome depends only on the seed
and its index), so a run split into batches and assembled by index is
bit-identical to the run done in one go, whatever the split, the order the
batches finish in, or the process that ran each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from iadsim.c2 import registry
from iadsim.compile import CompiledScenario
from iadsim.engine import Outcomes, run_replications
from iadsim.engine.outcomes import ARRAYS

__all__ = [
    "BatchResult",
    "BatchTask",
    "assemble",
    "default_batch_size",
    "plan_batches",
    "run_batch",
    "simulate_range",
]


@dataclass(frozen=True)
class BatchTask:
    """Replications ``start .. stop - 1`` of one run, self-contained so any process can run it."""

    key: str
    """The run this batch belongs to (a run id)."""
    compiled: CompiledScenario | None
    """The scenario; ``None`` only while a backend ships it separately (Ray)."""
    seed: int
    replications: int
    """Replications in the whole run (``0 .. replications - 1``)."""
    start: int
    stop: int
    policy: str
    engine: str

    @property
    def size(self) -> int:
        """Replications in this batch."""
        return self.stop - self.start


@dataclass(frozen=True)
class BatchResult:
    """A finished batch: its task's key and range, and the outcomes of its replications."""

    key: str
    start: int
    stop: int
    outcomes: Outcomes


def default_batch_size(replications: int, workers: int) -> int:
    """Replications per batch: about four batches per worker, at most 1000 in one batch."""
    return max(1, min(1000, math.ceil(replications / (4 * max(1, workers)))))


def plan_batches(replications: int, batch_size: int) -> list[tuple[int, int]]:
    """Split ``0 .. replications - 1`` into ``[start, stop)`` ranges of ``batch_size``."""
    if replications < 1 or batch_size < 1:
        raise ValueError(
            f"need replications >= 1 and batch_size >= 1, got {replications}, {batch_size}"
        )
    return [(s, min(s + batch_size, replications)) for s in range(0, replications, batch_size)]


def simulate_range(
    compiled: CompiledScenario,
    *,
    replications: int,
    seed: int,
    start: int,
    stop: int,
    policy: str,
    engine: str,
) -> Outcomes:
    """Outcomes of replications ``start .. stop - 1`` of a run of ``replications``.

    The one place the runner calls the engine (:func:`iadsim.engine.run_replications`),
    whose rows are those of the full run, whatever subset is asked for.

    Raises:
        ValueError: for a range outside the run, or an unknown policy or engine.
    """
    if not 0 <= start < stop <= replications:
        raise ValueError(f"batch {start}..{stop - 1} is outside 0..{replications - 1}")
    registry.policy(policy)  # ValueError naming the known ones
    reps = np.arange(start, stop, dtype=np.int64)
    return run_replications(compiled, reps, seed=seed, engine=engine, policy=policy)


def run_batch(task: BatchTask) -> BatchResult:
    """Run one batch (in whichever process holds it)."""
    if task.compiled is None:
        raise ValueError("the batch has no compiled scenario")
    outcomes = simulate_range(
        task.compiled,
        replications=task.replications,
        seed=task.seed,
        start=task.start,
        stop=task.stop,
        policy=task.policy,
        engine=task.engine,
    )
    return BatchResult(task.key, task.start, task.stop, outcomes)


def assemble(parts: Sequence[Outcomes]) -> Outcomes:
    """One :class:`Outcomes` from parts of the same run, rows sorted by replication index.

    Raises:
        ValueError: if there are no parts, the seeds differ, or a replication repeats.
    """
    if not parts:
        raise ValueError("no outcomes to assemble")
    seeds = {p.seed for p in parts}
    if len(seeds) != 1:
        raise ValueError(f"outcomes of different seeds cannot be assembled: {sorted(seeds)}")
    reps = np.concatenate([p.replications for p in parts])
    order = np.argsort(reps, kind="stable")
    reps = reps[order]
    if len(reps) > 1 and (np.diff(reps) == 0).any():
        raise ValueError("a replication appears twice among the parts")
    arrays = {name: np.concatenate([getattr(p, name) for p in parts])[order] for name in ARRAYS}
    return Outcomes(seed=parts[0].seed, replications=reps, **arrays)
