"""The web application's API (``iadsim serve``) through FastAPI's test client.

The token on every endpoint, Host and Origin checks, paths kept inside the
workspace, size limits, validation in the CLI's own words, the load/save round
trip of every example, and runs with progress over the websocket and cancel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from iadsim.scenario import Scenario, load_scenario, read_raw
from iadsim.web.app import create_app

from repo_paths import ROOT

EXAMPLES = ROOT / "examples"
TOKEN = "test-token-0123456789"
BASE = "http://127.0.0.1:8765"
WS = "ws://127.0.0.1:8765/ws"
HEADERS = {"X-Iadsim-Token": TOKEN}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    return folder


@pytest.fixture
def client(workspace: Path):
    app = create_app(workspace, workspace / "results", TOKEN, port=8765)
    with TestClient(app, base_url=BASE, headers=HEADERS) as c:
        yield c


def _copy_examples(workspace: Path) -> None:
    for path in EXAMPLES.glob("*.yaml"):
        shutil.copyfile(path, workspace / path.name)
    shutil.copytree(EXAMPLES / "terrain", workspace / "terrain")


# --- the token ------------------------------------------------------------------------------


def test_every_endpoint_needs_the_token(workspace: Path) -> None:
    app = create_app(workspace, workspace / "results", TOKEN, port=8765)
    with TestClient(app, base_url=BASE) as c:
        calls = [
            ("GET", "/api/info"),
            ("GET", "/api/schema"),
            ("GET", "/api/presets"),
            ("GET", "/api/files"),
            ("GET", "/api/file?path=a.yaml"),
            ("PUT", "/api/file"),
            ("POST", "/api/validate"),
            ("POST", "/api/examples/single_battery"),
            ("POST", "/api/basemap"),
            ("GET", "/api/runs"),
            ("POST", "/api/runs"),
            ("POST", "/api/runs/job-1/cancel"),
            ("GET", "/api/runs/abc/report"),
            ("GET", "/api/compare?a=x&b=y"),
            ("GET", "/static/app.js"),
        ]
        for method, url in calls:
            assert c.request(method, url).status_code == 401, url
            wrong = c.request(method, url, headers={"X-Iadsim-Token": "wrong"})
            assert wrong.status_code == 403, url
            short = c.request(method, url, headers={"X-Iadsim-Token": TOKEN[:-1]})
            assert short.status_code == 403, url
        assert not (workspace / "single_battery.yaml").exists()  # nothing was done
        # the page itself: a plain explanation, not the application
        page = c.get("/")
        assert page.status_code == 401 and "token" in page.text and "app.js" not in page.text
        assert c.get("/?token=nope").status_code == 403
        # the websocket is closed before it is accepted
        for url in (WS, WS + "?token=wrong"):
            with pytest.raises(WebSocketDisconnect) as info, c.websocket_connect(url):
                pass
            assert info.value.code == 1008


def test_token_in_address_becomes_a_cookie(workspace: Path) -> None:
    app = create_app(workspace, workspace / "results", TOKEN, port=8765)
    with TestClient(app, base_url=BASE) as c:
        first = c.get(f"/?token={TOKEN}", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/"
        cookie = first.headers["set-cookie"]
        assert "iadsim_token_8765=" in cookie and "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower()
        page = c.get("/")  # the client kept the cookie
        assert page.status_code == 200 and "/static/app.js" in page.text
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self';" in policy  # no inline
        assert page.headers["referrer-policy"] == "no-referrer"
        assert c.get("/api/info").status_code == 200
        assert c.get("/api/info", headers={"Authorization": f"token {TOKEN}"}).status_code == 200
        with c.websocket_connect(WS) as socket:  # the cookie opens the websocket too
            assert socket.receive_json()["type"] == "hello"


def test_host_and_origin_are_checked(client: TestClient) -> None:
    # DNS rebinding: a page under another name reaching this port
    assert client.get("/api/info", headers={"Host": "evil.example"}).status_code == 421
    assert (
        client.get("/api/info", headers={"Host": "127.0.0.1.evil.example:8765"}).status_code == 421
    )
    assert client.get("/api/info", headers={"Host": "localhost.evil.example"}).status_code == 421
    for host in ("localhost:8765", "127.0.0.1:8765", "[::1]:8765", "192.168.1.20:8765"):
        assert client.get("/api/info", headers={"Host": host}).status_code == 200
    # a page from another site, even with the token (a cookie sent along)
    bad = client.post("/api/validate", json={}, headers={"Origin": "http://evil.example"})
    assert bad.status_code == 403
    assert client.get("/api/info", headers={"Origin": "null"}).status_code == 403
    same = client.get("/api/info", headers={"Origin": "http://127.0.0.1:8765"})
    assert same.status_code == 200
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(WS, headers={"Origin": "http://evil.example"}),
    ):
        pass


# --- paths and sizes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../outside.yaml",
        "a/../../outside.yaml",
        "/etc/passwd",
        "C:/x.yaml",
        "a\\..\\..\\x.yaml",
        "x\x00.yaml",
        "",
        "link/escape.yaml",
        "up.yaml",
    ],
)
def test_paths_outside_the_workspace_are_refused(
    client: TestClient, workspace: Path, tmp_path: Path, name: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "escape.yaml").write_text("name: secret\n")
    (workspace / "link").symlink_to(outside)
    (workspace / "up.yaml").symlink_to(outside / "escape.yaml")
    document = {"schema_version": 1}
    assert client.get("/api/file", params={"path": name}).status_code == 400
    saved = client.put("/api/file", json={"path": name, "document": document})
    assert saved.status_code == 400
    assert "path refused" in saved.json()["error"]
    assert client.post("/api/runs", json={"path": name}).status_code == 400
    assert (outside / "escape.yaml").read_text() == "name: secret\n"
    assert not (tmp_path / "outside.yaml").exists()


def test_listing_stays_inside(client: TestClient, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.yaml").write_text("a: 1\n")
    (workspace / "link").symlink_to(outside)
    (workspace / "sub").mkdir()
    (workspace / "sub" / "a.yaml").write_text("a: 1\n")
    (workspace / ".hidden.yaml").write_text("a: 1\n")
    files = client.get("/api/files").json()["files"]
    assert files == ["sub/a.yaml"]


def test_terrain_file_outside_the_workspace_is_refused(client: TestClient, tmp_path: Path) -> None:
    raw, _ = read_raw(EXAMPLES / "terrain_valley.yaml")
    for name in ("../terrain/valley.npy", str(EXAMPLES / "terrain" / "valley.npy")):
        raw["terrain"]["file"] = name
        answer = client.post("/api/validate", json={"path": "v.yaml", "document": raw})
        assert answer.status_code == 200 and answer.json()["ok"] is False
        body = answer.json()
        assert body["problems"][0]["path"] == "terrain.file"
        assert "inside the workspace" in body["error"]


def test_request_size_limits(workspace: Path) -> None:
    app = create_app(workspace, workspace / "results", TOKEN, port=8765, max_body=10_000)
    with TestClient(app, base_url=BASE, headers=HEADERS) as c:
        big = {"path": "a.yaml", "document": {"name": "x" * 20_000}}
        answer = c.put("/api/file", json=big)
        assert answer.status_code == 413
        assert not (workspace / "a.yaml").exists()

        # a body that says nothing of its length is counted as it comes
        def chunks():
            for _ in range(20):
                yield b" " * 1000

        streamed = c.put(
            "/api/file", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
    # deep or huge JSON within the size: refused by the reading limits, not a crash
    app = create_app(workspace, workspace / "results", TOKEN, port=8765)
    with TestClient(app, base_url=BASE, headers=HEADERS) as c:
        deep = '{"path": "a.yaml", "document": ' + "[" * 5000 + "]" * 5000 + "}"
        answer = c.put("/api/file", content=deep, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400 and "nested" in answer.json()["error"]
        assert c.put("/api/file", content=b"{not json").status_code == 400
        assert c.put("/api/file", json=[1, 2]).status_code == 400


# --- the editor's documents -----------------------------------------------------------------


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iadsim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NUMBA_NUM_THREADS": "1"},
    )


def test_validation_errors_are_the_clis(client: TestClient, workspace: Path) -> None:
    raw, _ = read_raw(EXAMPLES / "single_battery.yaml")
    raw["fire_units"][0]["max_range"] = "twenty km"
    raw["raids"][0]["count"] = -3
    raw["sensors"][0]["colour"] = "red"
    saved = client.put("/api/file", json={"path": "bad.yaml", "document": raw})
    assert saved.status_code == 200 and saved.json()["valid"] is False
    answer = client.post("/api/validate", json={"path": "bad.yaml", "document": raw})
    assert answer.status_code == 200 and answer.json()["ok"] is False
    body = answer.json()
    cli = _cli(["validate", "bad.yaml"], workspace)
    assert cli.returncode == 2
    printed = " ".join(cli.stderr.split())
    # the same paragraph; the file read from disk also says the line of each field
    assert body["error"] == re.sub(r" \(line \d+\)", "", printed)
    paths = {p["path"] for p in body["problems"]}
    assert {"fire_units.0.max_range", "raids.0.count", "sensors.0.colour"} <= paths
    # a run of the file reads it from disk: the CLI's text with its lines
    run = client.post("/api/runs", json={"path": "bad.yaml", "replications": 10})
    assert run.status_code == 422
    assert run.json()["error"] == printed
    # a file that is not YAML: the reader's words
    (workspace / "broken.yaml").write_text("a: [1, 2\n")
    broken = client.get("/api/file", params={"path": "broken.yaml"})
    assert broken.status_code == 422
    cli = _cli(["validate", "broken.yaml"], workspace)
    assert broken.json()["error"] == " ".join(cli.stderr.split())


def test_valid_document_gives_the_map(client: TestClient) -> None:
    raw, _ = read_raw(EXAMPLES / "single_battery.yaml")
    raw["fire_units"].append({"id": "new", "preset": "nasams-class", "position": ["5 km", "1 km"]})
    answer = client.post("/api/validate", json={"path": "s.yaml", "document": raw})
    assert answer.status_code == 200
    view = answer.json()["view"]
    new = view["fire_units"][1]
    assert new["id"] == "new" and new["at"] == [5000.0, 1000.0]
    assert new["max_range"] == 28_000.0  # the preset's ring, in metres
    assert view["sensors"][0]["range"] == 100_000.0
    assert view["raids"][0]["sites"] == [[-100_000.0, 0.0]]
    assert len(view["raids"][0]["routes"]) == 10
    assert view["terrain"] is None


def test_schema_and_presets_are_the_clis(client: TestClient) -> None:
    schema = client.get("/api/schema").json()
    expected = Scenario.model_json_schema(by_alias=True)
    assert schema["$defs"] == expected["$defs"]
    assert schema["properties"] == expected["properties"]
    presets = client.get("/api/presets").json()
    assert "patriot-class" in presets["fire_unit"] and "surveillance-radar" in presets["sensor"]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_round_trip_of_every_example(client: TestClient, workspace: Path, name: str) -> None:
    _copy_examples(workspace)
    before = (workspace / name).read_text()
    scenario = "threat_classes" in read_raw(workspace / name)[0]
    expected = load_scenario(workspace / name) if scenario else None
    loaded = client.get("/api/file", params={"path": name})
    assert loaded.status_code == 200
    document = loaded.json()["document"]
    saved = client.put("/api/file", json={"path": name, "document": document})
    assert saved.status_code == 200
    after = (workspace / name).read_text()
    # identical up to formatting: the same characters once line breaks and spaces go
    assert "".join(after.split()) == "".join(before.split())
    assert after.count("#") == before.count("#")  # the comments are kept
    assert read_raw(workspace / name)[0] == read_raw(EXAMPLES / name)[0]
    if scenario:  # a scenario file: the same scenario
        assert load_scenario(workspace / name) == expected
    # saved afresh (no file to keep the layout of): the same data again
    fresh = client.put("/api/file", json={"path": "copy/" + name, "document": document})
    assert fresh.status_code == 200
    assert read_raw(workspace / "copy" / name)[0] == read_raw(EXAMPLES / name)[0]


def test_an_edit_changes_only_its_value(client: TestClient, workspace: Path) -> None:
    _copy_examples(workspace)
    document = client.get("/api/file", params={"path": "single_battery.yaml"}).json()["document"]
    document["fire_units"][0]["position"] = ["2.5 km", "-1 km"]
    document["fire_units"].append(
        {"id": "gun", "preset": "gepard-class", "position": ["1 km", "0 km"]}
    )
    assert client.put(
        "/api/file", json={"path": "single_battery.yaml", "document": document}
    ).json()["valid"]
    text = (workspace / "single_battery.yaml").read_text()
    assert text.startswith("# The smallest scenario")
    assert "position: [2.5 km, -1 km]" in text
    scenario = load_scenario(workspace / "single_battery.yaml")
    assert scenario.fire_units[0].position == (2500.0, -1000.0)
    assert scenario.fire_units[1].id == "gun"


def test_examples_are_shipped_and_copied(client: TestClient, workspace: Path) -> None:
    packaged = ROOT / "src" / "iadsim" / "web" / "examples"
    for path in packaged.glob("*.yaml"):
        assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), (
            f"src/iadsim/web/examples/{path.name} differs from examples/{path.name}: "
            f"cp examples/{path.name} src/iadsim/web/examples/"
        )
    npy = packaged / "terrain" / "valley.npy"
    assert npy.read_bytes() == (EXAMPLES / "terrain" / "valley.npy").read_bytes()
    first = client.post("/api/examples/terrain_valley", json={}).json()
    assert first["path"] == "terrain_valley.yaml"
    assert (workspace / "terrain" / "valley.npy").is_file()
    second = client.post("/api/examples/terrain_valley", json={}).json()
    assert second["path"] == "terrain_valley-2.yaml"  # never overwrites
    document = client.get("/api/file", params={"path": "terrain_valley.yaml"}).json()["document"]
    answer = client.post(
        "/api/validate", json={"path": "terrain_valley.yaml", "document": document}
    )
    assert answer.status_code == 200
    terrain = answer.json()["view"]["terrain"]
    assert terrain["png"].startswith("data:image/png;base64,") and terrain["high"] > terrain["low"]
    missing = client.post("/api/examples/nope", json={})
    assert missing.status_code == 404 and "no such example" in missing.json()["error"]


def test_basemap_in_the_scenario_frame(client: TestClient) -> None:
    origin = {"lat": 50.0, "lon": 30.0}
    box = {"east_min": -300e3, "north_min": -300e3, "east_max": 300e3, "north_max": 300e3}
    answer = client.post("/api/basemap", json={"origin": origin, **box})
    assert answer.status_code == 200
    data = answer.json()
    assert data["available"] and data["rivers"] and data["cities"]
    points = [p for line in data["rivers"] for p in line]
    assert all(abs(e) < 1e6 and abs(n) < 1e6 for e, n in points)  # metres near the origin
    assert "Natural Earth" in data["attribution"]
    assert client.post("/api/basemap", json={"origin": None, **box}).json()["available"] is False
    bad = client.post("/api/basemap", json={"origin": {"lat": 99, "lon": 0}, **box})
    assert bad.status_code == 400 and "lat" in bad.json()["error"]


def test_static_files(client: TestClient) -> None:
    for name in ("app.js", "app.css", "index.html"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/nope.js").status_code == 404
    assert client.get("/static/..%2fapp.py").status_code == 404
    script = client.get("/static/app.js").text
    assert "http://" not in script.replace("http://www.w3.org/2000/svg", "")  # nothing fetched
    assert "https://" not in script


# --- runs ---------------------------------------------------------------------------------------


def _follow(socket, job: str, until: set[str], limit: int = 400) -> list[dict]:
    seen = []
    for _ in range(limit):
        message = socket.receive_json()
        if message.get("job") != job:
            continue
        seen.append(message)
        if message["type"] == "done" or message["status"] in until:
            break
    return seen


def test_run_streams_progress_and_stores_results(client: TestClient, workspace: Path) -> None:
    shutil.copyfile(EXAMPLES / "single_battery.yaml", workspace / "s.yaml")
    with client.websocket_connect(WS) as socket, client.websocket_connect(WS) as other:
        assert socket.receive_json()["type"] == "hello"
        assert other.receive_json()["type"] == "hello"
        started = client.post(
            "/api/runs",
            json={"path": "s.yaml", "replications": 40, "seed": 3, "engine": "reference"},
        )
        assert started.status_code == 200
        job = started.json()["job"]
        busy = client.post("/api/runs", json={"path": "s.yaml", "replications": 5})
        assert busy.status_code == 409
        seen = _follow(socket, job, set())
        assert seen[-1]["type"] == "done" and seen[-1]["status"] == "complete", seen[-1]
        done = [m["done"] for m in seen if m["status"] == "running"]
        assert len(set(done)) >= 5 and done == sorted(done) and done[-1] == 40
        assert seen[-1]["total"] == 40
        # a second page sees the same run
        assert _follow(other, job, set())[-1]["status"] == "complete"
    run_id = seen[-1]["run_id"]
    runs = client.get("/api/runs").json()
    assert runs["busy"] is False
    stored = {r["run_id"]: r for r in runs["runs"]}
    assert stored[run_id]["status"] == "complete" and stored[run_id]["replications"] == 40
    report = client.get(f"/api/runs/{run_id}/report", params={"replicate": 7})
    assert report.status_code == 200
    assert "replication 7" in report.text and "Single battery" in report.text
    assert client.get(f"/api/runs/{run_id}/report", params={"replicate": 40}).status_code == 422
    # compare two runs: before and after moving the battery
    raw, _ = read_raw(workspace / "s.yaml")
    raw["fire_units"][0]["position"] = ["-30 km", "0 km"]
    client.put("/api/file", json={"path": "s.yaml", "document": raw})
    with client.websocket_connect(WS) as socket:
        socket.receive_json()
        job = client.post(
            "/api/runs",
            json={"path": "s.yaml", "replications": 40, "seed": 3, "engine": "reference"},
        ).json()["job"]
        moved = _follow(socket, job, set())[-1]
    assert moved["status"] == "complete" and moved["run_id"] != run_id
    compared = client.get("/api/compare", params={"a": run_id, "b": moved["run_id"]}).json()
    rows = {r["metric"]: r for r in compared["rows"] if r["section"] == "replicate"}
    assert rows["launched"]["a_mean"] == rows["launched"]["b_mean"] == 10
    assert rows["leaked"]["method"] == "paired"


def test_cancel_stops_a_run(client: TestClient, workspace: Path) -> None:
    shutil.copyfile(EXAMPLES / "single_battery.yaml", workspace / "s.yaml")
    with client.websocket_connect(WS) as socket:
        socket.receive_json()
        job = client.post(
            "/api/runs",
            json={"path": "s.yaml", "replications": 100_000, "seed": 1, "engine": "reference"},
        ).json()["job"]
        first = _follow(socket, job, {"running"})
        assert first[-1]["status"] == "running"
        socket.send_text(json.dumps({"cancel": job}))  # from the page, over the websocket
        seen = _follow(socket, job, set())
    assert seen[-1]["type"] == "done" and seen[-1]["status"] == "cancelled"
    assert seen[-1]["done"] < 100_000
    assert client.get("/api/runs").json()["busy"] is False
    assert client.post("/api/runs/job-1/cancel").status_code == 404  # nothing to cancel now
    stored = client.get("/api/runs").json()["runs"]
    assert stored and stored[0]["status"] in ("interrupted", "running")
    assert stored[0]["replications_done"] < 100_000


def test_bad_run_requests(client: TestClient, workspace: Path) -> None:
    shutil.copyfile(EXAMPLES / "single_battery.yaml", workspace / "s.yaml")
    for body, word in [
        ({"path": "s.yaml", "replications": 0}, "replications"),
        ({"path": "s.yaml", "replications": "many"}, "replications"),
        ({"path": "s.yaml", "seed": -1}, "seed"),
        ({"path": "s.yaml", "engine": "warp"}, "engine"),
        ({"path": "s.yaml", "policy": "random"}, "policy"),
        ({"replications": 5}, "path"),
    ]:
        answer = client.post("/api/runs", json=body)
        assert answer.status_code == 400 and word in answer.json()["error"], body
    missing = client.post("/api/runs", json={"path": "none.yaml"})
    assert (
        missing.status_code == 422 and "none.yaml: invalid scenario: no such file" in missing.text
    )
