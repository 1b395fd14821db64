"""The documentation site: it builds strictly, and its references cover what they must.

The tests check the generated references and the cited tests without building, and the
checker of a built site (``docs/hooks/check_site.py``) on small sites made here. ``make docs``
(in CI) builds the site with ``mkdocs build --strict`` (warnings are errors: broken links
and references, a tutorial whose code fails), then runs that checker on it: the main pages
are there, nothing is fetched when a page is read, and the file reference lists every field
of every input file kind.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from repo_paths import ROOT

DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "hooks"))

import check_site  # noqa: E402  (docs/hooks is not a package)
import evidence  # noqa: E402
import fields  # noqa: E402

from iadsim.scenario import versions  # noqa: E402


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
    source = (ROOT / "tests/engine/test_engine.py").read_text(encoding="utf-8")
    assert "def test_one_layer_leaks_one_minus_p_to_the_k(" in source


def test_a_citation_of_a_missing_test_is_refused(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "docs" / "model" / "x.md"
    page.parent.mkdir(parents=True)
    page.write_text("`tests/engine/test_engine.py::test_that_does_not_exist`\n", encoding="utf-8")
    (tmp_path / "tests" / "engine").mkdir(parents=True)
    (tmp_path / "tests" / "engine" / "test_engine.py").write_text("def test_real():\n    pass\n")
    monkeypatch.setattr(evidence, "ROOT", tmp_path)
    monkeypatch.setattr(evidence, "DOCS", tmp_path / "docs")
    with pytest.raises(LookupError, match="test_that_does_not_exist"):
        evidence.cited()


def test_a_citation_by_a_test_file_path_that_moved_is_refused(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # tests mirror the package: tests/test_engine.py is now tests/engine/test_engine.py
    page = tmp_path / "docs" / "model" / "x.md"
    page.parent.mkdir(parents=True)
    page.write_text("`tests/test_engine.py::test_real`\n", encoding="utf-8")
    (tmp_path / "tests" / "engine").mkdir(parents=True)
    (tmp_path / "tests" / "engine" / "test_engine.py").write_text("def test_real():\n    pass\n")
    monkeypatch.setattr(evidence, "ROOT", tmp_path)
    monkeypatch.setattr(evidence, "DOCS", tmp_path / "docs")
    with pytest.raises(LookupError, match=r"test_real \(no file tests/test_engine\.py\)"):
        evidence.cited()
    page.write_text("`tests/engine/test_engine.py::test_real`\n", encoding="utf-8")
    assert evidence.cited() == {"model/x.md": [("tests/engine/test_engine.py", "test_real")]}


def test_the_site_check_finds_what_a_built_site_must_not_have(tmp_path: Path) -> None:
    # make docs builds the site strictly (every tutorial run) and then runs this check
    site = tmp_path / "site"
    (site / "tutorials").mkdir(parents=True)
    (site / "index.html").write_text('<script src="/assets/app.js"></script>', encoding="utf-8")
    page = "tutorials/night-raid.html"
    (site / page).write_text(
        "<p>leakers per night</p><pre>$ iadsim run examples/single_battery.yaml "
        "--replications 200 --seed 1</pre>",
        encoding="utf-8",
    )
    assert check_site.problems(site, pages=["index.html", page], references=False) == []
    (site / "index.html").write_text(
        '<link href="https://fonts.googleapis.com/css"><script src="//cdn.x/a.js"></script>',
        encoding="utf-8",
    )
    (site / "style.css").write_text("@import url('https://cdn.x/s.css');", encoding="utf-8")
    (site / page).write_text("<pre>Traceback (most recent call last)</pre>", encoding="utf-8")
    found = check_site.problems(site, pages=["index.html", page, "quickstart.html"])
    assert "missing page quickstart.html" in found
    assert "index.html: web fonts" in found
    assert "index.html: a script or style from elsewhere" in found
    assert "style.css: a stylesheet imported from elsewhere" in found
    assert f"{page}: a traceback" in found
    assert f"{page}: no 'leakers per night'" in found
    assert any(line.startswith("missing reference page reference/") for line in found)


def test_the_site_check_lists_every_field_of_every_input_kind() -> None:
    assert set(check_site.markers()) == set(_markers())
    assert set(check_site.PAGES) >= {"model/network.html", "reference/scenario.html"}
