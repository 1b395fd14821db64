"""The public API in a few calls: load, compile, simulate, summarise."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.engine import simulate, simulate_batches
from iadsim.metrics import Accumulator, Summary, summarize
from iadsim.scenario import Scenario, load_scenario

__all__ = ["prepare", "provenance", "run_compiled", "run_file"]


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
    path: str | Path, *, overrides: Iterable[str] = ()
) -> tuple[Scenario, CompiledScenario]:
    """Load, validate and compile a scenario file.

    Raises:
        ScenarioError: if the file or an override is not a valid scenario.
    """
    scenario = load_scenario(path, overrides=overrides)
    return scenario, compile_scenario(scenario, source=path)


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
    for batch in simulate_batches(
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
    scenario, compiled = prepare(path, overrides=overrides)
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
