"""What the player sees: the picture at the clock, rebuilt from the replication's trace.

The engine runs ahead to the next decision; the clock may stand anywhere before
it. :class:`Picture` replays the trace events up to the clock (tracks, ends,
salvos fired and resolved, reloads) so that tracks, salvos in flight and every
unit's magazine and channels are those at the clock, not at the next decision.
The rounds of each salvo come from the session's moves, in the order the engine
fired them (the order of the trace's ``fire`` events).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from iadsim.c2 import POLICY_NAMES
from iadsim.compile import CompiledScenario
from iadsim.engine.reference import Replication, TraceEvent

if TYPE_CHECKING:
    from iadsim.wargame.session import Session

__all__ = ["EVENTS_SHOWN", "Picture", "static_view"]

EVENTS_SHOWN = 40
"""Recent events listed in a view."""


class Picture:
    """The picture at the clock, kept up to date as the clock moves forward.

    Args:
        compiled: the scenario.
        replication: the session's replication (with its trace on).
    """

    def __init__(self, compiled: CompiledScenario, replication: Replication) -> None:
        self.compiled = compiled
        self.replication = replication
        sc = replication.sc
        self.cursor = 0
        """Trace events applied so far."""
        self.tracked: dict[int, float] = {}
        """Threat -> when it was tracked."""
        self.ended: dict[int, tuple[str, float, int]] = {}
        """Threat -> (what ended it, when, the unit)."""
        self.flying: list[tuple[float, float, int, int]] = []
        """Salvos in flight: (fired, meets the threat, threat, unit)."""
        self.ready = list(sc.unit_rounds)
        """Each unit's ready rounds at the clock."""
        self.reserve = list(sc.unit_reserve)
        self.shots = [0] * compiled.n_units
        """Rounds each unit has fired by the clock."""
        self.salvos: list[int] = []
        """Rounds of each salvo taken, in firing order (the session appends them)."""
        self.fires_seen = 0

    def catch_up(self, t: float) -> None:
        """Apply the trace events up to the clock to the picture."""
        trace: list[TraceEvent] = self.replication.trace or []
        while self.cursor < len(trace) and trace[self.cursor].time <= t:
            e = trace[self.cursor]
            self.cursor += 1
            if e.what == "track":
                self.tracked[e.threat] = e.time
            elif e.what == "fire":
                self.flying.append((e.time, e.until, e.threat, e.unit))
                rounds = self.salvos[self.fires_seen]
                self.fires_seen += 1
                self.ready[e.unit] -= rounds
                self.shots[e.unit] += rounds
            elif e.what == "reload":
                refill = min(self.replication.sc.unit_rounds[e.unit], self.reserve[e.unit])
                self.ready[e.unit] += refill
                self.reserve[e.unit] -= refill
            elif e.what in ("kill", "jammed", "leak", "impact"):
                self.ended[e.threat] = (e.what, e.time, e.unit)
        self.flying = [f for f in self.flying if f[1] > t]

    def view(self, session: Session) -> dict[str, Any]:
        """The picture at the clock, as plain data (JSON-ready); see docs/wargame.md.

        Tracks, salvos in flight and the units' magazines and channels are as of the
        clock; the offers are those of the next decision (the same, once the clock
        stands at it).
        """
        self.catch_up(session.now)
        cs, rep, t = self.compiled, self.replication, session.now
        sc = rep.sc
        decision = session.decision
        tracks = []
        for i, since in self.tracked.items():
            if i in self.ended:
                continue
            lo, hi = sc.route_offset[i], sc.route_offset[i + 1]
            ts = sc.route_t[lo:hi]
            tracks.append(
                {
                    "threat": i,
                    "kind": "decoy" if t >= rep.discerned[i] else session.kinds[sc.threat_class[i]],
                    "x": float(np.interp(t, ts, sc.route_x[lo:hi])),
                    "y": float(np.interp(t, ts, sc.route_y[lo:hi])),
                    "altitude": float(np.interp(t, ts, sc.route_z[lo:hi])),
                    "tracked": since,
                    "impact_time": sc.impact_time[i],
                    "impact_x": sc.route_x[hi - 1],
                    "impact_y": sc.route_y[hi - 1],
                    "target": cs.asset_ids[sc.threat_target[i]],
                    "inflight": sum(1 for f in self.flying if f[2] == i),
                    "picked": cs.unit_ids[decision.offers[session.picks[i]].unit]
                    if decision is not None and i in session.picks
                    else None,
                }
            )
        busy: dict[int, int] = {}
        for f in self.flying:
            busy[f[3]] = busy.get(f[3], 0) + 1
        units = []
        for u in range(cs.n_units):
            p0, p1 = sc.unit_path_offset[u], sc.unit_path_offset[u + 1]
            pt = sc.unit_path_t[p0:p1]
            units.append(
                {
                    "unit": u,
                    "id": cs.unit_ids[u],
                    "layer": cs.unit_layer[u],
                    "class": cs.unit_class[u],
                    "ew": bool(cs.unit_is_ew[u]),
                    "x": float(np.interp(t, pt, sc.unit_path_x[p0:p1])),
                    "y": float(np.interp(t, pt, sc.unit_path_y[p0:p1])),
                    "ready": self.ready[u],
                    "reserve": self.reserve[u],
                    "channels": sc.unit_channels[u],
                    "free_channels": sc.unit_channels[u] - busy.get(u, 0),
                    "cost_per_round": sc.unit_cost[u],
                    "fired": self.shots[u],
                    "delegated": session.delegation[u],
                }
            )
        offers = []
        if decision is not None:
            picked = set(session.picks.values())
            for k, o in enumerate(decision.offers):
                offers.append(
                    {
                        "offer": k,
                        "threat": o.threat,
                        "unit": cs.unit_ids[o.unit],
                        "rounds": o.rounds,
                        "kill": o.kill,
                        "intercept": o.intercept,
                        "score": o.score,
                        "picked": k in picked,
                        "delegated": session.delegation[o.unit],
                    }
                )
        ended = list(self.ended.values())
        return {
            "time": t,
            "finished": session.finished and t >= session.end_time,
            "decision": None
            if decision is None
            else {
                "time": decision.time,
                "tick": decision.tick,
                "presented": session._presented,
                "offers": len(decision.offers),
            },
            "tracks": tracks,
            "units": units,
            "offers": offers,
            "inflight": [
                {
                    "threat": f[2],
                    "unit": cs.unit_ids[f[3]],
                    "fired": f[0],
                    "intercept": f[1],
                }
                for f in self.flying
            ],
            "tally": {
                "tracked": len(self.tracked),
                "destroyed": sum(1 for e in ended if e[0] == "kill"),
                "jammed": sum(1 for e in ended if e[0] == "jammed"),
                "leaked": sum(1 for e in ended if e[0] in ("leak", "impact")),
                "hits": sum(1 for e in ended if e[0] == "impact"),
                "rounds": sum(self.shots),
                "money": float(np.asarray(self.shots) @ np.asarray(cs.unit_cost)),
                "threats": cs.n_threats,
            },
            "events": self.recent(),
            "version": session.version,
        }

    def recent(self) -> list[dict[str, Any]]:
        """The latest events up to the clock, newest first (tracks left out)."""
        trace = self.replication.trace or []
        cs = self.compiled
        shown = trace[max(0, self.cursor - EVENTS_SHOWN) : self.cursor]
        return [
            {
                "time": e.time,
                "what": e.what,
                "threat": e.threat,
                "unit": cs.unit_ids[e.unit] if e.unit >= 0 else None,
            }
            for e in reversed(shown)
            if e.what != "track"
        ]


