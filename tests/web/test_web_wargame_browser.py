"""The wargame page in a real browser: Debian's Chromium driven by Playwright.

A small page holds the Wargame tab as index.html does (``<div id="wargame-root">``,
wargame.css and wargame.js from the package, ``window.iadsim.currentPath`` naming
the editor's file), served with the wargame router under uvicorn. The test plays a
tiny raid to the end: start it, step to a decision, click a threat and then a
fire unit, see the pick and the kill, run the clock, delegate a layer, finish the
night and read the review, whose figures are the API's. Then the real page of
``iadsim serve``: its Wargame tab plays the capital raid at x60 with every layer
but the long-range one delegated (each view drawn in under 50 ms) and finishes
with the review. No console errors, no request leaving the server; screenshots
are saved under the test's tmp_path. Never skipped.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
import uvicorn
import yaml
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse, Response

from iadsim.web.security import Guard, Settings, require_token
from iadsim.web.wargame import router

from scenarios import base, unit

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TOKEN = "browser-token-456"

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>wargame</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/wargame.css"></head><body>
<div id="wargame-root"></div>
<script>window.iadsim = {currentPath: () => "plays/tiny.yaml"};</script>
<script src="/static/wargame.js"></script></body></html>"""


def tiny() -> dict:
    """Three drones a minute apart; a sure-kill SAM and a gun that can be delegated."""
    raw = base(value_unit="1 MUSD")
    raw["raids"][0]["count"] = 3
    raw["raids"][0]["launch"]["end"] = "00:02"
    raw["fire_units"] = [unit("sam", -20, pk=1.0, channels=1), unit("gun", -8, pk=0.3)]
    raw["fire_units"][1]["layer"] = "gun"
    return raw


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workspace = tmp_path_factory.mktemp("ws")
    (workspace / "plays").mkdir()
    (workspace / "plays" / "tiny.yaml").write_text(yaml.safe_dump(tiny()))
    app = FastAPI()
    app.state.settings = Settings(workspace=workspace, store=workspace / "store", token=TOKEN)
    app.include_router(router)
    static = Path(str(files("iadsim.web") / "static"))

    @app.get("/")
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/static/{name}", dependencies=[Depends(require_token)])
    def asset(name: str) -> Response:
        kinds = {"wargame.js": "text/javascript", "wargame.css": "text/css"}
        return Response((static / name).read_bytes(), media_type=kinds[name])

    port = free_port()
    config = uvicorn.Config(
        Guard(app, hosts=frozenset(), max_body=1 << 20),  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="websockets-sansio",
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def test_play_a_tiny_raid_to_the_review(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    context.add_cookies([{"name": "iadsim_token", "value": TOKEN, "url": server}])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server + "/")
    root = page.locator("#wargame-root")
    source = root.locator(".wg-source")
    source.locator("option", has_text="the editor's file: plays/tiny.yaml").wait_for(
        state="attached"
    )
    assert "example: capital_night_raid" in source.inner_text()
    source.select_option(label="the editor's file: plays/tiny.yaml")
    root.locator(".wg-seed").fill("5")
    root.locator(".wg-start").click()
    root.locator(".wg-controls").wait_for(state="visible")
    assert root.locator(".wg-clock").inner_text() == "T+00:00:00"

    # to the first decision: its options are listed, the sam can fire
    root.locator(".wg-step").click()
    page.wait_for_function(
        "() => document.querySelector('.wg-status').textContent.includes('option(s) for you')"
    )
    rows = root.locator(".wg-offer-table tr[data-offer]")
    assert rows.count() >= 1
    threat = int(root.locator(".wg-track").first.get_attribute("data-threat"))
    # the threats' table: predicted impact, nearest first
    first_row = root.locator(".wg-threat-table tr[data-threat]").first
    assert first_row.get_attribute("data-threat") == str(threat)
    assert "depot" in first_row.inner_text() and "T+00:16:40" in first_row.inner_text()
    page.screenshot(path=str(tmp_path / "decision.png"))

    # click the threat, then the unit: the pick shows in the table and on the map
    root.locator(f'.wg-track[data-threat="{threat}"] circle.wg-hit').click()
    assert "options against threat" in root.locator(".wg-offers").inner_text()
    root.locator('.wg-unit[data-unit="sam"] polygon').click()
    root.locator(".wg-offer-table tr.wg-picked").wait_for()
    assert root.locator(".wg-map .wg-pick").count() == 1
    page.screenshot(path=str(tmp_path / "picked.png"))

    # take it; run the clock until the salvo meets the drone: a kill in the events
    root.locator(".wg-step").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.wg-offer-table tr.wg-picked').length === 0"
    )
    root.locator(".wg-speed").select_option("120")
    root.locator(".wg-play").click()
    root.locator(".wg-events li.wg-ev-kill").first.wait_for(timeout=30_000)
    assert f"kill #{threat} by sam" in root.locator(".wg-events").inner_text()
    page.wait_for_function(
        "() => document.querySelector('.wg-play').textContent === 'Play'", timeout=30_000
    )

    # the guns to cost_aware, then finish the night with greedy: the review appears
    root.locator('.wg-layers select[data-layer="gun"]').select_option("cost_aware")
    gun = ".wg-unit-table tr[data-unit=gun] select"
    page.wait_for_function(f"() => document.querySelector('{gun}').value === 'cost_aware'")
    root.locator(".wg-finish-policy").select_option("greedy")
    root.locator(".wg-finish").click()
    review = root.locator(".wg-review")
    review.locator(".wg-review-table").wait_for()
    text = review.inner_text()
    assert "After-action review" in text and "you" in text
    assert "greedy" in text and "cost_aware" in text and "exact" in text
    # the table's figures are the API's
    api = page.evaluate(
        """async () => {
            const list = await (await fetch('/api/wargame/sessions')).json();
            const id = list.sessions[list.sessions.length - 1].id;
            return await (await fetch('/api/wargame/sessions/' + id + '/review')).json();
        }"""
    )
    cells = review.locator(".wg-review-table tr").nth(1).locator("td").all_inner_texts()
    assert cells == [str(api["nights"][n]["leakers"]) for n in api["nights"]]
    assert api["nights"]["player"]["destroyed"] >= 1
    assert root.locator(".wg-status").inner_text() == "the night is over"
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)

    # save it into the workspace and load it back: the same tally
    tally = root.locator(".wg-tally").inner_text()
    root.locator(".wg-save").click()
    page.wait_for_function(
        "() => document.querySelector('.wg-message').textContent.startsWith('saved')"
    )
    root.locator(".wg-loadpath").fill("plays/night.json")
    root.locator(".wg-load").click()
    page.wait_for_function(
        "() => document.querySelector('.wg-message').textContent.startsWith('replayed')"
    )
    assert root.locator(".wg-tally").inner_text() == tally
    review.locator(".wg-review-table").wait_for()

    assert problems == []
    # a refused request is explained on the page (the browser logs the 400 itself)
    root.locator(".wg-loadpath").fill("../outside.json")
    root.locator(".wg-load").click()
    page.wait_for_function("() => document.querySelector('.wg-message.wg-error') !== null")
    assert "'..'" in root.locator(".wg-message").inner_text()
    assert problems == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    context.close()


