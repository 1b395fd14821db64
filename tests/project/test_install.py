"""The lock file pins, with hashes, everything pyproject.toml asks for, within its ranges.

``make demo``, ``make test`` and CI install requirements/lock.txt with
``pip install --require-hashes``; a dependency added to pyproject.toml but not
locked (``make lock``) would be missing on a fresh machine, and one locked
outside its range would never have been tested by anyone.
"""

from __future__ import annotations

import re
import sys
import tomllib

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from repo_paths import ROOT

LOCK = ROOT / "requirements" / "lock.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _locked() -> dict[str, list[tuple[Version, str | None, int]]]:
    """Locked pins by name: (version, marker, number of hashes)."""
    pins: dict[str, list[tuple[Version, str | None, int]]] = {}
    current: tuple[str, Version, str | None] | None = None
    hashes = 0

    def close() -> None:
        if current is not None:
            name, version, marker = current
            pins.setdefault(name, []).append((version, marker, hashes))

    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            close()
            current = (canonicalize_name(match[1]), Version(match[2]), match[3])
            hashes = 0
        elif line.strip().startswith("--hash=sha256:"):
            hashes += 1
        elif line.strip() and not line.lstrip().startswith("#"):
            raise AssertionError(f"unexpected line in {LOCK.name}: {line!r}")
    close()
    return pins


def _wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    texts = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["ray"],
        *project["dependency-groups"]["dev"],
        *project["build-system"]["requires"],
    ]
    build = (ROOT / "requirements" / "build.in").read_text(encoding="utf-8")
    texts += [line for line in build.splitlines() if line.strip() and not line.startswith("#")]
    return [Requirement(text) for text in texts]


def _applies(marker: str | None) -> bool:
    return marker is None or Marker(marker).evaluate()


def test_every_pin_has_hashes() -> None:
    pins = _locked()
    assert len(pins) > 20
    for name, entries in pins.items():
        for version, _, hashes in entries:
            assert hashes >= 1, f"{name}=={version} has no hash"


def test_lock_holds_every_requirement_within_its_range() -> None:
    pins = _locked()
    for requirement in _wanted():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        here = [v for v, marker, _ in pins.get(name, []) if _applies(marker)]
        assert here, f"{requirement} is not in {LOCK.name} for Python {sys.version.split()[0]}"
        for version in here:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{LOCK.name} pins {name}=={version}, outside pyproject's {requirement}"
            )


def test_ray_extra_brings_the_client() -> None:
    ray = [r for r in _wanted() if canonicalize_name(r.name) == "ray"]
    assert ray and all("client" in r.extras for r in ray), "--address ray://... needs ray[client]"
    assert "grpcio" in _locked(), "ray[client] needs grpcio in the lock"