def static_view(session: Session) -> dict[str, Any]:
    """What does not change during the night: names, assets, policies, the map's frames."""
    cs = session.compiled
    return {
        "name": cs.name,
        "content_hash": cs.content_hash,
        "seed": session.seed,
        "replication": session.index,
        "duration": cs.duration,
        "decision_cycle": cs.decision_cycle,
        "threats": cs.n_threats,
        "policies": list(POLICY_NAMES),
        "layers": sorted(set(cs.unit_layer)),
        "assets": [
            {"id": a, "value": float(cs.asset_value[k]), "x": x, "y": y}
            for k, (a, (x, y)) in enumerate(
                zip(cs.asset_ids, (_asset_xy(cs, k) for k in range(cs.n_assets)), strict=True)
            )
        ],
        "cost_aware": not bool(np.isnan(cs.worth).any()),
        "extent": _extent(cs),
        "focus": _focus(cs),
    }


def _extent(cs: CompiledScenario) -> list[float]:
    """West, east, south and north edges (m) of every route and fire unit, for the map."""
    xs = np.concatenate([cs.route_x, cs.unit_path_x, [0.0]])
    ys = np.concatenate([cs.route_y, cs.unit_path_y, [0.0]])
    return [float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())]


def _focus(cs: CompiledScenario) -> list[float]:
    """West, east, south and north edges (m) of the defended area: fire units and aim points."""
    ends = np.asarray(cs.route_offset)[1:] - 1
    xs = np.concatenate([cs.unit_path_x, cs.route_x[ends], [0.0]])
    ys = np.concatenate([cs.unit_path_y, cs.route_y[ends], [0.0]])
    pad = max(0.2 * max(np.ptp(xs), np.ptp(ys)), 15_000.0)
    return [
        float(xs.min() - pad),
        float(xs.max() + pad),
        float(ys.min() - pad),
        float(ys.max() + pad),
    ]


def _asset_xy(cs: CompiledScenario, asset: int) -> tuple[float | None, float | None]:
    """An asset's position: the mean aim point of the threats aimed at it (None if none is)."""
    aimed = np.flatnonzero(np.asarray(cs.threat_target) == asset)
    if not len(aimed):
        return None, None
    ends = np.asarray(cs.route_offset)[aimed + 1] - 1
    return float(np.mean(cs.route_x[ends])), float(np.mean(cs.route_y[ends]))
