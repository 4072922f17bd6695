"""Modules sit where their imports say they belong: nothing free of Home Assistant hides in its layer.

A module outside ``core``, ``csms`` and ``sim`` that imports neither Home Assistant nor a module of the
integration that does is HA-free: it belongs in ``core`` (or on the short list below, with its reason),
where the import-boundary test keeps it free of Home Assistant.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "custom_components" / "ssch"
HA_FREE_PACKAGES = ("core", "csms", "sim")
# HA-free on purpose outside core: names and constants, package docstrings, the blueprint copy (it only
# copies files into Home Assistant's folder), the community protocol that also runs standalone.
ALLOWED = {"const.py", "blueprint_install.py"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> tuple[bool, set[str]]:
    """Whether the module imports homeassistant, and the integration's modules it imports."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    uses_ha = False
    own: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base])
                base = base.rstrip(".")
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        uses_ha |= any(name.split(".")[0] == "homeassistant" for name in names)
        own |= {name for name in names if name.startswith("custom_components.ssch.")}
    return uses_ha, own


def _ha_layer() -> set[str]:
    """Modules that import Home Assistant, directly or through another module of the integration."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {name: _imports(path) for name, path in modules.items()}
    layer = {name for name, (uses_ha, _) in graph.items() if uses_ha}
    changed = True
    while changed:
        changed = False
        for name, (_, own) in graph.items():
            if name not in layer and any(target in layer for target in own):
                layer.add(name)
                changed = True
    return layer


def test_ha_free_modules_live_in_the_ha_free_packages() -> None:
    layer = _ha_layer()
    misplaced = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in HA_FREE_PACKAGES
        and path.name not in ("__init__.py", "__main__.py")
        and str(path.relative_to(PACKAGE)) not in ALLOWED
        and not str(path.relative_to(PACKAGE)).startswith("vpp/")
        and _module_name(path) not in layer
    )
    assert misplaced == []
