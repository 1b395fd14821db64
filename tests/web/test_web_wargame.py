"""The wargame API (/api/wargame) through FastAPI's test client.

Every endpoint, with and without the launch token; bad payloads and paths that
try to leave the workspace are refused with a message; a night played over HTTP
is the night the Python session plays; saved sessions load back; the clock's
websocket plays, pauses and steps.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from iadsim.compile import compile_scenario
from iadsim.scenario import parse_scenario
from iadsim.wargame import after_action_review, start
from iadsim.web import wargame as web_wargame
from iadsim.web.security import Guard, Settings
from iadsim.web.wargame import router

from scenarios import base, unit

TOKEN = "test-token-123"
HEADERS = {"X-Iadsim-Token": TOKEN}
API = "/api/wargame"


def tiny() -> dict:
    """Three drones a minute apart against one SAM (pk 0.6) and a gun delegated in tests."""
    raw = base(value_unit="1 MUSD")
    raw["raids"][0]["count"] = 3
    raw["raids"][0]["launch"]["end"] = "00:02"
    raw["fire_units"] = [unit("sam", -20, pk=0.6, channels=1), unit("gun", -8, pk=0.3)]
    raw["fire_units"][1]["layer"] = "gun"
    return raw


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "ws").mkdir()
    return tmp_path / "ws"


@pytest.fixture
def client(workspace: Path) -> TestClient:
    app = FastAPI()
    app.state.settings = Settings(workspace=workspace, store=workspace / "store", token=TOKEN)
    app.include_router(router)
    guarded = Guard(app, hosts=frozenset({"testserver"}), max_body=64 * 1024)
    return TestClient(guarded, base_url="http://testserver")  # type: ignore[arg-type]


def ok(response) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return response.json()


def refused(response, code: int, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == code, response.text
    detail = response.json()["detail"]
    for fragment in fragments:
        assert fragment in detail, (fragment, detail)


def new_session(client: TestClient, **body: object) -> dict:
    payload = {"scenario": {"inline": tiny()}, "seed": 5, "replication": 1, **body}
    return ok(client.post(f"{API}/sessions", json=payload, headers=HEADERS))


# --- the token ---------------------------------------------------------------------------


def test_every_route_needs_the_token(client: TestClient) -> None:
    sid = new_session(client)["id"]
    routes = [
        ("get", "/examples"),
        ("post", "/sessions"),
        ("get", "/sessions"),
        ("get", f"/sessions/{sid}"),
        ("get", f"/sessions/{sid}/static"),
        ("delete", f"/sessions/{sid}"),
        ("post", f"/sessions/{sid}/assign"),
        ("post", f"/sessions/{sid}/unassign"),
        ("post", f"/sessions/{sid}/delegate"),
        ("post", f"/sessions/{sid}/advance"),
        ("post", f"/sessions/{sid}/step"),
        ("post", f"/sessions/{sid}/finish"),
        ("get", f"/sessions/{sid}/review"),
        ("get", f"/sessions/{sid}/record"),
        ("post", f"/sessions/{sid}/save"),
        ("post", "/load"),
    ]
    paths = {r.path for r in router.routes}  # type: ignore[attr-defined]
    assert {API + p.replace(sid, "{sid}") for _, p in routes} | {
        f"{API}/sessions/{{sid}}/clock"
    } == paths
    for method, path in routes:
        refused(getattr(client, method)(API + path), 401, "launch token")
        refused(getattr(client, method)(API + path, headers={"X-Iadsim-Token": "x"}), 403, "wrong")
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"{API}/sessions/{sid}/clock") as ws,
    ):
        ws.receive_json()
    assert closed.value.code == 1008
    assert ok(client.get(f"{API}/sessions/{sid}", headers=HEADERS))["id"] == sid  # still there


# --- starting ----------------------------------------------------------------------------


def test_starting_from_the_workspace_an_example_or_inline(
    client: TestClient, workspace: Path
) -> None:
    (workspace / "plays").mkdir()
    (workspace / "plays" / "tiny.yaml").write_text(yaml.safe_dump(tiny()))
    by_path = ok(
        client.post(
            f"{API}/sessions",
            json={"scenario": {"path": "plays/tiny.yaml"}, "seed": 5, "replication": 1},
            headers=HEADERS,
        )
    )
    inline = new_session(client)
    assert by_path["static"]["content_hash"] == inline["static"]["content_hash"]
    assert by_path["tracks"] == inline["tracks"] and by_path["decision"] == inline["decision"]
    static = inline["static"]
    assert static["layers"] == ["gun", "medium_range"] and static["cost_aware"] is True
    assert static["policies"] == ["greedy", "cost_aware", "exact"]
    assert static["assets"] == [{"id": "depot", "value": 10.0, "x": 0.0, "y": 0.0}]
    names = ok(client.get(f"{API}/examples", headers=HEADERS))["examples"]
    assert "national_defence" in names and "capital_night_raid" in names
    example = ok(
        client.post(
            f"{API}/sessions", json={"scenario": {"example": "national_defence"}}, headers=HEADERS
        )
    )
    assert example["static"]["threats"] > 100 and (
        example["static"]["seed"],
        example["static"]["replication"],
    ) == (0, 0)
    listed = ok(client.get(f"{API}/sessions", headers=HEADERS))["sessions"]
    assert [s["id"] for s in listed] == [by_path["id"], inline["id"], example["id"]]


def test_bad_starts_are_refused_with_a_message(client: TestClient, workspace: Path) -> None:
    (workspace / "bad.yaml").write_text("schema_version: 1\nname: x\nraids: 7\n")
    outside = workspace.parent / "secret.yaml"
    outside.write_text(yaml.safe_dump(tiny()))
    (workspace / "link.yaml").symlink_to(outside)
    post = lambda body: client.post(f"{API}/sessions", json=body, headers=HEADERS)  # noqa: E731
    refused(post([1, 2]), 400, "must be a JSON object")
    refused(post({"scenario": {"inline": tiny()}, "sede": 1}), 400, "unknown field(s) sede")
    refused(post({"scenario": "tiny.yaml"}), 400, 'one of {"path"')
    refused(post({"scenario": {"url": "http://x"}}), 400, "unknown scenario source 'url'")
    refused(post({"scenario": {"example": "nope"}}), 400, "unknown example 'nope'; known:")
    refused(post({"scenario": {"inline": tiny()}, "seed": "7"}), 400, "seed must be a whole number")
    refused(post({"scenario": {"inline": tiny()}, "seed": -1}), 400, "seed must be in [0, 2**64)")
    refused(post({"scenario": {"inline": tiny()}, "replication": 1.5}), 400, "replication must be")
    refused(post({"scenario": {"inline": tiny()}, "auto_pause": "no"}), 400, "auto_pause must be")
    for name, fragment in (
        ("../secret.yaml", "'..'"),
        ("/etc/passwd", "relative to the workspace"),
        ("a\\b.yaml", "relative to the workspace"),
        ("link.yaml", "leads outside the workspace"),
        ("x\x00.yaml", "control character"),
        ("", "a file name is needed"),
    ):
        refused(post({"scenario": {"path": name}}), 400, fragment)
    refused(post({"scenario": {"path": "missing.yaml"}}), 422, "error: missing.yaml")
    refused(
        post({"scenario": {"path": "bad.yaml"}}), 422, "error: bad.yaml: invalid scenario", "raids"
    )
    broken = tiny()
    broken["fire_units"][0]["channels"] = "many"
    refused(post({"scenario": {"inline": broken}}), 422, "inline.yaml", "fire_units.0.channels")
    escaping = {**tiny(), "terrain": {"file": "../../etc/hosts.npy"}}
    refused(post({"scenario": {"inline": escaping}}), 422, "terrain.file", "inside the workspace")
    big = {"scenario": {"inline": {**tiny(), "name": "x" * 100_000}}}
    response = client.post(f"{API}/sessions", content=json.dumps(big), headers=HEADERS)
    assert response.status_code == 413
    assert ok(client.get(f"{API}/sessions", headers=HEADERS))["sessions"] == []


def test_sessions_are_kept_up_to_a_limit(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(web_wargame, "MAX_SESSIONS", 3)
    ids = [new_session(client)["id"] for _ in range(4)]
    listed = [s["id"] for s in ok(client.get(f"{API}/sessions", headers=HEADERS))["sessions"]]
    assert listed == ids[1:]
    refused(client.get(f"{API}/sessions/{ids[0]}", headers=HEADERS), 404, "no wargame session")
    ok(client.delete(f"{API}/sessions/{ids[1]}", headers=HEADERS))
    refused(client.delete(f"{API}/sessions/{ids[1]}", headers=HEADERS), 404, "no wargame session")


# --- playing -----------------------------------------------------------------------------


def play_python() -> dict:
    """The night of :func:`play_http`, played with the Python session."""
    cs = compile_scenario(parse_scenario(copy.deepcopy(tiny())))
    session = start(cs, seed=5, replication=1)
    session.delegate("cost_aware", layer="gun")
    while not session.finished:
        view = session.view()
        mine = [o for o in view["offers"] if o["delegated"] is None]
        if mine:
            session.assign(mine[0]["threat"], mine[0]["unit"])
        session.step()
    return after_action_review(session)


def test_a_night_over_http_is_the_python_sessions(client: TestClient) -> None:
    first = new_session(client)
    sid = first["id"]
    at = f"{API}/sessions/{sid}"
    view = ok(
        client.post(
            f"{at}/delegate", json={"policy": "cost_aware", "layer": "gun"}, headers=HEADERS
        )
    )
    assert [u["delegated"] for u in view["units"]] == [None, "cost_aware"]
    steps = 0
    while not view["finished"]:
        mine = [o for o in view["offers"] if o["delegated"] is None]
        if mine:
            view = ok(
                client.post(
                    f"{at}/assign",
                    json={"threat": mine[0]["threat"], "unit": mine[0]["unit"]},
                    headers=HEADERS,
                )
            )
            assert [o["picked"] for o in view["offers"] if o["offer"] == mine[0]["offer"]] == [True]
        view = ok(client.post(f"{at}/step", headers=HEADERS))
        steps += 1
        assert steps < 500
    review = ok(client.get(f"{at}/review", headers=HEADERS))
    assert review == json.loads(json.dumps(play_python()))
    assert review["nights"]["player"]["rounds"] > 0
    assert view["tally"]["rounds"] == review["nights"]["player"]["rounds"]


def test_bad_moves_are_refused_with_a_message(client: TestClient) -> None:
    sid = new_session(client)["id"]
    at = f"{API}/sessions/{sid}"
    view = ok(client.post(f"{at}/step", headers=HEADERS))
    offer = view["offers"][0]
    refused(
        client.post(f"{at}/assign", json={"threat": offer["threat"]}, headers=HEADERS),
        400,
        "unit must be",
    )
    refused(
        client.post(
            f"{at}/assign", json={"threat": offer["threat"], "unit": "zz"}, headers=HEADERS
        ),
        400,
        "unknown fire unit 'zz'",
    )
    refused(
        client.post(f"{at}/assign", json={"threat": "1", "unit": "sam"}, headers=HEADERS),
        400,
        "threat must be a whole number",
    )
    refused(
        client.post(f"{at}/assign", json={"threat": 1, "unit": "sam", "x": 1}, headers=HEADERS),
        400,
        "unknown field(s) x",
    )
    refused(
        client.post(f"{at}/delegate", json={"policy": "best"}, headers=HEADERS),
        400,
        "unknown policy 'best'",
    )
    refused(
        client.post(f"{at}/delegate", json={"policy": 3}, headers=HEADERS), 400, "policy must be"
    )
    refused(
        client.post(f"{at}/delegate", json={"units": "sam"}, headers=HEADERS),
        400,
        "units must be a list",
    )
    refused(
        client.post(f"{at}/advance", json={"seconds": -1}, headers=HEADERS), 400, "runs forward"
    )
    refused(
        client.post(f"{at}/advance", json={"seconds": "1"}, headers=HEADERS),
        400,
        "seconds must be a number",
    )
    refused(
        client.post(f"{at}/finish", json={"policy": "x"}, headers=HEADERS),
        400,
        "unknown policy 'x'",
    )
    refused(client.get(f"{at}/review", headers=HEADERS), 400, "the night is not over")
    refused(
        client.post(f"{API}/sessions/nope/step", headers=HEADERS), 404, "no wargame session 'nope'"
    )
    ok(
        client.post(
            f"{at}/assign", json={"threat": offer["threat"], "unit": "sam"}, headers=HEADERS
        )
    )
    view = ok(client.post(f"{at}/unassign", json={"threat": offer["threat"]}, headers=HEADERS))
    assert not any(o["picked"] for o in view["offers"])
    view = ok(client.post(f"{at}/advance", json={"seconds": 30}, headers=HEADERS))
    assert view["time"] > offer["intercept"] - 100
    view = ok(client.post(f"{at}/finish", json={"policy": "greedy"}, headers=HEADERS))
    assert view["finished"] and view["tracks"] == []
    review = ok(client.get(f"{at}/review", headers=HEADERS))
    assert set(review["nights"]) == {"player", "greedy", "cost_aware", "exact"}


# --- saving and loading --------------------------------------------------------------------


def test_save_and_load_in_the_workspace(client: TestClient, workspace: Path) -> None:
    sid = new_session(client)["id"]
    at = f"{API}/sessions/{sid}"
    ok(client.post(f"{at}/delegate", json={"policy": "greedy", "units": ["gun"]}, headers=HEADERS))
    view = ok(client.post(f"{at}/step", headers=HEADERS))
    mine = [o for o in view["offers"] if o["delegated"] is None]
    ok(
        client.post(
            f"{at}/assign", json={"threat": mine[-1]["threat"], "unit": "sam"}, headers=HEADERS
        )
    )
    view = ok(client.post(f"{at}/finish", headers=HEADERS))
    saved = ok(client.post(f"{at}/save", json={"path": "plays/night.json"}, headers=HEADERS))
    assert saved == {
        "saved": "plays/night.json",
        "decisions": len(json.loads((workspace / "plays" / "night.json").read_text())["moves"]),
    }
    data = json.loads((workspace / "plays" / "night.json").read_text())
    assert data["source"] == {"inline": tiny()}
    assert data == {**ok(client.get(f"{at}/record", headers=HEADERS)), "source": data["source"]}
    loaded = ok(client.post(f"{API}/load", json={"path": "plays/night.json"}, headers=HEADERS))
    assert loaded["id"] != sid and loaded["finished"] and loaded["tally"] == view["tally"]
    again = ok(client.get(f"{API}/sessions/{loaded['id']}/review", headers=HEADERS))
    assert again == ok(client.get(f"{at}/review", headers=HEADERS))
    by_record = ok(client.post(f"{API}/load", json={"record": data}, headers=HEADERS))
    assert by_record["tally"] == view["tally"]
    post = lambda body: client.post(f"{API}/load", json=body, headers=HEADERS)  # noqa: E731
    refused(client.post(f"{at}/save", json={"path": "../night.json"}, headers=HEADERS), 400, "'..'")
    refused(
        client.post(f"{at}/save", json={"path": "night.yaml"}, headers=HEADERS), 400, ".json file"
    )
    refused(post({"path": "../night.json"}), 400, "'..'")
    refused(post({"path": "plays/none.json"}), 400, "no such session file")
    (workspace / "junk.json").write_text("[1")
    refused(post({"path": "junk.json"}), 400, "junk.json: not JSON")
    other = tiny()
    other["fire_units"][0]["rounds"] = 999
    refused(
        post({"record": data, "scenario": {"inline": other}}), 400, "played on another scenario"
    )
    refused(
        post({"record": {k: v for k, v in data.items() if k != "source"}}), 400, "give the scenario"
    )
    refused(post({}), 400, "give path")
    assert not (workspace.parent / "night.json").exists()


# --- the clock ------------------------------------------------------------------------------


def test_the_clock_plays_pauses_and_steps(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(web_wargame, "TICK_SECONDS", 0.02)
    sid = new_session(client, auto_pause=False)["id"]
    ok(client.post(f"{API}/sessions/{sid}/delegate", json={"policy": "greedy"}, headers=HEADERS))
    with client.websocket_connect(f"{API}/sessions/{sid}/clock", headers=HEADERS) as ws:
        first = ws.receive_json()
        assert first["id"] == sid and first["time"] == 0.0 and first["speed"] == 0.0
        ws.send_json({"op": "play", "speed": 120})
        times = [ws.receive_json()["time"] for _ in range(6)]
        assert times == sorted(times) and times[-1] > 0  # the clock runs
        ws.send_json({"op": "pause"})
        paused = ws.receive_json()
        while paused["speed"] != 0.0:
            paused = ws.receive_json()
        ws.send_json({"op": "view"})
        assert ws.receive_json()["time"] == paused["time"]
        ws.send_json({"op": "step"})
        stepped = ws.receive_json()
        assert stepped["time"] >= paused["time"] and stepped["speed"] == 0.0
        for bad, fragment in (
            ({"op": "play", "speed": 500}, "speed must be a number from 1 to 120"),
            ({"op": "fly"}, "unknown op 'fly'"),
            ([1], "JSON objects"),
        ):
            ws.send_json(bad)
            assert fragment in ws.receive_json()["error"]
        ws.send_text("not json")
        assert "JSON objects" in ws.receive_json()["error"]
        ws.send_json({"op": "play", "speed": 120})
        last = ws.receive_json()
        while not last["finished"]:
            last = ws.receive_json()
        assert last["speed"] == 0.0 and last["tracks"] == []
    with client.websocket_connect(f"{API}/sessions/nope/clock", headers=HEADERS) as ws:
        assert "no wargame session 'nope'" in ws.receive_json()["error"]


def test_two_pages_share_a_sessions_clock(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(web_wargame, "TICK_SECONDS", 0.02)
    sid = new_session(client, auto_pause=False)["id"]
    at = f"{API}/sessions/{sid}"
    with (
        client.websocket_connect(f"{at}/clock", headers=HEADERS) as one,
        client.websocket_connect(f"{at}/clock", headers=HEADERS) as two,
    ):
        assert one.receive_json()["time"] == two.receive_json()["time"] == 0.0
        # a move over HTTP reaches both pages
        ok(client.post(f"{at}/delegate", json={"policy": "greedy"}, headers=HEADERS))
        for page in (one, two):
            view = page.receive_json()
            assert [u["delegated"] for u in view["units"]] == ["greedy", "greedy"]
        # one page plays; the other sees the clock run, at the speed asked (not twice it)
        began = time.monotonic()
        one.send_json({"op": "play", "speed": 100})
        seen = [two.receive_json() for _ in range(8)]
        elapsed = time.monotonic() - began
        assert seen[-1]["speed"] == 100.0 and seen[-1]["time"] > 0
        assert seen[-1]["time"] <= 100 * elapsed + 1e-6
        one.send_json({"op": "pause"})
        view = one.receive_json()
        while view["speed"] != 0.0:
            view = one.receive_json()
