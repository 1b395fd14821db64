"""Scenario → CompiledScenario: routes, launch times, targets and all windows, computed once."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from iadsim import limits
from iadsim.compile.compiled import HARDNESS, CompiledScenario
from iadsim.compile.network import (
    compile_network,
    element_targets,
    needs_network,
    organic_sensors,
)
from iadsim.draws import Purpose, uniform
from iadsim.errors import ScenarioError
from iadsim.geometry import geodetic_to_enu, position_at, radar_horizon, route_windows
from iadsim.geometry.platforms import PlatformError, Trajectory, platform_motion, sortie_windows
from iadsim.geometry.profiles import ProfileError, threat_trajectory
from iadsim.geometry.terrain import ElevationGrid, TerrainError, load_terrain
from iadsim.geometry.visibility import mask_filter, moving_windows, site_windows
from iadsim.scenario.models import Sensor, launch_window

__all__ = [
    "compile_bytes",
    "compile_scenario",
    "content_hash",
    "detection_looks",
    "replication_bytes",
]

# memory of compiling, per unit of work (measured on the examples, with margin)
_BYTES_PER_THREAT = 1_000
_BYTES_PER_ROUTE_POINT = 200
_BYTES_PER_PAIR = 60
_LIKELY_LOOKS = 20.0
"""A sensor with pd p has looked more than 20 / p times without a detection with chance
below e^-20: the looks counted for a window are at most that many."""

_UNLIMITED = 1 << 30


def content_hash(scenario: Any) -> str:
    """SHA-256 of a validated scenario's canonical JSON form.

    A terrain file counts by its bytes, not its path: the same grid anywhere gives
    the same hash, and a changed grid a new one.
    """
    data = scenario.model_dump(mode="json", by_alias=True)
    terrain = data.get("terrain")
    if terrain is not None:
        path = Path(terrain["file"])
        try:
            if not path.is_file() or path.stat().st_size > limits.MAX_TERRAIN_BYTES:
                raise OSError("not hashed: compiling says why it cannot be read")
            stat = path.stat()
            terrain["file"] = _file_digest(str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        except (OSError, ValueError):
            pass  # compiling it will say why it cannot be read
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.lru_cache(maxsize=16)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """``sha256:<hex>`` of a file's bytes.

    Read once per version of the file (its size and modification time): a sweep
    hashes its scenario at every point.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def _lookup(table: dict[str, Any], class_name: str, kind: str, default: Any) -> Any:
    """A per-threat setting keyed by class name first, then by kind."""
    if class_name in table:
        return table[class_name]
    return table.get(kind, default)


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.2f}" if hours < 1e6 else f"{hours:.3g}"


def _share_out(weights: Sequence[float], count: int) -> list[int]:
    """Targets for ``count`` threats by smooth weighted round robin: exact shares, interleaved."""
    total = float(sum(weights))
    current = [0.0] * len(weights)
    order = []
    for _ in range(count):
        for j, w in enumerate(weights):
            current[j] += w
        best = max(range(len(weights)), key=lambda j: (current[j], -j))
        current[best] -= total
        order.append(best)
    return order


def compile_bytes(scenario: Any) -> tuple[int, int, float]:
    """What compiling a validated scenario takes, before it starts.

    Returns the number of (threat, sensor or fire unit) pairs whose windows are
    computed, the route points, and an estimate of the bytes compiling needs.
    """
    threats = sum(raid.count for raid in scenario.raids)
    points = sum(raid.count * (len(raid.route.waypoints) + 2) for raid in scenario.raids)
    organic = sum(u.organic_sensor is not None for u in scenario.fire_units)
    pairs = threats * (len(scenario.sensors) + organic + len(scenario.fire_units))
    needed = threats * _BYTES_PER_THREAT + points * _BYTES_PER_ROUTE_POINT + pairs * _BYTES_PER_PAIR
    return pairs, points, float(needed)


def _check_size(scenario: Any, source: str | Path) -> None:
    pairs, _, needed = compile_bytes(scenario)
    threats = sum(raid.count for raid in scenario.raids)
    sensors, units = len(scenario.sensors), len(scenario.fire_units)
    if pairs > limits.MAX_COMPILE_PAIRS:
        raise ScenarioError(
            source,
            [
                (
                    "",
                    f"{threats:,} threats against {sensors:,} sensors and {units:,} fire units "
                    f"make {pairs:,} (threat, sensor or fire unit) pairs whose windows "
                    f"compiling computes; the limit is {limits.MAX_COMPILE_PAIRS:,}",
                )
            ],
        )
    problem = limits.check_memory(
        needed, f"compiling {threats:,} threats against {sensors + units:,} sensors and units"
    )
    if problem is not None:
        raise ScenarioError(source, [("", problem)])


def detection_looks(compiled: CompiledScenario) -> np.ndarray:
    """[sensor] looks one replication may take at most, summed over its detection windows.

    A window of length L looked at every period T takes at most L / T + 1 looks, and
    (with pd p > 0) more than 20 / p only with chance below e^-20.
    """
    sensor = compiled.det_sensor
    period = compiled.sensor_scan[sensor]
    pd = compiled.sensor_pd[sensor]
    span = np.maximum(compiled.det_end - compiled.det_start, 0.0)
    looks = np.floor(span / period) + 1.0
    likely = np.where(pd > 0, _LIKELY_LOOKS / np.maximum(pd, 1e-300), np.inf)
    per_window = np.minimum(looks, likely)
    return np.bincount(sensor, weights=per_window, minlength=len(compiled.sensor_ids))


