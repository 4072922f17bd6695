"""The brain, the OCPP edge and the simulator run without Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "custom_components" / "ssch"
HA_FREE = ("core", "csms", "sim")
# The community protocol and aggregator run in Home Assistant and on their own (``python -m ...vpp``).
HA_FREE_MODULES = tuple(
    f"vpp/{name}.py"
    for name in (
        "__init__",
        "__main__",
        "aggregator",
        "cli",
        "envelope_book",
        "member",
        "messages",
        "orders",
        "paho_link",
        "protocol",
        "refusals",
        "simulated",
        "split",
        "topics",
    )
)


def _ha_free_files() -> list[Path]:
    return [path for sub in HA_FREE for path in (PACKAGE / sub).rglob("*.py")] + [
        PACKAGE / module for module in HA_FREE_MODULES
    ]


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("subpackage", [*HA_FREE, *HA_FREE_MODULES])
def test_no_homeassistant_import_in_source(subpackage: str) -> None:
    """No file of the subpackage (or HA-free module) names homeassistant in an import."""
    root = PACKAGE / subpackage
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] == "homeassistant"
        )
        for path in (root.rglob("*.py") if root.is_dir() else [root])
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_subpackages_import_without_loading_homeassistant() -> None:
    """Importing every module of the HA-free subpackages leaves homeassistant out of sys.modules."""
    modules = sorted(
        "custom_components.ssch." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        for path in _ha_free_files()
        if path.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'homeassistant')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PACKAGE.parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
