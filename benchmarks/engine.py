"""Engine speed: the working tree against the engine before the restructuring, in one run.

Every figure is measured in this run, on this machine, with the same seed and
the same replications for both codes:

* ``current``: the engine in this working tree (``src/``, with any uncommitted
  changes);
* ``baseline``: the engine at ``--baseline`` (default 9364a29, the commit before
  issue 12's restructuring), checked out in a temporary ``git worktree`` that is
  removed at the end, and run in child processes with ``PYTHONPATH`` on its
  ``src/`` and the same interpreter (each child checks where ``iadsim`` came from).

It prints, each target with PASS or MISS:

1. base capital raid, fast engine: replications per second of each code, their
   ratio (target >= 2.5x), the reference engine's rate and the fast / reference
   ratio, and the engine time of 10,000 replications (target < 4 s);
2. the x10 raid (threats x10, fire units x3): cost per replication against the
   base raid's (target <= 12x);
3. events per replication by kind (reference engine, ``count_events``) and the
   fast engine's nanoseconds per event;
4. a new process with an empty Numba cache running 1,000 replications (target
   <= 30 s) and a second one with the cache warm (target < 2 s), whole process;
5. ms per replication of every assignment policy;
6. the peak memory of a long streamed run.

Engine time is ``simulate_batches`` alone (scenario compiled, code loaded and
warmed up); process time is a whole new ``python`` process. Rates are the best of
``--rounds`` rounds, current and baseline alternating; every round's time is
shown so the noise is visible (2 cores are often shared).

    python benchmarks/engine.py            # 8 minutes or more on 2 cores
    python benchmarks/engine.py --quick    # smoke run, fewer replications (4-15 minutes)
    python benchmarks/engine.py --json     # one JSON document on stdout, progress on stderr
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from importlib import import_module
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CAPITAL = ROOT / "examples" / "capital_night_raid.yaml"
DEFAULT_BASELINE = "9364a29"
SEED = 1
CHILD_TIMEOUT = 3600.0  # seconds; a child that takes longer has hung

# Issue 12's targets: (key, label, comparison, threshold, unit)
TARGETS = (
    ("speedup", "base raid, fast engine, current / baseline", ">=", 2.5, "x"),
    ("time_10k", "engine time, 10,000 replications of the base raid", "<", 4.0, " s"),
    ("x10_cost", "x10 raid cost per replication / base raid's", "<=", 12.0, "x"),
    ("cold_start", "new process, empty Numba cache, 1,000 replications", "<=", 30.0, " s"),
    ("warm_start", "new process, warm Numba cache, 1,000 replications", "<", 2.0, " s"),
)


@dataclass(frozen=True)
class Plan:
    """How many replications each measurement runs."""

    base_reps: int
    x10_reps: int
    reference_reps: int
    policy_reps: int
    rounds: int
    start_reps: int = 1000
    memory_reps: int = 100_000
    events_base: int = 5
    events_x10: int = 2
    digest_base: int = 256
    digest_x10: int = 16


def plan_for(quick: bool, rounds: int | None = None) -> Plan:
    """The replication counts of a full run or of a ``--quick`` smoke run."""
    if quick:
        plan = Plan(
            base_reps=2000, x10_reps=100, reference_reps=5, policy_reps=1000, rounds=2,
            memory_reps=10_000, events_base=2, events_x10=1, digest_base=64, digest_x10=4,
        )  # fmt: skip
    else:
        plan = Plan(base_reps=10_000, x10_reps=1000, reference_reps=20, policy_reps=5000, rounds=3)
    if rounds is not None:
        plan = replace(plan, rounds=max(1, rounds))
    return plan


# --- scenarios (run in the children, against whichever iadsim they import)


def scaled_raw(factor_threats: int, factor_units: int) -> dict:
    """The capital raid with every raid's count x factor and every fire unit repeated."""
    from iadsim.scenario import read_raw

    raw, _ = read_raw(CAPITAL)
    raw = copy.deepcopy(raw)
    raw["name"] += f" x{factor_threats}"
    for raid in raw["raids"]:
        raid["count"] *= factor_threats
    units = []
    for copy_no in range(factor_units):
        for unit in raw["fire_units"]:
            twin = copy.deepcopy(unit)
            if copy_no:
                twin["id"] = f"{unit['id']}-{copy_no}"
                east, north = (float(v.split()[0]) for v in unit["position"])
                dx, dy = [(2.0, 1.0), (-1.5, 2.0)][copy_no % 2]
                twin["position"] = [f"{east + dx * copy_no} km", f"{north + dy * copy_no} km"]
            units.append(twin)
    raw["fire_units"] = units
    return raw


