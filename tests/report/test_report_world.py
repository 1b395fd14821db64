"""The report's four-dimensional world: terrain shading, moving platforms, altitudes, side view.

A small scenario of its own (a ballistic pair, diving Shaheds over a gun belt,
decoys; an AEW orbit, a fighter CAP orbit, a relocating gun group) with and
without a synthetic elevation grid written beside it.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from iadsim.api import prepare
from iadsim.report import render_html, report_from_scenario, write_pngs
from iadsim.report.world import MAX_PATH_POINTS, MAX_ROUTE_POINTS, png_bytes, thin

WORLD = """
schema_version: 1
name: t13
duration: 2 h
threat_classes:
  iskander:
    preset: iskander-m-class
    profile: ballistic
    speed: 2100 m/s
  shahed:
    preset: shahed-136-class
    profile: dive
    altitude: 3 km
    dive_distance: 8 km
  gerbera:
    preset: gerbera-class
assets:
  - {id: city, position: [0 km, 0 km], value: 10, hardness: soft}
sensors:
  - {id: r1, preset: surveillance-radar, position: [0 km, 0 km]}
  - id: awacs
    kind: radar
    position: [0 km, -50 km]
    range: 300 km
    height: 0 m
    scan_period: 10 s
    pd: 0.8
    discrimination: 0.5
    motion: {orbit: {centre: [0 km, -100 km], length: 60 km, width: 20 km, heading: 90,
             speed: 700 km/h, altitude: 9 km, start: "+0 s"}}
fire_units:
  - {id: pac, preset: patriot-class, position: [5 km, 0 km], max_altitude: 20 km}
  - id: cap
    kind: aircraft
    layer: fighters
    position: [0 km, -150 km]
    min_range: 1 km
    max_range: 40 km
    min_altitude: 0 m
    max_altitude: 15 km
    channels: 2
    rounds: 4
    reserve: 8
    interceptor_speed: 1000 m/s
    cost_per_shot: 400000 USD
    pk: {owa_drone: 0.7, cruise_missile: 0.6}
    time_on_station: 1 h
    transit_time: 20 min
    turnaround: 40 min
    motion: {orbit: {centre: [0 km, 60 km], length: 40 km, width: 15 km, heading: 0,
             speed: 800 km/h, altitude: 8 km, start: "+0 s"}}
  - id: mfg
    kind: gun
    layer: gun
    position: [0 km, 10 km]
    min_range: 0 m
    max_range: 3 km
    min_altitude: 0 m
    max_altitude: 2 km
    channels: 1
    rounds: 20
    reload_time: 60 s
    interceptor_speed: 800 m/s
    cost_per_shot: 2000 USD
    pk: {owa_drone: 0.3}
    motion: {relocations: [{position: [0 km, 10 km], start: "+0 s", end: "+30 min"},
             {position: [0 km, 20 km], start: "+40 min"}]}
raids:
  - {id: b, threat: iskander, count: 2, launch: {sites: [[0 km, 250 km]], start: "+10 min"},
     targets: {city: 1}}
  - {id: d, threat: shahed, count: 10, launch: {sites: [[0 km, 150 km]], start: "+0 s",
     end: "+10 min"}, targets: {city: 1}}
  - {id: g, threat: gerbera, count: 10, launch: {sites: [[10 km, 150 km]], start: "+0 s",
     end: "+10 min"}, targets: {city: 1}}
