"""One replicate, event by event, for the animated replay: threats, shots and how each ended."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from iadsim.compile import CompiledScenario
from iadsim.engine import Fate, Outcomes
from iadsim.report.frame import MapFrame
from iadsim.report.style import esc
from iadsim.report.world import Track, thin_route

__all__ = ["FATE_NAMES", "SLIDER_STEP", "Replay", "build_replay"]

SLIDER_STEP = 10.0
"""Seconds per step of the replay's time slider."""

FATE_NAMES = {
    int(Fate.DESTROYED): "destroyed",
    int(Fate.LOST_TO_EW): "lost_to_ew",
    int(Fate.LEAKED): "leaked",
    int(Fate.AIRBORNE): "airborne",
}
"""How a threat's flight ended, by :class:`~iadsim.engine.Fate`; ``impact`` is a leaker
that destroyed its target."""


@dataclass(frozen=True)
class Replay:
    """One traced replicate in map coordinates; times in seconds after the start."""

    replicate: int
    seed: int
    duration: float
    start_clock: float
    """Clock time of t = 0, seconds after midnight."""
    kinds: list[str]
    """Threat kinds present, in raid order."""
    threat_kind: list[int]
    """Index into :attr:`kinds` of each threat."""
    threat_label: list[str]
    launch: list[float]
    end: list[float]
    """When each threat's flight ended (destroyed, lost to EW, or reached its aim point)."""
    fate: list[str]
    """destroyed, lost_to_ew, leaked or impact (leaked and destroyed its target)."""
    end_x: list[float]
    end_y: list[float]
    route_x: list[list[float]]
    route_y: list[list[float]]
    route_t: list[list[float]]
    """Each threat's trajectory in map coordinates and seconds (thinned to at most
    :data:`~iadsim.report.world.MAX_ROUTE_POINTS` points)."""
    unit_x: list[float]
    unit_y: list[float]
    shots: list[tuple[float, float, int, int, float, float, float, float]]
    """Each salvo: (fired, meets, unit, threat, meeting point x, y, launch point x, y): the
    interceptor leaves from where its unit is when it fires."""
    peak_time: float
    """A time with the most threats in the air (where the replay opens)."""
    route_z: list[list[float]] = field(default_factory=list)
    """Altitude above sea level (m) at each point of :attr:`route_x`."""
    route_d: list[list[float]] = field(default_factory=list)
    """Ground distance (km) from each point to the threat's aim point, for the side view."""
    platforms: list[Track] = field(default_factory=list)
    """Sensors and fire units that move or are not always available, drawn as time goes."""
    top: float = 0.0
    """The highest altitude (m) any threat reaches (the top of the altitude colour scale)."""

    def position(self, i: int, t: float) -> tuple[float, float, float]:
        """Threat ``i``'s map position and altitude at time ``t`` (as the page draws it)."""
        ts = self.route_t[i]
        return (
            float(np.interp(t, ts, self.route_x[i])),
            float(np.interp(t, ts, self.route_y[i])),
            float(np.interp(t, ts, self.route_z[i])),
        )

    def airborne(self, t: float) -> int:
        """Threats in the air at time ``t`` (launched and not yet ended)."""
        return sum(1 for a, b in zip(self.launch, self.end, strict=True) if a <= t < b)

    def to_json(self) -> dict[str, Any]:
        """Plain data for the page's script (compact: rounded coordinates and times)."""

        def r(values: Any, digits: int = 5) -> Any:
            return np.round(np.asarray(values, dtype=float), digits).tolist()

        return {
            "replicate": self.replicate,
            "seed": self.seed,
            "duration": self.duration,
            "start_clock": self.start_clock,
            "kinds": self.kinds,
            "kind": self.threat_kind,
            "label": [esc(text) for text in self.threat_label],  # plotly labels
            "launch": self.launch,  # exact: the page counts threats in the air as Python does
            "end": self.end,
            "fate": self.fate,
            "end_x": r(self.end_x),
            "end_y": r(self.end_y),
            "route_x": [r(x) for x in self.route_x],
            "route_y": [r(y) for y in self.route_y],
            "route_t": [r(t, 3) for t in self.route_t],  # ms: a ballistic missile flies 2 m
            "route_z": [r(z, 0) for z in self.route_z],
            "route_d": [r(d, 3) for d in self.route_d],
            "unit_x": r(self.unit_x),
            "unit_y": r(self.unit_y),
            "shots": [
                [round(a, 1), round(b, 1), u, i, round(x, 5), round(y, 5), round(p, 5), round(q, 5)]
                for a, b, u, i, x, y, p, q in self.shots
            ],
            "peak_time": self.peak_time,
            "platforms": [p.to_json() for p in self.platforms],
            "top": self.top,
        }


