"""Batches shrink for very large scenarios so a run's memory stays bounded."""

from __future__ import annotations

from iadsim.api import BATCH_BYTES, batch_size, prepare
from iadsim.compile.build import replication_bytes
from iadsim.engine import BATCH_SIZE

from repo_paths import EXAMPLES


def test_examples_keep_the_standard_batch() -> None:
    _, compiled = prepare(EXAMPLES / "capital_night_raid.yaml")
    assert batch_size(compiled) == BATCH_SIZE


def test_a_huge_raid_runs_in_smaller_batches_within_the_budget() -> None:
    _, compiled = prepare(EXAMPLES / "single_battery.yaml", overrides=["raids.0.count=60000"])
    size = batch_size(compiled)
    assert 1 <= size < BATCH_SIZE
    assert BATCH_SIZE % size == 0  # batches still tile the standard ones
    assert replication_bytes(compiled, size) <= BATCH_BYTES
    assert replication_bytes(compiled, 2 * size) > BATCH_BYTES  # the largest that fits
