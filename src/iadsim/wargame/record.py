"""Saved sessions: every decision's chosen offers, re-applied to replay the night exactly.

A record is JSON::

    {"format": "iadsim-wargame", "version": 1,
     "scenario": {"name": ..., "content_hash": "<sha-256 of the validated scenario>"},
     "seed": 7, "replication": 0, "clock": 812.0,
     "delegation": {"gun-1": "greedy", ...},
     "moves": [{"tick": 231, "time": 462.0, "again": false,
                "chosen": [{"threat": 4, "unit": "sam-1", "window": 9, "rounds": 1,
                            "by": "player"}, ...]}, ...],
     "outcome": {"leakers": 3, ...}}

Replaying starts the same replication (same scenario content, seed and index)
and, at each decision, takes the recorded offers (named by threat, unit and
engagement window); the counter-based draws then give the same night. A record
that does not fit the scenario (another content hash, a decision that is not
there, an offer that is not offered) is refused with a message naming the move.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from iadsim.compile import CompiledScenario
from iadsim.wargame.errors import WargameError
from iadsim.wargame.session import Session, perceived_kinds

__all__ = ["FORMAT", "MAX_RECORD_BYTES", "VERSION", "load_record", "record", "replay", "save"]

FORMAT = "iadsim-wargame"
VERSION = 1
MAX_RECORD_BYTES = 64 * 1024 * 1024
"""Largest session file read (a night of the capital raid is about 200 kB)."""


def record(session: Session) -> dict[str, Any]:
    """The session as plain data (JSON-ready): what :func:`replay` needs, and the outcome so far."""
    cs = session.compiled
    out = session.replication.out
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": {"name": cs.name, "content_hash": cs.content_hash},
        "seed": session.seed,
        "replication": session.index,
        "clock": session.now,
        "finished": session.finished,
        "delegation": {
            cs.unit_ids[u]: p for u, p in enumerate(session.delegation) if p is not None
        },
        "picks": [
            {"threat": i, "unit": cs.unit_ids[session.decision.offers[k].unit]}
            for i, k in sorted(session.picks.items())
        ]
        if session.decision is not None
        else [],
        "moves": [
            {
                "tick": m.tick,
                "time": m.time,
                "again": m.again,
                "chosen": [
                    {
                        "threat": c.threat,
                        "unit": cs.unit_ids[c.unit],
                        "window": c.window,
                        "rounds": c.rounds,
                        "by": c.by,
                    }
                    for c in m.chosen
                ],
            }
            for m in session.moves
        ],
        "outcome": {
            "fate": out.fate[0].tolist(),
            "shots": out.shots[0].tolist(),
        },
    }


def save(session: Session, path: str | Path) -> Path:
    """Write the session's record to ``path`` (JSON, atomically)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(record(session), indent=1))
    tmp.replace(path)
    return path


