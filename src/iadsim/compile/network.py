"""The command-and-control network as arrays: nodes, links, and each element's down time.

Nodes are numbered sensors first (organic ones last among them), then command
posts, then fire units; elements are the links, then the nodes. What the
engines do with them is in :mod:`iadsim.engine.network`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from iadsim.scenario.network import CommandPost

__all__ = ["FALLBACKS", "compile_network", "element_targets", "needs_network", "organic_sensors"]

FALLBACKS = ("autonomous", "hold", "delayed")
"""A fire unit's fallback when cut off, by code."""


def organic_sensors(scenario: Any, sensor_type: Any) -> list[Any]:
    """The fire units' organic sensors, as sensors standing (or moving) with their units."""
    out = []
    for unit in scenario.fire_units:
        spec = unit.organic_sensor
        if spec is None:
            continue
        out.append(
            sensor_type.model_construct(
                id=f"{unit.id}.organic",
                preset=None,
                kind=spec.kind,
                position=unit.position,
                range=spec.range,
                reference_rcs=spec.reference_rcs,
                height=unit.height,
                scan_period=spec.scan_period,
                pd=spec.pd,
                field_of_regard=None,
                discrimination=0.0,
                motion=unit.motion,
                outages=[],
                failures=None,
                hardness=unit.hardness,
                value=unit.value,
                source="",
            )
        )
    return out


def element_targets(scenario: Any) -> list[tuple[str, Any]]:
    """Sensors, fire units and command posts that a raid aims at: ``(section, item)``."""
    assets = {a.id for a in scenario.assets}
    named = {key for raid in scenario.raids for key in raid.targets if key not in assets}
    posts = scenario.network.command_posts if scenario.network is not None else []
    out: list[tuple[str, Any]] = []
    for section, items in (
        ("sensors", scenario.sensors),
        ("fire_units", scenario.fire_units),
        ("command_posts", posts),
    ):
        out += [(section, item) for item in items if item.id in named]
    return out


def needs_network(scenario: Any) -> bool:
    """Whether anything can take the picture away: a network, an outage, a failure, a target."""
    if scenario.network is not None or element_targets(scenario):
        return True
    return any(
        item.outages or item.failures is not None
        for item in (*scenario.sensors, *scenario.fire_units)
    )


def _post_order(n_sensors: int, n_posts: int, sources: list[int], targets: list[int]) -> Any:
    """The command posts in an order that every post-to-post link follows, or none (a cycle).

    With one, a track's arrivals at the posts are settled in that order, without a queue.
    """
    first_unit = n_sensors + n_posts
    after: list[list[int]] = [[] for _ in range(n_posts)]
    before = [0] * n_posts
    for a, b in zip(sources, targets, strict=True):
        if n_sensors <= a < first_unit and n_sensors <= b < first_unit:
            after[a - n_sensors].append(b - n_sensors)
            before[b - n_sensors] += 1
    ready = [c for c in range(n_posts) if before[c] == 0]
    order: list[int] = []
    while ready:
        c = ready.pop()
        order.append(n_sensors + c)
        for d in after[c]:
            before[d] -= 1
            if before[d] == 0:
                ready.append(d)
    if len(order) < n_posts:
        return np.zeros(0, dtype=np.int64)
    return np.array(order, dtype=np.int64)