def _check_looks(compiled: CompiledScenario, scenario: Any, source: str | Path) -> None:
    looks = detection_looks(compiled)
    total = float(looks.sum()) if looks.size else 0.0
    if total > limits.MAX_DETECTION_LOOKS:
        worst = int(np.argmax(looks))
        if worst < len(scenario.sensors):
            sensor, where = scenario.sensors[worst], f"sensors.{worst}"
        else:
            u = _unit_of(scenario, compiled.sensor_ids[worst])
            sensor = scenario.fire_units[u].organic_sensor
            sensor = sensor.model_copy(update={"id": compiled.sensor_ids[worst]})
            where = f"fire_units.{u}.organic_sensor"
        raise ScenarioError(
            source,
            [
                (
                    f"{where}.scan_period",
                    f"one replication could take up to {total:,.0f} sensor looks "
                    f"({float(looks[worst]):,.0f} by {sensor.id!r}, scan period "
                    f"{sensor.scan_period:g} s, pd {sensor.pd:g}); the limit is "
                    f"{limits.MAX_DETECTION_LOOKS:,}: lengthen the scan period or raise pd",
                )
            ],
        )


def replication_bytes(compiled: CompiledScenario, rows: int, threads: int = 1) -> float:
    """Bytes the engine needs for ``rows`` replications held at once, on ``threads`` threads.

    Outcomes take 14 bytes per threat, 8 per fire unit and 1 per asset per row; each
    thread's replication state about 64 bytes per threat and 24 per engagement window.
    """
    per_row = 14 * compiled.n_threats + 8 * compiled.n_units + compiled.n_assets + 64
    windows = int(compiled.eng_offset[-1]) if compiled.eng_offset.size else 0
    state = 64 * compiled.n_threats + 24 * windows + 64 * compiled.n_units
    return float(rows * per_row + max(threads, 1) * (state + picture_bytes(compiled)))


def picture_bytes(compiled: CompiledScenario) -> float:
    """Bytes of one thread's network picture (:func:`iadsim.engine.network.new_picture`)."""
    if not compiled.net_on:
        return 0.0
    threats, sensors, units = compiled.n_threats, len(compiled.sensor_ids), compiled.n_units
    nodes, links = len(compiled.net_node_cycle), len(compiled.net_link_to)
    elements = nodes + links
    pieces = 1 + 2 * elements * compiled.net_width
    queue = threats * (links + nodes * (compiled.net_width + 2)) + 1
    holds = max(1, compiled.net_n_posts) * max(1, min(compiled.net_max_capacity, threats))
    return float(
        pieces * (sensors * units + 8 * units + 16)
        + 8 * threats * (sensors + 2 * nodes + 1)
        + 16 * queue
        + 8 * holds
        + 40 * elements * compiled.net_width
    )


