"""The committed plan card bundle is built from the current frontend sources (run scripts/build-frontend)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
import re
import shutil
import subprocess

import pytest

from custom_components.ssch.dashboard.registration import BUNDLE

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
# The files build.mjs hashes beside everything under src/.
INPUTS = ("build.mjs", "package.json", "package-lock.json", "tsconfig.json")
BANNER = re.compile(rb"^/\* ssch-plan-card (\S+) source-sha256 ([0-9a-f]{64}) \*/")


def source_hash() -> str:
    """The same hash as ``sourceHash`` in frontend/build.mjs."""
    paths = sorted(
        [*INPUTS, *(p.relative_to(FRONTEND).as_posix() for p in (FRONTEND / "src").rglob("*") if p.is_file())]
    )
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.encode() + b"\0")
        digest.update((FRONTEND / path).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_the_bundle_was_built_from_the_current_sources() -> None:
    banner = BANNER.match(BUNDLE.read_bytes())
    assert banner is not None, "the bundle has no source banner: run scripts/build-frontend"
    assert banner.group(2).decode() == source_hash(), "frontend/ changed: run scripts/build-frontend"


def test_the_bundle_names_the_package_version() -> None:
    banner = BANNER.match(BUNDLE.read_bytes())
    assert banner is not None
    package = (FRONTEND / "package.json").read_text()
    assert f'"version": "{banner.group(1).decode()}"' in package


def test_dependencies_are_pinned_exactly() -> None:
    package = (FRONTEND / "package.json").read_text()
    versions = re.findall(r'"[@\w/.-]+": "([^"]+)"', package.split('"dependencies"', 1)[1])
    assert versions
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in versions), versions


@pytest.mark.skipif(
    shutil.which("node") is None or not (FRONTEND / "node_modules").is_dir(),
    reason="needs Node and frontend/node_modules (scripts/setup runs npm ci)",
)
def test_a_fresh_build_equals_the_committed_bundle(tmp_path: Path) -> None:
    out = tmp_path / "bundle.js"
    subprocess.run(
        ["node", "build.mjs"],
        cwd=FRONTEND,
        env=os.environ | {"SSCH_BUNDLE_OUT": str(out)},
        check=True,
        timeout=120,
    )
    assert out.read_bytes() == BUNDLE.read_bytes()
