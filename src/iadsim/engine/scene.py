"""The scenario as the engines read it: one structure of flat arrays.

:class:`Scene` carries everything a replication reads, so a handler or kernel
takes one argument instead of dozens. The fast engine gets NumPy arrays of fixed
types (int64, float64; one dimension each, C-contiguous), so every scenario,
whatever its shape, runs on the same compiled code; the reference engine gets
the same fields as Python lists, which Python indexes faster than arrays.
Tables of ``[unit, class]`` are flattened: ``pk[unit * n_classes + class]``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from iadsim.c2 import policy as find_policy
from iadsim.compile import CompiledScenario

__all__ = ["Scene", "build_scene"]


class Scene(NamedTuple):
    """A compiled scenario's arrays, as one value; see :class:`iadsim.compile.CompiledScenario`."""

    decision_cycle: float
    reaction_time: float
    duration: float
    max_inflight: int
    max_engagements: int
    node_limit: int
    policy: int
    """The assignment policy's code (:data:`iadsim.c2.POLICIES`)."""
    n_classes: int
    # threats (T)
    threat_class: Any
    threat_target: Any
    impact_time: Any
    discern: Any
    """Per threat: 1 for a decoy that a sensor may tell from what it mimics, else 0."""
    damage_prob: Any
    value: Any
    worth: Any
    salvo: Any
    route_offset: Any
    route_x: Any
    route_y: Any
    route_t: Any
    route_z: Any
    # detection windows (W) and sensors
    det_offset: Any
    det_start: Any
    det_end: Any
    det_sensor: Any
    sensor_scan: Any
    sensor_pd: Any
    sensor_discrimination: Any
    # fire units (U), and [unit, class] tables flattened
    unit_path_offset: Any
    unit_path_x: Any
    unit_path_y: Any
    unit_path_z: Any
    unit_path_t: Any
    unit_x: Any
    unit_y: Any
    unit_channels: Any
    unit_rounds: Any
    unit_reserve: Any
    unit_reload: Any
    unit_speed: Any
    unit_cost: Any
    pk: Any
    pk_perceived: Any
    # engagement windows (E)
    eng_offset: Any
    eng_unit: Any
    eng_start: Any
    eng_end: Any
    eng_fire_start: Any
    eng_threat: Any
    """The threat of each window."""
    eng_first: Any
    """For each window, the first window of the same threat and unit: engagements of a
    (threat, unit) pair are counted there."""
    # EW windows (V)
    ew_offset: Any
    ew_unit: Any
    ew_start: Any
    ew_susceptibility: Any
    """Per class: the share of threats whose navigation can be jammed."""
    # rules of engagement by time window
    roe_start: Any
    roe_end: Any
    roe_hold: Any
    # reserve keeping
    unit_keep: Any
    keep_for: Any
    """[unit, class] flattened: 1 where the unit's kept rounds are for that class."""
    # the network (iadsim.engine.network); net_on 0: the perfect picture
    net_on: int
    net_width: int
    net_max_capacity: int
    net_capacity_free: int
    """1 when no command post's track capacity can bind in any replication (see
    :func:`_capacity_free`): each threat's picture may then be worked out alone."""
    net_node_cycle: Any
    net_node_capacity: Any
    net_link_from: Any
    net_link_to: Any
    net_link_latency: Any
    net_out_offset: Any
    net_out_link: Any
    net_post_order: Any
    net_in_offset: Any
    net_in_link: Any
    net_down_offset: Any
    net_down_start: Any
    net_down_end: Any
    net_mtbf: Any
    net_mttr: Any
    net_sensor_unit: Any
    net_unit_linked: Any
    net_unit_fallback: Any
    net_unit_delay: Any
    asset_element: Any


def _first_same_unit(cs: CompiledScenario) -> np.ndarray:
    first = np.arange(cs.eng_unit.shape[0], dtype=np.int64)
    for i in range(cs.n_threats):
        seen: dict[int, int] = {}
        for e in range(int(cs.eng_offset[i]), int(cs.eng_offset[i + 1])):
            first[e] = seen.setdefault(int(cs.eng_unit[e]), e)
    return first


def _capacity_free(cs: CompiledScenario) -> int:
    """1 when no command post can ever hold as many tracks as its capacity.

    A post holds a track from its arrival, which is never before the threat's first
    detection window opens, to the threat's planned impact. When, for every post
    with a capacity, no more threats than it can take are ever inside those spans
    at once, no track ever finds a post full, whatever the draws.
    """
    capacity = cs.net_node_capacity[cs.net_node_capacity > 0]
    if not cs.net_on or capacity.size == 0 or cs.n_threats == 0:
        return 1
    offset = np.asarray(cs.det_offset)
    seen = offset[1:] > offset[:-1]
    start = np.asarray(cs.det_start)[offset[:-1][seen]]
    end = np.asarray(cs.impact_time)[seen]
    held = end > start
    times = np.concatenate([start[held], end[held]])
    steps = np.concatenate([np.ones(held.sum(), np.int64), -np.ones(held.sum(), np.int64)])
    order = np.lexsort((steps, times))  # at a tie, a hold ends before another begins
    peak = int(np.cumsum(steps[order]).max(initial=0))
    return int(peak <= int(capacity.min()))