def compiled_for(scale: int) -> Any:
    """The compiled base raid (``scale`` 1) or x10 raid (``scale`` 10)."""
    from iadsim.compile import compile_scenario
    from iadsim.scenario import parse_scenario

    raw = scaled_raw(10, 3) if scale == 10 else scaled_raw(1, 1)
    return compile_scenario(parse_scenario(raw))


# --- children: one job each, one JSON line on stdout


def _check_source(src: str) -> str:
    """Fail unless ``iadsim`` is imported from ``src`` (the worktree for the baseline)."""
    import iadsim

    where = Path(iadsim.__file__).resolve()
    if not where.is_relative_to(Path(src).resolve()):
        raise SystemExit(f"benchmark child: iadsim imported from {where}, expected under {src}")
    return str(where)


def _numba_threads() -> int:
    import numba

    return int(numba.get_num_threads())


def _digest(outcomes: Any) -> dict[str, str]:
    """SHA-256 of each outcome array, to check that both codes give the same outcomes."""
    from iadsim.engine.outcomes import ARRAYS

    return {
        name: hashlib.sha256(getattr(outcomes, name).tobytes()).hexdigest()[:16] for name in ARRAYS
    }


def _job_rates(spec: dict) -> dict:
    """Engine time (simulate only) of each requested run, code loaded and warmed up first."""
    where = _check_source(spec["src"])
    from iadsim.engine import POLICIES, simulate, simulate_batches

    scenarios: dict[int, Any] = {}
    runs = []
    for run in spec["runs"]:
        policy = run["policy"]
        if policy is not None and policy not in POLICIES:
            runs.append({**run, "skipped": f"no policy {policy!r} in this code"})
            continue
        scale = run["scale"]
        if scale not in scenarios:
            scenarios[scale] = compiled_for(scale)
        cs = scenarios[scale]
        options = {"seed": spec["seed"], "engine": run["engine"], "policy": policy}
        if run["engine"] == "fast":  # load (or compile) the kernels before timing
            for _ in simulate_batches(cs, replications=2, **options):
                pass
        wall, cpu = time.perf_counter(), time.process_time()
        done = 0
        for batch in simulate_batches(cs, replications=run["reps"], **options):
            done += len(batch)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        result = {
            **{k: v for k, v in run.items() if k != "digest_reps"},
            "wall": wall,
            "cpu": cpu,
            "done": done,
            "threats": int(cs.n_threats),
            "units": int(cs.n_units),
        }
        if run["digest_reps"]:  # outside the timing
            result["digest"] = _digest(simulate(cs, replications=run["digest_reps"], **options))
        runs.append(result)
    return {"runs": runs, "iadsim": where, "threads": _numba_threads(), "policies": list(POLICIES)}


def _job_info(spec: dict) -> dict:
    """What the code offers: its policies, and Numba's version and threads."""
    where = _check_source(spec["src"])
    import numba

    from iadsim.engine import POLICIES

    return {
        "iadsim": where,
        "policies": list(POLICIES),
        "numba": numba.__version__,
        "numba_threads": _numba_threads(),
        "numba_config_threads": int(numba.config.NUMBA_NUM_THREADS),
        "engine_threads": getattr(import_module("iadsim.engine.fast"), "THREADS", None),
    }


def _job_once(spec: dict) -> dict:
    """A whole run as a user's new process does it; the parent times the process."""
    start = time.perf_counter()
    where = _check_source(spec["src"])
    from iadsim.engine import simulate_batches

    cs = compiled_for(1)
    loaded = time.perf_counter()
    for _ in simulate_batches(cs, replications=spec["reps"], seed=spec["seed"], engine="fast"):
        pass
    done = time.perf_counter()
    return {"setup": loaded - start, "simulate": done - loaded, "iadsim": where}