def load_record(path: str | Path) -> dict[str, Any]:
    """Read a session file (not yet checked against a scenario: :func:`replay` does that)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_RECORD_BYTES:
            raise WargameError(f"{path.name}: a session file is at most {MAX_RECORD_BYTES:,} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WargameError(f"{path.name}: no such session file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WargameError(f"{path.name}: cannot read it ({exc})") from None
    except json.JSONDecodeError as exc:
        raise WargameError(f"{path.name}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise WargameError(f"{path.name}: a session file is a JSON object")
    return data


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str = "") -> Any:
    value = data.get(name)
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        expected = {int: "a whole number", str: "text", list: "a list", dict: "an object"}
        what = expected.get(kind, "a number") if isinstance(kind, type) else "a number"
        raise WargameError(f"session file: field `{where}{name}` must be {what}")
    return value


def _check_outcome(data: dict[str, Any], session: Session) -> None:
    """A finished record's outcome must be the replay's (else it was edited or is corrupt)."""
    outcome = data.get("outcome")
    if not data.get("finished") or not isinstance(outcome, dict):
        return
    if session.decision is not None:
        raise WargameError(
            f"session file: it says the night is over, but after its {len(session.moves)} "
            "moves the night goes on"
        )
    out = session.replication.out
    for name, got in (("fate", out.fate[0].tolist()), ("shots", out.shots[0].tolist())):
        if outcome.get(name) != got:
            raise WargameError(
                f"session file: field `outcome.{name}` is not what replaying its moves gives "
                "(the file was changed after it was saved)"
            )


def replay(
    data: dict[str, Any],
    compiled: CompiledScenario,
    *,
    auto_pause: bool = True,
    scenario: Any = None,
) -> Session:
    """A session with the recorded decisions re-applied: the same night up to where it was saved.

    ``scenario``: as for :func:`iadsim.wargame.start` (how tracks are shown).

    Raises:
        WargameError: the record is not a session file of this scenario, or a
            recorded move does not fit (naming the move and why).
    """
    if data.get("format") != FORMAT:
        raise WargameError(f"session file: field `format` must be {FORMAT!r}")
    if data.get("version") != VERSION:
        raise WargameError(f"session file: field `version` must be {VERSION}")
    about = _field(data, "scenario", dict)
    digest = _field(about, "content_hash", str, "scenario.")
    if digest != compiled.content_hash:
        raise WargameError(
            f"session file: it was played on another scenario (content hash {digest[:12]}..., "
            f"this one is {compiled.content_hash[:12]}...): load the scenario it was played on"
        )
    seed = _field(data, "seed", int)
    index = _field(data, "replication", int)
    moves = _field(data, "moves", list)
    kinds = perceived_kinds(scenario) if scenario is not None else None
    session = Session(compiled, seed=seed, replication=index, auto_pause=auto_pause, kinds=kinds)
    index_of = {uid: u for u, uid in enumerate(compiled.unit_ids)}
    for n, move in enumerate(moves):
        where = f"moves.{n}."
        if not isinstance(move, dict):
            raise WargameError(f"session file: field `moves.{n}` must be an object")
        tick = _field(move, "tick", int, where)
        again = _field(move, "again", bool, where)
        chosen = _field(move, "chosen", list, where)
        decision = session.decision
        if decision is None:
            raise WargameError(
                f"session file: move {n} (tick {tick}) comes after the end of the night"
            )
        if decision.tick != tick:
            raise WargameError(
                f"session file: move {n} is at tick {tick} but the night's next decision is at "
                f"tick {decision.tick}: the record does not belong to this replication"
            )
        where_offer = {(o.threat, o.unit, o.window): k for k, o in enumerate(decision.offers)}
        positions, who = [], []
        for m, c in enumerate(chosen):
            at = f"{where}chosen.{m}."
            if not isinstance(c, dict):
                raise WargameError(f"session file: field `{at[:-1]}` must be an object")
            threat = _field(c, "threat", int, at)
            window = _field(c, "window", int, at)
            uid = _field(c, "unit", str, at)
            by = _field(c, "by", str, at)
            if uid not in index_of:
                raise WargameError(f"session file: field `{at}unit`: unknown fire unit {uid!r}")
            k = where_offer.get((threat, index_of[uid], window))
            if k is None:
                raise WargameError(
                    f"session file: move {n} (t = {decision.time:g} s) takes threat {threat} "
                    f"with {uid}, which is not offered there"
                )
            positions.append(k)
            who.append(by)
        order = sorted(range(len(positions)), key=positions.__getitem__)
        rep = session.replication
        free = tuple(rep.sc.unit_channels[u] - rep.busy[u] for u in range(len(rep.busy)))
        session._apply(  # the record's choice, taken as the session takes one
            decision,
            [positions[k] for k in order],
            [who[k] for k in order],
            again,
            free,
            tuple(rep.ready),
        )
    delegation = data.get("delegation", {})
    if isinstance(delegation, dict):
        for uid, policy in delegation.items():
            if uid in index_of and isinstance(policy, str):
                session.delegate(policy, units=[uid])
    _check_outcome(data, session)
    picks = data.get("picks", [])
    if not isinstance(picks, list):
        raise WargameError("session file: field `picks` must be a list")
    for m, pick in enumerate(picks):
        at = f"picks.{m}."
        if not isinstance(pick, dict):
            raise WargameError(f"session file: field `picks.{m}` must be an object")
        threat, uid = _field(pick, "threat", int, at), _field(pick, "unit", str, at)
        try:
            session.assign(threat, uid)
        except WargameError as exc:
            raise WargameError(f"session file: field `{at[:-1]}`: {exc}") from None
    clock = data.get("clock")
    if isinstance(clock, int | float) and not isinstance(clock, bool) and math.isfinite(clock):
        session.resume_clock(float(clock))
    return session
