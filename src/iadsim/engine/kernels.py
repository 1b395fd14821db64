"""The model's arithmetic, once: kernels both engines run (:mod:`iadsim.kernel`).

The reference engine calls these as Python over a :class:`~iadsim.engine.scene.Scene`
of lists; the fast engine compiles the same code over a Scene of arrays. The
handlers of the two engines hold the bookkeeping (queues, lists, counters);
every draw, every look, every tick of the decision grid, every kill, and every
option's intercept, salvo and score is computed here, and nowhere else.
"""

from __future__ import annotations

import math
from typing import Any

from iadsim.c2 import salvo_kill, score_option
from iadsim.draws import Purpose, uniform
from iadsim.geometry import intercept_time, position_at
from iadsim.kernel import kernel

__all__ = [
    "BLOCKED",
    "DECLINED",
    "MAX_SALVO",
    "OFFERED",
    "damages",
    "detection_time",
    "evaluate",
    "ew_defeats",
    "grid_tick",
    "held_until",
    "salvo_kills",
]

MAX_SALVO = 8
"""Rounds of one salvo counted apart in the kill draws' index (``engagement * 8 + round``)."""

OFFERED = 0
"""An option: the unit can fire at the threat now, and the policy wants to."""
BLOCKED = 1
"""The unit could fire, but the intercept would fall outside its window or after impact."""
DECLINED = 2
"""The unit could fire, but the policy declines (e.g. not worth its rounds)."""

_DETECT_PHASE = int(Purpose.DETECT_PHASE)
_DETECT = int(Purpose.DETECT)
_KILL = int(Purpose.KILL)
_EW_SUSCEPTIBLE = int(Purpose.EW_SUSCEPTIBLE)
_EW_EFFECT = int(Purpose.EW_EFFECT)
_DAMAGE = int(Purpose.DAMAGE)


@kernel(inline=True)
def grid_tick(t: float, cycle: float) -> int:
    """Index of the first decision tick at or after ``t``."""
    k = math.ceil(t / cycle)
    if k * cycle < t:
        k += 1
    return int(k)


@kernel(inline=True)
def detection_time(sc: Any, seed: int, rep: int, threat: int, discern: bool) -> float:
    """First time any sensor detects ``threat`` in replication ``rep`` (``inf`` if none does).

    Each sensor looks every ``scan_period`` from a random phase while the
    threat is in its window; each look detects with probability ``pd``.

    With ``discern``: the first time a look tells the threat (a decoy) from what it
    mimics. A look with draw u detects if ``u < pd`` and also discriminates if
    ``u < pd * discrimination``: the same draws, so a decoy is never told apart
    before it is seen, and each look discriminates with chance ``pd * discrimination``.
    """
    best = math.inf
    for w in range(sc.det_offset[threat], sc.det_offset[threat + 1]):
        start = sc.det_start[w]
        if start >= best:
            break
        end = sc.det_end[w]
        s = sc.det_sensor[w]
        period = sc.sensor_scan[s]
        pd = sc.sensor_pd[s] * sc.sensor_discrimination[s] if discern else sc.sensor_pd[s]
        phase = uniform(seed, rep, _DETECT_PHASE, w, 0)
        look = 0
        t = start + phase * period
        while t <= end and t < best:
            if uniform(seed, rep, _DETECT, w, look) < pd:
                best = t
                break
            look += 1
            t = start + (phase + look) * period
    return best


@kernel(inline=True)
def salvo_kills(
    sc: Any, seed: int, rep: int, threat: int, unit: int, ordinal: int, rounds: int
) -> bool:
    """Whether engagement number ``ordinal`` of ``threat`` (``rounds`` of ``unit``'s) kills it."""
    p = sc.pk[unit * sc.n_classes + sc.threat_class[threat]]
    killed = False
    for r in range(rounds):
        if uniform(seed, rep, _KILL, threat, ordinal * MAX_SALVO + r) < p:
            killed = True
    return killed