"""


def _write(folder: Path, terrain: bool) -> Path:
    raw = yaml.safe_load(WORLD)
    if terrain:
        # 2 km cells over 160 km x 500 km: two Gaussian hills on a 50 m plain
        x = np.arange(-80e3, 80e3, 2000.0) + 1000
        y = np.arange(300e3, -200e3, -2000.0) - 1000
        gx, gy = np.meshgrid(x, y)
        z = 50 + 900 * np.exp(-(((gx - 20e3) / 15e3) ** 2 + ((gy - 30e3) / 25e3) ** 2))
        np.save(folder / "hills.npy", z.astype(np.float32))
        raw["terrain"] = {
            "file": "hills.npy",
            "transform": [-80000, 2000, 0, 300000, 0, -2000],
            "crs": "local",
        }
    path = folder / ("world_terrain.yaml" if terrain else "world.yaml")
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world_path(tmp_path_factory):
    return _write(tmp_path_factory.mktemp("world"), terrain=False)


@pytest.fixture(scope="module")
def terrain_path(tmp_path_factory):
    return _write(tmp_path_factory.mktemp("terrain"), terrain=True)


@pytest.fixture(scope="module")
def world(world_path):
    data = report_from_scenario(world_path, replications=2, seed=1, engine="reference")
    return data, prepare(world_path)[1]


@pytest.fixture(scope="module")
def hills(terrain_path):
    data = report_from_scenario(terrain_path, replications=2, seed=1, engine="reference")
    return data, prepare(terrain_path)[1]


def _page(data) -> dict:
    page = render_html(data)
    match = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S
    )
    assert match is not None
    return json.loads(match.group(1))


def _chart(page: dict, cid: str) -> dict:
    return next(c["figure"] for c in page["charts"] if c["id"] == cid)


def test_side_view_altitudes_are_the_compiled_trajectories(world):
    data, cs = world
    view = data.side_view
    assert view is not None and view.target == "city"
    names = [p.name for p in view.profiles]
    assert names == ["iskander", "shahed", "gerbera"]
    for p in view.profiles:
        assert p.launched == 10 if p.name != "iskander" else p.launched == 2
        for i, d, z, t in zip(p.threats, p.distance, p.altitude, p.time, strict=True):
            lo, hi = cs.route_offset[i], cs.route_offset[i + 1]
            assert hi - lo <= MAX_ROUTE_POINTS  # short routes: every point drawn
            assert z == cs.route_z[lo:hi].tolist()
            x, y = cs.route_x[lo:hi], cs.route_y[lo:hi]
            assert np.allclose(d, np.hypot(x - x[-1], y - y[-1]) / 1000)
            assert np.allclose(t, cs.route_t[lo:hi] - cs.route_t[lo])
    ballistic = view.profiles[0].altitude[0]
    assert max(ballistic) > 15_000 and ballistic[0] == ballistic[-1] == 0.0  # an arc
    shahed = view.profiles[1]
    assert shahed.altitude[0][0] == 3000.0 and shahed.altitude[0][-1] < 200  # high, then dives
    dive_start = shahed.distance[0][-2]
    assert dive_start == pytest.approx(8.0, abs=0.5)  # the dive begins 8 km out

    figure = _chart(_page(data), "chart-side")
    traces = {t.get("meta"): t for t in figure["data"]}
    drawn = traces["profile:shahed"]
    ys = [v for v in drawn["y"] if v is not None]
    assert ys == [round(v / 1000, 4) for z in shahed.altitude for v in z]
    assert figure["layout"]["xaxis"]["autorange"] == "reversed"  # the target on the right


def test_side_view_envelopes_are_the_units_altitudes_over_their_reach(world):
    data, _ = world
    env = {e.id: e for e in data.side_view.envelopes}
    assert set(env) == {"pac", "cap", "mfg"}
    assert (env["pac"].low, env["pac"].high) == (0.0, 20_000.0)
    assert (env["mfg"].low, env["mfg"].high) == (0.0, 2_000.0)
    # the gun group stands 10 km, then 20 km from the city; its guns reach 3 km
    assert env["mfg"].near == pytest.approx(7.0) and env["mfg"].far == pytest.approx(23.0)
    # the CAP's racetrack: straights from 40 to 80 km north, 15 km wide, so its far turn's
    # apex is 87.5 km from the city; its missiles reach 40 km
    assert env["cap"].near == 0.0 and env["cap"].far == pytest.approx(127.5)
    figure = _chart(_page(data), "chart-side")
    gun = next(t for t in figure["data"] if t.get("meta") == "envelope:gun")
    assert gun["fill"] == "toself"
    assert gun["x"][:5] == [7.0, 23.0, 23.0, 7.0, 7.0] and gun["y"][:5] == [0, 0, 2, 2, 0]


def test_tracks_of_moving_platforms(world):
    data, cs = world
    tracks = {t.id: t for t in data.laydown.tracks}
    assert set(tracks) == {"awacs", "cap", "mfg"}  # r1 and pac stand still, always on
    moving = {s.id for s in data.laydown.sensors + data.laydown.fire_units if s.moves}
    assert moving == set(tracks)
    assert all(s.ring is None for s in data.laydown.fire_units if s.moves)

    cap = tracks["cap"]
    lo, hi = cs.unit_path_offset[1], cs.unit_path_offset[2]
    assert len(cap.x) == hi - lo <= MAX_PATH_POINTS
    assert cap.z == cs.unit_path_z[lo:hi].tolist() and set(cap.z) == {8000.0}
    # the racetrack closes: the orbit comes back to where it started, lap after lap
    laps = [k for k in range(1, len(cap.x)) if (cap.x[k], cap.y[k]) == (cap.x[0], cap.y[0])]
    assert laps
    lap = laps[0]
    flown = np.hypot(np.diff(cap.x[: lap + 1]), np.diff(cap.y[: lap + 1])).sum() * 1000
    assert cap.t[lap] == pytest.approx(flown / (800 / 3.6), rel=1e-9)  # at the orbit's speed
    racetrack = 2 * 40_000 + math.pi * 15_000  # the turns drawn as chords: a little shorter
    assert 0.995 * racetrack < flown <= racetrack
    assert cap.available == [(0.0, 3600.0)]
    assert cap.is_available(3599.0) and not cap.is_available(3600.0)
    mfg = tracks["mfg"]
    assert mfg.available == [(0.0, 1800.0), (2400.0, 7200.0)]
    assert mfg.at(2100.0)[:2] == pytest.approx((0.0, 15.0))  # half way between its sites

    page = _page(data)
    map_traces = {t.get("meta"): t for t in page["map"]["data"]}
    drawn = map_traces["track:fire unit:1"]
    assert drawn["x"] == cap.x and drawn["y"] == cap.y
    assert drawn["x"][laps[0]] == drawn["x"][0] and drawn["y"][laps[0]] == drawn["y"][0]
    assert "replay:platforms" in map_traces and "replay:platform-rings" in map_traces
    assert [p["id"] for p in page["replay"]["platforms"]] == ["awacs", "cap", "mfg"]


def test_replay_positions_are_the_trajectories(world):
    data, cs = world
    r = data.replay
    for track in data.laydown.tracks:
        prefix = "sensor" if track.what == "sensor" else "unit"
        offset = getattr(cs, f"{prefix}_path_offset")
        lo, hi = offset[track.index], offset[track.index + 1]
        px, py, pz, pt = (getattr(cs, f"{prefix}_path_{a}")[lo:hi] for a in "xyzt")
        for t in (0.0, 95.0, 1234.5, 2100.0, 3600.0, 7199.0):
            x, y, z = track.at(t)
            assert x == pytest.approx(np.interp(t, pt, px) / 1000, abs=1e-9)
            assert y == pytest.approx(np.interp(t, pt, py) / 1000, abs=1e-9)
            assert z == pytest.approx(np.interp(t, pt, pz), abs=1e-9)
    # the threats' altitude along their trajectory, as the hover shows it
    for i in (0, 2, 12):
        lo, hi = cs.route_offset[i], cs.route_offset[i + 1]
        t = float(cs.route_t[lo:hi].mean())
        assert r.position(i, t)[2] == pytest.approx(
            np.interp(t, cs.route_t[lo:hi], cs.route_z[lo:hi])
        )
    assert r.top == float(cs.route_z.max()) > 15_000
    # interceptors leave from where their unit was when it fired
    tracks = {t.index: t for t in data.laydown.tracks if t.what == "fire unit"}
    by_cap = [s for s in r.shots if s[2] == 1]
    assert by_cap, "the CAP fires in this replication"
    for fired, _, unit, _, _, _, ox, oy in r.shots:
        if unit in tracks:
            assert (ox, oy) == pytest.approx(tracks[unit].at(fired)[:2])
            assert tracks[unit].is_available(fired)
        else:
            assert (ox, oy) == (r.unit_x[unit], r.unit_y[unit])
    page = _page(data)["replay"]
    assert (
        page["route_z"][0] == np.round(cs.route_z[cs.route_offset[0] : cs.route_offset[1]]).tolist()
    )
    assert len(page["shots"][0]) == 8


def test_terrain_layer_only_with_terrain(world, hills):
    data, _ = world
    assert data.laydown.terrain is None
    page = _page(data)
    assert not page["map"]["layout"].get("images")
    assert "terrain" not in [t.get("meta") for t in page["map"]["data"]]

    data, cs = hills
    ter = data.laydown.terrain
    assert ter is not None
    assert (ter.west, ter.east, ter.south, ter.north) == (-80.0, 80.0, -200.0, 300.0)
    assert ter.low == pytest.approx(50.0) and ter.high == pytest.approx(
        float(cs.terrain_preview.max())
    )
    assert ter.rgba.shape == (*cs.terrain_preview.shape, 4) and (ter.rgba[..., 3] == 255).all()
    page = _page(data)
    (image,) = page["map"]["layout"]["images"]
    assert image["layer"] == "below" and image["xref"] == "x" and image["yref"] == "y"
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (-80.0, 300.0, 160.0, 500.0)
    head, body = image["source"].split(",", 1)
    assert head == "data:image/png;base64"
    with Image.open(io.BytesIO(base64.b64decode(body))) as png:
        pixels = np.asarray(png.convert("RGBA"))
    assert (pixels == ter.rgba).all()
    # the hill is shaded: its north-west face lit, its south-east face darker than the plain
    lum = pixels[..., :3].astype(float).mean(axis=2)
    row = lambda north_km: int((300 - north_km) / 2)  # noqa: E731
    col = lambda east_km: int((east_km + 80) / 2)  # noqa: E731
    plain = lum[row(-150), col(-60)]
    assert lum[row(45), col(5)] > plain > lum[row(15), col(35)]
    legend = [t["name"] for t in page["map"]["data"] if t.get("meta") == "terrain"]
    assert legend == [f"terrain 50–{ter.high:,.0f} m (shaded relief)"]


def test_pngs_draw_terrain_tracks_and_side_view(hills, tmp_path):
    import matplotlib

    from iadsim.report import static

    data, _ = hills
    paths = {p.name: p for p in write_pngs(data, tmp_path)}
    assert {"map.png", "side_view.png"} <= set(paths)
    with Image.open(paths["side_view.png"]) as image:
        assert image.size == (12 * static.PNG_DPI, 5 * static.PNG_DPI)
        assert np.asarray(image.convert("L")).std() > 10
    with matplotlib.rc_context(static._PLAIN_TEXT):
        figure = static._map(data)
        side = static._side(data)
    whole = figure.axes[0]
    assert len(whole.images) == 1
    assert whole.images[0].get_extent() == [-80.0, 80.0, -200.0, 300.0]
    labels = whole.get_legend_handles_labels()[1]
    assert "tracks of moving platforms" in labels
    lines = side.axes[0].get_lines()
    shahed = [ln for ln in lines if ln.get_label().startswith("shahed")]
    assert shahed and list(shahed[0].get_ydata()) == [
        z / 1000 for z in data.side_view.profiles[1].altitude[0]
    ]


def test_thinning_keeps_ends_and_bounds_size():
    assert thin(5, 10).tolist() == [0, 1, 2, 3, 4]
    kept = thin(10_000, MAX_PATH_POINTS)
    assert kept[0] == 0 and kept[-1] == 9_999 and len(kept) <= MAX_PATH_POINTS
    assert (np.diff(kept) > 0).all()
    # a PNG written without PIL reads back with PIL
    rgba = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    with Image.open(io.BytesIO(png_bytes(rgba))) as png:
        assert (np.asarray(png) == rgba).all()


def test_long_platform_tracks_are_thinned(world_path):
    data = report_from_scenario(
        world_path, replications=1, seed=1, engine="reference", overrides=["duration=12 h"]
    )
    cs = prepare(world_path, overrides=["duration=12 h"])[1]
    cap = next(t for t in data.laydown.tracks if t.id == "cap")
    assert cs.unit_path_offset[2] - cs.unit_path_offset[1] > MAX_PATH_POINTS
    assert len(cap.x) <= MAX_PATH_POINTS and cap.t[0] == 0.0
    assert cap.t[-1] == float(cs.unit_path_t[cs.unit_path_offset[2] - 1])


def test_classes_of_one_kind_get_shades_of_its_colour(world):
    from types import SimpleNamespace

    from iadsim.report.style import kind_colour
    from iadsim.report.world import class_colours

    data, cs = world
    assert [p.colour for p in data.side_view.profiles] == [
        kind_colour(cs.class_kind[c]) for c in (0, 1, 2)
    ]
    drones = SimpleNamespace(
        class_kind=("owa_drone", "decoy", "owa_drone", "owa_drone", "owa_drone"),
        threat_class=np.array([0, 1, 2, 2, 4]),  # class 3 launches nothing
    )
    colours = class_colours(drones)
    orange = kind_colour("owa_drone")
    assert colours[0] == orange and colours[1] == kind_colour("decoy")
    assert len({colours[0], colours[2], colours[4]}) == 3

    def luminance(c: str) -> int:
        return sum(int(c[k : k + 2], 16) for k in (1, 3, 5))

    assert luminance(colours[2]) < luminance(orange) < luminance(colours[4])  # darker, lighter


def test_platform_labels_are_escaped(world_path):
    evil = "<img src=x onerror=alert(3)>"
    data = report_from_scenario(
        world_path,
        replications=1,
        seed=1,
        engine="reference",
        overrides=[f"fire_units.1.layer={evil}"],
    )
    assert data.laydown.tracks[1].group == evil  # raw in the data, escaped on output
    page = render_html(data)
    assert evil not in page
    doc = _page(data)
    assert doc["replay"]["platforms"][1]["group"] == "&lt;img src=x onerror=alert(3)&gt;"
    side = _chart(doc, "chart-side")
    assert "&lt;img src=x onerror=alert(3)&gt; envelope" in [t.get("name") for t in side["data"]]


def test_terrain_and_tracks_on_a_map_with_an_origin(terrain_path, tmp_path):
    raw = yaml.safe_load(terrain_path.read_text(encoding="utf-8"))
    raw["origin"] = {"lat": 50.0, "lon": 30.0}
    raw["terrain"]["file"] = str(terrain_path.parent / "hills.npy")
    path = tmp_path / "geographic.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    data = report_from_scenario(path, replications=1, seed=1, engine="reference")
    assert data.laydown.frame.origin == (50.0, 30.0) and data.laydown.basemap is not None
    ter = data.laydown.terrain
    # the grid is a rectangle of the local frame: its image's edges are its extent, in km
    assert (ter.west, ter.east, ter.south, ter.north) == pytest.approx((-80, 80, -200, 300))
    cap = next(t for t in data.laydown.tracks if t.id == "cap")
    assert (cap.x[0], cap.y[0]) == pytest.approx((7.5, 40.0))  # where its orbit starts, km
    assert len(cap.ring_dx) == len(cap.ring_dy) > 0
    assert max(cap.ring_dy) == pytest.approx(40.0, rel=1e-3)  # 40 km north, as long as east
    assert max(cap.ring_dx) == pytest.approx(40.0, rel=1e-3)


def test_thinning_a_route_keeps_its_altitude_extremes():
    from iadsim.report.world import thin_route

    rng = np.random.default_rng(3)
    z = 60 + 20 * rng.random(5_000)  # a terrain follower's hops
    z[1234], z[4321] = 900.0, -5.0  # a ridge crossed, a dip
    keep = thin_route(z, 150)
    assert len(keep) <= 150 and keep[0] == 0 and keep[-1] == 4_999
    assert 1234 in keep and 4321 in keep
    assert (np.diff(keep) > 0).all()
    gaps = np.diff(keep)
    assert gaps.max() <= 2 * 5_000 / 74 + 1  # 74 buckets, two points in each
    assert thin_route(z[:40], 150).tolist() == list(range(40))


def test_side_view_draws_the_ground_under_the_tracks(world, hills):
    data, _ = world
    assert all(p.ground == [] for p in data.side_view.profiles)
    assert "ground" not in [t.get("meta") for t in _chart(_page(data), "chart-side")["data"]]

    data, cs = hills
    shahed = data.side_view.profiles[1]
    assert shahed.name == "shahed" and len(shahed.ground) == len(shahed.threats)
    d = np.asarray(shahed.ground_distance[0])
    assert d[0] == pytest.approx(150.0) and d[-1] == pytest.approx(0.0)
    assert np.allclose(np.diff(d), -150.0 / (len(d) - 1))  # evenly along the track
    # the track runs down x = 0 to the city at the origin: a point d km out is the cell at
    # north = d km, east = 0 of the preview (2 km cells from 300 km north, 80 km west)
    rows = np.minimum(np.floor((300.0 - d) / 2).astype(int), cs.terrain_preview.shape[0] - 1)
    assert shahed.ground[0] == cs.terrain_preview[rows, 40].tolist()
    assert max(shahed.ground[0]) > 150  # the hill's western slope, about 30 km out
    ground = next(t for t in _chart(_page(data), "chart-side")["data"] if t.get("meta") == "ground")
    assert len([v for v in ground["y"] if v is not None]) == sum(
        len(g) for p in data.side_view.profiles for g in p.ground
    )


def test_terrain_image_edge_cases():
    from types import SimpleNamespace

    from iadsim.report.frame import MapFrame
    from iadsim.report.world import build_terrain

    def grid(values):
        extent = np.array([0.0, 4000.0, 0.0, 2000.0])
        return SimpleNamespace(terrain_extent=extent, terrain_preview=np.asarray(values, float))

    frame = MapFrame()
    smooth = SimpleNamespace(terrain_extent=np.zeros(0), terrain_preview=np.zeros((0, 0)))
    assert build_terrain(smooth, frame) is None
    assert build_terrain(grid([[np.nan, np.nan]]), frame) is None  # no data at all
    flat = build_terrain(grid([[120.0, 120.0], [120.0, 120.0]]), frame)
    assert flat is not None and flat.low == flat.high == 120.0
    assert len({tuple(p) for p in flat.rgba.reshape(-1, 4)}) == 1  # one even tint
    holes = build_terrain(grid([[-3.0, 10.0, np.nan], [50.0, np.nan, 80.0]]), frame)
    assert holes is not None and (holes.low, holes.high) == (-3.0, 80.0)
    assert holes.rgba[..., 3].tolist() == [[255, 255, 0], [255, 0, 255]]  # no data: clear
    sea = holes.rgba[0, 0, :3].astype(int)
    assert sea[2] > sea[0]  # below sea level: a pale blue
    assert (holes.west, holes.east, holes.south, holes.north) == (0.0, 4.0, 0.0, 2.0)