def compile_scenario(scenario: Any, *, source: str | Path = "<scenario>") -> CompiledScenario:
    """Compile a validated :class:`~iadsim.scenario.Scenario` into arrays.

    Pure and deterministic: route jitter and random launch spacing come from
    the raids' own ``route.seed``, never from the replication seed.

    Before allocating, the work is checked against the limits of
    :mod:`iadsim.limits`: the (threat, sensor or fire unit) pairs whose
    windows are computed, and the memory that takes; after, the sensor looks one
    replication could need.

    Raises:
        ScenarioError: if a threat would arrive after the scenario's end, or the
            scenario asks for more than the limits allow (saying how much).
    """
    _check_size(scenario, source)
    origin = scenario.origin

    def xy(position: Any) -> tuple[float, float]:
        if isinstance(position, tuple):
            return position
        return geodetic_to_enu(position.lat, position.lon, origin.lat, origin.lon)

    class_names = tuple(scenario.threat_classes)
    classes = [scenario.threat_classes[c] for c in class_names]
    class_index = {name: i for i, name in enumerate(class_names)}
    # sensors, fire units and command posts a raid aims at are targets like assets
    targets_all = [*scenario.assets, *(item for _, item in element_targets(scenario))]
    asset_index = {a.id: i for i, a in enumerate(targets_all)}
    asset_xy = [xy(a.position) for a in targets_all]
    asset_hardness = np.array([HARDNESS.index(a.hardness) for a in targets_all], dtype=np.int64)
    asset_value = np.array([a.value for a in targets_all], dtype=float)
    sensors = [*scenario.sensors, *organic_sensors(scenario, Sensor)]
    doctrine = scenario.doctrine

    grid = _terrain(scenario, source)
    ground = _ground(grid)

    # --- threats: launch times, targets, jittered routes, flight profiles
    t_class, t_raid, t_target, t_launch, t_impact = [], [], [], [], []
    r_x: list[float] = []
    r_y: list[float] = []
    r_z: list[float] = []
    r_t: list[float] = []
    r_off = [0]
    for raid_no, raid in enumerate(scenario.raids):
        cls = scenario.threat_classes[raid.threat]
        first, last = launch_window(scenario, raid)
        n = raid.count
        if raid.launch.spacing == "uniform":
            times = [first + (last - first) * k / (n - 1) if n > 1 else first for k in range(n)]
        else:
            times = sorted(
                first
                + (last - first) * uniform(raid.route.seed, 0, Purpose.LAUNCH_TIME, raid_no, k)
                for k in range(n)
            )
        targets = list(raid.targets)
        share = _share_out([raid.targets[a] for a in targets], n)
        sites = [xy(p) for p in raid.launch.sites]
        waypoints = [xy(p.position) for p in raid.route.waypoints]
        jitter = raid.route.jitter
        for k in range(n):
            target = asset_index[targets[share[k]]]
            points = [sites[k % len(sites)]]
            for w, (wx, wy) in enumerate(waypoints):
                if jitter > 0.0:
                    ux = uniform(raid.route.seed, 0, Purpose.ROUTE_JITTER, raid_no, k * 64 + 2 * w)
                    uy = uniform(
                        raid.route.seed, 0, Purpose.ROUTE_JITTER, raid_no, k * 64 + 2 * w + 1
                    )
                    wx, wy = wx + (2.0 * ux - 1.0) * jitter, wy + (2.0 * uy - 1.0) * jitter
                points.append((wx, wy))
            points.append(asset_xy[target])
            try:
                px, py, pz, pt = threat_trajectory(
                    cls,
                    points,
                    raid.route.waypoints,
                    times[k],
                    None if grid is None else ground,
                    step=1000.0 if grid is None else max(1000.0, 4.0 * grid.cell),
                    cell=0.0 if grid is None else grid.cell,
                )
            except ProfileError as exc:
                raise ScenarioError(
                    source,
                    [
                        (
                            f"raids.{raid_no}",
                            f"threat {k} of raid {raid.id!r} ({raid.threat}): {exc}",
                        )
                    ],
                ) from None
            crash = None if grid is None else _into_terrain(grid, px, py, pz)
            if crash is not None:
                x, y, z, g = crash
                raise ScenarioError(
                    source,
                    [
                        (
                            f"raids.{raid_no}",
                            f"threat {k} of raid {raid.id!r} ({raid.threat}, profile "
                            f"{cls.profile}) flies into the terrain at ({x / 1000:.1f} km, "
                            f"{y / 1000:.1f} km): {z:.0f} m above sea level over ground at "
                            f"{g:.0f} m; fly higher, follow the terrain (profile "
                            "terrain_following), or give waypoints an altitude above ground",
                        )
                    ],
                )
            r_x += px
            r_y += py
            r_z += pz
            r_t += pt
            t = pt[-1]
            r_off.append(len(r_x))
            if t > scenario.duration:
                raise ScenarioError(
                    source,
                    [
                        (
                            f"raids.{raid_no}",
                            f"threat {k} of raid {raid.id!r} reaches its target {_hours(t)} h "
                            f"after the start, after the scenario's duration of "
                            f"{_hours(scenario.duration)} h; lengthen `duration`",
                        )
                    ],
                )
            t_class.append(class_index[raid.threat])
            t_raid.append(raid_no)
            t_target.append(target)
            t_launch.append(times[k])
            t_impact.append(t)

    route_x, route_y, route_t = np.array(r_x), np.array(r_y), np.array(r_t)
    route_z = np.array(r_z, dtype=float)
    route_offset = np.array(r_off, dtype=np.int64)
    threat_class = np.array(t_class, dtype=np.int64)
    n_threats = threat_class.shape[0]
    altitude = np.array([classes[c].altitude for c in t_class], dtype=float)

    def route_of(i: int) -> tuple[list[float], list[float], list[float]]:
        lo, hi = r_off[i], r_off[i + 1]
        return r_x[lo:hi], r_y[lo:hi], r_t[lo:hi]

    level = [
        all(z == classes[c].altitude for z in r_z[r_off[i] : r_off[i + 1]])
        for i, c in enumerate(t_class)
    ]
    """Threats flying at their class's altitude all the way (as every threat did before
    flight profiles): their windows are solved as before, with the same arithmetic."""
    route_arrays = (route_x, route_y, route_z, route_t, route_offset)
    start_clock = scenario.start_clock

    def motion_of(item: Any, height: float, where: str) -> Trajectory:
        try:
            return platform_motion(
                item.motion, xy, xy(item.position), height, start_clock, scenario.duration, ground
            )
        except PlatformError as exc:
            raise ScenarioError(source, [(f"{where}.{exc.field}", str(exc))]) from None

    # --- sensors: detection windows
    det: list[list[tuple[float, float, int]]] = [[] for _ in range(n_threats)]
    sensor_paths: list[Trajectory] = []
    for s, sensor in enumerate(sensors):
        where = (
            f"sensors.{s}"
            if s < len(scenario.sensors)
            else f"fire_units.{_unit_of(scenario, sensor.id)}.organic_sensor"
        )
        path = motion_of(sensor, sensor.height, where)
        sensor_paths.append(path)
        sx, sy = xy(sensor.position)
        # standing still and looking all round: a level threat's windows are solved as
        # before flight profiles (annulus and horizon cap), then masked by the terrain
        still = sensor.motion is None and sensor.field_of_regard is None
        site_z = path.z[0] if sensor.motion is None else sensor.height  # ground + height
        horizon = sensor.kind in ("radar", "optical")
        cone = (
            math.tan(math.radians(sensor.field_of_regard / 2.0)) ** 2
            if sensor.field_of_regard is not None
            else -1.0
        )
        reaches = [
            sensor.range * (cls.rcs / sensor.reference_rcs) ** 0.25
            if sensor.kind == "radar"
            else sensor.range
            for cls in classes
        ]
        # sound is not stopped by a hill the way a line of sight is: no terrain mask
        seen_over = grid if horizon else None
        stands = _stands(path, seen_over, max(reaches)) if (grid or not still) else None
        for c, cls in enumerate(classes):
            reach = sensor.range
            if sensor.kind == "radar":
                reach *= (cls.rcs / sensor.reference_rcs) ** 0.25
            for i in np.flatnonzero(threat_class == c):
                if still and level[i]:
                    found = _level_windows(
                        route_arrays, int(i), route_of(int(i)), cls.altitude, (sx, sy, site_z),
                        0.0, reach, horizon, stands[0] if stands else None, seen_over,
                    )  # fmt: skip
                    for w0, w1 in found:
                        det[i].append((w0, w1, s))
                    continue
                for w0, w1 in _windows(
                    route_arrays,
                    int(i),
                    path,
                    stands,
                    seen_over,
                    0.0,
                    reach,
                    -math.inf,
                    math.inf,
                    horizon,
                    cone,
                ):
                    det[i].append((w0, w1, s))

    # --- fire units: engagement and EW windows
    units = scenario.fire_units
    n_units = len(units)
    pk = np.zeros((n_units, len(classes)))
    pk_perceived = np.zeros((n_units, len(classes)))
    may_engage = np.zeros((n_units, len(classes)), dtype=bool)
    for u, unit in enumerate(units):
        allowed = doctrine.authority.get(unit.unit_class, doctrine.authority.get(unit.kind))
        for c, cls in enumerate(classes):
            pk[u, c] = _lookup(unit.pk, class_names[c], cls.kind, 0.0)
            seen = cls.perceived_kind
            pk_perceived[u, c] = unit.pk.get(seen, 0.0) if cls.mimics else pk[u, c]
            if allowed is None:
                may_engage[u, c] = True
            else:
                may_engage[u, c] = seen in allowed or (not cls.mimics and class_names[c] in allowed)
    eng: list[list[tuple[float, float, float, int]]] = [[] for _ in range(n_threats)]
    ew: list[list[tuple[float, int]]] = [[] for _ in range(n_threats)]
    unit_paths: list[Trajectory] = []
    for u, unit in enumerate(units):
        path = motion_of(unit, unit.height, f"fire_units.{u}")
        if unit.kind == "aircraft":
            try:
                sorties = sortie_windows(path.available, unit.time_on_station, unit.sortie_gap)
            except PlatformError as exc:
                raise ScenarioError(source, [(f"fire_units.{u}.{exc.field}", str(exc))]) from None
            path = path._replace(available=sorties)
        unit_paths.append(path)
        ux, uy = xy(unit.position)
        still = unit.motion is None
        site_z = path.z[0] if still else unit.height  # ground + height
        seen_over = None if unit.is_ew else grid  # jamming is not line of sight here
        stands = _stands(path, seen_over, unit.max_range) if (grid or not still) else None
        for c, cls in enumerate(classes):
            if unit.is_ew:
                if pk[u, c] <= 0.0 or cls.ew_susceptibility <= 0.0:
                    continue
            elif pk_perceived[u, c] <= 0.0 or not may_engage[u, c]:
                continue
            for i in np.flatnonzero(threat_class == c):
                xs, ys, ts = route_of(int(i))
                if still and level[i]:
                    if not (unit.min_altitude <= cls.altitude <= unit.max_altitude):
                        continue
                    windows = _level_windows(
                        route_arrays, int(i), (xs, ys, ts), cls.altitude, (ux, uy, site_z),
                        unit.min_range, unit.max_range, not unit.is_ew,
                        stands[0] if stands else None, seen_over,
                    )  # fmt: skip
                else:
                    windows = _windows(
                        route_arrays,
                        int(i),
                        path,
                        stands,
                        seen_over,
                        unit.min_range,
                        unit.max_range,
                        unit.min_altitude,
                        unit.max_altitude,
                        not unit.is_ew,
                        -1.0,
                    )
                for w0, w1 in windows:
                    if unit.is_ew:
                        ew[i].append((w0, u))
                        continue
                    # an intercept at w0 needs a shot fired at most max_range / speed earlier,
                    # and the unit ready (on station, set up) when it fires
                    reach = unit.max_range
                    if path.sites:
                        # from a standing unit, no shot fired before w0 - d / v meets the
                        # threat in the window, d its distance at w0: the window may open
                        # well inside the envelope, where the terrain unmasks it (a window
                        # opening at the envelope's edge keeps max_range exactly)
                        d = _distance_at(route_arrays, int(i), path, w0)
                        reach = d if d < reach * (1.0 - 1e-9) else reach
                    ready = _opened(path.available, w0)
                    fire_start = max(ts[0], w0 - reach / unit.interceptor_speed, ready)
                    eng[i].append((fire_start, w0, w1, u))

    def flat(rows: list[list[Any]], width: int) -> tuple[np.ndarray, list[np.ndarray]]:
        offset = np.zeros(n_threats + 1, dtype=np.int64)
        cols: list[list[Any]] = [[] for _ in range(width)]
        for i, row in enumerate(rows):
            for item in sorted(row):
                for j in range(width):
                    cols[j].append(item[j])
            offset[i + 1] = offset[i] + len(row)
        return offset, [np.array(col) for col in cols]

    det_offset, (det_start, det_end, det_sensor) = flat(det, 3)
    eng_offset, (eng_fire_start, eng_start, eng_end, eng_unit) = flat(eng, 4)
    ew_offset, (ew_start, ew_unit) = flat(ew, 2)

    salvo = np.array(
        [
            _lookup(
                doctrine.salvo, class_names[c], classes[c].perceived_kind, doctrine.salvo["default"]
            )
            if not classes[c].mimics
            else doctrine.salvo.get(classes[c].perceived_kind, doctrine.salvo["default"])
            for c in t_class
        ],
        dtype=np.int64,
    )
    hardness = (
        asset_hardness[np.array(t_target, dtype=np.int64)] if n_threats else asset_hardness[:0]
    )
    damage_prob = np.array(
        [classes[c].lethality[HARDNESS[h]] for c, h in zip(t_class, hardness, strict=True)],
        dtype=float,
    )

    def unit_array(name: str, dtype: Any, ew_value: Any) -> np.ndarray:
        return np.array(
            [ew_value if u.is_ew else getattr(u, name) for u in units], dtype=dtype
        ).reshape(len(units))

    # the lethality command believes: a decoy is taken for the kind it mimics, whose
    # lethality is the mean over this scenario's real classes of that kind (1 if none)
    believed = np.array(damage_prob, dtype=float)
    for row, (c, h) in enumerate(zip(t_class, hardness, strict=True)):
        if classes[c].mimics:
            alike = [
                k.lethality[HARDNESS[h]]
                for k in classes
                if k.kind == classes[c].mimics and not k.mimics
            ]
            believed[row] = sum(alike) / len(alike) if alike else 1.0
    target_value = asset_value[np.array(t_target, dtype=np.int64)] if n_threats else asset_value[:0]
    # without a value_unit there is no dollar worth: NaN, which a policy needing it refuses
    worth = target_value * (doctrine.value_unit or np.nan) * believed
    compiled = CompiledScenario(
        name=scenario.name,
        content_hash=content_hash(scenario),
        duration=scenario.duration,
        decision_cycle=doctrine.decision_cycle,
        reaction_time=doctrine.reaction_time,
        max_inflight=1 if doctrine.mode == "shoot-look-shoot" else 2,
        policy=doctrine.policy,
        exact_node_limit=doctrine.exact_node_limit,
        max_engagements=doctrine.max_engagements or _UNLIMITED,
        class_names=class_names,
        class_kind=tuple(c.kind for c in classes),
        class_cost=np.array([c.cost for c in classes], dtype=float),
        class_ew_susceptibility=np.array([c.ew_susceptibility for c in classes], dtype=float),
        class_is_decoy=np.array([c.kind == "decoy" for c in classes], dtype=bool),
        threat_class=threat_class,
        threat_raid=np.array(t_raid, dtype=np.int64),
        threat_target=np.array(t_target, dtype=np.int64),
        launch_time=np.array(t_launch, dtype=float),
        impact_time=np.array(t_impact, dtype=float),
        altitude=altitude,
        route_z=route_z,
        damage_prob=damage_prob,
        value=target_value,
        worth=worth,
        salvo=salvo,
        route_offset=route_offset,
        route_x=route_x,
        route_y=route_y,
        route_t=route_t,
        sensor_ids=tuple(s.id for s in sensors),
        sensor_pd=np.array([s.pd for s in sensors], dtype=float),
        sensor_scan=np.array([s.scan_period for s in sensors], dtype=float),
        sensor_discrimination=np.array([s.discrimination for s in sensors], dtype=float),
        **_paths("sensor", sensor_paths),
        **_paths("unit", unit_paths),
        **_preview(grid),
        det_offset=det_offset,
        det_sensor=det_sensor.astype(np.int64),
        det_start=det_start.astype(float),
        det_end=det_end.astype(float),
        unit_ids=tuple(u.id for u in units),
        unit_class=tuple(u.unit_class for u in units),
        unit_layer=tuple(u.layer for u in units),
        unit_is_ew=np.array([u.is_ew for u in units], dtype=bool),
        unit_x=np.array([xy(u.position)[0] for u in units], dtype=float),
        unit_y=np.array([xy(u.position)[1] for u in units], dtype=float),
        unit_channels=unit_array("channels", np.int64, 0),
        unit_rounds=unit_array("rounds", np.int64, 0),
        unit_reserve=unit_array("reserve", np.int64, 0),
        unit_reload=np.array(
            [u.sortie_gap if u.kind == "aircraft" else (u.reload_time or 0.0) for u in units],
            dtype=float,
        ).reshape(len(units)),
        unit_speed=unit_array("interceptor_speed", float, 0.0),
        unit_cost=unit_array("cost_per_shot", float, 0.0),
        pk=pk,
        pk_perceived=pk_perceived,
        eng_offset=eng_offset,
        eng_unit=eng_unit.astype(np.int64),
        eng_start=eng_start.astype(float),
        eng_end=eng_end.astype(float),
        eng_fire_start=eng_fire_start.astype(float),
        ew_offset=ew_offset,
        ew_unit=ew_unit.astype(np.int64),
        ew_start=ew_start.astype(float),
        asset_ids=tuple(a.id for a in targets_all),
        asset_value=asset_value,
        asset_hardness=asset_hardness.astype(np.int64),
        **_keep(scenario, class_names, classes),
        **_rules(scenario, class_names, classes),
        **(
            compile_network(scenario, sensors, xy, tuple(a.id for a in targets_all))
            if needs_network(scenario)
            else {}
        ),
    )
    _check_looks(compiled, scenario, source)
    if compiled.net_on:
        threads = max(1, int(os.environ.get("NUMBA_NUM_THREADS") or os.cpu_count() or 1))
        problem = limits.check_memory(
            picture_bytes(compiled) * threads,
            f"the network's picture of a night ({compiled.n_threats:,} threats, "
            f"{len(compiled.net_node_cycle):,} nodes, {len(compiled.net_link_to):,} links, up "
            f"to {compiled.net_width:,} outages of each) on {threads} thread(s)",
        )
        if problem is not None:
            raise ScenarioError(source, [("network", problem)])
    return compiled


