"""The documentation site: it builds strictly, and its references cover what they must.

The fast tests check the generated references and the cited tests without building. The
build test (``IADSIM_DOCS_BUILD=1``; ``make docs`` builds the site in CI) runs
``mkdocs build --strict`` (warnings are errors: broken links and references, a tutorial
whose code fails) into a temporary folder, then checks that the main pages are there, that
nothing is fetched from the network when a page is read, and that the file reference lists
every field of every input file kind.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "hooks"))

import evidence  # noqa: E402  (docs/hooks is not a package)
import fields  # noqa: E402

from iadsim.scenario import versions  # noqa: E402

PAGES = [
    "index.html",
    "quickstart.html",
    "tutorials/night-raid.html",
    "tutorials/sweep.html",
    "tutorials/campaign.html",
    "tutorials/laydown.html",
    "tutorials/procurement.html",
    "tutorials/calibration.html",
    "tutorials/wta.html",
    "reference/scenario.html",
    "reference/presets.html",
    "api/engine.html",
    "model/index.html",
    "model/network.html",
    "model/verification.html",
    "dev/design.html",
    "dev/style.html",
    "search/search_index.js",  # the offline plugin's index: search works from file://
]


def _markers() -> dict[str, str]:
    """Reference page (relative to docs/) -> the model its marker names (module:Class)."""
    found = {}
    for page in sorted((DOCS / "reference").glob("*.md")):
        match = fields.MARKER.search(page.read_text(encoding="utf-8"))
        if match:
            found[str(page.relative_to(DOCS))] = match.group("target")
    return found


def test_every_input_file_kind_has_a_generated_reference_page() -> None:
    targets = {fields.load(target).__name__: page for page, target in _markers().items()}
    for kind in versions.KINDS:
        model = versions.json_schema(kind)["title"]
        assert model in targets, f"no reference page for {kind} files ({model})"


def test_the_reference_gives_every_field_a_unit_default_and_description_cell() -> None:
    for target in _markers().values():
        root = fields.load(target)
        for model in fields.models_of(root):
            rows = fields.field_rows(model)
            assert [r[0] for r in rows] == [
                f.alias or n
                for n, f in model.model_fields.items()  # type: ignore[attr-defined]
            ]
            for name, kind, unit, default, _ in rows:
                assert kind and unit and default, (model.__name__, name)


def test_quantities_are_shown_with_their_si_unit() -> None:
    from iadsim.scenario.models import FireUnit, ThreatClass

    rows = {r[0]: r for r in fields.field_rows(ThreatClass)}
    assert rows["speed"][1] == "speed"
    assert rows["speed"][2].startswith("m/s")
    assert rows["boost_time"][3] == "`0 s`"
    units = {r[0]: r for r in fields.field_rows(FireUnit)}
    assert units["max_range"][2].startswith("m ")
    assert units["position"][1] == "position"
    assert units["class"][4].startswith("class name")  # an alias is listed as written


def test_every_test_the_site_cites_exists() -> None:
    cited = evidence.cited()
    assert sum(len(pairs) for pairs in cited.values()) >= 100
    assert any(page.startswith("model/") for page in cited)
    source = (ROOT / "tests/test_engine.py").read_text(encoding="utf-8")
    assert "def test_one_layer_leaks_one_minus_p_to_the_k(" in source


def test_a_citation_of_a_missing_test_is_refused(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "docs" / "model" / "x.md"
    page.parent.mkdir(parents=True)
    page.write_text("`tests/test_engine.py::test_that_does_not_exist`\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_engine.py").write_text("def test_real():\n    pass\n")
    monkeypatch.setattr(evidence, "ROOT", tmp_path)
    monkeypatch.setattr(evidence, "DOCS", tmp_path / "docs")
    with pytest.raises(LookupError, match="test_that_does_not_exist"):
        evidence.cited()


@pytest.mark.skipif(
    os.environ.get("IADSIM_DOCS_BUILD") != "1",
    reason="the site's build runs every tutorial (minutes): make docs builds it in CI; "
    "IADSIM_DOCS_BUILD=1 runs this test",
)
def test_the_site_builds_strictly_offline_with_every_field(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    for page in PAGES:
        assert (site / page).is_file(), page
    # nothing fetched when a page is read: no web fonts, no script or style from elsewhere
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text, page
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", text), page
    for sheet in site.rglob("*.css"):
        text = sheet.read_text(encoding="utf-8")
        assert not re.search(r"@import\s+(url\()?[\"']?(https?:)?//", text), sheet

    # the tutorials ran: their output, and the commands' own, is in the pages
    def text_of(page: str) -> str:
        raw = (site / page).read_text(encoding="utf-8")
        return html.unescape(re.sub(r"<[^>]+>", "", raw))

    night = text_of("tutorials/night-raid.html")
    assert "leakers per night" in night
    assert "$ iadsim run examples/single_battery.yaml --replications 200 --seed 1" in night
    assert "Traceback" not in night
    assert "iadsim optimize procurement procurement.yaml" in text_of("tutorials/procurement.html")
    # every field of every input file kind is in its reference page
    for page, target in _markers().items():
        text = html.unescape((site / page).with_suffix(".html").read_text(encoding="utf-8"))
        for model_name, field in sorted(fields.field_names(fields.load(target))):
            assert f'id="{model_name.lower()}"' in text, (page, model_name)
            assert f"<code>{field}</code>" in text, (page, model_name, field)
