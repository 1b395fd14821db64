"""CompiledScenario: a scenario as frozen NumPy arrays, with every window precomputed."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import NDArray

__all__ = ["HARDNESS", "CompiledScenario"]

HARDNESS = ("soft", "medium", "hard")

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class CompiledScenario:
    """Everything an engine needs, in SI units, as read-only arrays.

    Threats are numbered in raid order. Windows are flat tables sorted by
    threat, with ``*_offset[i]:*_offset[i + 1]`` the rows of threat ``i``.
    Compiling is pure: the same scenario gives equal arrays and the same
    :attr:`content_hash`.
    """

    name: str
    content_hash: str
    """SHA-256 of the validated scenario, canonical JSON."""
    duration: float
    """Seconds simulated."""
    decision_cycle: float
    reaction_time: float
    max_inflight: int
    """Engagements in flight against one threat at most.

    1 for shoot-look-shoot, 2 for shoot-shoot-look.
    """
    policy: str
    """The doctrine's assignment policy: a name in :data:`iadsim.c2.registry.POLICIES`."""
    exact_node_limit: int
    """Search nodes per decision cycle for the exact policy."""
    max_engagements: int
    """Engagements of one threat by one fire unit at most (a large number when unlimited)."""

    # --- threat classes (C) and kinds
    class_names: tuple[str, ...]
    class_kind: tuple[str, ...]
    class_cost: F64
    class_ew_susceptibility: F64
    class_is_decoy: B

    # --- threats (T)
    threat_class: I64
    threat_raid: I64
    threat_target: I64
    launch_time: F64
    impact_time: F64
    altitude: F64
    """The class's cruise altitude (m): the altitude of the route's first point for every
    profile but ballistic; the trajectory's altitudes are :attr:`route_z`."""
    damage_prob: F64
    """Chance that this threat, if it leaks, destroys its target (lethality x hardness)."""
    value: F64
    """Value of the asset the threat is aimed at, as command sees it."""
    worth: F64
    """US dollars command expects to save by killing this threat: asset value x value_unit x
    the lethality command believes (for a decoy, that of what it mimics); NaN without a
    value_unit."""
    salvo: I64
    """Rounds per engagement for this threat, from the doctrine (by what command takes it for)."""
    route_offset: I64
    route_x: F64
    route_y: F64
    route_t: F64
    route_z: F64
    """Altitude above sea level (m) of each route point; the threat flies straight lines
    at constant velocity between points."""

    # --- sensors (S) and detection windows (W)
    sensor_ids: tuple[str, ...]
    sensor_pd: F64
    sensor_scan: F64
    sensor_discrimination: F64
    """Chance that a look which sees a decoy also tells it from what it mimics."""
    sensor_path_offset: I64
    """Sensor trajectories: ``sensor_path_*[offset[s]:offset[s + 1]]`` (one point: fixed)."""
    sensor_path_x: F64
    sensor_path_y: F64
    sensor_path_z: F64
    sensor_path_t: F64
    sensor_available_offset: I64
    """When each sensor can look (on station, set up): intervals by sensor."""
    sensor_available_start: F64
    sensor_available_end: F64
    det_offset: I64
    det_sensor: I64
    det_start: F64
    det_end: F64

    # --- fire units (F)
    unit_ids: tuple[str, ...]
    unit_class: tuple[str, ...]
    unit_layer: tuple[str, ...]
    unit_is_ew: B
    unit_x: F64
    unit_y: F64
    unit_path_offset: I64
    """Fire unit trajectories: ``unit_path_*[offset[u]:offset[u + 1]]`` (one point: fixed).
    An interceptor is launched from where its unit is when it fires."""
    unit_path_x: F64
    unit_path_y: F64
    unit_path_z: F64
    unit_path_t: F64
    unit_available_offset: I64
    """When each unit can fire (on station, set up): intervals by unit."""
    unit_available_start: F64
    unit_available_end: F64
    unit_channels: I64
    unit_rounds: I64
    unit_reserve: I64
    unit_reload: F64
    unit_speed: F64
    unit_cost: F64
    pk: F64
    """Kill chance of one round, [unit, class] (EW: chance of defeating a susceptible threat)."""
    pk_perceived: F64
    """The kill chance command believes, [unit, class]: decoys are taken for what they mimic."""

    # --- kinetic engagement windows (E), sorted by threat then fire_start
    eng_offset: I64
    eng_unit: I64
    eng_start: F64
    """First time an intercept may happen inside the envelope."""
    eng_end: F64
    """Last time an intercept may happen inside the envelope."""
    eng_fire_start: F64
    """Earliest firing time that could meet the threat inside this window."""

    # --- EW windows (V): when a threat enters an EW site's area
    ew_offset: I64
    ew_unit: I64
    ew_start: F64

    # --- terrain, for drawing
    terrain_extent: F64
    """West, east, south and north edges (m) of :attr:`terrain_preview`; empty without terrain."""
    terrain_preview: F64
    """[row from north, column from west] elevations (m), at most 256 x 256 cells; NaN: no
    data; 0 x 0 without terrain."""

    # --- assets (A)
    asset_ids: tuple[str, ...]
    asset_value: F64
    asset_hardness: I64

    # --- reserve keeping: rounds a unit keeps back for some threat classes
    unit_keep: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Rounds each fire unit keeps back (0: none)."""
    keep_for: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """[unit, class] 1 where the kept rounds are for threats of that class."""

    # --- rules of engagement by time window
    roe_start: F64 = field(default_factory=lambda: np.zeros(0))
    roe_end: F64 = field(default_factory=lambda: np.zeros(0))
    roe_hold: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """[rule, unit, class] 1 where the rule holds the unit's fire at the class."""

    # --- the command-and-control network (iadsim.compile.network); off: a perfect picture
    net_on: bool = False
    """Whether the engines work out who has which track (:mod:`iadsim.engine.network`)."""
    net_node_ids: tuple[str, ...] = ()
    """Nodes: sensors (organic ones included), command posts, fire units."""
    net_n_posts: int = 0
    net_node_cycle: F64 = field(default_factory=lambda: np.zeros(0))
    net_node_capacity: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Track capacity of each node (0: no limit)."""
    net_max_capacity: int = 0
    net_link_from: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    net_link_to: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    net_link_latency: F64 = field(default_factory=lambda: np.zeros(0))
    net_out_offset: I64 = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    """Links out of node ``v``: ``net_out_link[net_out_offset[v]:net_out_offset[v + 1]]``."""
    net_out_link: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    net_post_order: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """The command posts in an order every post-to-post link follows (empty: links make a cycle)."""
    net_in_offset: I64 = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    """Links into node ``v``: ``net_in_link[net_in_offset[v]:net_in_offset[v + 1]]``."""
    net_in_link: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    net_down_offset: I64 = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    """Scheduled and jammed down time of each element (links, then nodes): intervals."""
    net_down_start: F64 = field(default_factory=lambda: np.zeros(0))
    net_down_end: F64 = field(default_factory=lambda: np.zeros(0))
    net_mtbf: F64 = field(default_factory=lambda: np.zeros(0))
    """Mean time between random failures of each element (0: none)."""
    net_mttr: F64 = field(default_factory=lambda: np.zeros(0))
    net_width: int = 1
    """Most down intervals one element can have in a night."""
    net_sensor_unit: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """For each sensor, the fire unit it is the organic sensor of (-1: none)."""
    net_unit_linked: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """1 for a fire unit fed over links (it can be cut off)."""
    net_unit_fallback: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """0 autonomous, 1 hold, 2 delayed (:data:`iadsim.compile.network.FALLBACKS`)."""
    net_unit_delay: F64 = field(default_factory=lambda: np.zeros(0))
    asset_element: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """For each asset, the network element it is (a targeted sensor, unit or post), or -1."""

    @property
    def n_threats(self) -> int:
        """Number of threats launched."""
        return int(self.threat_class.shape[0])

    @property
    def n_units(self) -> int:
        """Number of fire units, EW sites included."""
        return len(self.unit_ids)

    @property
    def n_assets(self) -> int:
        """Number of defended assets."""
        return len(self.asset_ids)

    def route(self, threat: int) -> tuple[F64, F64, F64]:
        """The route of one threat: x (m), y (m) and time (s) of each point."""
        lo, hi = self.route_offset[threat], self.route_offset[threat + 1]
        return self.route_x[lo:hi], self.route_y[lo:hi], self.route_t[lo:hi]

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    def __setstate__(self, state: dict[str, object]) -> None:
        # unpickled arrays come back writable; read-only again, or the fast engine
        # (whose compiled code is specialised on read-only arrays) would recompile
        self.__dict__.update(state)
        self.__post_init__()
