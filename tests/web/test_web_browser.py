"""``iadsim serve`` in a real browser: Debian's Chromium driven by Playwright.

Starts the server as a user does (``iadsim serve``), opens the printed address
with its token, copies an example into the workspace, places a fire unit on the
map and sees its ring, moves a unit, sees a bad field's error next to it in the
CLI's words, runs the scenario with live progress and reads the report, cancels
a run, and compares two runs. Two pages are open at once. No console errors; no
request leaves the server. Screenshots go to tmp_path (or $IADSIM_SCREENSHOTS). Never skipped:
CI installs Chromium; Playwright's own browser download is not used.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iadsim.geometry import enu_to_geodetic
from iadsim.scenario import load_scenario

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("ws")
    port = _free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "iadsim.cli",
            "serve",
            "--port",
            str(port),
            "--workspace",
            str(workspace),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NUMBA_NUM_THREADS": "1"},
    )
    url = None
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"open (http://127\.0\.0\.1:\d+/\?token=\S+)", line)
        if found:
            url = found.group(1)
            break
    assert url is not None, "iadsim serve printed no address"
    yield {"url": url, "port": port, "workspace": workspace, "started": started}
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _page(browser, server, problems: list[str]):
    page = browser.new_page(viewport={"width": 1500, "height": 950})
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    local = f"http://127.0.0.1:{server['port']}/"

    def only_local(route):
        if route.request.url.startswith(local) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request: {route.request.url}")
            route.abort()

    page.route("**/*", only_local)
    for _ in range(100):  # the server may still be starting
        try:
            page.goto(server["url"])
            break
        except Exception:
            time.sleep(0.2)
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return page


def _validated(page, after: int) -> int:
    page.wait_for_function(
        f"() => Number(document.body.dataset.validated || 0) > {after}", timeout=60_000
    )
    return int(page.evaluate("() => Number(document.body.dataset.validated)"))


def _checks(page) -> int:
    return int(page.evaluate("() => Number(document.body.dataset.validated || 0)"))


def test_edit_run_and_compare_in_chromium(browser, server, tmp_path):
    # IADSIM_SCREENSHOTS=folder keeps the screenshots (e.g. for the README); else tmp_path
    shots = Path(os.environ.get("IADSIM_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page = _page(browser, server, problems)
    usable = time.monotonic() - server["started"]
    print(f"\ntime from `iadsim serve` to a usable page: {usable:.2f} s")
    assert "token=" not in page.url  # the token left the address bar for a cookie
    other = _page(browser, server, problems)  # a second tab, open all along

    # a point moved on the map keeps {lat, lon}: the page's conversion is the geometry module's
    lat, lon = enu_to_geodetic(123456.7, -98765.4, 50.0, 30.0)
    got = page.evaluate("() => enuToGeodetic(123456.7, -98765.4, {lat: 50, lon: 30})")
    assert got["lat"] == pytest.approx(float(lat), abs=1e-9)
    assert got["lon"] == pytest.approx(float(lon), abs=1e-9)

    # the Wargame tab loads its own script and draws into its root
    page.click(".tabs button[data-tab='wargame']")
    page.wait_for_function("() => document.querySelectorAll('#wargame-root *').length > 3")
    page.click(".tabs button[data-tab='editor']")

    # start from an example: copied into the workspace and opened
    page.select_option("#example-select", "single_battery")
    page.click("#example-new")
    page.wait_for_selector("#outline a[data-coll='fire_units']")
    seen = _validated(page, 0)
    assert (server["workspace"] / "single_battery.yaml").is_file()
    page.wait_for_selector("circle.ring[data-id='battery']")
    assert page.get_attribute("circle.ring[data-id='battery']", "r") == "20000"
    page.screenshot(path=str(shots / "web-editor.png"))

    # place a fire unit from a preset by clicking the map: its ring appears
    page.click("#palette button[data-mode='fire_unit']")
    page.select_option("#unit-preset", "nasams-class")
    box = page.locator("#map").bounding_box()
    clicked = time.monotonic()
    page.mouse.click(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.45)
    page.wait_for_selector("circle.ring[data-id='unit-1']", timeout=60_000)
    ring_after = time.monotonic() - clicked
    print(f"editor: click to the new unit's ring drawn: {ring_after * 1000:.0f} ms")
    assert page.get_attribute("circle.ring[data-id='unit-1']", "r") == "28000"  # preset's range
    seen = _validated(page, seen - 1)
    assert page.input_value("input[aria-label='fire_units.1.id']") == "unit-1"
    page.screenshot(path=str(shots / "web-placed.png"))

    # move the battery by dragging it (select mode): the document and its ring follow
    page.click("#palette button[data-mode='select']")
    marker = page.locator("circle.marker[data-id='battery']").bounding_box()
    x, y = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] / 2
    before = _checks(page)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 10, steps=5)
    page.mouse.up()
    _validated(page, before)
    east = page.input_value("input[aria-label='fire_units.0.position.0']")
    assert east.endswith(" km") and float(east.split()[0]) > 0
    ring_x = float(page.get_attribute("circle.ring[data-id='battery']", "cx"))
    assert ring_x == pytest.approx(float(east.split()[0]) * 1000, abs=1.0)

    # a bad value: the CLI's words next to the field
    before = _checks(page)
    page.fill("input[aria-label='fire_units.0.max_range']", "twenty km")
    page.press("input[aria-label='fire_units.0.max_range']", "Tab")
    _validated(page, before)
    error = page.locator(".field[data-path='fire_units.0.max_range'] .field-error")
    assert "could not read 'twenty km' as a length" in error.inner_text()
    assert "invalid scenario: field `fire_units.0.max_range`" in page.inner_text("#cli-error")
    page.screenshot(path=str(shots / "web-error.png"))
    before = _checks(page)
    page.fill("input[aria-label='fire_units.0.max_range']", "20 km")
    page.press("input[aria-label='fire_units.0.max_range']", "Tab")
    _validated(page, before)
    assert page.locator(".field-error").count() == 0
    page.click("#file-save")
    page.wait_for_selector("#save-status.good")
    saved = load_scenario(server["workspace"] / "single_battery.yaml")
    assert [u.id for u in saved.fire_units] == ["battery", "unit-1"]

    # run it: progress streams to both pages, the report appears
    page.click(".tabs button[data-tab='runs']")
    page.fill("#run-replications", "30")
    page.fill("#run-seed", "5")
    page.select_option("#run-engine", "reference")
    page.click("#run-start")
    other.wait_for_function("() => document.body.dataset.job === 'running'", timeout=120_000)
    page.wait_for_function("() => document.body.dataset.job === 'complete'", timeout=300_000)
    other.wait_for_function("() => document.body.dataset.job === 'complete'", timeout=30_000)
    assert "30 of 30 replications" in page.inner_text("#run-status")
    frame = page.frame_locator("#report-frame")
    frame.locator("#map .main-svg").first.wait_for(timeout=120_000)
    assert "Single battery" in frame.locator("#title").inner_text()
    page.screenshot(path=str(shots / "web-report.png"))

    # a cancelled run
    page.fill("#run-replications", "200000")
    page.click("#run-start")
    page.wait_for_function("() => document.body.dataset.job === 'running'", timeout=120_000)
    page.click("#run-cancel")
    page.wait_for_function("() => document.body.dataset.job === 'cancelled'", timeout=60_000)

    # before and after: take the new unit away and leave the battery 4 rounds, run, compare
    page.click(".tabs button[data-tab='editor']")
    page.click("#outline a[data-coll='fire_units'][data-index='1']")
    page.click("#delete-selected")
    page.wait_for_function("() => !document.querySelector(\"circle.ring[data-id='unit-1']\")")
    page.click("#outline a[data-coll='fire_units'][data-index='0']")
    before = _checks(page)
    page.fill("input[aria-label='fire_units.0.rounds']", "4")
    page.press("input[aria-label='fire_units.0.rounds']", "Tab")
    _validated(page, before)
    page.click("#file-save")
    page.wait_for_selector("#save-status.good")
    page.click(".tabs button[data-tab='runs']")
    page.fill("#run-replications", "30")
    page.click("#run-start")
    page.wait_for_function("() => document.body.dataset.job === 'running'", timeout=120_000)
    page.wait_for_function("() => document.body.dataset.job === 'complete'", timeout=300_000)
    page.click(".tabs button[data-tab='compare']")
    page.wait_for_function("() => document.querySelectorAll('#compare-a option').length >= 2")
    runs = page.eval_on_selector_all("#compare-a option", "os => os.map(o => o.value)")
    page.select_option("#compare-a", runs[1])
    page.select_option("#compare-b", runs[0])
    page.click("#compare-go")
    page.wait_for_selector("#compare-table tr:nth-child(5)")
    table = page.inner_text("#compare-table")
    assert "leaked" in table and "launched" in table
    leaked = page.locator("#compare-table tr", has_text="leaked").first.locator("td")
    assert float(leaked.nth(2).inner_text()) > float(leaked.nth(1).inner_text())  # B leaks more
    assert leaked.nth(3).get_attribute("class") == "up"  # and the interval says so
    page.frame_locator("#compare-frame-b").locator("#map .main-svg").first.wait_for(timeout=120_000)
    page.screenshot(path=str(shots / "web-compare.png"))
    assert problems == []
