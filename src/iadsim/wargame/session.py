"""A wargame session: a person commands the defence for one replication of a raid.

The session wraps one steppable replication (:class:`iadsim.engine.reference.Replication`)
and adds what a player needs around it:

- a **clock** (:attr:`Session.now`, seconds after the start) that the page runs
  at x1 to x120 (:meth:`Session.advance`), pauses, or moves to the next decision
  the player has a part in (:meth:`Session.step`);
- the **picture** at the clock (:meth:`Session.view`, :mod:`iadsim.wargame.picture`):
  the tracks with their predicted impact points and times, every fire unit's
  state and options at the next decision (kill chance, rounds, free channels),
  the salvos in flight, and what happened so far;
- **command**: the player assigns a threat to a unit (:meth:`Session.assign`),
  or delegates units or whole layers to a built-in policy (:meth:`Session.delegate`).
  At each decision the chosen offers are the player's picks plus each policy's
  choice restricted to the units delegated to it (and to the threats the player
  did not take), checked feasible by the engine.

The replication runs under greedy's scores so that every option is offered
(:mod:`iadsim.wargame.choices` computes a delegated policy's choice exactly as
the engine would). The engine resolves the chosen salvos with the same
counter-based draws as any run with the same seed and replication index, so the
player's night is comparable with the built-in policies' nights on the same
world (:func:`iadsim.wargame.review.after_action_review`), and a saved session
replays exactly (:mod:`iadsim.wargame.record`).

When the player declines every option they had at a decision, the engine asks
again at the next tick of the decision grid (holding fire to shoot later is a
choice); with :attr:`Session.auto_pause` the clock stops at a decision only when
it offers the player a (threat, unit) pair the previous decision did not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from iadsim.c2 import POLICY_NAMES
from iadsim.compile import CompiledScenario
from iadsim.engine.outcomes import Fate
from iadsim.engine.reference import Decision, Offer, Replication
from iadsim.wargame.choices import policy_choice
from iadsim.wargame.errors import WargameError
from iadsim.wargame.picture import Picture, static_view

__all__ = ["MAX_SPEED", "PLAYER", "Chosen", "Logged", "Move", "Session", "perceived_kinds", "start"]

PLAYER = "player"
"""Who took an offer the player picked (``Chosen.by``)."""

MAX_SPEED = 120.0
"""The fastest clock: game seconds per wall-clock second."""


class Chosen(NamedTuple):
    """One offer taken at a decision, and who took it."""

    threat: int
    unit: int
    window: int
    """The engagement window (with threat and unit, it names the offer)."""
    rounds: int
    by: str
    """:data:`PLAYER` or the policy the unit was delegated to."""


@dataclass(frozen=True)
class Move:
    """A decision as it was taken: what a saved session holds and a replay re-applies."""

    tick: int
    """The decision grid's tick."""
    time: float
    """Seconds after the start."""
    chosen: tuple[Chosen, ...]
    again: bool
    """Whether the engine was asked to look again at the next tick (the player declined)."""


@dataclass(frozen=True)
class Logged:
    """A decision as the player faced it, for the after-action review."""

    move: Move
    offers: tuple[Offer, ...]
    free: tuple[int, ...]
    """Each unit's free fire channels before the choice."""
    ready: tuple[int, ...]
    """Each unit's ready rounds before the choice."""
    positions: tuple[int, ...]
    """The chosen offers' positions in ``offers``."""


def start(
    compiled: CompiledScenario,
    *,
    seed: int,
    replication: int,
    auto_pause: bool = True,
    scenario: Any = None,
) -> Session:
    """A session of replication ``replication`` of the run with ``seed``, at its first decision.

    ``scenario`` (the validated :class:`iadsim.scenario.Scenario` of ``compiled``) lets
    the picture show each track as the kind command takes it for (a decoy as what
    it mimics, until a sensor tells it apart); without it a decoy shows as a decoy.
    """
    return Session(
        compiled,
        seed=seed,
        replication=replication,
        auto_pause=auto_pause,
        kinds=perceived_kinds(scenario) if scenario is not None else None,
    )


