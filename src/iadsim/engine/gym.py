"""A Gymnasium-style environment: one replication, one decision cycle per step.

:class:`DefenceEnv` is a thin wrapper over the steppable reference engine
(:class:`iadsim.engine.reference.Replication`) with the method shapes of a
Gymnasium environment (``reset`` and ``step``), without depending on Gymnasium.
An episode is one replication of the scenario; a step answers one decision
cycle that has options.

- **Observation**: a dict of NumPy arrays, fresh at every step:

  - ``offers`` ``[max_offers, 7]`` float64, one row per offer in greedy order
    (columns :data:`OFFER_COLUMNS`: score, intercept time, threat, unit,
    engagement window, rounds, kill chance), zero beyond the valid rows;
    ``offer_mask`` ``[max_offers]`` bool says which rows are offers. A cycle
    with more than ``max_offers`` offers shows the best ``max_offers``; all of
    them are in ``info["decision"].offers``, and positions may name any of them;
  - ``tracks`` ``[threats, 9]`` float64, one row per threat (columns
    :data:`TRACK_COLUMNS`: position now, altitude, predicted impact time and
    point, target asset, salvos in flight, class), and ``track_mask``
    ``[threats]`` bool: tracked and still flying;
  - ``units`` ``[units, 3]`` float64 (columns :data:`UNIT_COLUMNS`: rounds
    ready, in reserve, free fire channels; EW sites have none);
  - ``time`` ``[1]`` float64: seconds after the start of the cycle (at the
    end: of the last cycle).

- **Action**: the offers to take, either a list (or tuple, range) of offer
  positions, or a NumPy array of length ``max_offers`` holding 0 and 1 (a mask
  over the rows of ``offers``). ``[]`` or ``None`` takes nothing. A choice
  takes each threat at most once and no more salvos or rounds than a unit has
  free channels and rounds ready; anything else raises ``ValueError`` and
  leaves the episode as it was (the step can be retried).

- **Reward**: minus the value (the scenario's asset values) of the assets
  destroyed since the previous step, as ``value_lost`` in the run summary; the
  first step also counts what was destroyed before the first decision. So an
  episode's rewards add up to minus the value lost in that replication.

- **End**: ``terminated`` is true when the replication is over (it always
  ends: ``truncated`` is always false); ``info["outcomes"]`` is then its
  :class:`~iadsim.engine.outcomes.Outcomes`, the very row
  ``simulate(..., seed=seed, replicate_index=index)`` gives when every step took
  the policy's choice. A replication without any decision cycle still takes one
  step (with an empty action) to end.

``info`` always has ``decision`` (the :class:`~iadsim.engine.reference.Decision`
being asked, ``None`` at the end), ``replicate_index``, ``time`` and
``value_lost`` (so far).

Example::

    from iadsim.compile import compile_scenario
    from iadsim.engine.gym import DefenceEnv
    from iadsim.scenario import load_scenario

    cs = compile_scenario(load_scenario("examples/single_battery.yaml"))
    env = DefenceEnv(cs, seed=7)
    observation, info = env.reset(options={"replicate_index": 0})
    total, terminated = 0.0, False
    while not terminated:
        action = env.policy_action()  # or an agent's mask over observation["offers"]
        observation, reward, terminated, truncated, info = env.step(action)
        total += reward
    print(total, info["outcomes"].fate)

Each ``reset()`` without a ``replicate_index`` runs the next replication of
the run (0, 1, 2, ...); ``reset(seed=s)`` starts a run with seed ``s`` at
replication 0. Everything runs in the reference engine, in Python: an episode
of the capital raid example (550 threats, about 700 steps) takes about a
second, most of it spent building the observations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from iadsim.c2 import policy as find_policy
from iadsim.compile import CompiledScenario
from iadsim.engine.outcomes import Outcomes
from iadsim.engine.reference import Decision, Replication, policy_decision
from iadsim.engine.scene import build_scene

__all__ = ["MAX_OFFERS", "OFFER_COLUMNS", "TRACK_COLUMNS", "UNIT_COLUMNS", "DefenceEnv"]

OFFER_COLUMNS = ("score", "intercept", "threat", "unit", "window", "rounds", "kill")
"""Columns of ``observation["offers"]``: the fields of :class:`~iadsim.engine.reference.Offer`."""

TRACK_COLUMNS = (
    "x",
    "y",
    "altitude",
    "impact_time",
    "impact_x",
    "impact_y",
    "target",
    "inflight",
    "threat_class",
)
"""Columns of ``observation["tracks"]`` (metres east and north of the origin, seconds after
the start; ``target`` is the asset's index, ``threat_class`` the class's index in
``compiled.class_names``): the fields of :class:`~iadsim.engine.reference.TrackView`."""

UNIT_COLUMNS = ("ready", "reserve", "free_channels")
"""Columns of ``observation["units"]``: the fields of :class:`~iadsim.engine.reference.UnitView`."""

MAX_OFFERS = 32
"""Offer rows in an observation by default."""

Observation = dict[str, NDArray[Any]]


class DefenceEnv:
    """One replication of ``compiled`` per episode, one decision cycle per step.

    Args:
        compiled: the scenario.
        seed: the run's seed (with the replicate index it fixes every draw).
        policy: the assignment policy whose scores rank the offers and whose
            choice :meth:`policy_action` gives (default: the doctrine's).
        max_offers: offer rows in an observation.
        look_again: when a step takes nothing, ask again at the next tick of
            the decision grid while there are offers (by default the next
            step comes with the next event that may change the picture).

    Raises:
        ValueError: a seed outside ``[0, 2**64)``, ``max_offers`` below 1, an
            unknown policy or one that needs the doctrine's ``value_unit``.
    """

    def __init__(
        self,
        compiled: CompiledScenario,
        *,
        seed: int,
        policy: str | None = None,
        max_offers: int = MAX_OFFERS,
        look_again: bool = False,
    ) -> None:
        chosen = find_policy(policy or compiled.policy)
        if "value_unit" in chosen.needs and np.isnan(compiled.worth).any():
            raise ValueError(
                f"policy {chosen.name} needs the doctrine's value_unit (e.g. '1 MUSD')"
            )
        if isinstance(max_offers, bool) or not isinstance(max_offers, int | np.integer):
            raise ValueError(f"max_offers must be an integer, got {type(max_offers).__name__}")
        if max_offers < 1:
            raise ValueError(f"max_offers must be at least 1, got {max_offers}")
        self.compiled = compiled
        self.seed = _checked_seed(seed)
        self.policy = chosen.name
        self.max_offers = int(max_offers)
        self.look_again = look_again
        self.scene = build_scene(compiled, chosen.name, lists=True)
        self.replication: Replication | None = None
        self.decision: Decision | None = None
        """The decision cycle the next step answers (``None`` at the end)."""
        self.terminated = False
        self._next_index = 0
        self._lost = 0.0  # value lost counted in the rewards so far
        self._time = 0.0
        self._class = {name: k for k, name in enumerate(compiled.class_names)}
        self._values = np.asarray(compiled.asset_value, dtype=np.float64)

    # --- the Gymnasium methods
    def reset(
        self, *, seed: int | None = None, options: Mapping[str, Any] | None = None
    ) -> tuple[Observation, dict[str, Any]]:
        """Start an episode: a replication, run to its first decision cycle.

        Args:
            seed: a new seed for the run (the replicate index then restarts at 0).
            options: ``{"replicate_index": r}`` runs replication ``r``; by
                default the one after the previous episode's.
        """
        if seed is not None:
            self.seed = _checked_seed(seed)
            self._next_index = 0
        index = self._next_index
        for key, value in (options or {}).items():
            if key != "replicate_index":
                raise ValueError(f"unknown reset option {key!r}; known: replicate_index")
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                raise ValueError(f"replicate_index must be a whole number >= 0, got {value}")
            index = int(value)
        self._next_index = index + 1
        self.replication = Replication(self.compiled, self.seed, index, scene=self.scene)
        self.terminated = False
        self._lost, self._time = 0.0, 0.0
        self._advance()
        return self._observe(), self._info()

    def step(
        self, action: Sequence[int] | NDArray[Any] | None
    ) -> tuple[Observation, float, bool, bool, dict[str, Any]]:
        """Take the offers of ``action`` and run to the next decision cycle (or the end).

        Returns:
            ``(observation, reward, terminated, truncated, info)``.

        Raises:
            ValueError: no episode is running (call :meth:`reset`), or
                ``action`` is not a feasible choice; the episode is unchanged.
        """
        replication = self.replication
        if replication is None:
            raise ValueError("no episode is running: call reset() first")
        if self.terminated:
            raise ValueError("the episode is over: call reset() to start another")
        positions = self._positions(action)
        if self.decision is None:  # a replication without decisions: this step ends it
            if positions:
                raise ValueError("there are no offers to take: the replication has no decision")
        else:
            replication.decide(positions, again=self.look_again)
        self._advance()
        lost = float(replication.out.asset_destroyed[0] @ self._values)
        reward = self._lost - lost
        self._lost = lost
        self.terminated = self.decision is None
        info = self._info()
        if self.terminated:
            info["outcomes"] = replication.out
        return self._observe(), reward, self.terminated, False, info

    def close(self) -> None:
        """Nothing to release (for the Gymnasium shape)."""

    # --- helpers for agents
    def policy_action(self) -> list[int]:
        """The policy's choice at the current decision cycle, as offer positions."""
        if self.replication is None or self.decision is None:
            return []
        return policy_decision(self.replication, self.decision)

    @property
    def outcomes(self) -> Outcomes | None:
        """The current episode's Outcomes (final once ``terminated``)."""
        return None if self.replication is None else self.replication.out

    # --- inside
    def _advance(self) -> None:
        assert self.replication is not None
        self.decision = self.replication.next_decision()
        if self.decision is not None:
            self._time = self.decision.time

    def _observe(self) -> Observation:
        assert self.replication is not None
        cs, decision = self.compiled, self.decision
        offers = np.zeros((self.max_offers, len(OFFER_COLUMNS)), dtype=np.float64)
        offer_mask = np.zeros(self.max_offers, dtype=np.bool_)
        tracks = np.zeros((cs.n_threats, len(TRACK_COLUMNS)), dtype=np.float64)
        track_mask = np.zeros(cs.n_threats, dtype=np.bool_)
        if decision is not None:
            shown = decision.offers[: self.max_offers]
            if shown:
                offers[: len(shown)] = np.array(shown, dtype=np.float64)
                offer_mask[: len(shown)] = True
            for v in decision.tracks():
                tracks[v.threat] = (
                    v.x,
                    v.y,
                    v.altitude,
                    v.impact_time,
                    v.impact_x,
                    v.impact_y,
                    v.target,
                    v.inflight,
                    self._class[v.threat_class],
                )
                track_mask[v.threat] = True
        units = np.array(
            [(v.ready, v.reserve, v.free_channels) for v in self.replication.unit_views()],
            dtype=np.float64,
        ).reshape(cs.n_units, len(UNIT_COLUMNS))
        return {
            "offers": offers,
            "offer_mask": offer_mask,
            "tracks": tracks,
            "track_mask": track_mask,
            "units": units,
            "time": np.array([self._time], dtype=np.float64),
        }

    def _info(self) -> dict[str, Any]:
        assert self.replication is not None
        return {
            "decision": self.decision,
            "replicate_index": self.replication.rep,
            "time": self._time,
            "value_lost": self._lost,
        }

    def _positions(self, action: Sequence[int] | NDArray[Any] | None) -> list[int]:
        """The offer positions an action names (feasibility is checked by the engine)."""
        if action is None:
            return []
        n_offers = 0 if self.decision is None else len(self.decision.offers)
        if isinstance(action, np.ndarray):
            if action.shape != (self.max_offers,):
                raise ValueError(
                    f"a mask action must be an array of shape ({self.max_offers},) (max_offers), "
                    f"got shape {action.shape}; give offer positions as a list"
                )
            if action.dtype != np.bool_ and (
                action.dtype.kind not in "iuf" or not np.isin(action, (0, 1)).all()
            ):
                raise ValueError("a mask action must hold only 0 and 1")
            positions = np.flatnonzero(action).tolist()
            valid = min(n_offers, self.max_offers)
            if positions and positions[-1] >= valid:
                raise ValueError(
                    f"the mask takes row {positions[-1]}, but only rows 0 to {valid - 1} "
                    f"hold offers (offer_mask)"
                    if valid
                    else f"the mask takes row {positions[-1]}, but there are no offers"
                )
            return positions
        if isinstance(action, str | bytes | Mapping) or not isinstance(action, Iterable):
            raise ValueError(
                "an action is a list of offer positions or a 0/1 mask array of length "
                f"{self.max_offers}, got {type(action).__name__}"
            )
        positions = []
        for k in action:
            if isinstance(k, bool | np.bool_) or not isinstance(k, int | np.integer):
                raise ValueError(f"offer positions must be integers, got {type(k).__name__} {k}")
            if int(k) in positions:
                raise ValueError(f"offer {int(k)} is taken twice")
            positions.append(int(k))
        return positions


def _checked_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an integer, got {type(seed).__name__}")
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    return int(seed)