def _unit_of(scenario: Any, sensor_id: str) -> int:
    """The fire unit whose organic sensor has id ``sensor_id``."""
    return next(
        u for u, unit in enumerate(scenario.fire_units) if f"{unit.id}.organic" == sensor_id
    )


def _rules(scenario: Any, class_names: Sequence[str], classes: Sequence[Any]) -> dict[str, Any]:
    """The doctrine's rules of engagement by time window, as arrays."""
    units = scenario.fire_units
    rules = scenario.doctrine.rules
    start = scenario.start_clock
    hold = np.zeros((len(rules), len(units), len(classes)), dtype=np.int64)
    for r, rule in enumerate(rules):
        for u, unit in enumerate(units):
            names = {unit.id, unit.unit_class, unit.kind, unit.layer}
            if rule.units and not names & set(rule.units):
                continue
            for c, cls in enumerate(classes):
                keys = {class_names[c], cls.perceived_kind}
                hold[r, u, c] = bool(keys & set(rule.hold_fire))
    return {
        "roe_start": np.array([r.start.after_start(start) for r in rules], dtype=float),
        "roe_end": np.array(
            [math.inf if r.end is None else r.end.after_start(start) for r in rules], dtype=float
        ),
        "roe_hold": hold.reshape(-1),
    }


