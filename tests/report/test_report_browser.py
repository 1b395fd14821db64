"""The demo report in a real browser: Debian's Chromium driven by Playwright.

Checks that the page runs without console errors, that moving the replay
slider changes the number of threats drawn on the map, that user text shows
as text, and saves screenshots under the test's tmp_path. Never skipped: CI
installs Chromium (``.ci/run``); Playwright's own browser download is not used.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from iadsim.report import report_from_scenario, write_html
from iadsim.report.replay import SLIDER_STEP

from repo_paths import EXAMPLES

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# threats drawn on the map: points in the replay's "in the air" traces, counted in the SVG
COUNT_DRAWN = """() => {
  const gd = document.getElementById("map");
  const airborne = new Set();
  let data = 0, drawn = 0;
  gd.data.forEach((t, i) => {
    if (!String(t.meta || "").startsWith("replay:airborne")) return;
    airborne.add(i);
    data += t.x.length;
  });
  gd.querySelectorAll(".scatterlayer .trace").forEach((layer) => {
    const trace = layer.__data__ && layer.__data__[0] && layer.__data__[0].trace;
    if (trace && airborne.has(trace.index)) drawn += layer.querySelectorAll("path.point").length;
  });
  return [data, drawn];
}"""


# pixels per map unit (km) along each axis of the map, as plotly drew it
PIXELS_PER_KM = """() => {
  const l = document.getElementById("map")._fullLayout;
  const per = (a) => a._length / Math.abs(a.range[1] - a.range[0]);
  return [per(l.xaxis), per(l.yaxis)];
}"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _open(browser, path: Path, problems: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else (problems.append(f"request: {route.request.url}"), route.abort()))  # fmt: skip
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    return page


def test_demo_report_replay_in_chromium(browser, tmp_path):
    data = report_from_scenario(
        EXAMPLES / "capital_night_raid.yaml", replications=2, seed=1, engine="reference"
    )
    path = write_html(data, tmp_path / "capital.html")
    problems: list[str] = []
    page = _open(browser, path, problems)
    data_count, drawn = page.evaluate(COUNT_DRAWN)
    assert data_count == drawn == data.replay.airborne(data.replay.peak_time) > 100
    assert page.locator("#replay-status").get_attribute("data-airborne") == str(drawn)
    page.screenshot(path=tmp_path / "report-peak.png", full_page=True)
    # a kilometre is as many pixels east-west as north-south, over the basemap
    x_px, y_px = page.evaluate(PIXELS_PER_KM)
    assert x_px == pytest.approx(y_px, rel=1e-3) and x_px > 0
    assert page.locator("#map text", has_text="Kyiv").count() >= 1

    slider = page.locator("#replay-time")
    box = slider.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 0.1 * box["width"], box["y"] + box["height"] / 2)
    page.wait_for_function(
        f"document.getElementById('replay-status').dataset.airborne != '{drawn}'"
    )
    early_data, early_drawn = page.evaluate(COUNT_DRAWN)
    assert early_data == early_drawn != drawn
    t = float(slider.input_value())
    assert early_drawn == data.replay.airborne(t)

    slider.focus()
    page.keyboard.press("End")  # the night is over: nothing in the air
    page.wait_for_function("document.getElementById('replay-status').dataset.airborne == '0'")
    assert page.evaluate(COUNT_DRAWN) == [0, 0]
    status = page.inner_text("#replay-status")
    assert "destroyed" in status and "leaked" in status

    page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + box["height"] / 2)
    labels = "#map .scatterlayer .textpoint text"  # text drawn on the map, not hover boxes
    brovary = page.locator(labels, has_text="Brovary")  # a town by the defended area
    assert brovary.count() == 0  # not labelled in the whole raid's view
    page.get_by_role("button", name="Defended area").click()
    page.wait_for_timeout(300)
    page.screenshot(path=tmp_path / "report-defended.png")
    assert brovary.count() == 1 and page.locator(labels, has_text="Kharkiv").count() == 0
    assert page.locator("#map .legendtext", has_text="cities").count() == 1
    page.get_by_role("button", name="Whole raid").click()
    page.wait_for_timeout(300)
    assert brovary.count() == 0 and page.locator(labels, has_text="Kharkiv").count() == 1
    assert problems == []


