"""Installing the shipped blueprints into a configuration directory without touching the user's files."""

from __future__ import annotations

from collections.abc import Callable
import errno
import logging
from pathlib import Path
from typing import IO, Any

import pytest

from custom_components.ssch.blueprint_install import SHIPPED_BLUEPRINTS, blueprint_folder, install_blueprints

SHIPPED = sorted(path.name for path in SHIPPED_BLUEPRINTS.glob("*.yaml"))


def test_copies_every_shipped_blueprint_into_the_ssch_folder(tmp_path: Path) -> None:
    written = install_blueprints(str(tmp_path))

    folder = tmp_path / "blueprints" / "automation" / "ssch"
    assert blueprint_folder(tmp_path) == folder
    assert len(SHIPPED) == 6
    assert written == [folder / name for name in SHIPPED]
    for name in SHIPPED:
        assert (folder / name).read_bytes() == (SHIPPED_BLUEPRINTS / name).read_bytes()


def test_second_install_writes_nothing(tmp_path: Path) -> None:
    install_blueprints(tmp_path)

    assert install_blueprints(tmp_path) == []


def test_never_overwrites_a_file_the_user_has(tmp_path: Path) -> None:
    folder = blueprint_folder(tmp_path)
    folder.mkdir(parents=True)
    edited = folder / "notify_car_ready.yaml"
    edited.write_text("blueprint: {name: my own version}\n")

    written = install_blueprints(tmp_path)

    assert edited.read_text() == "blueprint: {name: my own version}\n"
    assert [path.name for path in written] == [name for name in SHIPPED if name != "notify_car_ready.yaml"]


def test_a_file_created_after_the_check_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = blueprint_folder(tmp_path)
    folder.mkdir(parents=True)
    raced = folder / "grid_event.yaml"
    raced.write_text("user: file\n")
    # The user's file appears between the existence check and the copy.
    monkeypatch.setattr(Path, "exists", lambda _path: False)

    written = install_blueprints(tmp_path)

    assert raced.read_text() == "user: file\n"
    assert "grid_event.yaml" not in [path.name for path in written]
    assert len(written) == len(SHIPPED) - 1


def test_an_unwritable_configuration_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_directory = tmp_path / "configuration"
    not_a_directory.write_text("")

    with caplog.at_level(logging.WARNING):
        assert install_blueprints(not_a_directory) == []

    assert "Could not install the automation blueprints" in caplog.text


class _FullDisk:
    """A file whose writes fail as on a full disk."""

    def __init__(self, real: IO[bytes]) -> None:
        self._real = real

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._real.close()

    def write(self, _content: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_leaves_no_truncated_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_open: Callable[..., Any] = Path.open

    def open_on_full_disk(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        file = real_open(path, mode, *args, **kwargs)
        return _FullDisk(file) if "x" in mode else file

    monkeypatch.setattr(Path, "open", open_on_full_disk)

    assert install_blueprints(tmp_path) == []

    assert list(blueprint_folder(tmp_path).iterdir()) == []
    assert "No space left on device" in caplog.text
