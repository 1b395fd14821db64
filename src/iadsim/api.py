"""The public API in a few calls: load, compile, simulate, summarise.

Bad input raises an :class:`iadsim.errors.IadsimError`, with the message the
``iadsim`` command prints for the same input: a :class:`~iadsim.errors.ScenarioError`
for a file or ``--set`` override, an :class:`~iadsim.errors.OptionError` naming the
option (``--replicate-index``, ``--policy``, ...) for an argument out of range.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.engine import BATCH_SIZE, Outcomes, simulate, simulate_batches
from iadsim.engine.outcomes import ARRAYS
from iadsim.errors import OptionError, ScenarioError, shorten
from iadsim.metrics import (
    REPLICATE_COLUMNS,
    Accumulator,
    Estimate,
    Summary,
    replicate_totals,
    summarize,
    total_estimates,
)
from iadsim.provenance import provenance
from iadsim.scenario import Scenario, load_scenario

__all__ = [
    "RunResult",
    "batch_size",
    "batches",
    "check_run",
    "prepare",
    "provenance",
    "run_compiled",
    "run_file",
    "run_replicates",
]


def check_run(
    *,
    replications: int,
    seed: int,
    replicate_index: int | None = None,
    policy: str | None = None,
    engine: str = "fast",
) -> None:
    """Check a run's settings before any work, as the command checks its options.

    Raises:
        OptionError: naming the option (``--replications``, ``--seed``,
            ``--replicate-index``, ``--policy``, ``--engine``) and what it must be.
    """
    from iadsim import limits
    from iadsim.c2 import registry
    from iadsim.engine import ENGINES

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not whole(replications) or not 1 <= replications <= limits.MAX_REPLICATIONS:
        raise OptionError(
            "--replications",
            f"expected a whole number from 1 to {limits.MAX_REPLICATIONS:,}, "
            f"got {shorten(repr(replications))}",
        )
    if not whole(seed) or not 0 <= seed <= limits.MAX_SEED:
        raise OptionError(
            "--seed",
            f"expected a whole number from 0 to {limits.MAX_SEED:,} (2^64-1), "
            f"got {shorten(repr(seed))}",
        )
    if replicate_index is not None and (
        not whole(replicate_index) or not 0 <= replicate_index < replications
    ):
        raise OptionError(
            "--replicate-index",
            f"must be in 0..{replications - 1} (one of the {replications} replications)",
        )
    if policy is not None and policy not in registry.POLICIES:
        known = ", ".join(registry.POLICY_NAMES)
        raise OptionError("--policy", f"expected one of {known}, got {shorten(repr(policy))}")
    if engine not in ENGINES:
        known = ", ".join(ENGINES)
        raise OptionError("--engine", f"expected one of {known}, got {shorten(repr(engine))}")


def prepare(
    path: str | Path, *, overrides: Iterable[str] = (), policy: str | None = None
) -> tuple[Scenario, CompiledScenario]:
    """Load, validate and compile a scenario file.

    ``policy``, if given, is the one the run will use instead of the doctrine's:
    the scenario must then also give what that policy needs (``Policy.needs`` in
    :data:`iadsim.c2.registry.POLICIES`, e.g. ``doctrine.value_unit``).

    Raises:
        ScenarioError: if the file or an override is not a valid scenario, or
            lacks what ``policy`` needs.
        OptionError: if ``policy`` is not a registered policy.
    """
    if policy is not None:
        check_run(replications=1, seed=0, policy=policy)
    scenario = load_scenario(path, overrides=overrides)
    if policy is not None:
        missing = scenario.doctrine.missing_for(policy)
        if missing is not None:
            field, message = missing
            raise ScenarioError(
                path,
                [
                    (
                        f"doctrine.{field}",
                        f"{message} (chosen for this run instead of the doctrine's "
                        f"{scenario.doctrine.policy})",
                    )
                ],
            )
    return scenario, compile_scenario(scenario, source=path)


def _step(batch_size: int) -> int:
    """Replications per engine call when progress is reported.

    A divisor of ``batch_size``, at least 64 and four per core (so that each call
    keeps every core busy).
    """
    cores = os.cpu_count() or 1
    step = 64
    while step < 4 * cores and step < batch_size:
        step *= 2
    return step if step < batch_size and batch_size % step == 0 else batch_size


BATCH_BYTES = 256e6
"""Memory one batch of outcomes may take; larger scenarios run in smaller batches."""


def batch_size(compiled: CompiledScenario) -> int:
    """Replications per batch for ``compiled``.

    :data:`~iadsim.engine.BATCH_SIZE`, halved while a batch of its outcomes would
    take more than :data:`BATCH_BYTES`. A function of the scenario alone (never
    of the machine), so a summary is the same wherever it runs; only scenarios of
    tens of thousands of threats get smaller batches.
    """
    from iadsim.compile.build import replication_bytes

    size = BATCH_SIZE
    while size > 1 and replication_bytes(compiled, size) > BATCH_BYTES:
        size //= 2
    return size


def _join(parts: list[Outcomes]) -> Outcomes:
    """Consecutive parts of one batch as one :class:`Outcomes`, rows in the order given."""
    if len(parts) == 1:
        return parts[0]
    return Outcomes(
        seed=parts[0].seed,
        replications=np.concatenate([p.replications for p in parts]),
        **{name: np.concatenate([getattr(p, name) for p in parts]) for name in ARRAYS},
    )


def batches(
    compiled: CompiledScenario,
    *,
    replications: int,
    seed: int,
    policy: str | None = None,
    engine: str = "fast",
    progress: Callable[[int], None] | None = None,
) -> Iterator[Outcomes]:
    """Replications ``0 .. replications - 1`` in batches, as ``simulate_batches`` yields them.

    The batches are of :func:`batch_size` replications. With
    ``progress``, each batch is computed in smaller steps and ``progress`` is told
    after each step, so a progress bar moves during the first batch too. The
    batches yielded are the same either way (same rows, same boundaries), so a
    summary folded from them is identical to the last bit.
    """
    size = batch_size(compiled)
    step = size if progress is None else _step(size)
    parts: list[Outcomes] = []
    count = 0
    for part in simulate_batches(
        compiled,
        replications=replications,
        seed=seed,
        policy=policy,
        engine=engine,
        batch_size=step,
        progress=progress,
    ):
        parts.append(part)
        count += len(part)
        if count % size == 0 or count == replications:
            yield _join(parts)  # one part as it is, when no progress is asked for
            parts = []


def _info(scenario: Scenario, compiled: CompiledScenario, engine: str, policy: str | None) -> Any:
    return provenance(
        scenario_hash=compiled.content_hash,
        engine=engine,
        policy=policy or compiled.policy,
        schema_version=scenario.schema_version,
    )


@dataclass(frozen=True)
class RunResult:
    """A run's summary and its per-replication totals.

    ``replicates`` has one row per replication: ``replication`` (its index) and
    the :data:`~iadsim.metrics.REPLICATE_COLUMNS` (threats launched, destroyed,
    lost to EW, leaked, rounds, defender spend, value lost, ...), the same
    columns the store keeps (:meth:`iadsim.store.Store.replicates`).
    """

    summary: Summary
    replicates: Any
    """A ``pandas.DataFrame``, one row per replication in index order."""

    def totals(self) -> dict[str, Estimate]:
        """Destroyed, lost to EW and leaked over all threat kinds, with intervals."""
        return total_estimates(self.replicates, self.summary.confidence)


def run_replicates(
    scenario: Scenario,
    compiled: CompiledScenario,
    *,
    replications: int,
    seed: int,
    policy: str | None = None,
    engine: str = "fast",
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Simulate and summarise as :func:`run_compiled`, keeping each replication's totals.

    The summary is the one :func:`run_compiled` returns, to the last bit; the
    totals take a few numbers per replication (about 60 bytes), not the outcomes.

    Raises:
        OptionError: if a setting is out of range (:func:`check_run`).
    """
    import pandas as pd

    check_run(replications=replications, seed=seed, policy=policy, engine=engine)
    accumulator = Accumulator(compiled)
    columns: dict[str, list[np.ndarray]] = {"replication": []}
    columns.update({name: [] for name in REPLICATE_COLUMNS})
    for batch in batches(
        compiled,
        replications=replications,
        seed=seed,
        policy=policy,
        engine=engine,
        progress=progress,
    ):
        accumulator.add(batch)
        columns["replication"].append(batch.replications)
        for name, values in replicate_totals(compiled, batch).items():
            columns[name].append(values)
    summary = accumulator.summary(provenance=_info(scenario, compiled, engine, policy))
    frame = pd.DataFrame({name: np.concatenate(parts) for name, parts in columns.items()})
    return RunResult(summary, frame)


