"""Every requirement of the integration's manifest installs as a wheel where Home Assistant runs.

HACS installs only the manifest's requirements, and Home Assistant OS and Container (Alpine, musl) have
no compilers: a requirement without a wheel for one of these platforms stops the integration loading
there. For each requirement and each (Python, platform) pair this asks the package registry with
``pip download --only-binary=:all: --no-deps`` and checks that the wheel accepts the numpy that Home
Assistant pins for that Python.

    python scripts/check_wheels.py [--manifest PATH]
"""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
import json
from pathlib import Path
import subprocess
import sys
import tempfile
import zipfile

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "custom_components" / "ssch" / "manifest.json"
PYTHONS = ("3.13", "3.14")
PLATFORMS = (
    "musllinux_1_2_x86_64",
    "musllinux_1_2_aarch64",
    "manylinux_2_28_x86_64",
    "manylinux_2_28_aarch64",
)
# The numpy Home Assistant pins (its package_constraints.txt): 2025.4 runs Python 3.13 with numpy 2.2.2;
# the 2026 releases run Python 3.14 with numpy 2.3.
HA_NUMPY = {"3.13": Version("2.2.2"), "3.14": Version("2.3.5")}


@dataclass(frozen=True, slots=True)
class Check:
    requirement: str
    python: str
    platform: str

    def describe(self) -> str:
        return f"{self.requirement} for CPython {self.python} on {self.platform}"


def requirements(manifest: Path) -> list[str]:
    return list(json.loads(manifest.read_text())["requirements"])


def numpy_requirement(wheel: Path) -> Requirement | None:
    """The wheel's own requirement on numpy, if it has one."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    for line in metadata.splitlines():
        if line.startswith("Requires-Dist:"):
            requirement = Requirement(line.removeprefix("Requires-Dist:").strip())
            if requirement.name.lower() == "numpy" and requirement.marker is None:
                return requirement
    return None


def run(check: Check) -> str | None:
    """None when the wheel exists and fits Home Assistant's numpy, else what is wrong."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--only-binary=:all:", "--no-deps", "--implementation", "cp",
            "--platform", check.platform, "--python-version", check.python,
            "--dest", folder, check.requirement,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
        wheels = list(Path(folder).glob("*.whl"))
        if result.returncode != 0 or not wheels:
            return f"no wheel: {check.describe()}"
        numpy = numpy_requirement(wheels[0])
        pinned = HA_NUMPY[check.python]
        if numpy is not None and not numpy.specifier.contains(pinned, prereleases=True):
            wheel = wheels[0].name
            return f"{wheel} needs {numpy}, Home Assistant pins numpy {pinned} for CPython {check.python}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    args = parser.parse_args()
    checks = [
        Check(requirement, python, platform)
        for requirement in requirements(args.manifest)
        for python in PYTHONS
        for platform in PLATFORMS
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        problems = [problem for problem in pool.map(run, checks) if problem]
    for problem in problems:
        print(f"check-wheels: {problem}", file=sys.stderr)
    if problems:
        print(f"check-wheels: {len(problems)} of {len(checks)} checks failed", file=sys.stderr)
        return 1
    pairs = len(PYTHONS) * len(PLATFORMS)
    print(f"check-wheels: {len(checks) // pairs} requirements have wheels for all {pairs} platforms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