def build_replay(
    scenario: Any,
    compiled: CompiledScenario,
    frame: MapFrame,
    events: list[Any],
    outcomes: Outcomes,
    *,
    replicate: int,
    tracks: list[Track] | None = None,
) -> Replay:
    """The replay of one replicate from :func:`~iadsim.engine.reference.trace_replication`.

    ``outcomes`` holds that replicate's row (row 0); ``tracks`` are the moving
    platforms of the laydown.
    """
    cs = compiled
    kinds = list(dict.fromkeys(cs.class_kind[c] for c in cs.threat_class.tolist()))
    raid_ids = [r.id for r in scenario.raids]
    route_x, route_y, route_t = [], [], []
    drawn: list[tuple[list[float], ...]] = []  # thinned x, y, t, z, d for the page
    for i in range(cs.n_threats):
        rx, ry, rt = cs.route(i)
        mx, my = frame.xy(rx, ry)
        route_x.append(mx)
        route_y.append(my)
        route_t.append(np.asarray(rt, dtype=float))
        lo = int(cs.route_offset[i])
        keep = thin_route(cs.route_z[lo : lo + len(rx)])
        d = np.hypot(rx[keep] - rx[-1], ry[keep] - ry[-1]) / 1000.0
        drawn.append(
            (
                mx[keep].tolist(),
                my[keep].tolist(),
                route_t[i][keep].tolist(),
                np.asarray(cs.route_z[lo + keep], dtype=float).tolist(),
                d.tolist(),
            )
        )

    def at(i: int, t: float) -> tuple[float, float]:
        return (
            float(np.interp(t, route_t[i], route_x[i])),
            float(np.interp(t, route_t[i], route_y[i])),
        )

    fate, end, end_x, end_y, labels = [], [], [], [], []
    for i in range(cs.n_threats):
        code = int(outcomes.fate[0, i])
        name = FATE_NAMES[code]
        if code == Fate.LEAKED and bool(outcomes.hit[0, i]):
            name = "impact"
        t_end = float(outcomes.time[0, i]) if code != Fate.AIRBORNE else float(cs.impact_time[i])
        x, y = at(i, t_end)
        fate.append(name)
        end.append(t_end)
        end_x.append(x)
        end_y.append(y)
        c = int(cs.threat_class[i])
        labels.append(
            f"{cs.class_names[c]} #{i} of raid {raid_ids[int(cs.threat_raid[i])]} "
            f"→ {cs.asset_ids[int(cs.threat_target[i])]}"
        )
    ux, uy = frame.xy(cs.unit_x, cs.unit_y)
    moving = {p.index: p for p in tracks or [] if p.what == "fire unit"}
    shots = []
    for e in events:
        if e.what == "fire" and not math.isnan(e.until):
            x, y = at(e.threat, e.until)
            u = int(e.unit)
            if u in moving:
                ox, oy, _ = moving[u].at(float(e.time))
            else:
                ox, oy = float(ux[u]), float(uy[u])
            shots.append((float(e.time), float(e.until), u, int(e.threat), x, y, ox, oy))
    launch = cs.launch_time.astype(float).tolist()
    # the busiest moment: the most threats in the air at once (at a launch time)
    starts = np.sort(np.asarray(launch))
    ends = np.sort(np.asarray(end))
    counts = np.searchsorted(starts, starts, side="right") - np.searchsorted(
        ends, starts, side="right"
    )
    peak = float(starts[int(np.argmax(counts))]) if len(starts) else 0.0
    peak = min(math.ceil(peak / SLIDER_STEP) * SLIDER_STEP, float(cs.duration))  # on the slider
    return Replay(
        replicate=replicate,
        seed=outcomes.seed,
        duration=float(cs.duration),
        start_clock=float(scenario.start_clock),
        kinds=kinds,
        threat_kind=[kinds.index(cs.class_kind[c]) for c in cs.threat_class.tolist()],
        threat_label=labels,
        launch=launch,
        end=end,
        fate=fate,
        end_x=end_x,
        end_y=end_y,
        route_x=[d[0] for d in drawn],
        route_y=[d[1] for d in drawn],
        route_t=[d[2] for d in drawn],
        unit_x=ux.tolist(),
        unit_y=uy.tolist(),
        shots=shots,
        peak_time=peak,
        route_z=[d[3] for d in drawn],
        route_d=[d[4] for d in drawn],
        platforms=list(tracks or []),
        top=float(cs.route_z.max()) if len(cs.route_z) else 0.0,
    )
