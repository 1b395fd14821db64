"""The Python API: DataFrames where a user expects them, and the CLI's errors and messages."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from iadsim.api import check_run, prepare, run_compiled, run_file, run_replicates
from iadsim.engine import simulate
from iadsim.errors import IadsimError, OptionError, ScenarioError

from repo_paths import EXAMPLES

BATTERY = EXAMPLES / "single_battery.yaml"


def invoke(*args: object) -> SimpleNamespace:
    from typer.testing import CliRunner

    from iadsim.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return SimpleNamespace(code=result.exit_code, err=result.stderr)


@pytest.fixture(scope="module")
def prepared() -> tuple:
    return prepare(BATTERY)


def test_summary_to_frame(prepared: tuple) -> None:
    scenario, compiled = prepared
    summary = run_compiled(scenario, compiled, replications=20, seed=2, engine="reference")
    frame = summary.to_frame()
    assert list(frame.columns) == ["section", "group", "metric", "mean", "lo", "hi"]
    assert len(frame) == len(summary.rows())
    figure = frame.set_index(["section", "group", "metric"]).loc[("by_kind", "owa_drone", "leaked")]
    leaked = summary.by_kind["owa_drone"]["leaked"]
    assert (figure["mean"], figure["lo"], figure["hi"]) == (leaked.mean, leaked.lo, leaked.hi)
    assert frame.loc[frame["section"] == "cost", "metric"].tolist() == [
        "defender",
        "attacker",
        "exchange_ratio",
    ]


def test_outcomes_to_frame(prepared: tuple) -> None:
    _, compiled = prepared
    outcomes = simulate(compiled, replications=3, seed=1, engine="reference")
    threats = outcomes.to_frame(compiled)
    assert len(threats) == 3 * compiled.n_threats
    assert threats["replication"].tolist()[: compiled.n_threats] == [0] * compiled.n_threats
    assert set(threats["fate"].cat.categories) == {"airborne", "destroyed", "lost_to_ew", "leaked"}
    leaked = (outcomes.fate == 3).sum()
    assert (threats["fate"] == "leaked").sum() == leaked
    killed = threats[threats["fate"] == "destroyed"]
    assert set(killed["cause_unit"]) <= set(compiled.unit_ids)
    assert set(threats["target"]) <= set(compiled.asset_ids)
    units = outcomes.to_frame(compiled, table="units")
    assert units["shots"].sum() == outcomes.shots.sum()
    assert set(units["unit_id"]) == set(compiled.unit_ids)
    assets = outcomes.to_frame(table="assets")
    assert list(assets.columns) == ["replication", "asset", "destroyed"]
    with pytest.raises(ValueError, match="threats, units or assets"):
        outcomes.to_frame(table="sensors")  # type: ignore[arg-type]


def test_run_replicates_keeps_totals_and_the_same_summary(prepared: tuple) -> None:
    scenario, compiled = prepared
    plain = run_compiled(scenario, compiled, replications=40, seed=5, engine="reference")
    kept = run_replicates(scenario, compiled, replications=40, seed=5, engine="reference")
    assert json.dumps(kept.summary.to_dict()) == json.dumps(plain.to_dict())
    frame = kept.replicates
    assert isinstance(frame, pd.DataFrame) and len(frame) == 40
    assert frame["replication"].tolist() == list(range(40))
    leaked = plain.by_kind["owa_drone"]["leaked"].mean
    assert frame["leaked"].mean() == pytest.approx(leaked)
    totals = kept.totals()
    assert totals["leaked"].mean == pytest.approx(leaked)
    assert 0 <= totals["leaked"].lo <= totals["leaked"].hi <= compiled.n_threats
    assert np.all(frame["launched"] == compiled.n_threats)


def test_api_errors_are_iadsim_errors() -> None:
    for kwargs, option in [
        ({"replications": 0, "seed": 0}, "--replications"),
        ({"replications": 2, "seed": -1}, "--seed"),
        ({"replications": 2, "seed": 2**64}, "--seed"),
        ({"replications": 2, "seed": 0, "replicate_index": 2}, "--replicate-index"),
        ({"replications": 2, "seed": 0, "policy": "random"}, "--policy"),
        ({"replications": 2, "seed": 0, "engine": "turbo"}, "--engine"),
        ({"replications": True, "seed": 0}, "--replications"),
    ]:
        with pytest.raises(OptionError) as info:
            check_run(**kwargs)
        assert isinstance(info.value, IadsimError) and info.value.option == option
    with pytest.raises(OptionError, match="--policy: expected one of greedy"):
        prepare(BATTERY, policy="random")


@pytest.mark.parametrize(
    ("cli", "api"),
    [
        (["--set", "raids.0.count=-3"], {"overrides": ["raids.0.count=-3"]}),
        (["--set", "raids.9.count=1"], {"overrides": ["raids.9.count=1"]}),
        (["--set", "nonsense"], {"overrides": ["nonsense"]}),
        (["--replicate-index", "5"], {"replicate_index": 5}),
        (["--policy", "cost_aware"], {"policy": "cost_aware"}),  # needs doctrine.value_unit
    ],
)
def test_the_same_bad_input_gives_the_same_message(
    tmp_path: Path, cli: list[str], api: dict
) -> None:
    result = invoke("run", BATTERY, "-n", "3", "-e", "reference", *cli)
    assert result.code == 2, result.err
    with pytest.raises(IadsimError) as info:
        run_file(BATTERY, replications=3, seed=0, engine="reference", **api)
    assert result.err.strip() == f"error: {info.value}"


def test_a_bad_file_gives_the_same_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\nduration: 2 parsecs\n")
    result = invoke("run", bad, "-n", "2")
    with pytest.raises(ScenarioError) as info:
        run_file(bad, replications=2, seed=0)
    assert result.code == 2 and result.err.strip() == f"error: {info.value}"
    assert "(line 3)" in result.err