def test_user_text_shows_as_text_in_chromium(browser, tmp_path):
    evil = "<script>alert(1)</script>"
    data = report_from_scenario(
        EXAMPLES / "single_battery.yaml",
        replications=2,
        seed=1,
        engine="reference",
        overrides=[f"name={evil}", "fire_units.0.layer=<b>bold</b><img src=x onerror=alert(2)>"],
    )
    problems: list[str] = []
    page = _open(browser, write_html(data, tmp_path / "evil.html"), problems)
    assert page.inner_text("#title") == evil
    assert page.title().startswith(evil)
    legend = page.locator("#map .legendtext").all_text_contents()
    assert "<b>bold</b><img src=x onerror=alert(2)>" in legend
    assert page.locator("#map img, #map b").count() == 0
    assert problems == []


# the replay's moving platforms, threats in the air and side-view dots at the slider's time
WORLD_STATE = """() => {
  const gd = document.getElementById("map");
  const side = document.getElementById("chart-side");
  const find = (g, meta) => g.data.find((t) => t.meta === meta);
  const platforms = find(gd, "replay:platforms");
  const air = gd.data.filter((t) => String(t.meta || "").startsWith("replay:airborne"));
  const dots = find(side, "replay:side");
  return {
    t: Number(document.getElementById("replay-time").value),
    px: platforms.x, py: platforms.y, opacity: platforms.marker.opacity,
    rings: find(gd, "replay:platform-rings").x.filter((v) => v === null).length,
    text: air.flatMap((t) => t.text), colour: air.map((t) => t.marker.color),
    showscale: air.map((t) => !!t.marker.showscale),
    sx: dots.x, sy: dots.y,
    shots: find(gd, "replay:shots").x.map((x, k) => [x, find(gd, "replay:shots").y[k]]),
    images: gd.querySelectorAll(".imagelayer image").length,
    href: (gd.querySelector(".imagelayer image") || {getAttribute: () => ""})
      .getAttribute("href"),
  };
}"""


def _seek(page, t: float) -> None:
    page.evaluate(
        """(t) => { const s = document.getElementById("replay-time");
        s.value = String(t); s.dispatchEvent(new Event("input")); }""",
        t,
    )