def _keep(scenario: Any, class_names: Sequence[str], classes: Sequence[Any]) -> dict[str, Any]:
    """Rounds each fire unit keeps back, and the classes they are kept for."""
    units = scenario.fire_units
    keep = np.zeros(len(units), dtype=np.int64)
    keep_for = np.zeros((len(units), len(classes)), dtype=np.int64)
    for u, unit in enumerate(units):
        if unit.reserve_for is None:
            continue
        keep[u] = unit.reserve_for.rounds
        for c, cls in enumerate(classes):
            named = unit.reserve_for.threats
            keep_for[u, c] = class_names[c] in named or cls.perceived_kind in named
    return {"unit_keep": keep, "keep_for": keep_for}


# --- terrain and platforms ----------------------------------------------------------------------

_NO_SLOPES = np.zeros((0, 0), dtype=np.float32)


def _terrain(scenario: Any, source: str | Path) -> ElevationGrid | None:
    """The scenario's elevation grid in the local frame, or None for a smooth earth."""
    if scenario.terrain is None:
        return None
    src = Path(str(source))
    base = src.parent if src.is_file() else Path.cwd()
    try:
        grid = load_terrain(scenario.terrain, base, scenario.origin)
    except TerrainError as exc:
        raise ScenarioError(source, [(exc.field, str(exc))]) from None
    origin = scenario.origin

    def xy(position: Any) -> tuple[float, float]:
        if isinstance(position, tuple):
            return position
        return geodetic_to_enu(position.lat, position.lon, origin.lat, origin.lon)

    places: list[tuple[str, Any]] = []
    for section in ("assets", "sensors", "fire_units"):
        for k, item in enumerate(getattr(scenario, section)):
            motion = getattr(item, "motion", None)
            if motion is None:
                # a moving platform is where its motion says, not at `position` (its base)
                places.append((f"{section}.{k}.position", item.position))
    for section in ("sensors", "fire_units"):
        for k, item in enumerate(getattr(scenario, section)):
            relocations = item.motion.relocations if item.motion is not None else None
            for j, site in enumerate(relocations or []):
                places.append((f"{section}.{k}.motion.relocations.{j}.position", site.position))
    for where, position in places:
        x, y = xy(position)
        if not grid.covers(x, y):
            raise ScenarioError(source, [(where, _uncovered(grid, x, y))])
    return grid


