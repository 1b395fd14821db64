"""The engine against answers known by hand (analytic checks)."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.draws import Purpose, uniform
from iadsim.engine import Fate, simulate
from iadsim.metrics import mean_interval

from scenarios import base, build, unit

REPS = 150


def leak_fraction(raw: dict, reps: int = REPS, seed: int = 11) -> tuple:
    cs = build(raw)
    out = simulate(cs, replications=reps, seed=seed)
    per_rep = (out.fate == Fate.LEAKED).mean(axis=1)
    return mean_interval(per_rep, 0.99), out, cs


@pytest.mark.parametrize(("k", "p"), [(1, 0.7), (2, 0.6), (3, 0.5)])
def test_one_layer_leaks_one_minus_p_to_the_k(k: int, p: float) -> None:
    raw = base(salvo={"default": k}, max_engagements=1)
    raw["fire_units"] = [unit("sam", -20, pk=p)]
    est, out, _ = leak_fraction(raw)
    assert est.contains((1 - p) ** k), (est, (1 - p) ** k)
    # each threat was engaged exactly once, with a full salvo
    assert (out.engagements[:, 0] == 40).all()
    assert (out.shots[:, 0] == 40 * k).all()


def test_unlimited_reengagement_leaks_less_than_one_engagement() -> None:
    raw = base(salvo={"default": 1})
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    est, out, _ = leak_fraction(raw, reps=40)
    assert est.hi < 0.5 / 4  # a 20 km pass at 100 m/s leaves time for several looks
    assert (out.engagements[:, 0] > 40).all()


def test_two_independent_layers_multiply() -> None:
    raw = base(salvo={"default": 1}, max_engagements=1)
    raw["fire_units"] = [unit("outer", -60, pk=0.5), unit("inner", -20, pk=0.4)]
    est, out, _cs = leak_fraction(raw)
    assert est.contains(0.5 * 0.6), est
    # the outer layer engages everything; the inner one only what the outer missed
    kills_outer = ((out.fate == Fate.DESTROYED) & (out.cause == 0)).sum(axis=1)
    assert (out.engagements[:, 0] == 40).all()
    assert (out.engagements[:, 1] == 40 - kills_outer).all()


def test_magazine_smaller_than_raid_leaks_at_least_the_difference() -> None:
    raw = base(salvo={"default": 1})
    raw["fire_units"] = [unit("sam", -20, pk=0.9, rounds=12, reserve=0)]
    _, out, _ = leak_fraction(raw, reps=60)
    leaked = (out.fate == Fate.LEAKED).sum(axis=1)
    assert (leaked >= 40 - 12).all()
    assert (out.shots[:, 0] == 12).all()


def test_reload_from_reserve_restores_fire() -> None:
    raw = base(salvo={"default": 1}, max_engagements=1)
    raw["fire_units"] = [unit("sam", -20, pk=1.0, rounds=10, reserve=30, reload_time="30 s")]
    _, out, _ = leak_fraction(raw, reps=5)
    # threats a minute apart: each reload finishes before the next threat arrives
    assert (out.shots[:, 0] == 40).all()
    assert (out.fate == Fate.DESTROYED).all()


@pytest.mark.parametrize("channels", [1, 2, 3, 5])
def test_fire_channels_saturate(channels: int) -> None:
    # five threats on the same route at the same moment; a thin 9.5-10 km ring
    # around the target leaves room for one engagement per channel only
    raw = base(salvo={"default": 1})
    raw["raids"][0]["count"] = 5
    raw["raids"][0]["launch"] = {"sites": [["-30 km", "0 km"]], "start": "00:00"}
    raw["fire_units"] = [
        unit("ring", 0, pk=1.0, channels=channels, min_range="9.5 km", max_range="10 km")
    ]
    _, out, _ = leak_fraction(raw, reps=20)
    destroyed = (out.fate == Fate.DESTROYED).sum(axis=1)
    assert (destroyed == min(channels, 5)).all()
    assert (out.engagements[:, 0] == min(channels, 5)).all()


def test_ew_only_defence_removes_exactly_the_susceptible_fraction() -> None:
    raw = base()
    raw["threat_classes"]["drone"]["ew_susceptibility"] = 0.3
    raw["raids"][0]["count"] = 200
    raw["raids"][0]["launch"]["end"] = "01:00"
    raw["fire_units"] = [
        {
            "id": "ew",
            "kind": "ew",
            "position": ["-40 km", "0 km"],
            "max_range": "20 km",
            "pk": {"drone": 1.0},
        }
    ]
    seed = 5
    _est, out, cs = leak_fraction(raw, reps=50, seed=seed)
    lost = out.fate == Fate.LOST_TO_EW
    for row, rep in enumerate(out.replications):
        susceptible = np.array(
            [uniform(seed, int(rep), Purpose.EW_SUSCEPTIBLE, i, 0) < 0.3 for i in range(200)]
        )
        assert np.array_equal(lost[row], susceptible)
    assert mean_interval(lost.mean(axis=1), 0.99).contains(0.3)
    assert out.time[lost] == pytest.approx(cs.ew_start[cs.ew_offset[:-1]][np.nonzero(lost)[1]])


def test_decoys_draw_fire_and_do_no_damage() -> None:
    raw = base(salvo={"default": 1}, max_engagements=1)
    raw["threat_classes"]["fake"] = {"preset": "gerbera-class", "speed": "100 m/s"}
    raw["raids"][0]["threat"] = "fake"
    sam = unit("sam", -20, pk=0.0)
    sam["pk"] = {"owa_drone": 0.5, "decoy": 0.0}
    raw["fire_units"] = [sam]
    _, out, _ = leak_fraction(raw, reps=10)
    assert (out.engagements[:, 0] == 40).all()  # command takes them for drones
    assert (out.fate == Fate.LEAKED).all()  # the true pk against decoys is 0
    assert not out.hit.any() and not out.asset_destroyed.any()


def test_leakers_destroy_assets_by_hardness() -> None:
    raw = base()
    raw["threat_classes"]["drone"]["lethality"] = {"soft": 0.25, "medium": 0.1, "hard": 0.0}
    cs = build(raw)
    out = simulate(cs, replications=200, seed=3)
    assert (out.fate == Fate.LEAKED).all()
    assert mean_interval(out.hit.mean(axis=1), 0.99).contains(0.25)
    assert np.array_equal(out.asset_destroyed[:, 0], out.hit.any(axis=1))


def test_undetected_threats_are_never_engaged() -> None:
    raw = base()
    raw["sensors"][0]["pd"] = 0.0
    raw["fire_units"] = [unit("sam", -20, pk=1.0)]
    _, out, _ = leak_fraction(raw, reps=3)
    assert (out.shots == 0).all() and (out.fate == Fate.LEAKED).all()


def test_authority_keeps_a_unit_off_a_kind() -> None:
    raw = base(authority={"sam": ["ballistic_missile"]})
    raw["fire_units"] = [unit("sam", -20, pk=1.0)]
    _, out, _ = leak_fraction(raw, reps=3)
    assert (out.shots == 0).all()
