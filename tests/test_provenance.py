"""One provenance record, in every summary and every stored run, with numba's version."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from iadsim.api import prepare, run_compiled
from iadsim.provenance import PACKAGES, provenance, versions
from iadsim.runner import build_sweep, run_sweep
from iadsim.store import Store

from repo_paths import EXAMPLES

BATTERY = EXAMPLES / "single_battery.yaml"


def test_the_record_names_every_library_that_shapes_results() -> None:
    info = versions()
    assert set(PACKAGES) | {"python"} == set(info)
    assert info["numba"] == version("numba") and info["numpy"] == version("numpy")
    assert all(isinstance(v, str) and v for v in info.values())
    record = provenance(engine="reference", numpy="pinned")
    assert record["engine"] == "reference" and record["numpy"] == "pinned"  # fields win
    assert versions()["numpy"] == version("numpy")  # the cached versions are not changed


def test_a_summary_and_a_stored_run_carry_the_same_record(tmp_path: Path) -> None:
    scenario, compiled = prepare(BATTERY)
    summary = run_compiled(scenario, compiled, replications=3, seed=1, engine="reference")
    for key, value in versions().items():
        assert summary.provenance[key] == value
    assert summary.provenance["scenario_hash"] == compiled.content_hash
    assert summary.provenance["schema_version"] == scenario.schema_version

    store = Store.create(tmp_path / "results")
    sweep = build_sweep(BATTERY, replications=3, seed=1, engine="reference")
    report = run_sweep(sweep, store, backend="in-process")
    (run_id,) = report.run_ids
    stored = store.run(run_id)["versions"]
    assert stored["numba"] == version("numba") and stored["store_format"] == "1"
    again = store.summary(run_id).provenance
    assert again["numba"] == version("numba") and again["run_id"] == run_id
    assert {k: again[k] for k in versions()} == versions()


def test_a_stored_summary_frame_is_the_summary_to_frame(tmp_path: Path) -> None:
    import pandas as pd

    store = Store.create(tmp_path / "results")
    sweep = build_sweep(BATTERY, replications=4, seed=3, engine="reference")
    (run_id,) = run_sweep(sweep, store, backend="in-process").run_ids
    stored = store.summary_frame(run_id).drop(columns="run_id")
    pd.testing.assert_frame_equal(stored, store.summary(run_id).to_frame())