def _uncovered(grid: ElevationGrid, x: float, y: float) -> str:
    west, east, south, north = grid.extent
    return (
        f"the terrain grid does not cover ({x / 1000:.1f} km, {y / 1000:.1f} km): it spans "
        f"east {west / 1000:.1f} to {east / 1000:.1f} km and north {south / 1000:.1f} to "
        f"{north / 1000:.1f} km of the origin (or has no data there)"
    )


def _into_terrain(
    grid: ElevationGrid, px: Sequence[float], py: Sequence[float], pz: Sequence[float]
) -> tuple[float, float, float, float] | None:
    """The first point, sampled every cell along a trajectory, more than 1 m below the ground."""
    x = np.asarray(px, dtype=float)
    y = np.asarray(py, dtype=float)
    z = np.asarray(pz, dtype=float)
    if x.size < 2:
        return None
    length = np.hypot(np.diff(x), np.diff(y))
    pieces = np.ceil(length / grid.cell).astype(np.int64) + 1
    leg = np.repeat(np.arange(x.size - 1), pieces)
    first = np.concatenate([[0], np.cumsum(pieces)[:-1]])
    f = (np.arange(leg.size) - first[leg]) / pieces[leg]
    sx = x[leg] + f * (x[leg + 1] - x[leg])
    sy = y[leg] + f * (y[leg + 1] - y[leg])
    sz = z[leg] + f * (z[leg + 1] - z[leg])
    i = np.floor((grid.y0 - sy) / grid.cell).astype(np.int64)
    j = np.floor((sx - grid.x0) / grid.cell).astype(np.int64)
    rows, cols = grid.shape
    inside = (i >= 0) & (i < rows) & (j >= 0) & (j < cols)
    ground = np.full(sx.size, np.nan)
    ground[inside] = grid.z[i[inside], j[inside]]
    with np.errstate(invalid="ignore"):
        under = np.flatnonzero(sz < ground - 1.0)
    if under.size == 0:
        return None
    k = int(under[0])
    return float(sx[k]), float(sy[k]), float(sz[k]), float(ground[k])


