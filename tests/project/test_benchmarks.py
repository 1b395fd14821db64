"""benchmarks/engine.py: its pure helpers, without running (or timing) the benchmark."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from iadsim.scenario import parse_scenario, read_raw

from repo_paths import ROOT


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_engine", ROOT / "benchmarks" / "engine.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_x10_raid_has_ten_times_the_threats_and_three_times_the_units(bench):
    raw, _ = read_raw(bench.CAPITAL)
    big = bench.scaled_raw(10, 3)
    assert [r["count"] for r in big["raids"]] == [10 * r["count"] for r in raw["raids"]]
    assert len(big["fire_units"]) == 3 * len(raw["fire_units"])
    ids = [u["id"] for u in big["fire_units"]]
    assert len(set(ids)) == len(ids)
    n = len(raw["fire_units"])
    assert big["fire_units"][:n] == raw["fire_units"]  # the first copy is the original
    for original, twin in zip(raw["fire_units"], big["fire_units"][n : 2 * n], strict=True):
        assert twin["id"] == f"{original['id']}-1"
        assert twin["position"] != original["position"]
        assert {k: v for k, v in twin.items() if k not in ("id", "position")} == {
            k: v for k, v in original.items() if k not in ("id", "position")
        }
    assert big["name"].endswith(" x10")
    scenario = parse_scenario(big)  # still a valid scenario
    assert len(scenario.fire_units) == 3 * n


def test_base_raid_is_the_example_unchanged(bench):
    raw, _ = read_raw(bench.CAPITAL)
    base = bench.scaled_raw(1, 1)
    assert base["raids"] == raw["raids"]
    assert base["fire_units"] == raw["fire_units"]
    assert bench.scaled_raw(10, 3)["raids"] != raw["raids"]  # scaling works on a copy
    assert read_raw(bench.CAPITAL)[0]["raids"] == raw["raids"]


def test_plans(bench):
    full, quick = bench.plan_for(False), bench.plan_for(True)
    assert full.base_reps == 10_000  # so the 10,000-replication time is measured, not extrapolated
    assert full.rounds >= 3 and full.start_reps == quick.start_reps == 1000
    for field in ("base_reps", "x10_reps", "reference_reps", "policy_reps", "memory_reps"):
        assert getattr(quick, field) < getattr(full, field)
    assert bench.plan_for(True, rounds=5).rounds == 5
    assert bench.plan_for(False, rounds=0).rounds == 1


def test_verdict(bench):
    assert bench.verdict(2.5, ">=", 2.5) is True
    assert bench.verdict(2.49, ">=", 2.5) is False
    assert bench.verdict(4.0, "<", 4.0) is False
    assert bench.verdict(12.0, "<=", 12.0) is True
    assert bench.verdict(None, "<", 2.0) is None
    with pytest.raises(ValueError):
        bench.verdict(1.0, "==", 1.0)


def test_figure_takes_the_best_round_and_shows_the_spread(bench):
    fig = bench.figure([2.0, 1.0, 1.5], [3.9, 2.0, 2.9], 1000)
    assert fig["best_s"] == 1.0 and fig["best_cpu_s"] == 2.0 and fig["min_cpu_s"] == 2.0
    assert fig["reps_per_s"] == pytest.approx(1000.0)
    assert fig["ms_per_rep"] == pytest.approx(1.0)
    assert fig["spread"] == pytest.approx(1.0)


def test_round_specs_same_for_both_codes_digests_in_first_round_only(bench):
    plan = bench.plan_for(True)
    first = bench.run_specs(plan, ["greedy", "exact"], digest=True)
    later = bench.run_specs(plan, ["greedy", "exact"], digest=False)
    keys = [s["key"] for s in first]
    assert keys == ["base", "x10", "reference", "policy:greedy", "policy:exact"]
    assert [s["key"] for s in later] == keys
    assert all(s["digest_reps"] == 0 for s in later)
    assert all((s["digest_reps"] > 0) == (s["engine"] == "fast") for s in first)
    assert {s["scale"] for s in first} == {1, 10}
    json.dumps(first)  # it goes to the child on its command line


def _fake_results(bench, plan, speed: float):
    """Children's raw results: current ``speed`` times the baseline's rate."""
    digest = {"fate": "aa", "time": "bb"}

    def rates(code: str, factor: float, policies: list[str]) -> dict:
        runs = []
        for spec in bench.run_specs(plan, ["greedy", "cost_aware", "exact"], digest=True):
            if spec["policy"] is not None and spec["policy"] not in policies:
                runs.append({**spec, "skipped": "no such policy"})
                continue
            per_rep = {"base": 1e-3, "x10": 1e-2, "reference": 0.1}.get(spec["key"], 1e-3)
            wall = spec["reps"] * per_rep * factor
            run = {k: v for k, v in spec.items() if k != "digest_reps"}
            run.update(wall=wall, cpu=2 * wall, done=spec["reps"], threats=550, units=32)
            if spec["digest_reps"]:
                run["digest"] = digest
            runs.append(run)
        return {"runs": runs, "threads": 2, "policies": policies}

    rounds = [
        {
            "current": rates("current", 1 / speed, ["greedy", "cost_aware", "exact"]),
            "baseline": rates("baseline", 1.0, ["greedy", "exact"]),
        }
        for _ in range(plan.rounds)
    ]
    for n, run in enumerate(rounds[1]["current"]["runs"]):
        run["wall"] *= 1.1 + 0.01 * n  # a slower second round
        run.pop("digest", None)
    start = {"process_s": 1.5, "setup_s": 0.5, "simulate_s": 0.8}
    starts = {
        "current": {"cold": {**start, "process_s": 25.0}, "warm": start},
        "baseline": {"cold": {**start, "process_s": 55.0}, "warm": {**start, "process_s": 2.2}},
    }
    events = {
        "base": {"replications": 2, "totals": {"WAKE": 8000, "DECIDE": 2000}},
        "x10": {"replications": 1, "totals": {"WAKE": 100_000, "DECIDE": 10_000, "TRACK": 5000}},
    }
    machine = {
        "cpus": 2,
        "usable_cpus": 2,
        "numba": "0.0",
        "numba_threads": 2,
        "engine_threads": 2,
        "python": "3.11",
        "load_before": "1.00 1.00 1.00",
        "load_after": "2.00 1.00 1.00",
    }
    versions = {
        "current": {"commit": "c" * 40, "dirty": True, "src": "/x/src"},
        "baseline": {"rev": "9364a29", "commit": "b" * 40, "src": "/y/src"},
    }
    memory = {"replications": 100, "peak_mib": 200.0, "first_batch_mib": 190.0, "wall": 1.0}
    return bench.summarise(
        plan=plan,
        machine=machine,
        versions=versions,
        rounds=rounds,
        starts=starts,
        events=events,
        memory=memory,
    )


def test_summary_and_report_of_fake_results(bench):
    plan = bench.plan_for(True)
    report = _fake_results(bench, plan, speed=3.0)
    assert report["base"]["current_over_baseline"] == pytest.approx(3.0)
    assert report["base"]["current_over_baseline_cpu"] == pytest.approx(3.0)
    assert report["base"]["time_10k_s"] == pytest.approx(10_000 * 1e-3 / 3)
    assert report["base"]["time_10k_extrapolated"] is True
    assert report["x10"]["current"]["cost_vs_base"] == pytest.approx(10.0)
    assert report["base"]["current"]["fast_over_reference"] == pytest.approx(100.0)
    assert report["events"]["base"]["per_rep"] == {"DECIDE": 1000.0, "WAKE": 4000.0}
    assert report["events"]["x10"]["total_per_rep"] == 115_000
    assert report["events"]["base"]["fast_ns_per_event"] == pytest.approx(1e-3 / 3 / 5000 * 1e9)
    assert report["policies"]["baseline"]["cost_aware"] is None
    assert report["policies"]["current_over_baseline"]["exact"] == pytest.approx(3.0)
    # compared wherever both codes ran (the fake baseline has no cost_aware)
    assert set(report["outcomes_identical"]) == {"base", "x10", "policy:greedy", "policy:exact"}
    assert all(report["outcomes_identical"].values())
    assert {t["key"]: t["pass"] for t in report["targets"]} == {
        "speedup": True,
        "time_10k": True,
        "x10_cost": True,
        "cold_start": True,
        "warm_start": True,
    }
    json.loads(json.dumps(report))  # --json prints it as it is

    text = bench.render(report)
    assert "Targets: 5 of 5 PASS" in text
    assert "MISS" not in text
    assert "(extrapolated)" in text
    assert "spread" in text
    for policy in ("greedy", "cost_aware", "exact"):
        assert policy in text


def test_missed_targets_say_miss(bench):
    report = _fake_results(bench, bench.plan_for(False), speed=1.2)
    target = {t["key"]: t for t in report["targets"]}
    assert target["speedup"]["pass"] is False
    assert target["time_10k"]["pass"] is False  # 10,000 x 1 ms / 1.2 > 4 s
    text = bench.render(report)
    speed_line = next(line for line in text.splitlines() if "current / baseline" in line)
    assert speed_line.rstrip().endswith("MISS")
    assert "Targets: 3 of 5 PASS" in text
    assert "(extrapolated)" not in text


def test_different_outcomes_are_reported(bench):
    report = _fake_results(bench, bench.plan_for(True), speed=3.0)
    report["outcomes_identical"]["x10"] = False
    assert "DIFFERENT for x10" in bench.render(report)