def _job_events(spec: dict) -> dict:
    """Events the reference engine handles per replication, by kind, averaged."""
    where = _check_source(spec["src"])
    from iadsim.engine.reference import count_events

    out: dict[str, Any] = {"iadsim": where}
    for name, scale, reps in (("base", 1, spec["base"]), ("x10", 10, spec["x10"])):
        cs = compiled_for(scale)
        totals: dict[str, int] = {}
        for rep in range(reps):
            for kind, count in count_events(cs, seed=spec["seed"], replicate_index=rep).items():
                totals[kind] = totals.get(kind, 0) + int(count)
        out[name] = {"replications": reps, "totals": totals}
    return out


def _job_memory(spec: dict) -> dict:
    """Peak resident memory of a long run streamed into an Accumulator."""
    import resource

    where = _check_source(spec["src"])
    from iadsim.engine import simulate_batches
    from iadsim.metrics import Accumulator

    cs = compiled_for(1)
    acc = Accumulator(cs)
    first = None
    start = time.perf_counter()
    for batch in simulate_batches(cs, replications=spec["reps"], seed=spec["seed"]):
        acc.add(batch)
        if first is None:
            first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"peak_mib": peak, "first_batch_mib": first, "wall": wall, "iadsim": where}


JOBS = {
    "info": _job_info,
    "rates": _job_rates,
    "once": _job_once,
    "events": _job_events,
    "memory": _job_memory,
}


def child(spec: dict) -> None:
    print(json.dumps(JOBS[spec["job"]](spec)))


# --- the parent


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Code:
    """One version of iadsim: where its source is and its own Numba cache."""

    name: str
    src: Path
    cache: Path