def _ground(grid: ElevationGrid | None) -> Any:
    """Terrain elevation at a point: sea level without a grid, off it, or where it has no data.

    The grid must cover the defence (checked by :func:`_terrain`); threats are
    launched from far away, over a smooth earth until they reach it.
    """
    if grid is None:
        return lambda x, y: 0.0
    return _Ground(grid)


class _Ground:
    """The terrain as profiles read it.

    Elevation at a point of the grid (sea level off it or without data), and the
    highest cell a segment crosses (what terrain following keeps its height over).
    """

    def __init__(self, grid: ElevationGrid) -> None:
        self.grid = grid
        self.highest_along = grid.highest_along

    def __call__(self, x: float, y: float) -> float:
        z = self.grid.at(x, y)
        return 0.0 if math.isnan(z) else z


Stand = tuple[float, float, float, float, float, np.ndarray, int, int]
"""A platform standing still: x, y, z, from, until, and its horizon-slope map with offsets."""


def _stands(path: Trajectory, grid: ElevationGrid | None, radius: float) -> list[Stand]:
    """The stands of a platform, each with the terrain's horizon-slope map (computed once)."""
    out = []
    for x, y, z, a, b in path.sites:
        if grid is None:
            out.append((x, y, z, a, b, _NO_SLOPES, 0, 0))
        else:
            slopes, i0, j0 = grid.slopes(x, y, z, radius)
            out.append((x, y, z, a, b, slopes, i0, j0))
    return out


