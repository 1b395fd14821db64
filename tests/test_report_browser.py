"""The demo report in a real browser: Debian's Chromium driven by Playwright.

Checks that the page runs without console errors, that moving the replay
slider changes the number of threats drawn on the map, that user text shows
as text, and saves screenshots under the test's tmp_path. Never skipped: CI
installs Chromium (``.ci/run``); Playwright's own browser download is not used.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iadsim.report import report_from_scenario, write_html

EXAMPLES = Path(__file__).parent.parent / "examples"
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
    page.get_by_role("button", name="Defended area").click()
    page.wait_for_timeout(300)
    page.screenshot(path=tmp_path / "report-defended.png")
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
