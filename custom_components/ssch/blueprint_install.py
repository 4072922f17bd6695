"""Copy the automation blueprints shipped with the integration into the user's configuration.

HACS installs only ``custom_components/ssch``, so the blueprints travel inside the package and are put
where Home Assistant looks for them on setup. A file the user already has is never replaced: the user may
have edited it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

SHIPPED_BLUEPRINTS = Path(__file__).parent / "blueprints" / "automation"


def blueprint_folder(config_dir: str | Path) -> Path:
    """The folder under a configuration directory that holds this integration's automation blueprints."""
    return Path(config_dir) / "blueprints" / "automation" / DOMAIN


def install_blueprints(config_dir: str | Path) -> list[Path]:
    """Copy every shipped blueprint that is missing from the configuration; return the files written.

    Blocking file I/O: run it in an executor. A configuration that cannot be written leaves the
    integration working without the blueprints, so the problem is logged instead of raised.
    """
    target_folder = blueprint_folder(config_dir)
    written: list[Path] = []
    try:
        for source in sorted(SHIPPED_BLUEPRINTS.glob("*.yaml")):
            target = target_folder / source.name
            if target.exists():
                continue
            target_folder.mkdir(parents=True, exist_ok=True)
            if _write_new_file(target, source.read_bytes()):
                written.append(target)
    except OSError as err:
        _LOGGER.warning("Could not install the automation blueprints into %s: %s", target_folder, err)
    if written:
        _LOGGER.info("Installed automation blueprints: %s", ", ".join(path.name for path in written))
    return written


def _write_new_file(target: Path, content: bytes) -> bool:
    """Create ``target`` with ``content`` unless it exists by now; exclusive creation never overwrites."""
    try:
        file = target.open("xb")
    except FileExistsError:
        return False
    try:
        with file:
            file.write(content)
    except OSError:
        # A truncated copy would count as the user's own file from now on and never be repaired.
        target.unlink(missing_ok=True)
        raise
    return True
