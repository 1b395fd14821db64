"""What an assignment policy must pass: :func:`check_policy`, as ``check_solver`` is for WTA.

A policy (a row of :data:`iadsim.c2.registry.POLICIES`) is accepted when
``check_policy(name)`` returns. It raises :class:`AssertionError` naming the
policy, the check and how to reproduce the failure. The checks, in order:

1. **The table row.** The name is a plain identifier, the code and the name are
   unique, the description is one non-empty paragraph, every entry of ``needs``
   is a doctrine field, and both functions are kernels
   (:func:`iadsim.kernel.kernel`).
2. **The kernels, on random inputs.** :func:`~iadsim.c2.registry.score_option`
   and :func:`~iadsim.c2.registry.choose` dispatch the policy's code to the
   row's own kernels (a forgotten branch silently runs greedy's). A score is a
   number or ``-inf`` (declined), never NaN or ``+inf``. A choice, over options
   in greedy order and in the workspaces the engines give (``2n + 2`` floats,
   ``3n + 1`` integers), is feasible: distinct options, in their given order,
   at most one engagement of a threat per cycle, no unit beyond its free
   channels or ready rounds, ``free`` and ``spare`` reduced by exactly what was
   chosen, and ``used`` left clear.
3. **Analytic cases** (worked by hand in :func:`_analytic`), which any sensible
   policy meets: a lone sure kill worth far more than its round is always taken;
   a unit without rounds fires nothing; a threat no unit can reach leaks and
   destroys its target with its damage probability.
4. **Both engines agree** (:meth:`Outcomes.equals`, bit for bit) on ``scenarios``
   random small scenarios (:func:`random_scenario`, reproducible from ``seed``
   and the index) and on the example shipped in the package
   (``iadsim/data/national_defence.yaml``).

And on every run of 3 and 4, the invariants of :func:`check_outcomes`: each
threat has exactly one fate and its details agree with it, no unit fires more
than its rounds and reserve, replication ``k`` alone reproduces row ``k``, and a
second run with the same seed is identical.

It takes about a minute per policy on two cores, most of it in the reference
engine (plain Python); the fast engine must be compiled already or compiles
once, which the check does not count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import numpy as np

from iadsim.c2 import registry
from iadsim.c2.greedy import sort_options
from iadsim.kernel import is_kernel

__all__ = ["check_outcomes", "check_policy", "random_scenario"]

REPLICATIONS = 8
"""Replications per random scenario, in each engine."""

EXAMPLE_REPLICATIONS = 4
"""Replications of the shipped example, in each engine."""


class _Failure(AssertionError):
    """A check failed (an :class:`AssertionError` with the policy's name in front)."""


def check_policy(name: str, *, scenarios: int = 60, seed: int = 0) -> None:
    """Check that policy ``name`` may be registered: see the module's description.

    Args:
        name: a name in :data:`iadsim.c2.registry.POLICIES`.
        scenarios: how many random scenarios both engines must agree on.
        seed: the seed of the random scenarios and kernel inputs.

    Raises:
        AssertionError: the first check that fails, saying what, where and how
            to reproduce it.
    """
    if name not in registry.POLICIES:
        known = ", ".join(registry.POLICY_NAMES)
        raise AssertionError(f"check_policy({name!r}): no such policy in the table; known: {known}")
    if scenarios < 0:
        raise ValueError(f"scenarios must not be negative, got {scenarios}")
    policy = registry.POLICIES[name]
    try:
        _row(policy)
        rng = np.random.default_rng([seed, 0x5EED])
        _scores(policy, rng)
        _choices(policy, rng)
        _analytic(policy)
        for index in range(scenarios):
            raw = random_scenario(seed, index)
            where = f"random_scenario({seed}, {index})"
            run_seed = int(np.random.default_rng([seed, index, 1]).integers(2**63))
            _runs(policy, raw, where, REPLICATIONS, seed=run_seed)
        _example(policy)
    except _Failure as exc:
        raise AssertionError(f"check_policy({name!r}): {exc}") from None


# --- 1. the table row ---------------------------------------------------------------------------


def _row(policy: registry.Policy) -> None:
    from iadsim.scenario.models import Doctrine

    rows = list(registry.POLICIES.values())
    if not policy.name.isidentifier() or policy.name != policy.name.lower():
        raise _Failure(f"the name must be a lower-case identifier, got {policy.name!r}")
    if registry.POLICIES.get(policy.name) is not policy:
        raise _Failure("the table's key for the row is not its name")
    clash = [p.name for p in rows if p.code == policy.code and p is not policy]
    if clash:
        raise _Failure(f"code {policy.code} is also that of {', '.join(clash)}")
    if not isinstance(policy.code, int) or policy.code < 0:
        raise _Failure(f"the code must be a non-negative int, got {policy.code!r}")
    text = policy.description
    if not text.strip() or "\n" in text or text != text.strip():
        raise _Failure("the description must be one non-empty paragraph on one line")
    unknown = [n for n in policy.needs if n not in Doctrine.model_fields]
    if unknown:
        raise _Failure(f"needs names no doctrine field: {', '.join(unknown)}")
    for what in ("score", "choose"):
        if not is_kernel(getattr(policy, what)):
            raise _Failure(f"its {what} function is not marked @kernel (the fast engine needs it)")


# --- 2. the kernels on random inputs ------------------------------------------------------------


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _scores(policy: registry.Policy, rng: np.random.Generator, count: int = 2000) -> None:
    """Score: the dispatch reaches the row's kernel; never NaN or +inf on valid inputs."""
    for _ in range(count):
        kill = float(rng.choice([0.0, 1.0, rng.random()]))
        rounds = int(rng.integers(1, 9))
        value = float(rng.choice([0.0, 10 ** rng.uniform(-2, 4)]))
        worth = float(rng.choice([0.0, 10 ** rng.uniform(0, 10)]))
        if "value_unit" not in policy.needs and rng.random() < 0.2:
            worth = math.nan  # what the engines give a doctrine without a value_unit
        round_cost = float(rng.choice([0.0, 10 ** rng.uniform(0, 7)]))
        time_to_go = float(rng.uniform(-5.0, 2e4))
        cycle = float(10 ** rng.uniform(-3, 1))
        args = (kill, rounds, value, worth, round_cost, time_to_go, cycle)
        own = float(policy.score(*args))
        through = float(registry.score_option(policy.code, *args))
        if not _same(own, through):
            raise _Failure(
                f"score_option({policy.code}, ...) gives {through!r} where the row's score "
                f"kernel gives {own!r} for {args}: give the policy its branch in "
                "registry.score_option"
            )
        if math.isnan(own) or own == math.inf:
            raise _Failure(f"its score is {own!r} for {args}; a score is a number or -inf")


@dataclass(frozen=True)
class _Choice:
    """One decision cycle's options (in greedy order) and units, for a choice kernel."""

    order: list[int]
    score: list[float]
    thr: list[int]
    unit: list[int]
    rounds: list[int]
    free: list[int]
    spare: list[int]
    n_threats: int
    node_limit: int

    @classmethod
    def draw(cls, rng: np.random.Generator) -> _Choice:
        n = int(rng.integers(0, 13))
        n_threats, n_units = int(rng.integers(1, 6)), int(rng.integers(1, 4))
        # scores with ties (a few levels), zeros now and then
        score = [float(rng.choice([0.0, 1.0, 2.0, rng.random() * 3])) for _ in range(n)]
        meet = [float(rng.integers(0, 4)) for _ in range(n)]
        thr = [int(rng.integers(n_threats)) for _ in range(n)]
        unit = [int(rng.integers(n_units)) for _ in range(n)]
        order = list(range(n))
        sort_options(order, n, score, meet, thr, unit, list(range(n)))  # as the engines give
        return cls(
            order=order,
            score=score,
            thr=thr,
            unit=unit,
            rounds=[int(rng.integers(1, 4)) for _ in range(n)],
            free=[int(rng.integers(0, 4)) for _ in range(n_units)],
            spare=[int(rng.integers(0, 7)) for _ in range(n_units)],
            n_threats=n_threats,
            node_limit=int(rng.choice([1, 3, 50, 100_000])),
        )

    def run(self, choose: Callable[..., int]) -> tuple[list[int], list[int], list[int], list[bool]]:
        """The chosen options, and ``free``, ``spare`` and ``used`` after the choice."""
        n = len(self.order)
        order, free, spare = list(self.order), list(self.free), list(self.spare)
        used = [False] * self.n_threats
        fwork, iwork = [0.0] * (2 * n + 2), [0] * (3 * n + 1)  # what the engines give
        args = (self.score, self.thr, self.unit, self.rounds, free, spare, used, self.node_limit)
        k = int(choose(order, n, *args, fwork, iwork))
        if not 0 <= k <= n:
            raise _Failure(f"chose {k} of {n} options")
        return order[:k], free, spare, used


def _choices(policy: registry.Policy, rng: np.random.Generator, count: int = 600) -> None:
    """Choice: the dispatch reaches the row's kernel, and every choice is feasible."""
    for case in range(count):
        problem = _Choice.draw(rng)
        where = f"choice case {case} of the kernel check"
        try:
            own = problem.run(policy.choose)
            through = problem.run(lambda *a: registry.choose(policy.code, *a))
        except IndexError:
            raise _Failure(f"{where}: the choice reads or writes outside its workspaces") from None
        except _Failure as exc:
            raise _Failure(f"{where}: {exc}") from None
        if own != through:
            raise _Failure(
                f"{where}: choose({policy.code}, ...) differs from the row's choice kernel: "
                "give the policy its branch in registry.choose"
            )
        _feasible(where, problem, *own)


def _feasible(
    where: str,
    p: _Choice,
    chosen: list[int],
    free: list[int],
    spare: list[int],
    used: list[bool],
) -> None:
    position = {o: k for k, o in enumerate(p.order)}
    if any(o not in position for o in chosen) or len(set(chosen)) != len(chosen):
        raise _Failure(f"{where}: the chosen are not distinct options")
    if [position[o] for o in chosen] != sorted(position[o] for o in chosen):
        raise _Failure(f"{where}: the chosen options are not in their given (greedy) order")
    threats = [p.thr[o] for o in chosen]
    if len(set(threats)) != len(threats):
        raise _Failure(f"{where}: a threat got two engagements in one cycle")
    for u in range(len(p.free)):
        mine = [o for o in chosen if p.unit[o] == u]
        fired = sum(p.rounds[o] for o in mine)
        if len(mine) > p.free[u] or fired > p.spare[u]:
            raise _Failure(
                f"{where}: unit {u} given {len(mine)} engagements of {fired} rounds with "
                f"{p.free[u]} free channels and {p.spare[u]} rounds ready"
            )
        if free[u] != p.free[u] - len(mine) or spare[u] != p.spare[u] - fired:
            raise _Failure(f"{where}: free channels or spare rounds not reduced by the chosen")
    if any(used):
        raise _Failure(f"{where}: `used` is not left clear")


# --- 3. analytic cases --------------------------------------------------------------------------


def _line(count: int, units: list[dict[str, Any]], *, lethality: float = 1.0) -> dict[str, Any]:
    """Drones flying east along y = 0 from x = -100 km to a depot at the origin, 100 m/s.

    One a minute from 00:00, each alone in the sky; a perfect radar sees them
    from launch; the depot (value 10, soft) is destroyed by a leaker with
    ``lethality``; one point of value is worth 1 MUSD.
    """
    return {
        "schema_version": 1,
        "name": "check_policy: line",
        "start": "00:00",
        "duration": "3 h",
        "threat_classes": {
            "drone": {
                "preset": "shahed-136-class",  # flies at 500 m
                "speed": "100 m/s",
                "ew_susceptibility": 0.0,
                "lethality": {"soft": lethality, "medium": lethality, "hard": lethality},
            }
        },
        "assets": [{"id": "depot", "position": ["0 km", "0 km"], "value": 10, "hardness": "soft"}],
        "sensors": [
            {
                "id": "radar",
                "kind": "acoustic",
                "position": ["-50 km", "0 km"],
                "range": "200 km",
                "height": "10 m",
                "scan_period": "1 s",
                "pd": 1.0,
            }
        ],
        "fire_units": units,
        "raids": [
            {
                "id": "drones",
                "threat": "drone",
                "count": count,
                "launch": {
                    "sites": [["-100 km", "0 km"]],
                    "start": "00:00",
                    "end": f"00:{count - 1:02d}",
                },
                "targets": {"depot": 1},
            }
        ],
        "doctrine": {
            "decision_cycle": "1 s",
            "reaction_time": "2 s",
            "mode": "shoot-look-shoot",
            "value_unit": "1 MUSD",
        },
    }


def _sam(x_km: float, y_km: float = 0.0, **fields: Any) -> dict[str, Any]:
    """A SAM with a 10 km envelope, pk 1 against the drone, $1000 a round."""
    spec: dict[str, Any] = {
        "id": "sam",
        "kind": "sam",
        "position": [f"{x_km} km", f"{y_km} km"],
        "min_range": "0 m",
        "max_range": "10 km",
        "channels": 4,
        "rounds": 1000,
        "reserve": 0,
        "reload_time": "1 min",
        "interceptor_speed": "1000 m/s",
        "pk": {"drone": 1.0},
        "cost_per_shot": "1000 USD",
    }
    spec.update(fields)
    return spec


def _analytic(policy: registry.Policy) -> None:
    """Cases whose outcome is known by hand, whatever a sensible policy does.

    **Sure kills are taken.** One SAM at x = -20 km with a 10 km envelope, pk 1,
    1,000 rounds, one channel; three drones a minute apart fly along y = 0
    through it (in the envelope, slant range <= 10 km at 500 m altitude, for
    about 2 x 9.99 km / 100 m/s = 200 s: from 700 s to 900 s after launch). Each
    is alone in the sky, so each decision offers one option: a sure kill (salvo
    of 1 at pk 1) of a threat worth 10 points x 1 MUSD x lethality 1 = $10M, for
    a $1000 round. The contract: *a policy may decline options (cost_aware
    declines engagements not worth their rounds; a policy may wait for a better
    shot), but an uncontested sure kill worth ten thousand times its round's
    cost, with the channel and rounds to spare, is taken before the threat
    leaves the envelope.* So every drone is destroyed by the SAM, between 700 s
    and 900 s after its launch, with exactly one engagement and one round each
    (shoot-look-shoot: after a kill there is nothing left to engage), and the
    depot survives.

    **No rounds, no shots.** The same SAM with no rounds and no reserve: no
    option can be taken, so nothing is fired, every drone leaks at its impact
    time, and with lethality 1 each leaker destroys the depot.

    **Out of reach.** The same SAM 200 km off the route has no engagement
    window, so the policy is never asked: 20 drones x 100 replications leak,
    each destroying the depot with its damage probability, lethality 0.5 x
    hardness (soft: 1) = 0.5; the 2,000 independent draws give a number of hits
    within five standard deviations (sqrt(2000 x 0.25) = 22.4) of 1,000.
    """
    from iadsim.engine import Fate

    name = policy.name
    raw = _line(3, [_sam(-20, channels=1)])
    cs, out = _runs(policy, raw, "analytic case 'sure kills are taken'", 10, seed=11)
    if not (out.fate == Fate.DESTROYED).all() or not (out.cause == 0).all():
        raise _Failure(
            "analytic case 'sure kills are taken': a lone drone flying through a SAM with pk 1 "
            f"and rounds to spare was not destroyed by it under {name} (fates "
            f"{sorted(set(out.fate.ravel().tolist()))}, 1 = destroyed); a policy must take an "
            "uncontested sure kill worth far more than its round"
        )
    since = out.time - cs.launch_time[None, :]
    if not ((since >= 700.0) & (since <= 900.0)).all():
        raise _Failure(
            "analytic case 'sure kills are taken': kills at "
            f"{sorted(set(np.round(since.ravel(), 1).tolist()))} s after launch, outside the "
            "envelope (700 s to 900 s)"
        )
    if not ((out.shots == 3) & (out.engagements == 3)).all() or out.asset_destroyed.any():
        raise _Failure(
            "analytic case 'sure kills are taken': expected one engagement of one round per "
            f"drone (3), got shots {sorted(set(out.shots.ravel().tolist()))}"
        )

    raw = _line(5, [_sam(-20, rounds=0, reserve=0)])
    cs, out = _runs(policy, raw, "analytic case 'no rounds, no shots'", 10, seed=12)
    if out.shots.any() or out.engagements.any():
        raise _Failure("analytic case 'no rounds, no shots': a unit with no rounds fired")
    if not (out.fate == Fate.LEAKED).all() or not (out.time == cs.impact_time[None, :]).all():
        raise _Failure(
            "analytic case 'no rounds, no shots': every drone should leak at its impact time"
        )
    if not out.hit.all() or not out.asset_destroyed.all():
        raise _Failure(
            "analytic case 'no rounds, no shots': leakers with lethality 1 missed the depot"
        )

    raw = _line(20, [_sam(-50, 200)], lethality=0.5)
    cs, out = _runs(policy, raw, "analytic case 'out of reach'", 100, seed=13)
    if not np.array_equal(cs.damage_prob, np.full(20, 0.5)):
        raise _Failure(f"analytic case 'out of reach': damage probability {cs.damage_prob}")
    if out.shots.any() or not (out.fate == Fate.LEAKED).all():
        raise _Failure("analytic case 'out of reach': a drone no unit can reach did not leak")
    hits = int(out.hit.sum())
    if abs(hits - 1000) > 5 * math.sqrt(2000 * 0.25):
        raise _Failure(
            f"analytic case 'out of reach': {hits} of 2,000 leakers hit, expected 1,000 +- 112"
        )


# --- 4. the engines agree, and the invariants of every run --------------------------------------


def _compile(raw: dict[str, Any], where: str) -> Any:
    from iadsim.compile import compile_scenario
    from iadsim.scenario import parse_scenario

    return compile_scenario(parse_scenario(raw, source=where))


def _runs(
    policy: registry.Policy, raw: dict[str, Any], where: str, replications: int, *, seed: int
) -> tuple[Any, Any]:
    """Both engines on ``raw`` under ``policy``: identical, and every invariant holds."""
    raw = {**raw, "doctrine": {**raw["doctrine"], "policy": policy.name}}
    cs = _compile(raw, where)
    return cs, _agree_compiled(policy, cs, where, replications, seed)


def _agree_compiled(
    policy: registry.Policy, cs: Any, where: str, replications: int, seed: int
) -> Any:
    from iadsim.engine import simulate

    def run(engine: str) -> Any:
        try:
            return simulate(
                cs, replications=replications, seed=seed, engine=engine, policy=policy.name
            )
        except Exception as exc:  # the check reports, with where to reproduce it
            raise _Failure(
                f"{where}: the {engine} engine failed (seed {seed}): {type(exc).__name__}: {exc}"
            ) from exc

    fast, reference = run("fast"), run("reference")
    if not fast.equals(reference):
        raise _Failure(
            f"{where}: the engines disagree (seed {seed}): {_difference(fast, reference)}"
        )
    check_outcomes(cs, fast, where=where, policy=policy.name)
    last = replications - 1
    for engine in ("fast", "reference"):
        one = simulate(
            cs,
            replications=replications,
            seed=seed,
            replicate_index=last,
            engine=engine,
            policy=policy.name,
        )
        check_outcomes(cs, one, where=where, policy=policy.name)
        if not _row_equal(one, 0, fast, last):
            raise _Failure(
                f"{where}: replicate_index={last} ({engine} engine) does not reproduce row {last} "
                f"of the run (seed {seed})"
            )
    if not run("fast").equals(fast):
        raise _Failure(f"{where}: a second run with the same seed {seed} differs")
    return fast


def _difference(a: Any, b: Any) -> str:
    from iadsim.engine.outcomes import ARRAYS

    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        if x.shape != y.shape or x.dtype != y.dtype:
            return f"{name}: {x.dtype}{list(x.shape)} (fast) against {y.dtype}{list(y.shape)}"
        where = np.argwhere(x != y)
        if len(where):
            r, c = (int(v) for v in where[0])
            return (
                f"{name}[replication {int(a.replications[r])}, {c}] is {x[r, c]!r} (fast) and "
                f"{y[r, c]!r} (reference), {len(where)} entries differ"
            )
    return "the seeds or replication indices differ"


def _row_equal(one: Any, row_one: int, full: Any, row_full: int) -> bool:
    from iadsim.engine.outcomes import ARRAYS

    return int(one.replications[row_one]) == int(full.replications[row_full]) and all(
        np.array_equal(getattr(one, n)[row_one], getattr(full, n)[row_full]) for n in ARRAYS
    )


def check_outcomes(cs: Any, out: Any, *, where: str = "", policy: str = "") -> None:
    """The invariants of every finished run, whatever the policy.

    Each threat has exactly one fate (destroyed, lost to EW or leaked; never
    still airborne), sealed between its launch and its impact, and its details
    agree: a destroyed threat's cause is a kinetic unit that engaged at least
    once for each threat it destroyed, a threat lost to EW names an EW site, a
    leaker has no cause and leaks at its impact time, only a leaker with a
    non-zero damage probability hits, and an asset is destroyed exactly when a
    threat aimed at it hit. No unit fires more than its rounds and reserve, an
    engagement fires at least one round, and EW sites fire none.

    Raises:
        AssertionError: naming the invariant, ``where`` and ``policy``.
    """
    from iadsim.engine import Fate

    def fail(message: str) -> None:
        head = f"{where}: " if where else ""
        tail = f" (policy {policy})" if policy else ""
        raise _Failure(f"{head}{message}{tail}")

    fate, time, cause = out.fate, out.time, out.cause
    final = (fate == Fate.DESTROYED) | (fate == Fate.LOST_TO_EW) | (fate == Fate.LEAKED)
    if not final.all():
        fail(f"a threat has no fate at the end ({int((~final).sum())} still airborne)")
    launch, impact = cs.launch_time[None, :], cs.impact_time[None, :]
    if ((time < launch) | (time > impact)).any():
        fail("a fate was sealed before its threat's launch or after its impact")
    is_ew = np.asarray(cs.unit_is_ew, dtype=bool)
    destroyed, lost, leaked = fate == Fate.DESTROYED, fate == Fate.LOST_TO_EW, fate == Fate.LEAKED
    n_units = len(is_ew)
    if ((cause < -1) | (cause >= n_units)).any():
        fail("a cause names no fire unit")
    if (leaked & (cause != -1)).any() or ((destroyed | lost) & (cause < 0)).any():
        fail("a leaker has a cause, or a destroyed or jammed threat has none")
    unit_of = np.where(cause >= 0, cause, 0)
    if n_units and ((destroyed & is_ew[unit_of]) | (lost & ~is_ew[unit_of])).any():
        fail("a threat destroyed by an EW site, or jammed by a kinetic unit")
    if (leaked & (time != impact)).any():
        fail("a leaker's time is not its impact time")
    damage = cs.damage_prob[None, :]
    if (out.hit & ~leaked).any() or (out.hit & (damage <= 0)).any():
        fail("a threat hit without leaking, or with no chance of damage")
    if (leaked & (damage >= 1) & ~out.hit).any():
        fail("a leaker with damage probability 1 did not hit")
    targets = np.asarray(cs.threat_target)
    for a in range(out.asset_destroyed.shape[1]):
        hit_here = out.hit[:, targets == a].any(axis=1)
        if not np.array_equal(hit_here, out.asset_destroyed[:, a]):
            fail(f"asset {a} destroyed without a hit on it, or hit and not destroyed")
    shots, engagements = out.shots, out.engagements
    magazine = np.asarray(cs.unit_rounds) + np.asarray(cs.unit_reserve)
    if (shots > magazine[None, :]).any():
        fail("a unit fired more rounds than its rounds and reserve")
    if (engagements > shots).any() or (shots < 0).any():
        fail("an engagement fired no round")
    if (shots[:, is_ew] != 0).any() or (engagements[:, is_ew] != 0).any():
        fail("an EW site fired")
    for u in range(n_units):
        kills = (destroyed & (cause == u)).sum(axis=1)
        if (kills > engagements[:, u]).any():
            fail(f"unit {u} destroyed more threats than it engaged")


def _example(policy: registry.Policy) -> None:
    """The national-defence scenario shipped in the package, with a value_unit."""
    from iadsim.scenario import read_raw

    path = files("iadsim") / "data" / "national_defence.yaml"
    raw = read_raw(str(path))[0]
    raw["doctrine"] = {**raw.get("doctrine", {}), "value_unit": "1 MUSD"}
    _runs(policy, raw, "iadsim/data/national_defence.yaml", EXAMPLE_REPLICATIONS, seed=20251122)


# --- random small scenarios ---------------------------------------------------------------------

_UNIT_KINDS = ("sam", "gun", "manpads", "interceptor_drone", "ew")


def _prob(rng: np.random.Generator) -> float:
    """A probability, exactly 0 or 1 now and then."""
    pick = rng.random()
    return 0.0 if pick < 0.15 else 1.0 if pick < 0.3 else float(rng.random())


def random_scenario(seed: int, index: int) -> dict[str, Any]:
    """Random scenario ``index`` of ``seed``: raw data, small enough for the reference engine.

    Up to five fire units of every kind (EW included) with small magazines (so
    units run dry and reload), drones and decoys in two raids of 1 to 15, and
    every doctrine option varied: mode, salvo, decision cycle, reaction time,
    engagement limit, authority, exact's node limit; ``value_unit`` is always
    given, so policies that need it run. The same ``(seed, index)`` gives the
    same scenario on any machine (NumPy's PCG64).
    """
    rng = np.random.default_rng([seed, index])

    def km(lo: int, hi: int) -> str:
        return f"{int(rng.integers(lo, hi + 1))} km"

    units = []
    for u in range(int(rng.integers(0, 6))):
        kind = str(rng.choice(_UNIT_KINDS))
        spec: dict[str, Any] = {
            "id": f"u{u}",
            "kind": kind,
            "position": [km(-60, 0), km(-15, 15)],
            "max_range": km(2, 30),
            "pk": {"owa_drone": _prob(rng), "decoy": _prob(rng)},
        }
        if kind != "ew":
            spec.update(
                rounds=int(rng.integers(0, 13)),
                reserve=int(rng.integers(0, 7)),
                channels=int(rng.integers(1, 4)),
                reload_time=f"{int(rng.integers(0, 301))} s",
                cost_per_shot=f"{int(rng.integers(0, 10**6 + 1))} USD",
                interceptor_speed=f"{int(rng.integers(60, 1501))} m/s",
            )
        units.append(spec)
    doctrine: dict[str, Any] = {
        "decision_cycle": f"{int(rng.integers(1, 6))} s",
        "reaction_time": f"{int(rng.integers(0, 31))} s",
        "mode": str(rng.choice(["shoot-look-shoot", "shoot-shoot-look"])),
        "salvo": {"default": int(rng.integers(1, 4)), "decoy": int(rng.integers(1, 3))},
        "value_unit": f"{int(rng.choice([1, 30, 300, 3000]))} kUSD",
        "exact_node_limit": int(rng.choice([1, 7, 100, 100_000])),
    }
    if rng.random() < 0.5:
        doctrine["max_engagements"] = int(rng.integers(1, 4))
    kinds = {u["kind"] for u in units}
    if units and rng.random() < 0.5:
        authority = {"sam": ["decoy"], "gun": ["owa_drone", "decoy"]}
        doctrine["authority"] = {k: v for k, v in authority.items() if k in kinds}
    raids = [
        {
            "id": f"r{n}",
            "threat": threat,
            "count": int(rng.integers(1, 16)),
            "launch": {
                "sites": [["-90 km", "10 km"], ["-80 km", "-20 km"]],
                "start": "00:00",
                # a quarter of the raids all at once: options compete within a cycle
                "end": f"00:{0 if rng.random() < 0.25 else int(rng.integers(0, 41)):02d}",
                "spacing": str(rng.choice(["uniform", "random"])),
            },
            "route": {
                "waypoints": [["-30 km", km(-5, 5)]],
                "jitter": km(0, 8),
                "seed": int(rng.integers(0, 101)),
            },
            "targets": {"a": 1, "b": int(rng.integers(1, 4))},
        }
        for n, threat in enumerate(["d", "fake"])
    ]
    return {
        "schema_version": 1,
        "name": f"check_policy random {seed}/{index}",
        "start": "00:00",
        "duration": "4 h",
        "threat_classes": {
            "d": {
                "preset": "shahed-136-class",
                "ew_susceptibility": _prob(rng),
                "speed": f"{int(rng.integers(30, 301))} m/s",
            },
            "fake": {"preset": "gerbera-class", "ew_susceptibility": _prob(rng)},
        },
        "assets": [
            {"id": "a", "position": ["0 km", "0 km"], "value": 5, "hardness": "soft"},
            {
                "id": "b",
                "position": ["3 km", "-4 km"],
                "value": 9,
                "hardness": str(rng.choice(["soft", "medium", "hard"])),
            },
        ],
        "sensors": [
            {
                "id": "s",
                "kind": "radar",
                "position": ["-20 km", "0 km"],
                "range": "150 km",
                "height": "15 m",
                "scan_period": "5 s",
                "pd": float(rng.uniform(0.05, 1.0)),
            }
        ],
        "fire_units": units,
        "raids": raids,
        "doctrine": doctrine,
    }
