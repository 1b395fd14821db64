"""DefenceEnv: the Gymnasium-style wrapper over a steppable replication.

An episode taking the policy's choice at every step reproduces the engines'
Outcomes; random feasible actions never raise and are carried out as given;
infeasible or malformed actions raise ValueError and leave the episode as it was.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iadsim.c2 import POLICY_NAMES
from iadsim.compile import CompiledScenario, compile_scenario
from iadsim.engine import Outcomes, simulate
from iadsim.engine.gym import OFFER_COLUMNS, TRACK_COLUMNS, UNIT_COLUMNS, DefenceEnv
from iadsim.scenario import load_scenario

from repo_paths import ROOT
from scenarios import base, build, unit
from strategies import small_scenarios

EXAMPLES = sorted(
    path
    for path in (ROOT / "examples").glob("*.yaml")
    if "threat_classes:" in path.read_text()  # scenarios, not campaign or laydown files
)
SMALL = ROOT / "examples" / "national_defence.yaml"
SEED = 20251122

OFFER = {name: k for k, name in enumerate(OFFER_COLUMNS)}
UNIT = {name: k for k, name in enumerate(UNIT_COLUMNS)}


def example(path: Path, policy: str = "greedy") -> CompiledScenario:
    scenario = load_scenario(
        path, overrides=[f"doctrine.policy={policy}", "doctrine.value_unit=1 MUSD"]
    )
    return compile_scenario(scenario)


def engine_row(cs: CompiledScenario, rep: int, seed: int = SEED, policy: str | None = None) -> Any:
    return simulate(cs, replications=rep + 1, seed=seed, replicate_index=rep, policy=policy)


def value_lost(cs: CompiledScenario, out: Outcomes) -> float:
    return float(out.asset_destroyed[0] @ cs.asset_value)


def as_mask(env: DefenceEnv, positions: list[int]) -> np.ndarray:
    mask = np.zeros(env.max_offers, dtype=np.int8)
    mask[positions] = 1
    return mask


def play(env: DefenceEnv, choose: Any, **reset: Any) -> tuple[float, int, dict[str, Any]]:
    """Run an episode, ``choose(env, observation)`` giving each action: reward, steps, info."""
    observation, info = env.reset(**reset)
    total, steps, terminated = 0.0, 0, False
    while not terminated:
        observation, reward, terminated, truncated, info = env.step(choose(env, observation))
        assert not truncated
        total += reward
        steps += 1
    return total, steps, info


def the_policy(env: DefenceEnv, observation: dict[str, np.ndarray]) -> Any:
    return env.policy_action()


def the_policy_as_a_mask(env: DefenceEnv, observation: dict[str, np.ndarray]) -> Any:
    positions = env.policy_action()
    if positions and max(positions) >= env.max_offers:
        return positions  # beyond the observation's rows: positions still name them
    return as_mask(env, positions)


# --- the policy's episode is the engine's replication ----------------------------------


@pytest.mark.parametrize("policy", POLICY_NAMES)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_an_episode_of_policy_choices_is_the_engines_replication(path: Path, policy: str) -> None:
    cs = example(path, policy)
    env = DefenceEnv(cs, seed=SEED, policy=policy)
    rep = 1 if path != EXAMPLES[0] else 0
    expected = engine_row(cs, rep, policy=policy)
    for choose in (the_policy, the_policy_as_a_mask):
        total, steps, info = play(env, choose, options={"replicate_index": rep})
        assert info["outcomes"].equals(expected)
        assert info["decision"] is None and info["replicate_index"] == rep
        assert total == pytest.approx(-value_lost(cs, expected), abs=1e-9)
        assert info["value_lost"] == pytest.approx(value_lost(cs, expected), abs=1e-9)
        assert steps > 0 and expected.shots.sum() > 0


def test_a_small_max_offers_hides_offers_but_positions_still_reach_them() -> None:
    cs = crowded(channels=4, rounds=1000)
    env = DefenceEnv(cs, seed=SEED, max_offers=1)
    hidden = 0
    observation, info = env.reset(options={"replicate_index": 2})
    terminated = False
    while not terminated:
        decision = info["decision"]
        assert observation["offers"].shape == (1, len(OFFER_COLUMNS))
        assert observation["offer_mask"].tolist() == [bool(decision.offers)]
        hidden += max(0, len(decision.offers) - 1)
        observation, _, terminated, _, info = env.step(the_policy_as_a_mask(env, observation))
    assert hidden > 0  # some cycle had more offers than rows
    assert info["outcomes"].equals(engine_row(cs, 2))
    assert info["outcomes"].shots.sum() > 0


def test_the_observation_mirrors_the_decision() -> None:
    cs = example(SMALL)
    env = DefenceEnv(cs, seed=SEED, max_offers=8)
    observation, info = env.reset(options={"replicate_index": 0})
    checked = 0
    while info["decision"] is not None:
        decision = info["decision"]
        assert set(observation) == {
            "offers",
            "offer_mask",
            "tracks",
            "track_mask",
            "units",
            "time",
        }
        assert observation["offers"].dtype == np.float64
        assert observation["tracks"].shape == (cs.n_threats, len(TRACK_COLUMNS))
        assert observation["units"].shape == (cs.n_units, len(UNIT_COLUMNS))
        assert observation["time"].tolist() == [decision.time] == [info["time"]]
        n = min(8, len(decision.offers))
        assert observation["offer_mask"].tolist() == [True] * n + [False] * (8 - n)
        assert np.array_equal(observation["offers"][:n], np.array(decision.offers[:n], float))
        assert not observation["offers"][n:].any()
        tracks = decision.tracks()
        assert np.flatnonzero(observation["track_mask"]).tolist() == sorted(
            v.threat for v in tracks
        )
        for v in tracks:
            row = observation["tracks"][v.threat]
            assert row.tolist() == [
                v.x,
                v.y,
                v.altitude,
                v.impact_time,
                v.impact_x,
                v.impact_y,
                v.target,
                v.inflight,
                cs.class_names.index(v.threat_class),
            ]
        units = decision.units()
        assert observation["units"].tolist() == [
            [v.ready, v.reserve, v.free_channels] for v in units
        ]
        observation, _, _, _, info = env.step(env.policy_action())
        checked += 1
    assert checked > 0
    assert not observation["offer_mask"].any() and not observation["track_mask"].any()


def test_episodes_follow_the_replications_and_are_deterministic() -> None:
    cs = example(SMALL)
    env = DefenceEnv(cs, seed=SEED)
    indices = [play(env, the_policy)[2]["replicate_index"] for _ in range(3)]
    assert indices == [0, 1, 2]
    _, _, info = play(env, the_policy, seed=5)
    assert info["replicate_index"] == 0 and info["outcomes"].equals(engine_row(cs, 0, seed=5))
    _, _, again = play(env, the_policy, seed=5, options={"replicate_index": 0})
    assert again["outcomes"].equals(info["outcomes"])
    assert env.seed == 5
    _, _, next_one = play(env, the_policy)
    assert next_one["replicate_index"] == 1

    first, second = DefenceEnv(cs, seed=3), DefenceEnv(cs, seed=3)
    o1, _ = first.reset()
    o2, _ = second.reset()
    done = False
    while not done:
        for name in o1:
            assert np.array_equal(o1[name], o2[name]), name
        o1, r1, done, _, _ = first.step(first.policy_action())
        o2, r2, done2, _, _ = second.step(second.policy_action())
        assert (r1, done) == (r2, done2)


def test_a_replication_without_decisions_still_takes_one_step() -> None:
    cs = build(base())  # no fire units: every drone leaks
    env = DefenceEnv(cs, seed=1)
    observation, info = env.reset()
    assert info["decision"] is None and env.policy_action() == []
    assert not observation["offer_mask"].any() and observation["units"].shape == (0, 3)
    with pytest.raises(ValueError, match="no offers to take"):
        env.step([0])
    with pytest.raises(ValueError, match=r"the mask takes row 0, but there are no offers"):
        env.step(as_mask(env, [0]))
    _, reward, terminated, truncated, info = env.step([])
    assert terminated and not truncated
    assert info["outcomes"].equals(engine_row(cs, 0, seed=1))
    assert reward == -value_lost(cs, info["outcomes"]) == -10.0  # the depot, worth 10


def test_looking_again_asks_every_tick_while_declining() -> None:
    raw = base()
    raw["fire_units"] = [unit("sam", -20, pk=0.5)]
    cs = build(raw)
    quick, slow = DefenceEnv(cs, seed=1), DefenceEnv(cs, seed=1, look_again=True)
    _, steps, info = play(quick, lambda env, obs: [])
    _, more, again = play(slow, lambda env, obs: None)
    assert more > steps
    assert info["outcomes"].equals(again["outcomes"])
    assert info["outcomes"].shots.sum() == 0


# --- random feasible actions ------------------------------------------------------------


def random_action(env: DefenceEnv, observation: dict[str, np.ndarray], rng: Any) -> Any:
    """A random feasible choice, read from the observation alone; a mask or a list."""
    valid = np.flatnonzero(observation["offer_mask"])
    free = observation["units"][:, UNIT["free_channels"]].copy()
    ready = observation["units"][:, UNIT["ready"]].copy()
    taken: set[float] = set()
    chosen = []
    for k in rng.permutation(valid):
        if rng.random() < 0.4:
            continue
        row = observation["offers"][k]
        threat, u, rounds = row[OFFER["threat"]], int(row[OFFER["unit"]]), row[OFFER["rounds"]]
        if threat in taken or free[u] < 1 or ready[u] < rounds:
            continue
        taken.add(threat)
        free[u] -= 1
        ready[u] -= rounds
        chosen.append(int(k))
    if rng.random() < 0.5:
        mask = np.zeros(env.max_offers, dtype=rng.choice([np.bool_, np.int64, np.float32]))
        mask[chosen] = 1
        return mask
    return chosen if rng.random() < 0.5 else tuple(reversed(chosen))


def random_episode(cs: CompiledScenario, seed: int, rep: int, max_offers: int) -> int:
    """An episode of random feasible actions; returns the rounds fired."""
    env = DefenceEnv(cs, seed=seed, max_offers=max_offers)
    rng = np.random.default_rng(rep)
    observation, info = env.reset(options={"replicate_index": rep})
    shots = np.zeros(cs.n_units, dtype=np.int64)
    total, terminated = 0.0, False
    while not terminated:
        action = random_action(env, observation, rng)
        positions = np.flatnonzero(action).tolist() if isinstance(action, np.ndarray) else action
        for k in positions:
            row = observation["offers"][k]
            shots[int(row[OFFER["unit"]])] += int(row[OFFER["rounds"]])
        observation, reward, terminated, _, info = env.step(action)
        assert reward <= 0 and math.isfinite(reward)
        total += reward
    out = info["outcomes"]
    assert np.array_equal(out.shots[0], shots)  # exactly what was taken was fired
    assert total == pytest.approx(-value_lost(cs, out), abs=1e-9)
    return int(shots.sum())


@pytest.mark.parametrize("path", EXAMPLES[1:], ids=lambda p: p.stem)
def test_random_feasible_actions_never_raise(path: Path) -> None:
    cs = example(path)
    assert sum(random_episode(cs, SEED, rep, max_offers=4) for rep in range(3)) > 0


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    raw=small_scenarios(),
    seed=st.integers(0, 2**64 - 1),
    rep=st.integers(0, 50),
    max_offers=st.integers(1, 6),
)
def test_random_feasible_actions_on_random_scenarios(
    raw: dict, seed: int, rep: int, max_offers: int
) -> None:
    random_episode(build(raw), seed, rep, max_offers)


# --- invalid actions ---------------------------------------------------------------------


def crowded(channels: int, rounds: int) -> CompiledScenario:
    """Two units side by side; forty drones three seconds apart, two rounds a salvo."""
    raw = base(salvo={"default": 2})
    raw["raids"][0]["launch"]["end"] = "00:02"
    raw["fire_units"] = [
        unit("a", -20, pk=0.5, channels=channels, rounds=rounds),
        unit("b", -21, pk=0.5, channels=channels, rounds=rounds),
    ]
    return build(raw)


def crowded_env() -> DefenceEnv:
    """The crowded raid against units of one channel and three rounds each."""
    return DefenceEnv(crowded(channels=1, rounds=3), seed=4, max_offers=8, look_again=True)


def offers_sharing(env: DefenceEnv, same: str) -> tuple[int, int]:
    """Decline until two offers share a threat or a unit; their positions."""
    _, info = env.reset(options={"replicate_index": 0})
    while info["decision"] is not None:
        offers = info["decision"].offers
        for a in range(len(offers)):
            for b in range(a + 1, len(offers)):
                if getattr(offers[a], same) == getattr(offers[b], same):
                    return a, b
        _, _, _, _, info = env.step([])
    raise AssertionError(f"no two offers share a {same}")


def test_infeasible_choices_raise_and_leave_the_episode_as_it_was() -> None:
    env = crowded_env()
    a, b = offers_sharing(env, "threat")
    with pytest.raises(ValueError, match="is already engaged in this choice"):
        env.step([a, b])
    a, b = offers_sharing(env, "unit")
    with pytest.raises(ValueError, match="has no free fire channel left"):
        env.step(as_mask(env, [a, b]))
    decision = env.decision
    assert decision is not None
    # nothing fired: the same decision is still asked, and the episode plays on as a twin's
    twin = crowded_env()
    offers_sharing(twin, "unit")
    assert twin.decision is not None and twin.decision.offers == decision.offers
    assert play_on(env).equals(play_on(twin))


def play_on(env: DefenceEnv) -> Outcomes:
    terminated = False
    while not terminated:
        _, _, terminated, _, info = env.step(env.policy_action())
    return info["outcomes"]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (np.zeros(3), r"shape \(8,\) \(max_offers\), got shape \(3,\); give offer positions"),
        (np.zeros((2, 8)), r"got shape \(2, 8\)"),
        (np.full(8, 2), "only 0 and 1"),
        (np.full(8, np.nan), "only 0 and 1"),
        (np.array(["1"] * 8), "only 0 and 1"),
        (np.eye(8, dtype=bool)[7], "the mask takes row 7, but only rows 0 to"),
        ([99], "offer 99 does not exist"),
        ([-1], "offer -1 does not exist"),
        ([0, 0], "offer 0 is taken twice"),
        ([1.0], "offer positions must be integers, got float 1.0"),
        ([True], "offer positions must be integers, got bool True"),
        (["0"], "offer positions must be integers, got str 0"),
        ("0", "an action is a list of offer positions or a 0/1 mask array of length 8, got str"),
        ({0: 1}, "got dict"),
        (3, "got int"),
    ],
)
def test_malformed_actions_raise_a_clear_value_error(action: Any, message: str) -> None:
    env = crowded_env()
    _, info = env.reset()
    assert 0 < len(info["decision"].offers) < 8
    with pytest.raises(ValueError, match=message):
        env.step(action)
    assert env.decision is info["decision"]  # still asked
    env.step([0])  # and answerable


def test_stepping_outside_an_episode_raises() -> None:
    env = crowded_env()
    with pytest.raises(ValueError, match=r"no episode is running: call reset\(\) first"):
        env.step([])
    play(env, the_policy)
    with pytest.raises(ValueError, match=r"the episode is over: call reset\(\)"):
        env.step([])
    env.reset()
    env.step([])  # a new episode steps again


def test_bad_settings_raise() -> None:
    cs = build(base())
    with pytest.raises(ValueError, match="max_offers must be at least 1, got 0"):
        DefenceEnv(cs, seed=1, max_offers=0)
    with pytest.raises(ValueError, match="max_offers must be an integer, got float"):
        DefenceEnv(cs, seed=1, max_offers=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"seed must be in \[0, 2\*\*64\), got -1"):
        DefenceEnv(cs, seed=-1)
    with pytest.raises(ValueError, match="unknown policy 'best'; known: greedy"):
        DefenceEnv(cs, seed=1, policy="best")
    with pytest.raises(ValueError, match="policy cost_aware needs the doctrine's value_unit"):
        DefenceEnv(cs, seed=1, policy="cost_aware")
    env = DefenceEnv(cs, seed=1)
    with pytest.raises(
        ValueError, match="unknown reset option 'replicate'; known: replicate_index"
    ):
        env.reset(options={"replicate": 1})
    with pytest.raises(ValueError, match="replicate_index must be a whole number >= 0, got -2"):
        env.reset(options={"replicate_index": -2})
    with pytest.raises(
        ValueError, match=r"seed must be in \[0, 2\*\*64\), got 18446744073709551616"
    ):
        env.reset(seed=2**64)
