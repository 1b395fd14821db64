"""Invariants of the engine on random small scenarios (Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.engine import Fate, simulate

from scenarios import build
from strategies import small_scenarios


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=small_scenarios(), seed=st.integers(0, 2**64 - 1))
def test_every_threat_ends_once_and_magazines_hold(raw: dict, seed: int) -> None:
    cs = build(raw)
    out = simulate(cs, replications=3, seed=seed)
    assert (out.fate != Fate.AIRBORNE).all()
    # fates happen inside the flight, and a kill or EW loss names a unit of the right kind
    assert (out.time >= cs.launch_time - 1e-9).all() and (out.time <= cs.impact_time).all()
    leaked = out.fate == Fate.LEAKED
    assert (out.time[leaked] == np.broadcast_to(cs.impact_time, out.time.shape)[leaked]).all()
    assert (out.cause[leaked] == -1).all()
    killed = out.fate == Fate.DESTROYED
    assert not cs.unit_is_ew[out.cause[killed]].any()
    assert cs.unit_is_ew[out.cause[out.fate == Fate.LOST_TO_EW]].all()
    # never more rounds than the magazine and reserve hold; salvos at most the doctrine's size
    assert (out.shots <= cs.unit_rounds + cs.unit_reserve).all()
    assert (out.shots <= out.engagements * cs.salvo.max(initial=1)).all()
    assert (out.shots[:, cs.unit_is_ew] == 0).all()
    # only leakers hit, and an asset is destroyed exactly when one of its leakers hit
    assert not (out.hit & ~leaked).any()
    for a in range(cs.n_assets):
        aimed = cs.threat_target == a
        assert np.array_equal(out.asset_destroyed[:, a], (out.hit & aimed).any(axis=1))
    # and the run reproduces
    assert out.equals(simulate(cs, replications=3, seed=seed))