def _clip(
    windows: list[tuple[float, float]], spans: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    out = []
    for w0, w1 in windows:
        for a, b in spans:
            lo, hi = max(w0, a), min(w1, b)
            if lo <= hi:
                out.append((lo, hi))
    out.sort()
    return out


def _opened(spans: Sequence[tuple[float, float]], t: float) -> float:
    """Start of the interval of ``spans`` holding ``t`` (``t`` itself if none does)."""
    for a, b in spans:
        if a <= t <= b:
            return a
    return t


def _distance_at(
    route: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    i: int,
    path: Trajectory,
    t: float,
) -> float:
    """Slant range (m) from a platform to threat ``i`` at time ``t``."""
    xs, ys, zs, ts, offset = route
    lo, hi = int(offset[i]), int(offset[i + 1])
    x, y, z = position_at(xs[lo:hi], ys[lo:hi], zs[lo:hi], ts[lo:hi], t)
    px, py, pz = position_at(path.x, path.y, path.z, path.t, t)
    return math.sqrt((x - px) ** 2 + (y - py) ** 2 + (z - pz) ** 2)


def _level_windows(
    route: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    i: int,
    points: tuple[Sequence[float], Sequence[float], Sequence[float]],
    altitude: float,
    site: tuple[float, float, float],
    r_min: float,
    r_max: float,
    horizon: bool,
    stand: Stand | None,
    grid: ElevationGrid | None,
) -> list[tuple[float, float]]:
    """A standing platform's windows on threat ``i``, flying level at ``altitude``.

    Solved as before flight profiles, with the same arithmetic: the annulus in
    slant range, capped by the 4/3-earth horizon (for a level threat, ground
    distance within the horizon is slant range within ``hypot(horizon, dz)``), then
    masked by the terrain when the platform stands on a grid.
    """
    xs, ys, ts = points
    sx, sy, sz = site
    reach = r_max
    if horizon:
        reach = min(r_max, math.hypot(radar_horizon(sz, altitude), altitude - sz))
    found = route_windows(xs, ys, ts, altitude, sx, sy, sz, r_min, reach)
    if stand is None or grid is None:
        return found
    return _masked_windows(route, i, found, stand, grid)


def _masked_windows(
    route: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    i: int,
    windows: list[tuple[float, float]],
    stand: Stand,
    grid: ElevationGrid,
) -> list[tuple[float, float]]:
    """The parts of a standing platform's ``windows`` on threat ``i`` the terrain leaves seen."""
    if not windows:
        return windows
    xs, ys, zs, ts, offset = route
    lo, hi = int(offset[i]), int(offset[i + 1])
    sx, sy, sz, _, _, slopes, i0, j0 = stand
    starts = np.array([w[0] for w in windows])
    ends = np.array([w[1] for w in windows])
    return _filled(
        4 * (hi - lo) + 4 * len(windows) + 16,
        mask_filter,
        xs[lo:hi], ys[lo:hi], zs[lo:hi], ts[lo:hi], starts, ends,
        slopes, i0, j0, grid.x0, grid.y0, grid.cell, sx, sy, sz,
    )  # fmt: skip


def _filled(size: int, kernel: Any, *args: Any) -> list[tuple[float, float]]:
    """The windows a geometry kernel writes into a buffer, grown until they fit.

    ``kernel(*args, out)`` writes rows into ``out`` and returns how many, or -1 if it
    is too small.
    """
    while True:
        out = np.empty((size, 2))
        n = kernel(*args, out)
        if n >= 0:
            return [(float(out[k, 0]), float(out[k, 1])) for k in range(n)]
        size *= 4


def _windows(
    route: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    i: int,
    path: Trajectory,
    stands: list[Stand] | None,
    grid: ElevationGrid | None,
    r_min: float,
    r_max: float,
    z_min: float,
    z_max: float,
    horizon: bool,
    cone: float,
) -> list[tuple[float, float]]:
    """Windows of threat ``i`` against a platform, clipped to when it is available."""
    xs, ys, zs, ts, offset = route
    lo, hi = int(offset[i]), int(offset[i + 1])
    tx, ty, tz, tt = xs[lo:hi], ys[lo:hi], zs[lo:hi], ts[lo:hi]
    size = 4 * (hi - lo) + 16
    found: list[tuple[float, float]] = []
    if stands:
        x0, y0, cell = (grid.x0, grid.y0, grid.cell) if grid is not None else (0.0, 0.0, 1.0)
        for sx, sy, sz, a, b, slopes, i0, j0 in stands:
            stood = _filled(
                size,
                site_windows,
                tx, ty, tz, tt, sx, sy, sz, r_min, r_max, z_min, z_max, horizon, cone,
                slopes, i0, j0, x0, y0, cell,
            )  # fmt: skip
            found += _clip(stood, [(a, b)])
    else:
        px, py, pz, pt = (np.asarray(v, dtype=float) for v in (path.x, path.y, path.z, path.t))
        found = _filled(
            size,
            moving_windows,
            tx, ty, tz, tt, px, py, pz, pt, r_min, r_max, z_min, z_max, horizon, cone,
        )  # fmt: skip
    return _clip(found, path.available)


def _paths(prefix: str, paths: list[Trajectory]) -> dict[str, Any]:
    """Flat tables of platform trajectories and availability, by platform."""
    offset = np.zeros(len(paths) + 1, dtype=np.int64)
    avail_offset = np.zeros(len(paths) + 1, dtype=np.int64)
    for k, p in enumerate(paths):
        offset[k + 1] = offset[k] + len(p.t)
        avail_offset[k + 1] = avail_offset[k] + len(p.available)

    def cat(values: list[list[float]]) -> np.ndarray:
        return np.array([v for part in values for v in part], dtype=float)

    return {
        f"{prefix}_path_offset": offset,
        f"{prefix}_path_x": cat([p.x for p in paths]),
        f"{prefix}_path_y": cat([p.y for p in paths]),
        f"{prefix}_path_z": cat([p.z for p in paths]),
        f"{prefix}_path_t": cat([p.t for p in paths]),
        f"{prefix}_available_offset": avail_offset,
        f"{prefix}_available_start": cat([[a for a, _ in p.available] for p in paths]),
        f"{prefix}_available_end": cat([[b for _, b in p.available] for p in paths]),
    }


_PREVIEW_CELLS = 256


def _preview(grid: ElevationGrid | None) -> dict[str, Any]:
    """The terrain for drawing: at most 256 x 256 cells (each the highest of those it holds)."""
    if grid is None:
        return {"terrain_extent": np.zeros(0), "terrain_preview": np.zeros((0, 0))}
    rows, cols = grid.shape
    step = max(1, math.ceil(max(rows, cols) / _PREVIEW_CELLS))
    r, c = math.ceil(rows / step), math.ceil(cols / step)
    padded = np.full((r * step, c * step), np.nan)
    padded[:rows, :cols] = grid.z
    with np.errstate(all="ignore"):
        blocks = padded.reshape(r, step, c, step)
        finite = np.isfinite(blocks).any(axis=(1, 3))
        top = np.where(
            finite, np.nanmax(np.where(np.isfinite(blocks), blocks, -np.inf), axis=(1, 3)), np.nan
        )
    west, _, _, north = grid.extent
    extent = np.array([west, west + c * step * grid.cell, north - r * step * grid.cell, north])
    return {"terrain_extent": extent, "terrain_preview": top}