def run_compiled(
    scenario: Scenario,
    compiled: CompiledScenario,
    *,
    replications: int,
    seed: int,
    replicate_index: int | None = None,
    policy: str | None = None,
    engine: str = "fast",
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Simulate a compiled scenario and summarise the outcomes, with provenance.

    Replications run in batches folded into the summary as they finish, so
    memory does not grow with their number (:func:`run_replicates` also keeps
    each replication's totals).

    Raises:
        OptionError: if a setting is out of range (:func:`check_run`).
    """
    check_run(
        replications=replications,
        seed=seed,
        replicate_index=replicate_index,
        policy=policy,
        engine=engine,
    )
    info = _info(scenario, compiled, engine, policy)
    if replicate_index is not None:
        outcomes = simulate(
            compiled,
            replications=replications,
            seed=seed,
            replicate_index=replicate_index,
            policy=policy,
            engine=engine,
            progress=progress,
        )
        return summarize(compiled, outcomes, provenance=info)
    accumulator = Accumulator(compiled)
    for batch in batches(
        compiled,
        replications=replications,
        seed=seed,
        policy=policy,
        engine=engine,
        progress=progress,
    ):
        accumulator.add(batch)
    return accumulator.summary(provenance=info)


def run_file(
    path: str | Path,
    *,
    replications: int,
    seed: int,
    overrides: Iterable[str] = (),
    replicate_index: int | None = None,
    policy: str | None = None,
    engine: str = "fast",
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Load, compile and simulate a scenario file, and summarise the outcomes.

    Raises:
        ScenarioError: if the file or an override is not a valid scenario.
        OptionError: if a setting is out of range (:func:`check_run`).
    """
    check_run(
        replications=replications,
        seed=seed,
        replicate_index=replicate_index,
        policy=policy,
        engine=engine,
    )
    scenario, compiled = prepare(path, overrides=overrides, policy=policy)
    return run_compiled(
        scenario,
        compiled,
        replications=replications,
        seed=seed,
        replicate_index=replicate_index,
        policy=policy,
        engine=engine,
        progress=progress,
    )
