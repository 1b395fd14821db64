"""The offline basemap: shipped Natural Earth features in a box, and the local map projection."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from iadsim.basemap import (
    ATTRIBUTION,
    BasemapError,
    LocalProjection,
    features,
    resolution_for,
)
from iadsim.errors import IadsimError
from iadsim.geometry import geodetic_to_enu

from repo_paths import ROOT

DATA = ROOT / "src" / "iadsim" / "basemap" / "data"
KYIV_BOX = (29.8, 49.9, 31.2, 50.9)


def test_a_box_around_kyiv_has_the_dnipro_and_the_city():
    f = features(*KYIV_BOX)
    assert f["resolution"] == "10m"
    assert "Dnipro" in {r["name"] for r in f["rivers"]}
    kyiv = [c for c in f["cities"] if c["name"] == "Kyiv"]
    assert kyiv and abs(kyiv[0]["lat"] - 50.43) < 0.05 and abs(kyiv[0]["lon"] - 30.52) < 0.05
    assert f["cities"][0]["name"] == "Kyiv"  # the most populous place in the box comes first
    # the Dnipro runs through the box from north to south, past the city (within 10 km)
    dnipro = np.concatenate([r["line"] for r in f["rivers"] if r["name"] == "Dnipro"])
    near = np.hypot((dnipro[:, 0] - 30.52) * 71.0, (dnipro[:, 1] - 50.43) * 111.0).min()
    assert near < 10.0
    assert dnipro[:, 1].max() > 50.8 and dnipro[:, 1].min() < 50.0
    assert f["attribution"] == ATTRIBUTION
    json.dumps(f)  # plain data, ready to serve


def test_a_country_sized_box_has_borders_and_coast():
    f = features(22.0, 44.0, 40.0, 53.0)  # Ukraine and its neighbours
    assert f["resolution"] == "50m"
    assert len(f["borders"]) > 5 and len(f["coastlines"]) > 0  # the Black Sea coast
    names = {c["name"] for c in f["cities"]}
    assert {"Kyiv", "Odesa"} & names == {"Kyiv", "Odesa"} or {"Kyiv", "Odessa"} <= names
    assert len(f["cities"]) == 50
    populations = [c["population"] for c in f["cities"]]
    assert populations == sorted(populations, reverse=True)
    assert len(features(22.0, 44.0, 40.0, 53.0, max_cities=3)["cities"]) == 3
    assert features(22.0, 44.0, 40.0, 53.0, max_cities=0)["cities"] == []


def test_lines_are_clipped_to_the_box():
    box = (28.0, 48.0, 32.0, 51.0)
    f = features(*box, resolution="50m")
    pieces = f["coastlines"] + f["borders"] + f["lakes"] + [r["line"] for r in f["rivers"]]
    assert pieces
    for line in pieces:
        pts = np.asarray(line)
        assert len(pts) >= 2
        inner = pts[1:-1]  # only a piece's end points may lie outside (one beyond the edge)
        assert np.all((inner[:, 0] >= box[0]) & (inner[:, 0] <= box[2]))
        assert np.all((inner[:, 1] >= box[1]) & (inner[:, 1] <= box[3]))


def test_resolution_follows_the_box_size():
    assert resolution_for(*KYIV_BOX) == "10m"
    assert resolution_for(20.0, 40.0, 40.0, 55.0) == "50m"
    assert resolution_for(-180.0, -90.0, 180.0, 90.0) == "110m"
    world = features(-180.0, -90.0, 180.0, 90.0)
    assert world["resolution"] == "110m" and len(world["coastlines"]) > 100


@pytest.mark.parametrize(
    ("box", "fragment"),
    [
        ((31.0, 49.0, 30.0, 51.0), "lon_min must be less than lon_max"),
        ((30.0, 51.0, 31.0, 49.0), "lat_min must be less than lat_max"),
        ((float("nan"), 49.0, 31.0, 51.0), "lon_min must be a finite number"),
        ((30.0, -95.0, 31.0, 51.0), "lat_min must be between -90 and 90"),
        ((30.0, 49.0, 190.0, 51.0), "lon_max must be between -180 and 180"),
        (("east", 49.0, 31.0, 51.0), "lon_min must be a number"),
    ],
)
def test_a_bad_box_is_a_clear_error(box, fragment):
    with pytest.raises(BasemapError, match=fragment) as caught:
        features(*box)
    assert isinstance(caught.value, IadsimError)


def test_bad_options_are_clear_errors():
    with pytest.raises(BasemapError, match="resolution must be one of 10m, 50m, 110m"):
        features(*KYIV_BOX, resolution="5m")  # type: ignore[arg-type]
    with pytest.raises(BasemapError, match="max_cities"):
        features(*KYIV_BOX, max_cities=-1)


def test_a_known_point_lands_at_its_projected_kilometres():
    # Kyiv's Natural Earth position, 50.4334 N 30.5166 E, from an origin at 50 N 30 E:
    # the geodesic is 60.6 km long at azimuth 37.2 degrees (pyproj.Geod on WGS84)
    proj = LocalProjection(50.0, 30.0)
    east, north = proj.forward(30.5166, 50.4334)
    import pyproj

    azimuth, _, distance = pyproj.Geod(ellps="WGS84").inv(30.0, 50.0, 30.5166, 50.4334)
    assert math.hypot(east, north) == pytest.approx(distance, rel=1e-3)
    assert math.degrees(math.atan2(east, north)) == pytest.approx(azimuth, abs=0.05)
    assert east / 1000 == pytest.approx(36.70, abs=0.01)
    assert north / 1000 == pytest.approx(48.33, abs=0.01)
    # a degree of longitude at 50 N is about 71.7 km, a degree of latitude about 111.2 km
    e1, _ = proj.forward(31.0, 50.0)
    _, n1 = proj.forward(30.0, 51.0)
    assert e1 / 1000 == pytest.approx(71.7, abs=0.3)
    assert n1 / 1000 == pytest.approx(111.2, abs=0.3)


def test_the_projection_is_the_scenario_frame_and_inverts():
    proj = LocalProjection(48.3, -4.5)
    rng = np.random.default_rng(3)
    lon = -4.5 + rng.uniform(-6.0, 6.0, 50)
    lat = 48.3 + rng.uniform(-4.0, 4.0, 50)
    east, north = proj.forward(lon, lat)
    for k in range(0, 50, 7):
        assert (east[k], north[k]) == pytest.approx(geodetic_to_enu(lat[k], lon[k], 48.3, -4.5))
    back_lon, back_lat = proj.inverse(east, north)
    assert np.allclose(back_lon, lon, atol=1e-9) and np.allclose(back_lat, lat, atol=1e-9)
    far_east, far_north = proj.forward([175.5], [-48.3])  # the antipode
    assert np.isnan(far_east[0]) and np.isnan(far_north[0])


def test_the_box_of_a_rectangle_covers_it():
    proj = LocalProjection(50.0, 30.0)
    lon_min, lat_min, lon_max, lat_max = proj.bbox(-400e3, -300e3, 400e3, 300e3)
    lon, lat = proj.inverse(
        [-400e3, 400e3, 400e3, -400e3, 0.0], [-300e3, -300e3, 300e3, 300e3, 300e3]
    )
    assert np.all((lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max))
    assert lat_max - lat_min < 6.0 and lon_max - lon_min < 12.5
    polar = LocalProjection(88.0, 0.0).bbox(-500e3, -500e3, 500e3, 500e3)
    assert polar[0] == -180.0 and polar[2] == 180.0 and polar[3] == 90.0


def test_the_shipped_data_are_small_and_licensed():
    files = sorted(p.name for p in DATA.iterdir())
    assert files == ["LICENSE.md", "cities.npz", "ne_10m.npz", "ne_110m.npz", "ne_50m.npz"]
    assert sum(p.stat().st_size for p in DATA.iterdir()) < 3_000_000
    notice = (DATA / "LICENSE.md").read_text()
    assert "public domain" in notice and "ISC" in notice and "MIT" in notice


def test_a_rectangle_across_the_antimeridian_gets_a_box_on_each_side():
    proj = LocalProjection(65.0, 179.5)  # the Chukotka coast
    boxes = proj.boxes(-200e3, -150e3, 200e3, 150e3)
    assert len(boxes) == 2
    (w0, s0, e0, n0), (w1, s1, e1, n1) = boxes
    assert e0 == 180.0 and w1 == -180.0 and 175.0 < w0 < 179.5 and -178.0 < e1 < -175.0
    assert (s0, n0) == (s1, n1)
    east_side = features(*boxes[1])
    assert east_side["coastlines"]  # land on the far side of the line is still drawn
    assert proj.boxes(-20e3, -20e3, 20e3, -10e3) == [proj.bbox(-20e3, -20e3, 20e3, -10e3)]
    assert len(LocalProjection(50.0, 30.0).boxes(-400e3, -300e3, 400e3, 300e3)) == 1


def test_any_rectangle_anywhere_gives_boxes_the_basemap_serves():
    rng = np.random.default_rng(11)
    for _ in range(300):
        proj = LocalProjection(float(rng.uniform(-90, 90)), float(rng.uniform(-180, 180)))
        east = np.sort(rng.uniform(-1.5e7, 1.5e7, 2) * rng.choice([1e-3, 1e-1, 1.0]))
        north = np.sort(rng.uniform(-1.5e7, 1.5e7, 2) * rng.choice([1e-3, 1e-1, 1.0]))
        for box in proj.boxes(east[0], north[0], east[1] + 1.0, north[1] + 1.0):
            resolution_for(*box)  # raises BasemapError for a box it cannot serve
    # a rectangle reaching past the earth's edge on this map covers the globe
    assert LocalProjection(0.0, 180.0).bbox(-9.9e6, -1e6, 1e6, 1e6) == (-180.0, -90.0, 180.0, 90.0)