def test_world_report_in_chromium(browser, tmp_path):
    from test_report_world import _write

    data = report_from_scenario(
        _write(tmp_path, terrain=True), replications=2, seed=1, engine="reference"
    )
    r = data.replay
    problems: list[str] = []
    page = _open(browser, write_html(data, tmp_path / "world.html"), problems)
    tracks = data.laydown.tracks
    assert [p.id for p in tracks] == ["awacs", "cap", "mfg"]

    ranges = (
        "() => [document.getElementById('map').layout.xaxis.range, "
        "document.getElementById('map').layout.yaxis.range]"
    )
    page.get_by_role("button", name="Whole raid").click()
    page.wait_for_timeout(300)
    whole = page.evaluate(ranges)
    (x0, x1), (y0, y1) = data.laydown.whole_raid()  # scaled to the map's aspect by plotly
    assert whole[0][0] <= x0 < x1 <= whole[0][1] and whole[1][0] <= y0 < y1 <= whole[1][1]
    assert whole[0] == pytest.approx([x0, x1]) or whole[1] == pytest.approx([y0, y1])
    page.locator("#chart-side").scroll_into_view_if_needed()  # its dots follow while shown
    page.wait_for_timeout(300)
    _seek(page, 2100.0)  # the gun group is moving between its sites; the CAP is on station
    state = page.evaluate(WORLD_STATE)
    assert state["t"] == 2100.0
    assert state["images"] == 1 and state["href"].startswith("data:image/png;base64,")
    for k, track in enumerate(tracks):  # to a metre (the page's times are to the millisecond)
        x, y, _ = track.at(2100.0)
        assert state["px"][k] == pytest.approx(x, abs=1e-3)
        assert state["py"][k] == pytest.approx(y, abs=1e-3)
    assert state["opacity"] == [1, 1, 0.3]
    assert state["rings"] == 2  # rings only round the platforms that are on
    assert state["py"][2] == pytest.approx(15.0)  # half way from its first site to its second

    # threats in the air: their altitude in the hover, and their dots in the side view
    airborne = [i for i in range(len(r.launch)) if r.launch[i] <= 2100.0 < r.end[i]]
    assert len(state["text"]) == len(airborne) == len(state["sx"]) > 0
    shown = sorted(float(t.rsplit(" · ", 1)[1].removesuffix(" m").replace(",", ""))
                   for t in state["text"])  # fmt: skip
    expected = sorted(r.position(i, 2100.0)[2] for i in airborne)
    assert shown == pytest.approx(expected, abs=1.0)
    assert sorted(state["sy"]) == pytest.approx([z / 1000 for z in expected], abs=1e-3)
    assert all(isinstance(c, str) for c in state["colour"])  # coloured by kind

    page.get_by_role("button", name="Colour by altitude").click()
    page.wait_for_function("document.getElementById('replay-colour').ariaPressed === 'true'")
    state = page.evaluate(WORLD_STATE)
    colours = sorted(v for c in state["colour"] if isinstance(c, list) for v in c)
    assert colours == pytest.approx([math.sqrt(z) for z in expected], abs=0.05)
    with_points = [k for k, c in enumerate(state["colour"]) if isinstance(c, list) and c]
    assert state["showscale"] == [k == with_points[0] for k in range(len(state["colour"]))]
    page.locator("#map").screenshot(path=tmp_path / "world-altitude.png")

    _seek(page, 4000.0)  # the CAP's hour on station is over
    assert page.evaluate(WORLD_STATE)["opacity"] == [1, 0.3, 1]
    assert page.evaluate(ranges) == whole  # the moving rings did not move the view
    page.get_by_role("button", name="Defended area").click()
    page.wait_for_function(f"document.getElementById('map').layout.xaxis.range[0] != {whole[0][0]}")
    page.get_by_role("button", name="Whole raid").click()
    page.wait_for_function(f"document.getElementById('map').layout.xaxis.range[0] == {whole[0][0]}")

    # an interceptor in flight leaves from where its moving unit was when it fired
    shot = next(s for s in r.shots if s[2] == 1)
    t = math.ceil(shot[0] / SLIDER_STEP) * SLIDER_STEP
    assert t < shot[1]
    _seek(page, t)
    starts = [p for k, p in enumerate(page.evaluate(WORLD_STATE)["shots"]) if k % 3 == 0]
    assert any(p == pytest.approx([shot[6], shot[7]], abs=1e-3) for p in starts)
    page.locator("#chart-side").screenshot(path=tmp_path / "world-side.png")

    # the side view against time after launch: trajectories and dots move, envelopes hide
    page.locator("#chart-side").get_by_text("against time after launch").click()
    page.wait_for_function("document.getElementById('chart-side').layout.meta === 'time'")
    side = page.evaluate("""() => document.getElementById("chart-side").data.map(
        (t) => [t.meta, t.x, t.visible])""")
    shahed = data.side_view.profiles[1]
    x = next(x for meta, x, _ in side if meta == "profile:shahed")
    assert [v for v in x if v is not None] == pytest.approx(
        [v / 60 for t in shahed.time for v in t], abs=1e-3
    )
    assert all(v is False for meta, _, v in side if meta.startswith("envelope:"))
    dots = next(x for meta, x, _ in side if meta == "replay:side")
    airborne = [i for i in range(len(r.launch)) if r.launch[i] <= t < r.end[i]]
    assert sorted(dots) == pytest.approx(sorted((t - r.launch[i]) / 60 for i in airborne))
    xrange = "() => document.getElementById('chart-side').layout.xaxis.range"
    low, high = page.evaluate(xrange)
    assert low < 0 < high  # time runs left to right (distance to target runs right to left)
    page.locator("#chart-side").screenshot(path=tmp_path / "world-side-time.png")
    page.locator("#chart-side").get_by_text("against distance to target").click()
    page.wait_for_function("document.getElementById('chart-side').layout.meta === 'distance'")
    far, near = page.evaluate(xrange)
    assert far > near == pytest.approx(0, abs=10)

    # off screen, the side view is left as it was; back on screen, it catches up
    before = len(page.evaluate(WORLD_STATE)["sx"])
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    assert page.locator("#chart-side").bounding_box()["y"] > 1000  # below the viewport
    later = next(t for t in range(0, 7200, 10) if r.airborne(t) not in (0, before))
    _seek(page, later)
    assert len(page.evaluate(WORLD_STATE)["sx"]) == before
    page.locator("#chart-side").scroll_into_view_if_needed()
    page.wait_for_function(
        "document.getElementById('chart-side').data.find((t) => t.meta === 'replay:side')"
        f".x.length == {r.airborne(later)}"
    )
    assert problems == []
