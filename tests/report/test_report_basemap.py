"""The report's map: kilometres true to scale, over the offline Natural Earth basemap."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from iadsim.report import render_html, report_from_scenario
from iadsim.report.basemap import build_basemap
from iadsim.report.figures import map_figure
from iadsim.report.frame import MapFrame

from repo_paths import EXAMPLES

# Kyiv (Natural Earth: 50.4334 N, 30.5166 E) from the capital example's origin, 50 N 30 E:
# 60.6 km at azimuth 37.2 degrees on the WGS84 ellipsoid (see test_basemap)
KYIV_KM = (36.70, 48.33)


@pytest.fixture(scope="module")
def capital():
    return report_from_scenario(
        EXAMPLES / "capital_night_raid.yaml", replications=1, seed=1, engine="reference"
    )


def _map(data) -> dict:
    import plotly.io as pio

    return json.loads(pio.to_json(map_figure(data), validate=False))


def test_the_basemap_lies_under_the_laydown(capital):
    fig = _map(capital)
    metas = [t.get("meta", "") for t in fig["data"]]
    for layer in ("coast", "borders", "rivers", "graticule"):
        assert f"basemap:{layer}" in metas
    # the basemap is drawn first: every laydown and replay trace lies above it
    last_base = max(k for k, m in enumerate(metas) if m.startswith("basemap:"))
    assert all(not m.startswith("basemap:") for m in metas[last_base + 1 :])
    assert metas.index("replay:shots") > last_base
    cities = fig["data"][metas.index("basemap:cities:all")]
    kyiv = cities["text"].index("Kyiv")
    assert (cities["x"][kyiv], cities["y"][kyiv]) == pytest.approx(KYIV_KM, abs=0.01)
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert "Map data: Natural Earth (public domain)" in notes
    assert "30°E" in notes and "50°N" in notes  # the graticule is labelled


def test_the_dnipro_runs_past_kyiv_on_the_map(capital):
    base = capital.laydown.basemap
    assert base is not None and base.resolution == "50m"
    x = np.array([np.nan if v is None else v for v in base.rivers[0]], dtype=float)
    y = np.array([np.nan if v is None else v for v in base.rivers[1]], dtype=float)
    near = np.nanmin(np.hypot(x - KYIV_KM[0], y - KYIV_KM[1]))
    assert near < 10.0  # the Dnipro passes within 10 km of the city's point


def test_the_maps_scales_are_equal(capital):
    fig = _map(capital)
    x, y = fig["layout"]["xaxis"], fig["layout"]["yaxis"]
    assert y["scaleanchor"] == "x" and y["scaleratio"] == 1.0
    assert x["title"]["text"].startswith("km east of the origin (50.00° N, 30.00° E)")
    assert y["title"]["text"] == "km north of the origin"
    from iadsim.report.static import _map as static_map

    png = static_map(capital)
    png.canvas.draw()
    for ax in png.axes[:2]:
        assert ax.get_aspect() == 1.0
        origin, east, north = ax.transData.transform([(0, 0), (100, 0), (0, 100)])
        assert np.linalg.norm(east - origin) == pytest.approx(np.linalg.norm(north - origin))


def test_a_ring_is_a_circle_of_its_radius_in_km():
    frame = MapFrame((50.0, 30.0))
    xs, ys = frame.ring(10_000.0, -5_000.0, 40_000.0)
    assert np.hypot(xs - 10.0, ys + 5.0) == pytest.approx(40.0)


def test_nothing_in_the_page_refers_to_the_web(capital):
    from plotly.offline import get_plotlyjs

    page = render_html(capital)
    own = page.replace(get_plotlyjs(), "")  # plotly.js itself names its CDN for geo maps
    assert not re.search(r"https?://", own)
    assert not re.search(r"\b(?:src|href)\s*=", own, re.I)
    assert "url(" not in own and "@import" not in own
    assert "fetch(" not in own and "XMLHttpRequest" not in own


def test_a_map_placed_nowhere_has_no_basemap():
    data = report_from_scenario(
        EXAMPLES / "single_battery.yaml", replications=1, seed=1, engine="reference"
    )
    assert data.laydown.frame.origin is None and data.laydown.basemap is None
    metas = [t.get("meta", "") for t in _map(data)["data"]]
    assert not any(m.startswith("basemap:") for m in metas)
    assert _map(data)["layout"]["xaxis"]["title"]["text"] == "east (km)"


def test_the_basemap_follows_the_origin():
    # the same laydown placed at the Bosphorus: Istanbul is labelled, Kyiv is not there
    base = build_basemap(MapFrame((41.0, 29.0)), ((-200.0, 200.0), (-150.0, 150.0)))
    assert base is not None and base.resolution == "10m"
    names = [c.name for c in base.cities_in(((-200.0, 200.0), (-150.0, 150.0)), 5)]
    assert names[0] == "Istanbul" and "Kyiv" not in names
    assert len(base.coast[0]) > 100  # the Black Sea, the Sea of Marmara


def test_a_map_across_the_antimeridian_has_both_sides():
    base = build_basemap(MapFrame((65.0, 179.5)), ((-200.0, 200.0), (-150.0, 150.0)))
    assert base is not None
    xs = np.array([v for v in base.coast[0] if v is not None])
    assert (xs < -50).any() and (xs > 50).any()  # 180 degrees runs 24 km east of the origin
    labels = {text for text, *_ in base.graticule_labels(((-200.0, 200.0), (-150.0, 150.0)))}
    assert {"178°E", "180°", "178°W"} <= labels