def compile_network(
    scenario: Any,
    sensors: Sequence[Any],
    xy: Callable[[Any], tuple[float, float]],
    asset_ids: Sequence[str],
) -> dict[str, Any]:
    """The network's arrays for :class:`~iadsim.compile.CompiledScenario` (``net_*`` fields)."""
    start = scenario.start_clock
    units = scenario.fire_units
    network = scenario.network
    explicit = network is not None
    posts: list[CommandPost] = (
        list(network.command_posts)
        if network is not None
        else [
            CommandPost.model_construct(
                id="picture",
                position=(0.0, 0.0),
                track_capacity=None,
                decision_cycle=0.0,
                hardness="medium",
                value=1.0,
                outages=[],
                failures=None,
            )
        ]
    )
    n_sensors, n_posts, n_units = len(sensors), len(posts), len(units)
    node_of: dict[str, int] = {}
    for s, sensor in enumerate(sensors):
        node_of[sensor.id] = s
    for c, post in enumerate(posts):
        node_of[post.id] = n_sensors + c
    for u, unit in enumerate(units):
        node_of[unit.id] = n_sensors + n_posts + u
    first_unit = n_sensors + n_posts
    organic_of = {f"{unit.id}.organic": u for u, unit in enumerate(units)}
    sensor_unit = np.array([organic_of.get(s.id, -1) for s in sensors], dtype=np.int64)
    sources: list[int] = []
    targets: list[int] = []
    latency: list[float] = []
    jammable: list[bool] = []
    link_items: list[Any] = []
    if network is not None:
        for link in network.links:
            sources.append(node_of[link.source])
            targets.append(node_of[link.target])
            latency.append(link.latency)
            jammable.append(link.jammable)
            link_items.append(link)
    else:  # one implicit post: the perfect common picture, until something goes down
        for s in range(n_sensors):
            sources.append(s)
            targets.append(n_sensors)
            latency.append(0.0)
            jammable.append(False)
            link_items.append(None)
        for u, unit in enumerate(units):
            if not unit.is_ew:
                sources.append(n_sensors)
                targets.append(first_unit + u)
                latency.append(0.0)
                jammable.append(False)
                link_items.append(None)
    for s in range(n_sensors):  # organic sensors feed their own unit over no link
        if sensor_unit[s] >= 0:
            sources.append(s)
            targets.append(first_unit + int(sensor_unit[s]))
            latency.append(0.0)
            jammable.append(False)
            link_items.append(None)
    n_links = len(sources)
    linked = np.zeros(n_units, dtype=np.int64)
    if explicit:
        for t, item in zip(targets, link_items, strict=True):
            if item is not None and t >= first_unit:
                linked[t - first_unit] = 1
    # each node's links out, those to command posts first (a fire unit passes nothing on)
    order = np.lexsort((np.array(targets, dtype=np.int64), np.array(sources, dtype=np.int64)))
    n_nodes = n_sensors + n_posts + n_units
    out_offset = np.zeros(n_nodes + 1, dtype=np.int64)
    np.add.at(out_offset, np.array(sources, dtype=np.int64) + 1, 1)
    out_offset = np.cumsum(out_offset)
    post_order = _post_order(n_sensors, n_posts, sources, targets)
    in_order = np.argsort(np.array(targets, dtype=np.int64), kind="stable")
    in_offset = np.zeros(n_nodes + 1, dtype=np.int64)
    np.add.at(in_offset, np.array(targets, dtype=np.int64) + 1, 1)
    in_offset = np.cumsum(in_offset)

    # element down time: links first, then nodes
    items: list[Any] = [*link_items, *sensors, *posts, *units]
    places: list[tuple[float, float]] = (
        [(0.0, 0.0)] * n_links
        + [xy(s.position) for s in sensors]
        + [xy(p.position) for p in posts]
        + [xy(u.position) for u in units]
    )
    down: list[list[tuple[float, float]]] = []
    mtbf = np.zeros(len(items))
    mttr = np.zeros(len(items))
    for e, item in enumerate(items):
        spans: list[tuple[float, float]] = []
        if item is not None:
            for outage in item.outages or []:
                a = outage.start.after_start(start)
                b = math.inf if outage.end is None else outage.end.after_start(start)
                spans.append((max(a, 0.0), b))
            if item.failures is not None:
                mtbf[e] = item.failures.mtbf
                mttr[e] = item.failures.mttr
        down.append(spans)
    if network is not None:
        for jammer in network.jammers:
            jx, jy = xy(jammer.position)
            on = 0.0 if jammer.start is None else max(jammer.start.after_start(start), 0.0)
            off = math.inf if jammer.end is None else jammer.end.after_start(start)
            for link in range(n_links):
                if not jammable[link]:
                    continue
                ends = (places[n_links + sources[link]], places[n_links + targets[link]])
                if any(math.hypot(x - jx, y - jy) <= jammer.radius for x, y in ends):
                    down[link].append((on, off))
    down_offset = np.zeros(len(items) + 1, dtype=np.int64)
    down_start: list[float] = []
    down_end: list[float] = []
    for e, spans in enumerate(down):
        for a, b in sorted(spans):
            if b > a:
                down_start.append(a)
                down_end.append(b)
        down_offset[e + 1] = len(down_start)
    targets_named = {item.id for _, item in element_targets(scenario)}
    asset_element = np.array(
        [n_links + node_of[a] if a in targets_named else -1 for a in asset_ids], dtype=np.int64
    )
    from iadsim.engine.network import MAX_FAILURES

    counts = np.diff(down_offset)
    width = int(counts.max(initial=0)) + (MAX_FAILURES if (mtbf > 0).any() else 0) + 1
    # a fire unit's fallback, and a kept reserve, in codes
    capacity = np.array(
        [0] * n_sensors + [p.track_capacity or 0 for p in posts] + [0] * n_units, dtype=np.int64
    )
    return {
        "net_on": True,
        "net_node_ids": tuple(items[n_links + v].id for v in range(n_nodes)),
        "net_n_posts": n_posts,
        "net_node_cycle": np.array(
            [0.0] * n_sensors + [p.decision_cycle for p in posts] + [0.0] * n_units
        ),
        "net_node_capacity": capacity,
        "net_max_capacity": int(capacity.max(initial=0)),
        "net_link_from": np.array(sources, dtype=np.int64).reshape(n_links),
        "net_link_to": np.array(targets, dtype=np.int64).reshape(n_links),
        "net_link_latency": np.array(latency, dtype=float).reshape(n_links),
        "net_out_offset": out_offset.astype(np.int64),
        "net_out_link": order.astype(np.int64),
        "net_post_order": post_order,
        "net_in_offset": in_offset.astype(np.int64),
        "net_in_link": in_order.astype(np.int64),
        "net_down_offset": down_offset,
        "net_down_start": np.array(down_start, dtype=float),
        "net_down_end": np.array(down_end, dtype=float),
        "net_mtbf": mtbf,
        "net_mttr": mttr,
        "net_width": width,
        "net_sensor_unit": sensor_unit,
        "net_unit_linked": linked,
        "net_unit_fallback": np.array(
            [FALLBACKS.index(u.fallback) for u in units], dtype=np.int64
        ).reshape(n_units),
        "net_unit_delay": np.array([u.activation_delay for u in units], dtype=float).reshape(
            n_units
        ),
        "asset_element": asset_element,
    }