def run_child(code: Code, spec: dict, cache: Path | None = None) -> tuple[dict, float]:
    """Run one job in a new process of ``code``; its JSON result and the process wall time."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(code.src)
    env["NUMBA_CACHE_DIR"] = str(cache or code.cache)
    spec = {**spec, "src": str(code.src)}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(ROOT),
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-25:])
        how = f"exited with {proc.returncode}"
        if proc.returncode < 0:
            how = f"was killed by {signal.Signals(-proc.returncode).name}"
        raise RuntimeError(f"{code.name} child ({spec['job']}) {how}:\n{tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def git(*args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout.strip()


@contextmanager
def baseline_worktree(rev: str, parent: Path) -> Iterator[tuple[Path, str]]:
    """A detached ``git worktree`` of ``rev`` under ``parent``, removed on the way out."""
    sha = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    where = parent / "baseline"
    git("worktree", "add", "--detach", str(where), sha)
    try:
        yield where, sha
    finally:
        try:
            git("worktree", "remove", "--force", str(where))
        except RuntimeError as error:
            shutil.rmtree(where, ignore_errors=True)
            progress(f"could not remove the worktree cleanly ({error}); `git worktree prune` will")


def figure(walls: list[float], cpus: list[float], reps: int) -> dict:
    """A rate measured several times: best time, every time, and the spread between them."""
    best = min(range(len(walls)), key=walls.__getitem__)
    return {
        "reps": reps,
        "wall_s": walls,
        "cpu_s": cpus,
        "best_s": walls[best],
        "best_cpu_s": cpus[best],
        "min_cpu_s": min(cpus),
        "reps_per_s": reps / walls[best],
        "ms_per_rep": walls[best] / reps * 1e3,
        "spread": max(walls) / walls[best] - 1.0,
    }


def verdict(value: float | None, comparison: str, threshold: float) -> bool | None:
    """Whether ``value`` meets the target (None when it could not be measured)."""
    if value is None:
        return None
    if comparison == ">=":
        return value >= threshold
    if comparison == "<=":
        return value <= threshold
    if comparison == "<":
        return value < threshold
    raise ValueError(f"unknown comparison {comparison!r}")


def run_specs(plan: Plan, policies: list[str], digest: bool) -> list[dict]:
    """The runs of one round, the same for current and baseline."""

    def run(key: str, engine: str, scale: int, reps: int, policy: str | None, d: int) -> dict:
        return {"key": key, "engine": engine, "scale": scale, "reps": reps, "policy": policy,
                "digest_reps": d if digest and engine == "fast" else 0}  # fmt: skip

    specs = [
        run("base", "fast", 1, plan.base_reps, None, plan.digest_base),
        run("x10", "fast", 10, plan.x10_reps, None, plan.digest_x10),
        run("reference", "reference", 1, plan.reference_reps, None, 0),
    ]
    specs += [
        run(f"policy:{p}", "fast", 1, plan.policy_reps, p, plan.digest_base) for p in policies
    ]
    return specs


def summarise(
    *,
    plan: Plan,
    machine: dict,
    versions: dict,
    rounds: list[dict[str, dict]],
    starts: dict[str, dict[str, dict]],
    events: dict,
    memory: dict,
) -> dict:
    """Every figure of the run, and the targets, from the children's raw results."""
    codes = ("current", "baseline")
    collected: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in codes}
    digests: dict[str, dict[str, dict[str, str]]] = {c: {} for c in codes}
    shapes: dict[int, tuple[int, int]] = {}
    for round_ in rounds:
        for code in codes:
            for run in round_[code]["runs"]:
                if "skipped" in run:
                    continue
                slot = collected[code].setdefault(
                    run["key"], {"walls": [], "cpus": [], "reps": run["reps"]}
                )
                slot["walls"].append(run["wall"])
                slot["cpus"].append(run["cpu"])
                shapes[run["scale"]] = (run["threats"], run["units"])
                if "digest" in run:
                    digests[code][run["key"]] = run["digest"]
    figs = {
        code: {k: figure(v["walls"], v["cpus"], v["reps"]) for k, v in collected[code].items()}
        for code in codes
    }

    def per_rep(code: str, key: str) -> float | None:
        fig = figs[code].get(key)
        return fig["best_s"] / fig["reps"] if fig else None

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    def cpu_ratio(key: str) -> float | None:  # CPU time per rep: less sensitive to other load
        new, old = figs["current"].get(key), figs["baseline"].get(key)
        if not new or not old:
            return None
        return ratio(old["min_cpu_s"] / old["reps"], new["min_cpu_s"] / new["reps"])

    base: dict[str, Any] = {"threats": shapes[1][0], "units": shapes[1][1]}
    x10: dict[str, Any] = {"threats": shapes[10][0], "units": shapes[10][1]}
    for code in codes:
        base[code] = {
            "fast": figs[code].get("base"),
            "reference": figs[code].get("reference"),
            "fast_over_reference": ratio(per_rep(code, "reference"), per_rep(code, "base")),
        }
        x10[code] = {
            "fast": figs[code].get("x10"),
            "cost_vs_base": ratio(per_rep(code, "x10"), per_rep(code, "base")),
        }
    base["current_over_baseline"] = ratio(per_rep("baseline", "base"), per_rep("current", "base"))
    base["current_over_baseline_cpu"] = cpu_ratio("base")
    current_base = per_rep("current", "base")
    base["time_10k_s"] = current_base * 10_000 if current_base is not None else None
    base["time_10k_extrapolated"] = plan.base_reps != 10_000
    x10["current_over_baseline"] = ratio(per_rep("baseline", "x10"), per_rep("current", "x10"))
    x10["current_over_baseline_cpu"] = cpu_ratio("x10")

    event_figs: dict[str, Any] = {}
    for name, key in (("base", "base"), ("x10", "x10")):
        part = events[name]
        n = part["replications"]
        by_kind = {k: v / n for k, v in sorted(part["totals"].items())}
        total = sum(by_kind.values())
        fig = figs["current"].get(key)
        event_figs[name] = {
            "replications": n,
            "per_rep": by_kind,
            "total_per_rep": total,
            "fast_ns_per_event": fig["best_s"] / fig["reps"] / total * 1e9
            if fig and total
            else None,
            "fast_cpu_ns_per_event": (
                fig["best_cpu_s"] / fig["reps"] / total * 1e9 if fig and total else None
            ),
        }

    policy_names = [k.split(":", 1)[1] for k in figs["current"] if k.startswith("policy:")]
    policy_figs = {
        "replications": plan.policy_reps,
        "current": {p: figs["current"].get(f"policy:{p}") for p in policy_names},
        "baseline": {p: figs["baseline"].get(f"policy:{p}") for p in policy_names},
        "current_over_baseline": {
            p: ratio(per_rep("baseline", f"policy:{p}"), per_rep("current", f"policy:{p}"))
            for p in policy_names
        },
    }

    identical = {}
    for key, mine in digests["current"].items():
        theirs = digests["baseline"].get(key)
        if theirs is not None:
            common = sorted(set(mine) & set(theirs))
            identical[key] = all(mine[n] == theirs[n] for n in common)

    values = {
        "speedup": base["current_over_baseline"],
        "time_10k": base["time_10k_s"],
        "x10_cost": x10["current"]["cost_vs_base"],
        "cold_start": starts["current"]["cold"]["process_s"],
        "warm_start": starts["current"]["warm"]["process_s"],
    }
    targets = [
        {
            "key": key,
            "what": label,
            "value": values[key],
            "target": f"{comparison} {threshold:g}{unit}",
            "pass": verdict(values[key], comparison, threshold),
        }
        for key, label, comparison, threshold, unit in TARGETS
    ]
    return {
        "machine": machine,
        "versions": versions,
        "plan": asdict(plan),
        "seed": SEED,
        "base": base,
        "x10": x10,
        "events": event_figs,
        "start": {"replications": plan.start_reps, **starts},
        "policies": policy_figs,
        "memory": memory,
        "outcomes_identical": identical,
        "targets": targets,
    }


