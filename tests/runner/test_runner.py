"""Batches and backends: any split, order, process or backend gives bit-identical results."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from iadsim.api import prepare
from iadsim.engine import simulate
from iadsim.runner import (
    BatchTask,
    assemble,
    build_sweep,
    make_backend,
    plan_batches,
    run_batch,
    run_sweep,
)
from iadsim.store import Store

from repo_paths import EXAMPLES

EXAMPLE = EXAMPLES / "single_battery.yaml"


@pytest.fixture(scope="module")
def compiled():
    return prepare(EXAMPLE)[1]


def test_plan_covers_every_replication_once() -> None:
    for reps, size in [(1, 1), (10, 3), (10, 10), (10, 50), (1000, 7)]:
        batches = plan_batches(reps, size)
        covered = [r for a, b in batches for r in range(a, b)]
        assert covered == list(range(reps))
        assert all(0 < b - a <= size for a, b in batches)


@pytest.mark.parametrize("size", [1, 3, 7, 20])
def test_batches_in_any_order_assemble_to_the_full_run(compiled, size: int) -> None:
    full = simulate(compiled, replications=20, seed=11, engine="reference")
    batches = plan_batches(20, size)
    random.Random(size).shuffle(batches)
    parts = [
        run_batch(BatchTask("k", compiled, 11, 20, a, b, "greedy", "reference")).outcomes
        for a, b in batches
    ]
    assert assemble(parts).equals(full)


def test_assemble_rejects_overlap_and_mixed_seeds(compiled) -> None:
    a = simulate(compiled, replications=4, seed=1, replicate_index=2, engine="reference")
    b = simulate(compiled, replications=4, seed=2, replicate_index=3, engine="reference")
    with pytest.raises(ValueError, match="twice"):
        assemble([a, a])
    with pytest.raises(ValueError, match="seeds"):
        assemble([a, b])


def _sweep(batch_size: int):
    return build_sweep(
        EXAMPLE,
        grid=["raids.0.count=4,7", "fire_units.0.pk.drone=0.5,0.8"],
        replications=13,
        seed=5,
        batch_size=batch_size,
        engine="reference",  # the runner never looks inside the engine; no JIT wait in workers
    )


def _results(store: Store, run_ids: list[str]) -> list[tuple]:
    return [(store.outcomes(r), store.summary_frame(r)) for r in run_ids]


def _assert_same(left: list[tuple], right: list[tuple]) -> None:
    assert len(left) == len(right)
    for (oa, sa), (ob, sb) in zip(left, right, strict=True):
        assert oa.equals(ob)
        assert sa.equals(sb)  # NaN-aware, exact floats


@pytest.fixture(scope="module")
def reference_results(tmp_path_factory):
    store = Store.create(tmp_path_factory.mktemp("ref") / "store")
    report = run_sweep(_sweep(13), store, backend="in-process")
    assert report.computed == 4 * 13
    return report.run_ids, _results(store, report.run_ids)


def test_in_process_matches_simulate(reference_results, compiled) -> None:
    _, results = reference_results
    sweep = _sweep(13)
    for point, (outcomes, _) in zip(sweep.points(), results, strict=True):
        _, c = prepare(EXAMPLE, overrides=point.overrides())
        assert outcomes.equals(simulate(c, replications=13, seed=5, engine="reference"))


def test_pool_matches_in_process(reference_results, tmp_path: Path) -> None:
    run_ids, expected = reference_results
    store = Store.create(tmp_path / "store")
    report = run_sweep(_sweep(3), store, backend="pool", workers=2)
    assert report.backend == "pool" and report.workers == 2
    assert report.run_ids == run_ids
    _assert_same(_results(store, run_ids), expected)


def test_ray_local_cluster_matches_in_process(reference_results, tmp_path: Path) -> None:
    import ray  # a dev dependency: this test must run in CI, never skip

    run_ids, expected = reference_results
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        store = Store.create(tmp_path / "store")
        report = run_sweep(_sweep(4), store, backend="ray")
        assert report.backend == "ray" and report.workers == 2
    finally:
        ray.shutdown()
    _assert_same(_results(store, run_ids), expected)


def test_unknown_backend_is_a_clear_error() -> None:
    from iadsim.errors import IadsimError

    with pytest.raises(IadsimError, match="unknown backend"):
        make_backend("cluster")
    with pytest.raises(IadsimError, match="--address"):
        make_backend("pool", address="ray://x:10001")


def test_pool_outcomes_equal_direct_simulation(compiled) -> None:
    tasks = [
        BatchTask("k", compiled, 3, 9, a, b, "greedy", "reference") for a, b in plan_batches(9, 2)
    ]
    with make_backend("pool", workers=2) as pool:
        parts = [r.outcomes for r in pool.run(tasks)]
    full = assemble(parts)
    assert full.equals(simulate(compiled, replications=9, seed=3, engine="reference"))
    assert np.array_equal(full.replications, np.arange(9))


def test_a_pickled_scenario_is_read_only_again_in_the_worker(compiled) -> None:
    import pickle

    task = pickle.loads(pickle.dumps(BatchTask("k", compiled, 1, 2, 0, 2, "greedy", "reference")))
    # CompiledScenario re-freezes its arrays when unpickled, as compiling left them
    assert not task.compiled.launch_time.flags.writeable
    run_batch(task)
    assert not task.compiled.launch_time.flags.writeable


def test_the_policy_of_a_batch_is_the_one_run(compiled) -> None:
    from iadsim.runner.batches import simulate_range

    for policy in ("greedy", "exact"):
        got = simulate_range(
            compiled, replications=4, seed=2, start=0, stop=4, policy=policy, engine="reference"
        )
        assert got.equals(
            simulate(compiled, replications=4, seed=2, policy=policy, engine="reference")
        )