# --- inside `iadsim serve`: the Wargame tab of the real page, on the capital raid -------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``iadsim serve`` started as a user starts it; yields the address it prints."""
    workspace = tmp_path_factory.mktemp("served")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "iadsim.cli",
            "serve",
            "--port",
            str(free_port()),
            "--workspace",
            str(workspace),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NUMBA_NUM_THREADS": "1"},
    )
    assert process.stderr is not None
    url = None
    for line in process.stderr:
        found = re.search(r"open (http://127\.0\.0\.1:\d+/\?token=\S+)", line)
        if found:
            url = found.group(1)
            break
    assert url is not None, "iadsim serve printed no address"
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_the_wargame_tab_of_iadsim_serve(served: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The capital raid in the real page: the guns and teams delegated, the clock at x60."""
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    local = served.split("/?")[0]
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((local, "data:"))
            else (problems.append("request: " + route.request.url), route.abort())
        ),
    )
    for _ in range(100):  # the server may still be starting
        try:
            page.goto(served)
            break
        except Exception:
            time.sleep(0.2)
    tab = page.locator("#tab-button-wargame")
    tab.wait_for(state="visible", timeout=30_000)
    tab.click()
    root = page.locator("#wargame-root")
    source = root.locator(".wg-source")
    source.locator("option", has_text="example: capital_night_raid").wait_for(state="attached")
    source.select_option(label="example: capital_night_raid")
    root.locator(".wg-autopause").uncheck()  # the clock runs through the decisions
    root.locator(".wg-start").click()
    root.locator(".wg-controls").wait_for(state="visible", timeout=60_000)
    for layer in ("gun", "mobile_team", "interceptor_drone", "medium_range"):
        root.locator(f'.wg-layers select[data-layer="{layer}"]').select_option("greedy")
        chosen = f".wg-layers select[data-layer={layer}]"
        page.wait_for_function(f"() => document.querySelector('{chosen}').value === 'greedy'")
    # to the busiest hour of the night (about T+7h), then play at x60
    page.evaluate(
        """async () => {
            const list = await (await fetch('/api/wargame/sessions')).json();
            const id = list.sessions[list.sessions.length - 1].id;
            const body = JSON.stringify({seconds: 24900});
            await fetch('/api/wargame/sessions/' + id + '/advance',
                {method: 'POST', headers: {'Content-Type': 'application/json'}, body});
        }"""
    )
    root.locator(".wg-speed").select_option("60")
    page.evaluate("() => { window.iadsimWargameRenders = []; }")
    root.locator(".wg-play").click()
    page.wait_for_timeout(8_000)  # eight seconds of play at x60
    times = sorted(page.evaluate("() => window.iadsimWargameRenders"))
    assert len(times) > 40  # views came at the clock's rate (10 a second)
    tracks = root.locator(".wg-map .wg-track").count()
    assert tracks > 10, tracks  # a busy sky
    median, p95 = times[len(times) // 2], times[int(0.95 * len(times))]
    print(
        f"capital raid at x60: {len(times)} views drawn in median {median:.1f} ms, "
        f"95th percentile {p95:.1f} ms, at most {times[-1]:.1f} ms; "
        f"{tracks} tracks at {root.locator('.wg-clock').inner_text()}"
    )
    assert p95 < 50, times  # drawing a view stays well under the 50 ms goal
    page.screenshot(path=str(tmp_path / "capital.png"))
    # take whatever decision is open, then hand everything to greedy for the rest
    root.locator(".wg-finish-policy").select_option("greedy")
    root.locator(".wg-finish").click()
    review = root.locator(".wg-review .wg-review-table")
    review.wait_for(timeout=60_000)
    text = root.locator(".wg-review").inner_text()
    assert "you" in text and "greedy" in text and "exact" in text
    page.screenshot(path=str(tmp_path / "capital-review.png"), full_page=True)
    assert problems == []
    page.close()