# --- the text report


def _mark(ok: bool | None) -> str:
    return {True: "PASS", False: "MISS", None: "n/a"}[ok]


def _num(value: float | None, spec: str, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{suffix}"


def _times(fig: dict | None) -> str:
    if not fig:
        return ""
    runs = " ".join(f"{w:.2f}" for w in fig["wall_s"])
    return f"(runs {runs} s, spread {fig['spread'] * 100:.0f}%)"


def render(report: dict) -> str:
    """The report as text, one target per line with PASS or MISS."""
    m, v, plan = report["machine"], report["versions"], report["plan"]
    target = {t["key"]: t for t in report["targets"]}

    def goal(key: str) -> str:
        t = target[key]
        return f"target {t['target']:<8} {_mark(t['pass'])}"

    cur, base_v = v["current"], v["baseline"]
    lines = [
        f"iadsim engine benchmark: {m['cpus']} CPUs ({m['usable_cpus']} usable), "
        f"Numba {m['numba']} with {m['numba_threads']} threads, fast engine on "
        f"{m['engine_threads'] or m['numba_threads']} threads, Python {m['python']}",
        f"load average {m['load_before']} at the start, {m['load_after']} at the end",
        f"current:  working tree at {cur['commit'][:10]}"
        + (" + uncommitted changes in src/" if cur["dirty"] else ""),
        f"baseline: {base_v['rev']} = {base_v['commit'][:10]} (git worktree, PYTHONPATH)",
        f"seed {report['seed']}; rates are the best of {plan['rounds']} rounds, "
        "current and baseline alternating; engine time = simulate only",
        "",
    ]
    b = report["base"]
    cf, bf = b["current"]["fast"], b["baseline"]["fast"]
    lines += [
        f"1. Base raid ({b['threats']:,} threats, {b['units']} fire units), fast engine, "
        f"{plan['base_reps']:,} replications",
        f"   current   {_num(cf and cf['reps_per_s'], ',.0f'):>8} reps/s  {_times(cf)}",
        f"   baseline  {_num(bf and bf['reps_per_s'], ',.0f'):>8} reps/s  {_times(bf)}",
        f"   current / baseline             {_num(b['current_over_baseline'], '.2f', 'x'):>9}  "
        + goal("speedup"),
        "   ... by CPU time per replication "
        f"{_num(b['current_over_baseline_cpu'], '.2f', 'x'):>9}  (less sensitive to other load)",
        "   engine time, 10,000 reps        "
        f"{_num(b['time_10k_s'], '.2f', ' s'):>9}  {goal('time_10k')}"
        + ("  (extrapolated)" if b["time_10k_extrapolated"] else ""),
    ]
    for code in ("current", "baseline"):
        ref = b[code]["reference"]
        lines.append(
            f"   reference engine, {code:<8}  {_num(ref and ref['reps_per_s'], '.2f'):>7} reps/s, "
            f"fast / reference {_num(b[code]['fast_over_reference'], ',.0f', 'x'):>5}  "
            f"({plan['reference_reps']} reps; {_times(ref)[1:-1]})"
        )
    x = report["x10"]
    lines += [
        "",
        f"2. x10 raid ({x['threats']:,} threats, {x['units']} fire units), fast engine, "
        f"{plan['x10_reps']:,} replications",
    ]
    for code in ("current", "baseline"):
        fig = x[code]["fast"]
        lines.append(
            f"   {code:<8}  {_num(fig and fig['reps_per_s'], ',.1f'):>8} reps/s  {_times(fig)}"
        )
    lines += [
        f"   current / baseline             {_num(x['current_over_baseline'], '.2f', 'x'):>9}"
        f"  (by CPU time {_num(x['current_over_baseline_cpu'], '.2f', 'x')})",
        "   cost per rep / base's: current "
        f"{_num(x['current']['cost_vs_base'], '.1f', 'x'):>9}  {goal('x10_cost')}"
        f"  (baseline {_num(x['baseline']['cost_vs_base'], '.1f', 'x')})",
        "",
    ]
    ev = report["events"]
    kinds = sorted(set(ev["base"]["per_rep"]) | set(ev["x10"]["per_rep"]))
    lines.append(
        f"3. Events per replication (reference engine's count_events, mean of "
        f"{ev['base']['replications']} base / {ev['x10']['replications']} x10 replications)"
    )
    lines.append(f"   {'kind':<12} {'base':>10} {'x10':>12}")
    for kind in kinds:
        lines.append(
            f"   {kind:<12} {ev['base']['per_rep'].get(kind, 0):>10,.1f} "
            f"{ev['x10']['per_rep'].get(kind, 0):>12,.1f}"
        )
    lines.append(
        f"   {'total':<12} {ev['base']['total_per_rep']:>10,.1f} "
        f"{ev['x10']['total_per_rep']:>12,.1f}"
    )
    threads = m["engine_threads"] or m["numba_threads"]
    for name in ("base", "x10"):
        lines.append(
            f"   fast engine (current), {name:<4}: "
            f"{_num(ev[name]['fast_ns_per_event'], '.1f')} ns per event of wall time "
            f"({threads} threads), "
            f"{_num(ev[name]['fast_cpu_ns_per_event'], '.1f')} CPU ns per event"
        )
    s = report["start"]
    lines += [
        "",
        f"4. New process, base raid, {s['replications']:,} replications, whole process "
        "(python start to exit)",
    ]
    for state, key in (("cold", "cold_start"), ("warm", "warm_start")):
        label = "empty Numba cache" if state == "cold" else "warm Numba cache "
        c, bl = s["current"][state], s["baseline"][state]
        lines.append(
            f"   {label}: current {c['process_s']:>6.1f} s  {goal(key)}   baseline "
            f"{bl['process_s']:.1f} s"
        )
        lines.append(
            f"      (import + scenario {c['setup_s']:.2f} s, simulate {c['simulate_s']:.2f} s; "
            f"baseline {bl['setup_s']:.2f} s, {bl['simulate_s']:.2f} s)"
        )
    p = report["policies"]
    lines += [
        "",
        f"5. Assignment policies, base raid, fast engine, {p['replications']:,} replications",
        f"   {'policy':<12} {'current ms/rep':>15} {'baseline ms/rep':>16} {'ratio':>7}",
    ]
    for name, fig in p["current"].items():
        old = p["baseline"].get(name)
        lines.append(
            f"   {name:<12} {_num(fig and fig['ms_per_rep'], '.3f'):>15} "
            f"{_num(old and old['ms_per_rep'], '.3f'):>16} "
            f"{_num(p['current_over_baseline'][name], '.2f', 'x'):>7}"
        )
    mem = report["memory"]
    lines += [
        "",
        f"6. Peak memory streaming {mem['replications']:,} replications of the base raid "
        f"(current): {mem['peak_mib']:.0f} MiB ({mem['first_batch_mib']:.0f} MiB after the "
        f"first batch; {mem['wall']:.1f} s)",
        "",
    ]
    same = report["outcomes_identical"]
    if same:
        diff = [k for k, ok in same.items() if not ok]
        lines.append(
            "Outcomes, fast engine, current vs baseline: "
            + (
                f"identical ({', '.join(same)})"
                if not diff
                else f"DIFFERENT for {', '.join(diff)} (same for {len(same) - len(diff)})"
            )
        )
    passed = sum(1 for t in report["targets"] if t["pass"])
    lines.append(f"Targets: {passed} of {len(report['targets'])} PASS")
    for t in report["targets"]:
        lines.append(
            f"   {_mark(t['pass'])}  {t['what']}: {_num(t['value'], '.2f')} ({t['target']})"
        )
    return "\n".join(lines)


# --- the run


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(plan: Plan, baseline_rev: str) -> dict:
    head = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--", "src"))
    load_before = _load()
    with (
        tempfile.TemporaryDirectory(prefix="iadsim-bench-") as tmp,
        baseline_worktree(baseline_rev, Path(tmp)) as (tree, sha),
    ):
        tmp_path = Path(tmp)
        codes = {
            "current": Code("current", ROOT / "src", tmp_path / "cache-current"),
            "baseline": Code("baseline", tree / "src", tmp_path / "cache-baseline"),
        }
        versions = {
            "current": {"commit": head, "dirty": dirty, "src": str(codes["current"].src)},
            "baseline": {"rev": baseline_rev, "commit": sha, "src": str(codes["baseline"].src)},
        }

        info, _ = run_child(codes["current"], {"job": "info"}, cache=tmp_path / "cache-info")
        policies = info["policies"]  # the current code's
        machine = {
            "cpus": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)),
            "numba": info["numba"],
            "numba_threads": info["numba_threads"],
            "engine_threads": info["engine_threads"],
            "python": platform.python_version(),
            "load_before": load_before,
        }

        progress(
            f"events per replication (reference engine), "
            f"{plan.events_base} + {plan.events_x10} reps"
        )
        events, _ = run_child(
            codes["current"],
            {"job": "events", "seed": SEED, "base": plan.events_base, "x10": plan.events_x10},
            cache=tmp_path / "cache-events",
        )

        starts: dict[str, dict[str, dict]] = {}
        for name, code in codes.items():
            starts[name] = {}
            for state in ("cold", "warm"):  # the cold run fills code.cache, the warm one reads it
                progress(f"{name}: new process, {state} Numba cache, {plan.start_reps:,} reps")
                result, wall = run_child(
                    code, {"job": "once", "seed": SEED, "reps": plan.start_reps}
                )
                starts[name][state] = {
                    "process_s": wall,
                    "setup_s": result["setup"],
                    "simulate_s": result["simulate"],
                }

        rounds = []
        for number in range(plan.rounds):
            order = ["current", "baseline"] if number % 2 == 0 else ["baseline", "current"]
            round_ = {}
            for name in order:
                progress(f"round {number + 1} of {plan.rounds}: {name} rates")
                specs = run_specs(plan, policies, digest=number == 0)
                round_[name], _ = run_child(
                    codes[name], {"job": "rates", "seed": SEED, "runs": specs}
                )
            rounds.append(round_)

        progress(f"peak memory, {plan.memory_reps:,} reps streamed")
        mem, _ = run_child(
            codes["current"], {"job": "memory", "seed": SEED, "reps": plan.memory_reps}
        )
        memory = {
            "replications": plan.memory_reps,
            "peak_mib": mem["peak_mib"],
            "first_batch_mib": mem["first_batch_mib"],
            "wall": mem["wall"],
        }
        progress("removing the baseline worktree")
    machine["load_after"] = _load()
    return summarise(
        plan=plan,
        machine=machine,
        versions=versions,
        rounds=rounds,
        starts=starts,
        events=events,
        memory=memory,
    )


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds, so the worktree is removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer replications (smoke run)")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument(
        "--baseline",
        default=DEFAULT_BASELINE,
        help=f"git revision of the engine to compare with (default {DEFAULT_BASELINE})",
    )
    parser.add_argument("--rounds", type=int, default=None, help="rounds of rate measurements")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    signal.signal(signal.SIGTERM, _terminate)
    started = time.perf_counter()
    report = measure(plan_for(args.quick, args.rounds), args.baseline)
    report["benchmark_s"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render(report))
        print(f"\n(benchmark took {report['benchmark_s'] / 60:.1f} minutes)")


if __name__ == "__main__":
    main()
