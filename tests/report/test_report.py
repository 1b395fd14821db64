"""Reports: escaping, self-contained HTML, PNG files, stored runs and sweeps, the CLI."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from PIL import Image

from iadsim.errors import StoreError
from iadsim.report import (
    render_html,
    report_from_campaign,
    report_from_scenario,
    report_from_store,
    write_html,
    write_pngs,
)
from iadsim.report.static import PNG_DPI
from iadsim.runner import build_sweep, run_sweep

from repo_paths import EXAMPLES

BATTERY = EXAMPLES / "single_battery.yaml"
CAPITAL = EXAMPLES / "capital_night_raid.yaml"
EVIL = "<script>alert(1)</script>"


def invoke(*args):
    from typer.testing import CliRunner

    from iadsim.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def capital():
    return report_from_scenario(CAPITAL, replications=2, seed=1, replicate=1, engine="reference")


@pytest.fixture(scope="module")
def evil():
    return report_from_scenario(
        BATTERY,
        replications=2,
        seed=1,
        engine="reference",
        overrides=[f"name={EVIL}", "fire_units.0.layer=<img src=x onerror=alert(2)>"],
    )


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    sweep = build_sweep(
        BATTERY, grid=["raids.0.count=4,8,16"], replications=8, seed=3, engine="reference"
    )
    result = run_sweep(sweep, store, backend="in-process")
    return store, result


def _data_of(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S
    )
    assert match is not None
    return json.loads(match.group(1))


def test_user_strings_are_escaped(evil):
    page = render_html(evil)
    assert EVIL not in page
    assert "<img src=x" not in page
    assert f'<h1 id="title">{EVIL.replace("<", "&lt;").replace(">", "&gt;")}</h1>' in page
    data = _data_of(page)  # the embedded JSON still reads back; plotly gets escaped labels
    names = [t.get("name", "") for t in data["map"]["data"]]
    assert "&lt;img src=x onerror=alert(2)&gt;" in names


def test_html_is_self_contained(capital, tmp_path):
    path = write_html(capital, tmp_path / "report.html")
    page = path.read_text(encoding="utf-8")
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page, re.I)
    assert tags and all("src=" not in t and "href=" not in t for t in tags)
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js is inline
    from plotly.offline import get_plotlyjs

    # 550 threats, their altitudes and the side view: the page's own part stays small
    assert len(page.encode("utf-8")) - len(get_plotlyjs().encode("utf-8")) < 600_000
    data = _data_of(page)
    assert {c["id"] for c in data["charts"]} == {
        "chart-kinds",
        "chart-layers",
        "chart-classes",
        "chart-cost",
        "chart-side",
    }
    metas = [t.get("meta") for t in data["map"]["data"]]
    assert "replay:airborne:0" in metas and "replay:destroyed" in metas


def test_replay_matches_its_replicate(capital):
    r = capital.replay
    assert len(r.launch) == 550 and r.airborne(r.peak_time) > 100
    assert r.airborne(0.0) < r.airborne(r.peak_time)
    fates = {f: r.fate.count(f) for f in set(r.fate)}
    assert sum(fates.values()) == 550 and "destroyed" in fates and "lost_to_ew" in fates
    assert all(a < b for a, b, *_ in r.shots)
    # the capital has an origin: the map is in km east and north of it, over a basemap
    assert capital.laydown.frame.origin == (50.0, 30.0)
    assert (capital.laydown.assets[0].x, capital.laydown.assets[0].y) == (0.0, 1.0)
    assert capital.laydown.basemap is not None


def test_pngs_exist_have_their_size_and_are_not_blank(capital, tmp_path):
    inches = {
        "map.png": (14, 8),
        "side_view.png": (12, 5),
        "threat_kinds.png": (8, 4.5),
        "kills_by_layer.png": (8, 4.5),
        "shots_spend_by_class.png": (10, 4.5),
        "cost_exchange.png": (6, 4.5),
    }
    paths = write_pngs(capital, tmp_path / "png")
    assert {p.name for p in paths} == set(inches)
    for path in paths:
        assert path.parent == tmp_path / "png" and path.stat().st_size > 10_000
        with Image.open(path) as image:
            size = image.size
            pixels = np.asarray(image.convert("L"), dtype=float)
        width, height = inches[path.name]
        assert size == (round(width * PNG_DPI), round(height * PNG_DPI))
        assert (pixels < 200).mean() > 0.01, f"{path.name} looks blank"
        assert pixels.std() > 10


def test_sweep_report_has_the_saturation_curve(swept, tmp_path):
    store, result = swept
    data = report_from_store(store, result.sweep_id[:6], point=1, replicate=5)
    assert data.sweep is not None
    assert data.sweep.field == "raids.0.count"
    assert [p.x for p in data.sweep.points] == [4.0, 8.0, 16.0]
    leaked = [p.leaked.mean for p in data.sweep.points]
    assert leaked == sorted(leaked) and leaked[-1] > leaked[0]
    assert len(data.replay.launch) == 8  # point 1: eight drones
    assert any("identical to the stored one" in n for n in data.notes)
    page = _data_of(render_html(data))
    curve = next(c for c in page["charts"] if c["id"] == "chart-sweep")
    assert curve["figure"]["data"][0]["x"] == [4.0, 8.0, 16.0]
    assert "saturation.png" in {p.name for p in write_pngs(data, tmp_path)}


def test_stored_run_report_and_errors(swept):
    store, result = swept
    data = report_from_store(store, result.run_ids[0], replicate=7)
    assert data.sweep is None and data.replay.replicate == 7
    with pytest.raises(StoreError, match="no replication 8"):
        report_from_store(store, result.run_ids[0], replicate=8)
    with pytest.raises(StoreError, match="no run or sweep"):
        report_from_store(store, "ffffffffff")


def test_cli(swept, tmp_path):
    store, result = swept
    ok = invoke(
        "report", BATTERY, "--html", tmp_path / "a.html", "--png", tmp_path / "png",
        "-n", "3", "--engine", "reference", "--replicate", "2",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "a.html").stat().st_size > 1_000_000
    assert (tmp_path / "png" / "map.png").exists()
    from_store = invoke("report", result.sweep_id, "--store", store, "--html", tmp_path / "s.html")
    assert from_store.exit_code == 0, from_store.output
    missing = invoke("report", "nope", "--store", store, "--html", tmp_path / "x.html")
    assert missing.exit_code == 2 and missing.output.startswith("error: ")
    assert len(missing.output.strip().splitlines()) == 1
    nothing = invoke("report", BATTERY)
    assert nothing.exit_code == 2 and "--html" in nothing.output
    mixed = invoke("report", result.sweep_id, "--store", store, "--seed", "3", "--html", "x")
    assert mixed.exit_code == 2 and "scenario or campaign file" in " ".join(mixed.output.split())


CAMPAIGN = """
schema_version: 1
name: Six nights <i>of</i> drones
defence: {defence}
days: 6
model: {{seed: 3, raid_probability: 0.9, mean_threats: 10, dispersion: 1.5, max_threats: 30}}
stockpiles: {{sam: 30}}
"""


def test_campaign_report_has_stock_bands_and_exhaustion_days(tmp_path):
    path = tmp_path / "campaign.yaml"
    path.write_text(CAMPAIGN.format(defence=BATTERY.resolve()), encoding="utf-8")
    data = report_from_campaign(path, replications=4, seed=1, engine="reference")
    view = data.campaign
    assert view is not None and view.types == ["sam"] and view.days == 6
    assert len(view.stock_mean[0]) == 6 and len(view.exhaustion[0]) == 4
    assert all(lo <= m <= hi for lo, m, hi in zip(*(v[0] for v in (view.stock_p5,
               view.stock_mean, view.stock_p95)), strict=True))  # fmt: skip
    assert data.title == "Six nights <i>of</i> drones"
    page = render_html(data)
    assert "<i>of</i>" not in page
    ids = [c["id"] for c in _data_of(page)["charts"]]
    assert ids[:2] == ["chart-stock", "chart-exhaustion"]
    names = {p.name for p in write_pngs(data, tmp_path / "png")}
    assert {"stock.png", "exhaustion_day.png", "map.png"} <= names
    cli = invoke("report", path, "--html", tmp_path / "c.html", "-n", "2", "--engine", "reference")
    assert cli.exit_code == 0, cli.output


def test_campaign_report_tells_its_progress(tmp_path):
    path = tmp_path / "campaign.yaml"
    path.write_text(CAMPAIGN.format(defence=BATTERY.resolve()), encoding="utf-8")
    calls = []
    report_from_campaign(
        path,
        replications=3,
        seed=1,
        engine="reference",
        progress=lambda done, total, what: calls.append((done, total, what)),
    )
    last = {what: (done, total) for done, total, what in calls}
    assert set(last) == {
        "campaign nights (replications x days)",
        "one standard night (replications)",
    }
    assert last["campaign nights (replications x days)"] == (18, 18)  # 3 replications x 6 days
    assert last["one standard night (replications)"] == (3, 3)
    assert all(done <= total for done, total, _ in calls)


def test_png_text_is_plain_text(tmp_path):
    import matplotlib

    from iadsim.report import static

    name = r"$\frac{a}{$ <script>"
    data = report_from_scenario(
        BATTERY,
        replications=2,
        seed=1,
        engine="reference",
        overrides=[f"name={name}", "fire_units.0.layer=_$x^2$", r"fire_units.0.class=$\sqrt{$"],
    )
    parse_math = matplotlib.rcParams["text.parse_math"]
    paths = write_pngs(data, tmp_path / "png")
    assert matplotlib.rcParams["text.parse_math"] == parse_math  # left as it was
    assert {p.name for p in paths} >= {"map.png", "shots_spend_by_class.png"}
    with matplotlib.rc_context(static._PLAIN_TEXT):
        figure = static._map(data)
        figure.canvas.draw()
    texts = [t.get_text() for t in figure.findobj(matplotlib.text.Text)]
    assert any(t.startswith(name) for t in texts)  # the title, as written
    assert "\u200b_$x^2$" in texts  # a legend label starting with "_" is kept, not hidden
