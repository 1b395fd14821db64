"""Compiled twins of kernels: their disk cache follows every kernel and constant they reach."""

from __future__ import annotations

import pytest

from iadsim.engine import jit, network
from iadsim.engine.jit import _digest, compiled


def test_a_twin_is_named_by_a_digest_of_what_it_reaches() -> None:
    twin = compiled(network.build_picture)
    assert twin.py_func.__qualname__ == f"build_picture_{_digest(network.build_picture)}"
    # the same code gives the same digest in every process: a plain function of the code
    assert len(_digest(network.build_picture)) == 16


def test_the_digest_changes_when_a_kernel_called_inline_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # build_picture inlines _deliver (another kernel, which Numba's own cache would not
    # notice) and reads the constant BINS through it: a change to either must give a
    # new cache file, or a stale twin would be loaded
    before = _digest(network.build_picture)
    monkeypatch.setattr(jit, "_digests", {})
    monkeypatch.setattr(network, "BINS", network.BINS + 1)
    assert _digest(network.build_picture) != before
    monkeypatch.setattr(network, "BINS", network.BINS - 1)
    monkeypatch.setattr(jit, "_digests", {})
    assert _digest(network.build_picture) == before

    def other(sc: object, pic: object) -> None:  # a different body for _deliver
        return None

    changed = network._deliver
    monkeypatch.setattr(jit, "_digests", {})
    monkeypatch.setattr(changed, "__code__", other.__code__)
    assert _digest(network.build_picture) != before
