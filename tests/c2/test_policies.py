"""Policies by registry: everything reads the table in ``iadsim.c2.registry``; check_policy."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

import iadsim.c2 as c2
import iadsim.engine
from iadsim.c2 import registry
from iadsim.c2.check import _compile, check_outcomes, check_policy, random_scenario
from iadsim.c2.cost_aware import cost_aware_score
from iadsim.c2.exact import exact_choose
from iadsim.c2.greedy import greedy_choose, greedy_score
from iadsim.engine import Fate, simulate
from iadsim.errors import ScenarioError
from iadsim.scenario import Scenario, parse_scenario

from conftest import run_cli
from repo_paths import ROOT

EXAMPLE = ROOT / "examples" / "single_battery.yaml"  # no value_unit; doctrine policy greedy
NAMES = registry.POLICY_NAMES


def _add(monkeypatch: pytest.MonkeyPatch, *rows: registry.Policy) -> None:
    """Rows added to the table, as an edit of ``registry._TABLE`` would add them."""
    table = MappingProxyType({**registry.POLICIES, **{row.name: row for row in rows}})
    for module in (registry, c2):  # the table and its re-export
        monkeypatch.setattr(module, "POLICIES", table)
        monkeypatch.setattr(module, "POLICY_NAMES", tuple(table))


def _greedy_copy(name: str = "greedy_copy", code: int = 90) -> registry.Policy:
    return registry.Policy(
        name, code, "greedy under another name (a test)", greedy_score, greedy_choose
    )


def _doctrine_schema() -> dict:
    return Scenario.model_json_schema(by_alias=True)["$defs"]["Doctrine"]["properties"]


# --- check_policy --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_registered_policy_passes_check_policy(name: str) -> None:
    check_policy(name)  # 60 random scenarios, the shipped example, the analytic cases


def test_check_policy_of_an_unknown_name_fails_naming_the_known_ones() -> None:
    with pytest.raises(AssertionError, match="check_policy\\('nope'\\): no such policy") as err:
        check_policy("nope")
    assert f"known: {', '.join(NAMES)}" in str(err.value)


def test_check_policy_catches_a_row_whose_code_has_no_branch(monkeypatch) -> None:
    # cost_aware's score under a new code that score_option does not know: the engines
    # would silently run greedy's score for it
    _add(
        monkeypatch,
        registry.Policy(
            "cost_copy", 91, "a test", cost_aware_score, greedy_choose, ("value_unit",)
        ),
        registry.Policy("exact_copy", 92, "a test", greedy_score, exact_choose),
    )
    with pytest.raises(AssertionError, match=r"'cost_copy'.*branch in registry.score_option"):
        check_policy("cost_copy", scenarios=1)
    with pytest.raises(AssertionError, match=r"'exact_copy'.*branch in registry.choose"):
        check_policy("exact_copy", scenarios=1)


def test_check_policy_catches_a_bad_row(monkeypatch) -> None:
    bad = [
        dataclasses.replace(_greedy_copy("Bad-Name"), code=93),
        dataclasses.replace(_greedy_copy("twin"), code=registry.POLICIES["exact"].code),
        dataclasses.replace(_greedy_copy("needy"), code=94, needs=("no_such_field",)),
        dataclasses.replace(_greedy_copy("plain"), code=95, score=lambda *a: 0.0),
    ]
    _add(monkeypatch, *bad)
    for name, message in [
        ("Bad-Name", "lower-case identifier"),
        ("twin", "also that of exact"),
        ("needy", "needs names no doctrine field: no_such_field"),
        ("plain", "not marked @kernel"),
    ]:
        with pytest.raises(AssertionError, match=message):
            check_policy(name, scenarios=0)


def test_check_policy_fails_a_policy_that_declines_a_sure_kill(monkeypatch) -> None:
    # a policy that never fires, as the engines would show it: every unit without rounds
    real = iadsim.engine.simulate

    def never_fires(cs, **kwargs):
        empty = np.zeros_like(np.asarray(cs.unit_rounds))
        return real(dataclasses.replace(cs, unit_rounds=empty, unit_reserve=empty), **kwargs)

    monkeypatch.setattr(iadsim.engine, "simulate", never_fires)
    with pytest.raises(AssertionError, match=r"sure kills are taken.*not destroyed"):
        check_policy("greedy", scenarios=0)


def test_check_policy_reports_where_the_engines_disagree(monkeypatch) -> None:
    real = iadsim.engine.simulate

    def off_by_one_fate(cs, **kwargs):
        out = real(cs, **kwargs)
        if kwargs.get("engine") == "reference" and out.fate.size:
            out.fate[-1, -1] = Fate.LEAKED if out.fate[-1, -1] != Fate.LEAKED else Fate.DESTROYED
        return out

    monkeypatch.setattr(iadsim.engine, "simulate", off_by_one_fate)
    with pytest.raises(AssertionError, match=r"the engines disagree \(seed \d+\): fate\["):
        check_policy("greedy", scenarios=3)


def test_check_outcomes_names_each_broken_invariant() -> None:
    raw = random_scenario(0, 0)
    raw["fire_units"] = [
        {
            "id": "sam",
            "kind": "sam",
            "position": ["-30 km", "0 km"],
            "max_range": "20 km",
            "pk": {"owa_drone": 0.5, "decoy": 0.5},
            "rounds": 4,
            "reserve": 2,
            "channels": 2,
            "reload_time": "10 s",
            "cost_per_shot": "1 USD",
            "interceptor_speed": "1000 m/s",
        }
    ]
    cs = _compile(raw, "test")
    good = simulate(cs, replications=6, seed=3)
    check_outcomes(cs, good)  # holds
    assert (good.fate == Fate.DESTROYED).any() and (good.fate == Fate.LEAKED).any()

    def broken(change) -> str:
        out = dataclasses.replace(
            good,
            **{
                n: getattr(good, n).copy()
                for n in ("fate", "time", "cause", "hit", "shots", "engagements", "asset_destroyed")
            },
        )
        change(out)
        with pytest.raises(AssertionError) as err:
            check_outcomes(cs, out, where="here", policy="greedy")
        assert str(err.value).startswith("here: ") and str(err.value).endswith("(policy greedy)")
        return str(err.value)

    leaked = np.argwhere(good.fate == Fate.LEAKED)[0]
    killed = np.argwhere(good.fate == Fate.DESTROYED)[0]
    assert "no fate" in broken(lambda o: o.fate.__setitem__(tuple(leaked), Fate.AIRBORNE))
    assert "more rounds than" in broken(lambda o: o.shots.__setitem__((0, 0), 7))
    assert "engagement fired no round" in broken(lambda o: o.engagements.__setitem__((0, 0), 99))
    assert "leaker has a cause" in broken(lambda o: o.cause.__setitem__(tuple(leaked), 0))
    assert "hit without leaking" in broken(lambda o: o.hit.__setitem__(tuple(killed), True))
    assert "impact time" in broken(
        lambda o: o.time.__setitem__(tuple(leaked), o.time[tuple(leaked)] - 1)
    )
    assert "asset" in broken(
        lambda o: o.asset_destroyed.__setitem__((0, 0), not o.asset_destroyed[0, 0])
    )


def test_random_scenarios_are_reproducible_valid_and_varied() -> None:
    assert random_scenario(7, 3) == random_scenario(7, 3)
    assert random_scenario(7, 3) != random_scenario(7, 4) != random_scenario(8, 3)
    kinds, modes, units = set(), set(), []
    for index in range(60):
        scenario = parse_scenario(random_scenario(0, index))
        kinds |= {u.kind for u in scenario.fire_units}
        modes.add(scenario.doctrine.mode)
        units.append(len(scenario.fire_units))
        assert scenario.doctrine.value_unit is not None  # every policy can run
    assert kinds == {"sam", "gun", "manpads", "interceptor_drone", "ew"}
    assert modes == {"shoot-look-shoot", "shoot-shoot-look"}
    assert min(units) == 0 and max(units) == 5


# --- everything reads the table ------------------------------------------------------------------


def test_the_schema_lists_and_describes_the_table() -> None:
    props = _doctrine_schema()
    assert props["policy"]["enum"] == list(NAMES)
    assert props["policy"]["default"] == NAMES[0]
    for row in registry.POLICIES.values():
        assert f"{row.name}: {row.description}" in props["policy"]["description"]
    needing = [row.name for row in registry.POLICIES.values() if "value_unit" in row.needs]
    assert needing and all(name in props["value_unit"]["description"] for name in needing)


def test_the_engines_accept_exactly_the_table() -> None:
    assert iadsim.engine.POLICIES == NAMES
    cs = _compile(random_scenario(0, 1), "test")
    for name in NAMES:
        for engine in ("fast", "reference"):
            assert len(simulate(cs, replications=2, seed=1, engine=engine, policy=name)) == 2
    with pytest.raises(ValueError, match=f"unknown policy 'nope'; known: {', '.join(NAMES)}"):
        simulate(cs, replications=2, seed=1, policy="nope")


def test_a_bad_policy_name_in_a_scenario_names_the_allowed_ones() -> None:
    raw = random_scenario(0, 1)
    raw["doctrine"]["policy"] = "nope"
    with pytest.raises(ScenarioError) as err:
        parse_scenario(raw, source="s.yaml")
    expected = ", ".join(repr(n) for n in NAMES[:-1]) + f" or {NAMES[-1]!r}"
    assert f"field `doctrine.policy`: should be {expected}, got 'nope'" in str(err.value)
    raw["doctrine"]["policy"] = 3
    with pytest.raises(ScenarioError, match=r"should be .* got 3"):
        parse_scenario(raw)


def test_what_a_policy_needs_comes_from_the_table(monkeypatch) -> None:
    raw = random_scenario(0, 1)
    del raw["doctrine"]["value_unit"]
    raw["doctrine"]["policy"] = "cost_aware"
    with pytest.raises(ScenarioError, match=r"`doctrine.value_unit`: policy cost_aware needs what"):
        parse_scenario(raw)
    raw["doctrine"]["policy"] = "greedy"
    assert parse_scenario(raw).doctrine.missing_for("cost_aware") == (
        "value_unit",
        "policy cost_aware needs what one point of asset value is worth, e.g. '1 MUSD'",
    )
    # a new row that needs value_unit is held to it with no change outside the table
    _add(monkeypatch, dataclasses.replace(_greedy_copy("careful"), needs=("value_unit",)))
    raw["doctrine"]["policy"] = "careful"
    with pytest.raises(ScenarioError, match="policy careful needs what one point"):
        parse_scenario(raw)


def test_a_policy_added_to_the_table_is_accepted_everywhere_in_process(monkeypatch) -> None:
    # the schema and the validation read the table when used, so a row added to it is
    # offered, described, accepted and run; the engines dispatch its code
    _add(monkeypatch, _greedy_copy())
    props = _doctrine_schema()
    assert props["policy"]["enum"] == [*NAMES, "greedy_copy"]
    assert "greedy_copy: greedy under another name (a test)" in props["policy"]["description"]
    raw = random_scenario(0, 2)
    raw["doctrine"]["policy"] = "greedy_copy"
    cs = _compile(raw, "test")
    assert cs.policy == "greedy_copy"
    copy = simulate(cs, replications=8, seed=5, engine="reference")
    assert copy.equals(simulate(cs, replications=8, seed=5, engine="fast"))
    assert copy.equals(simulate(cs, replications=8, seed=5, engine="reference", policy="greedy"))
    check_policy("greedy_copy", scenarios=10)


# --- the command line ----------------------------------------------------------------------------


def _cli(*args: str, prelude: str = "", timeout: float = 300) -> subprocess.CompletedProcess:
    """``iadsim ARGS`` in a fresh process with wide help, after running ``prelude``."""
    run = "from iadsim.cli.app import main\nsys.argv = ['iadsim', *sys.argv[1:]]\nmain()"
    code = f"import sys\n{prelude}\n{run}\n"
    env = {**os.environ, "COLUMNS": "250", "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def _choices(help_text: str) -> list[str]:
    found = re.search(r"--policy\s+-p\s+<([^>]*)>", help_text)
    assert found, help_text
    return found.group(1).split("|")


def test_policy_option_choices_are_the_table() -> None:
    for command in ("run", "report", "sweep"):
        result = _cli(command, "--help")
        assert result.returncode == 0, result.stderr
        assert _choices(result.stdout) == list(NAMES), command
        assert "cost_aware needs doctrine.value_unit" in " ".join(result.stdout.split())


def test_run_with_a_policy_runs_it_and_refuses_what_cannot_run(tmp_path: Path) -> None:
    exact, needs, unknown, report = run_cli(
        ["run", EXAMPLE, "-n", "20", "-p", "exact", "-f", "json"],
        ["run", EXAMPLE, "-n", "20", "--policy", "cost_aware"],
        ["run", EXAMPLE, "-n", "20", "--policy", "nope"],
        ["report", EXAMPLE, "-n", "10", "-p", "exact", "--html", tmp_path / "r.html"],
    )
    assert exact.returncode == 0, exact.stderr
    assert json.loads(exact.stdout)["provenance"]["policy"] == "exact"
    assert needs.returncode == 2 and "Traceback" not in needs.stderr
    assert "field `doctrine.value_unit`: policy cost_aware needs" in needs.stderr
    assert "instead of the doctrine's greedy" in needs.stderr
    assert unknown.returncode == 2
    known = ", ".join(NAMES)
    assert f"error: --policy: expected one of {known}, got 'nope'" in unknown.stderr
    assert report.returncode == 0, report.stderr
    assert "policy</dt><dd>exact" in (tmp_path / "r.html").read_text()


def test_a_sweep_policy_that_needs_what_a_point_lacks_is_refused(tmp_path: Path) -> None:
    (result,) = run_cli(
        [
            "sweep",
            EXAMPLE,
            "--grid",
            "raids.0.count=1,2",
            "-n",
            "2",
            "-o",
            tmp_path / "s",
            "-p",
            "cost_aware",
        ]
    )
    assert result.returncode == 2, result.stderr
    assert "field `policy`: policy cost_aware needs what one point" in result.stderr
    assert "sweep point 0 has no doctrine.value_unit" in result.stderr


ADD_GREEDY_COPY = textwrap.dedent(
    """
    from types import MappingProxyType
    import iadsim.c2 as c2
    from iadsim.c2 import registry
    from iadsim.c2.greedy import greedy_choose, greedy_score
    row = registry.Policy("greedy_copy", 90, "greedy under another name (a test)",
                          greedy_score, greedy_choose)
    table = MappingProxyType({**registry.POLICIES, row.name: row})
    for module in (registry, c2):
        module.POLICIES, module.POLICY_NAMES = table, tuple(table)
    """
)


def test_a_policy_added_to_the_table_reaches_the_command_line() -> None:
    # the command line's choices are made when it is imported: a row in the table before
    # then (as an edit of registry._TABLE puts it) is offered, described and run
    helped = _cli("run", "--help", prelude=ADD_GREEDY_COPY)
    assert _choices(helped.stdout) == [*NAMES, "greedy_copy"]
    schema = _cli("schema", prelude=ADD_GREEDY_COPY)
    policy = json.loads(schema.stdout)["$defs"]["Doctrine"]["properties"]["policy"]
    assert policy["enum"] == [*NAMES, "greedy_copy"]
    ran = _cli(
        "run", str(EXAMPLE), "-n", "30", "-p", "greedy_copy", "-f", "json", prelude=ADD_GREEDY_COPY
    )
    assert ran.returncode == 0, ran.stderr
    (greedy,) = run_cli(["run", EXAMPLE, "-n", "30", "-f", "json"])
    copy, plain = json.loads(ran.stdout), json.loads(greedy.stdout)
    assert copy["provenance"].pop("policy") == "greedy_copy"
    assert plain["provenance"].pop("policy") == "greedy"
    assert copy == plain  # the same kernels: the same numbers