@kernel(inline=True)
def ew_defeats(sc: Any, seed: int, rep: int, threat: int, window: int) -> bool:
    """Whether the EW site of ``window`` defeats ``threat`` as it enters the site's area.

    A threat's navigation is jammable or not once for the night (its class's
    susceptibility); a jammable one is defeated by each site with the site's pk.
    """
    c = sc.threat_class[threat]
    if uniform(seed, rep, _EW_SUSCEPTIBLE, threat, 0) >= sc.ew_susceptibility[c]:
        return False
    unit = sc.ew_unit[window]
    return bool(uniform(seed, rep, _EW_EFFECT, threat, window) < sc.pk[unit * sc.n_classes + c])


@kernel(inline=True)
def damages(sc: Any, seed: int, rep: int, threat: int) -> bool:
    """Whether a leaking ``threat`` destroys the asset it is aimed at."""
    return bool(uniform(seed, rep, _DAMAGE, threat, 0) < sc.damage_prob[threat])


@kernel(inline=True)
def held_until(sc: Any, t: float, unit: int, threat_class: int) -> float:
    """When ``unit`` may next fire at threats of ``threat_class``, from ``t`` on.

    The first time at or after ``t`` that no rule of engagement holds its fire at
    them (``t`` itself if none does now).
    """
    n_rules = len(sc.roe_start)
    n_units = len(sc.unit_x)
    changed = True
    while changed:
        changed = False
        for r in range(n_rules):
            if (
                sc.roe_start[r] <= t < sc.roe_end[r]
                and sc.roe_hold[(r * n_units + unit) * sc.n_classes + threat_class] == 1
            ):
                t = sc.roe_end[r]
                changed = True
    return t


@kernel(inline=True)
def evaluate(
    sc: Any, t: float, threat: int, window: int, ready: int
) -> tuple[int, float, int, float, float]:
    """One candidate at time ``t``: the unit of ``window``, with ``ready`` rounds, at ``threat``.

    Returns ``(status, intercept, rounds, kill, score)``: :data:`OFFERED` with when
    its salvo would meet the threat, the rounds (the threat's salvo, as far as the
    magazine allows), the kill chance command expects of them and the policy's
    score; or :data:`BLOCKED` (the meeting
    falls outside the window or after impact) or :data:`DECLINED` (the policy
    does not want it, or the unit keeps its last rounds for other threats).
    """
    u = sc.eng_unit[window]
    if sc.unit_keep[u] > 0 and sc.keep_for[u * sc.n_classes + sc.threat_class[threat]] == 0:
        ready -= sc.unit_keep[u]  # rounds kept back for other threats
        if ready <= 0:
            return DECLINED, math.inf, 0, 0.0, -math.inf
    lo, hi = sc.route_offset[threat], sc.route_offset[threat + 1]
    p0, p1 = sc.unit_path_offset[u], sc.unit_path_offset[u + 1]
    # the interceptor leaves from where its unit is when it fires
    cx, cy, cz = position_at(
        sc.unit_path_x[p0:p1],
        sc.unit_path_y[p0:p1],
        sc.unit_path_z[p0:p1],
        sc.unit_path_t[p0:p1],
        t,
    )
    meet = intercept_time(
        sc.route_x[lo:hi],
        sc.route_y[lo:hi],
        sc.route_z[lo:hi],
        sc.route_t[lo:hi],
        cx,
        cy,
        cz,
        sc.unit_speed[u],
        t,
    )
    impact = sc.impact_time[threat]
    if not (sc.eng_start[window] <= meet <= sc.eng_end[window]) or meet >= impact:
        return BLOCKED, meet, 0, 0.0, 0.0
    rounds = min(sc.salvo[threat], ready)
    kill = salvo_kill(sc.pk_perceived[u * sc.n_classes + sc.threat_class[threat]], rounds)
    score = score_option(
        sc.policy,
        kill,
        rounds,
        sc.value[threat],
        sc.worth[threat],
        sc.unit_cost[u],
        impact - t,
        sc.decision_cycle,
    )
    if score == -math.inf:
        return DECLINED, meet, rounds, kill, score
    return OFFERED, meet, rounds, kill, score