def perceived_kinds(scenario: Any) -> list[str]:
    """The kind command takes each threat class for (a decoy: what it mimics), in class order."""
    return [c.perceived_kind for c in scenario.threat_classes.values()]


def _whole(name: str, value: Any, upper: int, label: str | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise WargameError(f"{name} must be a whole number, got {type(value).__name__}")
    if not 0 <= int(value) < upper:
        raise WargameError(f"{name} must be in [0, {label or upper}), got {value}")
    return int(value)


class Session:
    """One replication commanded by a player; see the module docstring.

    Args:
        compiled: the scenario.
        seed: the run's seed, in ``[0, 2**64)``.
        replication: the replication index (with the seed it fixes every draw).
        auto_pause: stop the clock at a decision that offers the player something new.
        kinds: the kind command takes each threat class for (:func:`perceived_kinds`);
            default: each class's own kind (a decoy shows as a decoy).

    Raises:
        WargameError: a seed or replication index out of range.
    """

    def __init__(
        self,
        compiled: CompiledScenario,
        *,
        seed: int,
        replication: int,
        auto_pause: bool = True,
        kinds: list[str] | None = None,
    ) -> None:
        self.compiled = compiled
        if kinds is not None and len(kinds) != len(compiled.class_names):
            raise WargameError(
                f"kinds: one per threat class ({len(compiled.class_names)}), got {len(kinds)}"
            )
        self.kinds = list(kinds) if kinds is not None else list(compiled.class_kind)
        """What command takes each threat class for."""
        self.seed = _whole("seed", seed, 2**64, "2**64")
        self.index = _whole("replication", replication, 2**63, "2**63")
        self.auto_pause = bool(auto_pause)
        self.replication = Replication(compiled, self.seed, self.index, policy="greedy")
        self.replication.trace = []
        self.delegation: list[str | None] = [None] * compiled.n_units
        """Each unit's policy, or ``None``: the player commands it (EW sites never fire)."""
        self.picks: dict[int, int] = {}
        """The player's picks at the pending decision: threat -> offer position."""
        self.moves: list[Move] = []
        self.log: list[Logged] = []
        self.now = 0.0
        """The clock: seconds after the start."""
        self.version = 0
        """Counts changes (picks, delegation, clock), for clients that cache views."""
        self._presented = False  # the pending decision has been shown to the player
        self._seen: set[tuple[int, int]] = set()  # player (threat, unit) pairs last offered
        self.picture = Picture(compiled, self.replication)
        """What the player sees at the clock (rebuilt from the replication's trace)."""
        self._index_of = {uid: u for u, uid in enumerate(compiled.unit_ids)}
        self.decision: Decision | None = self.replication.next_decision()
        """The next decision (``None``: the night is over)."""

    # --- the state
    @property
    def finished(self) -> bool:
        """Whether the replication has run to its end."""
        return self.decision is None

    @property
    def end_time(self) -> float:
        """When the last thing happened (s); the clock stops there once the night is over."""
        trace = self.replication.trace or []
        return max((e.time for e in trace), default=0.0)

    def unit_index(self, unit: int | str) -> int:
        """The index of ``unit`` (an index or an id)."""
        if isinstance(unit, str):
            found = self._index_of.get(unit)
            if found is None:
                known = ", ".join(self.compiled.unit_ids[:12])
                raise WargameError(f"unknown fire unit {unit!r}; known: {known}")
            return found
        return _whole("unit", unit, self.compiled.n_units)

    def player_units(self) -> list[int]:
        """The units the player commands (not delegated, not EW sites)."""
        ew = self.compiled.unit_is_ew
        return [u for u, p in enumerate(self.delegation) if p is None and not ew[u]]

    # --- command
    def delegate(
        self,
        policy: str | None,
        *,
        units: Iterable[int | str] | None = None,
        layer: str | None = None,
    ) -> list[int]:
        """Hand ``units`` (or every unit of ``layer``, or all) to ``policy`` (``None``: the player).

        The player's picks on units handed over are dropped. Returns the units changed.

        Raises:
            WargameError: an unknown policy, unit or layer, or a policy the scenario
                cannot run (cost_aware without the doctrine's value_unit).
        """
        cs = self.compiled
        if policy is not None:
            if policy not in POLICY_NAMES:
                raise WargameError(f"unknown policy {policy!r}; known: {', '.join(POLICY_NAMES)}")
            if policy == "cost_aware" and np.isnan(cs.worth).any():
                raise WargameError(
                    "policy cost_aware needs the scenario's doctrine.value_unit (e.g. '1 MUSD')"
                )
        if units is not None and layer is not None:
            raise WargameError("delegate units or a layer, not both")
        if layer is not None:
            if layer not in cs.unit_layer:
                known = ", ".join(sorted(set(cs.unit_layer)))
                raise WargameError(f"unknown layer {layer!r}; known: {known}")
            chosen = [u for u in range(cs.n_units) if cs.unit_layer[u] == layer]
        elif units is not None:
            chosen = sorted({self.unit_index(u) for u in units})
        else:
            chosen = list(range(cs.n_units))
        for u in chosen:
            self.delegation[u] = policy
        if policy is not None and self.decision is not None:
            offers = self.decision.offers
            self.picks = {i: k for i, k in self.picks.items() if offers[k].unit not in chosen}
        self.version += 1
        return chosen

    def assign(self, threat: int, unit: int | str) -> Offer:
        """The player's pick at the next decision: ``unit`` engages ``threat``.

        A threat already picked moves to ``unit``. Of several windows of the same
        pair, the best in greedy order is taken. Returns the offer picked.

        Raises:
            WargameError: saying why the pair is not an option now (the threat is not
                tracked or is gone, the unit is delegated, busy, out of rounds or out
                of reach) or why the pick does not fit with the others (no channel or
                rounds left for it).
        """
        cs, decision = self.compiled, self.decision
        if decision is None:
            raise WargameError("the night is over: there is nothing left to assign")
        threat = _whole("threat", threat, max(cs.n_threats, 1))
        u = self.unit_index(unit)
        uid = cs.unit_ids[u]
        rep = self.replication
        if cs.unit_is_ew[u]:
            raise WargameError(f"{uid} is an EW site: it jams by itself and takes no assignments")
        if self.delegation[u] is not None:
            raise WargameError(
                f"{uid} is delegated to {self.delegation[u]}: take it back before assigning it"
            )
        if not rep.alive[threat]:
            raise WargameError(f"threat {threat} is gone ({_fate_word(rep, threat)})")
        if threat not in rep.tracked:
            raise WargameError(f"threat {threat} is not tracked yet: command cannot engage it")
        found = [k for k, o in enumerate(decision.offers) if o.threat == threat and o.unit == u]
        if not found:
            raise WargameError(self._why_not(decision, threat, u))
        k = found[0]
        offer = decision.offers[k]
        others = [decision.offers[j] for i, j in self.picks.items() if i != threat]
        mine = [o for o in others if o.unit == u]
        free = cs.unit_channels[u] - rep.busy[u]
        if len(mine) >= free:
            taken = ", ".join(str(o.threat) for o in mine)
            raise WargameError(
                f"{uid} has no free fire channel left for threat {threat}: its {free} free "
                f"channel(s) are assigned to threat(s) {taken} at this decision"
            )
        spare = rep.ready[u] - sum(o.rounds for o in mine)
        if spare < offer.rounds:
            raise WargameError(
                f"{uid} has {spare} round(s) ready left at this decision; threat {threat} "
                f"needs a salvo of {offer.rounds}"
            )
        self.picks[threat] = k
        self.version += 1
        return offer

    def unassign(self, threat: int) -> None:
        """Drop the player's pick of ``threat`` at the next decision (nothing if there is none)."""
        if self.picks.pop(threat, None) is not None:
            self.version += 1

    def _why_not(self, decision: Decision, threat: int, u: int) -> str:
        cs, rep = self.compiled, self.replication
        uid = cs.unit_ids[u]
        if rep.ready[u] <= 0:
            more = f" (reloading from its reserve of {rep.reserve[u]})" if rep.reserve[u] else ""
            return f"{uid} has no rounds ready{more}: it cannot engage threat {threat}"
        if rep.busy[u] >= cs.unit_channels[u]:
            return (
                f"{uid} has no free fire channel: all {cs.unit_channels[u]} are guiding salvos "
                f"in flight; it cannot engage threat {threat} now"
            )
        if rep.inflight[threat] >= rep.sc.max_inflight:
            return (
                f"threat {threat} already has {rep.inflight[threat]} salvo(s) in flight at it, "
                "the most the doctrine allows (shoot-look-shoot: 1, shoot-shoot-look: 2)"
            )
        if decision.time >= rep.discerned[threat]:
            return f"threat {threat} has been told apart as a decoy: command does not fire at it"
        lo, hi = cs.eng_offset[threat], cs.eng_offset[threat + 1]
        windows = [e for e in range(lo, hi) if cs.eng_unit[e] == u]
        if not windows:
            return (
                f"{uid} cannot engage threat {threat} anywhere on its route (out of its "
                "envelope, no kill chance against it, or not allowed by the doctrine's authority)"
            )
        if rep.engaged_by[rep.sc.eng_first[windows[0]]] >= rep.sc.max_engagements:
            return (
                f"{uid} has engaged threat {threat} {rep.sc.max_engagements} time(s), the most "
                "the doctrine allows"
            )
        t = decision.time
        later = [cs.eng_fire_start[e] for e in windows if cs.eng_fire_start[e] > t]
        if all(cs.eng_end[e] < t for e in windows):
            return f"threat {threat} has passed out of {uid}'s reach"
        if later and not any(cs.eng_fire_start[e] <= t <= cs.eng_end[e] for e in windows):
            return (
                f"threat {threat} is not in {uid}'s reach yet: it can fire at it from "
                f"t = {min(later):.0f} s"
            )
        return (
            f"{uid} cannot engage threat {threat} at this decision (no intercept in its envelope)"
        )

    # --- the clock
    def _player_pairs(self, decision: Decision) -> set[tuple[int, int]]:
        d = self.delegation
        return {(o.threat, o.unit) for o in decision.offers if d[o.unit] is None}

    def _wants_player(self, decision: Decision, *, new_only: bool) -> bool:
        pairs = self._player_pairs(decision)
        return bool(pairs - self._seen) if new_only else bool(pairs)

    def advance(self, seconds: float) -> bool:
        """Run the clock ``seconds`` of game time; decisions it passes are taken.

        A decision is taken with the player's picks and the delegated policies'
        choices. With :attr:`auto_pause`, the clock stops at a decision that offers
        the player something new (it is then *presented*: the next call takes it).
        Returns whether the clock stopped at such a decision.
        """
        if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
            raise WargameError(
                f"the clock runs forward by a finite number of seconds, got {seconds}"
            )
        target = self.now + float(seconds)
        while self.decision is not None and self.decision.time <= target:
            d = self.decision
            if self.auto_pause and not self._presented and self._wants_player(d, new_only=True):
                self.now = max(self.now, d.time)
                self._presented = True
                self.version += 1
                return True
            self._commit()
        self.now = (
            target if self.decision is not None else min(target, max(self.end_time, self.now))
        )
        self.version += 1
        return False

    def resume_clock(self, clock: float) -> None:
        """Set the clock of a replayed session to where it stood when saved.

        It stays between the last decision taken and the next one; at the next
        decision's time, that decision counts as shown to the player.
        """
        last = self.moves[-1].time if self.moves else 0.0
        if self.decision is None:
            self.now = min(max(clock, last), max(self.end_time, last))
        else:
            self.now = min(max(clock, last), self.decision.time)
            self._presented = self.now >= self.decision.time
        self.version += 1

    def step(self) -> None:
        """Go to the next decision in which the player has options (take the ones before it).

        If the pending decision has not been shown yet, the clock moves to it;
        otherwise it is taken first. With no unit left to the player, the next
        decision of any kind; with none left at all, the end of the night.
        """
        if self.decision is not None and self._presented:
            self._commit()
        while self.decision is not None:
            d = self.decision
            if self._wants_player(d, new_only=False) or not self.player_units():
                self.now = max(self.now, d.time)
                self._presented = True
                self.version += 1
                return
            self._commit()
        self.now = max(self.now, self.end_time)
        self.version += 1

    def finish(self, policy: str | None = None) -> None:
        """Run to the end, the player's units handed to ``policy`` (or holding fire)."""
        if policy is not None:
            self.delegate(policy, units=self.player_units())
        while self.decision is not None:
            self._commit(again=False)
        self.now = max(self.now, self.end_time)
        self.version += 1

    def _commit(self, again: bool | None = None) -> None:
        """Take the pending decision: the player's picks plus the delegated policies' choices."""
        decision = self.decision
        assert decision is not None
        rep, offers = self.replication, decision.offers
        free = tuple(rep.sc.unit_channels[u] - rep.busy[u] for u in range(len(rep.busy)))
        ready = tuple(rep.ready)
        by = dict.fromkeys(sorted(self.picks.values()), PLAYER)
        taken = {offers[k].threat for k in by}
        for name in POLICY_NAMES:
            units = {u for u, p in enumerate(self.delegation) if p == name}
            if not units:
                continue
            for k in policy_choice(
                rep, decision.time, offers, name, units=units, taken=taken, free=free, ready=ready
            ):
                by[k] = name
                taken.add(offers[k].threat)
        if again is None:
            again = not by and bool(self._player_pairs(decision))
        self._apply(decision, sorted(by), [by[k] for k in sorted(by)], again, free, ready)

    def _apply(
        self,
        decision: Decision,
        positions: list[int],
        who: list[str],
        again: bool,
        free: tuple[int, ...],
        ready: tuple[int, ...],
    ) -> None:
        """Hand the choice to the engine, log it and run to the next decision."""
        offers = decision.offers
        self._seen = self._player_pairs(decision)
        try:
            self.replication.decide(positions, again=again)
        except ValueError as exc:  # the engine's own feasibility check
            raise WargameError(
                f"the choice at t = {decision.time:g} s is not feasible: {exc}"
            ) from None
        chosen = tuple(
            Chosen(offers[k].threat, offers[k].unit, offers[k].window, offers[k].rounds, b)
            for k, b in zip(positions, who, strict=True)
        )
        self.picture.salvos.extend(c.rounds for c in chosen)  # fired in this order
        move = Move(decision.tick, decision.time, chosen, again)
        self.moves.append(move)
        self.log.append(Logged(move, tuple(offers), free, ready, tuple(positions)))
        self.picks = {}
        self._presented = False
        self.decision = self.replication.next_decision()
        self.version += 1

    # --- the picture
    def view(self) -> dict[str, Any]:
        """The picture at the clock, as plain data (JSON-ready): :meth:`Picture.view`."""
        return self.picture.view(self)

    def record(self) -> dict[str, Any]:
        """The session as saved (:func:`iadsim.wargame.record.record`)."""
        from iadsim.wargame.record import record

        return record(self)

    def static(self) -> dict[str, Any]:
        """What does not change during the night (:func:`static_view`)."""
        return static_view(self)


def _fate_word(rep: Replication, threat: int) -> str:
    fate = Fate(int(rep.out.fate[0, threat]))
    return {
        Fate.DESTROYED: "destroyed",
        Fate.LOST_TO_EW: "defeated by EW",
        Fate.LEAKED: "it reached its target",
        Fate.AIRBORNE: "not flying",
    }[fate]
