"""The public API in a few calls: load, compile, simulate, summarise."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.engine import BATCH_SIZE, Outcomes, simulate, simulate_batches
from iadsim.engine.outcomes import ARRAYS
from iadsim.errors import ScenarioError
from iadsim.metrics import Accumulator, Summary, summarize
from iadsim.scenario import Scenario, load_scenario

__all__ = ["batch_size", "batches", "prepare", "provenance", "run_compiled", "run_file"]


def provenance(**extra: Any) -> dict[str, Any]:
    """Versions of iadsim and its main libraries, for every result."""
    info: dict[str, Any] = {}
    for package in ("iadsim", "numpy", "pydantic", "pint"):
        try:
            info[package] = version(package)
        except PackageNotFoundError:  # running from a source tree
            info[package] = "unknown"
    info.update(extra)
    return info


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
        ValueError: if ``policy`` is not a registered policy.
    """
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
    memory does not grow with their number.
    """
    info = provenance(
        scenario_hash=compiled.content_hash,
        engine=engine,
        policy=policy or compiled.policy,
        schema_version=scenario.schema_version,
    )
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
    """
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