def build_scene(cs: CompiledScenario, policy: str | None = None, *, lists: bool = False) -> Scene:
    """The scene of ``cs`` under ``policy`` (default: the doctrine's).

    ``lists=True`` gives Python lists (for the reference engine); otherwise
    every array is 1-D, C-contiguous int64 or float64, whatever the scenario's
    shape (empty included), so the fast engine never compiles a new version.
    """
    code = find_policy(policy or cs.policy).code

    def frozen(a: Any, dtype: Any) -> Any:
        v = np.array(a, dtype=dtype).reshape(-1)  # a C-contiguous copy
        if lists:
            return v.tolist()
        v.setflags(write=False)  # always read-only: one array type for every scenario
        return v

    def ints(a: Any) -> Any:
        return frozen(a, np.int64)

    def floats(a: Any) -> Any:
        return frozen(a, np.float64)

    return Scene(
        decision_cycle=float(cs.decision_cycle),
        reaction_time=float(cs.reaction_time),
        duration=float(cs.duration),
        max_inflight=int(cs.max_inflight),
        max_engagements=int(cs.max_engagements),
        node_limit=int(cs.exact_node_limit),
        policy=int(code),
        n_classes=len(cs.class_names),
        threat_class=ints(cs.threat_class),
        threat_target=ints(cs.threat_target),
        impact_time=floats(cs.impact_time),
        discern=ints(
            cs.class_is_decoy[cs.threat_class] & bool((cs.sensor_discrimination > 0).any())
            if cs.n_threats
            else np.zeros(0)
        ),
        damage_prob=floats(cs.damage_prob),
        value=floats(cs.value),
        worth=floats(cs.worth),
        salvo=ints(cs.salvo),
        route_offset=ints(cs.route_offset),
        route_x=floats(cs.route_x),
        route_y=floats(cs.route_y),
        route_t=floats(cs.route_t),
        route_z=floats(cs.route_z),
        det_offset=ints(cs.det_offset),
        det_start=floats(cs.det_start),
        det_end=floats(cs.det_end),
        det_sensor=ints(cs.det_sensor),
        sensor_scan=floats(cs.sensor_scan),
        sensor_pd=floats(cs.sensor_pd),
        sensor_discrimination=floats(cs.sensor_discrimination),
        unit_path_offset=ints(cs.unit_path_offset),
        unit_path_x=floats(cs.unit_path_x),
        unit_path_y=floats(cs.unit_path_y),
        unit_path_z=floats(cs.unit_path_z),
        unit_path_t=floats(cs.unit_path_t),
        unit_x=floats(cs.unit_x),
        unit_y=floats(cs.unit_y),
        unit_channels=ints(cs.unit_channels),
        unit_rounds=ints(cs.unit_rounds),
        unit_reserve=ints(cs.unit_reserve),
        unit_reload=floats(cs.unit_reload),
        unit_speed=floats(cs.unit_speed),
        unit_cost=floats(cs.unit_cost),
        pk=floats(cs.pk),
        pk_perceived=floats(cs.pk_perceived),
        eng_offset=ints(cs.eng_offset),
        eng_unit=ints(cs.eng_unit),
        eng_start=floats(cs.eng_start),
        eng_end=floats(cs.eng_end),
        eng_fire_start=floats(cs.eng_fire_start),
        eng_threat=ints(np.repeat(np.arange(cs.n_threats), np.diff(cs.eng_offset))),
        eng_first=ints(_first_same_unit(cs)),
        ew_offset=ints(cs.ew_offset),
        ew_unit=ints(cs.ew_unit),
        ew_start=floats(cs.ew_start),
        ew_susceptibility=floats(cs.class_ew_susceptibility),
        roe_start=floats(cs.roe_start),
        roe_end=floats(cs.roe_end),
        roe_hold=ints(cs.roe_hold),
        unit_keep=ints(cs.unit_keep if cs.unit_keep.size else np.zeros(cs.n_units)),
        keep_for=ints(
            cs.keep_for if cs.keep_for.size else np.zeros(cs.n_units * len(cs.class_names))
        ),
        net_on=int(cs.net_on),
        net_width=int(cs.net_width),
        net_max_capacity=int(cs.net_max_capacity),
        net_capacity_free=_capacity_free(cs),
        net_node_cycle=floats(cs.net_node_cycle),
        net_node_capacity=ints(cs.net_node_capacity),
        net_link_from=ints(cs.net_link_from),
        net_link_to=ints(cs.net_link_to),
        net_link_latency=floats(cs.net_link_latency),
        net_out_offset=ints(cs.net_out_offset),
        net_out_link=ints(cs.net_out_link),
        net_post_order=ints(cs.net_post_order),
        net_in_offset=ints(cs.net_in_offset),
        net_in_link=ints(cs.net_in_link),
        net_down_offset=ints(cs.net_down_offset),
        net_down_start=floats(cs.net_down_start),
        net_down_end=floats(cs.net_down_end),
        net_mtbf=floats(cs.net_mtbf),
        net_mttr=floats(cs.net_mttr),
        net_sensor_unit=ints(cs.net_sensor_unit),
        net_unit_linked=ints(cs.net_unit_linked),
        net_unit_fallback=ints(cs.net_unit_fallback),
        net_unit_delay=floats(cs.net_unit_delay),
        asset_element=ints(cs.asset_element if cs.net_on else np.full(cs.n_assets, -1)),
    )
