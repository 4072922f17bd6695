"""Persistence of the durable station state, behind a small protocol the HA layer implements."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
import time
from typing import Any, Protocol

_LOGGER = logging.getLogger(__name__)


class StateStore(Protocol):
    """Loads and saves one JSON-ready dict."""

    async def load(self) -> dict[str, Any] | None:
        """Return the saved data, or ``None`` when nothing was saved yet."""

    async def save(self, data: dict[str, Any]) -> None:
        """Persist ``data``, replacing what was saved before."""


class MemoryStore:
    """Keeps the data in memory (tests, load runs)."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data = data
        self.saves = 0

    async def load(self) -> dict[str, Any] | None:
        return self.data

    async def save(self, data: dict[str, Any]) -> None:
        self.data = json.loads(json.dumps(data))
        self.saves += 1


class JsonFileStore:
    """A JSON file written atomically and synced off the event loop (standalone mode).

    An unreadable file is moved aside (``<name>.corrupt.<time>``) and never overwritten, as Home
    Assistant's own storage does; :attr:`problem` then says where it went.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.problem: str | None = None

    async def load(self) -> dict[str, Any] | None:
        return await asyncio.get_running_loop().run_in_executor(None, self._read)

    async def save(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, separators=(",", ":"), allow_nan=False)
        await asyncio.get_running_loop().run_in_executor(None, self._write, text)

    def _read(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            loaded = json.loads(text)
        except (ValueError, RecursionError) as error:
            self._set_aside(error)
            return None
        if not isinstance(loaded, dict):
            self._set_aside(ValueError("not a JSON object"))
            return None
        return loaded

    def _set_aside(self, error: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.corrupt.{time.strftime('%Y%m%dT%H%M%S')}")
        os.replace(self.path, aside)
        self.problem = f"unreadable state file {self.path} ({error}) was moved to {aside}"
        _LOGGER.error("The %s; restore it from a backup if the stations' counters matter", self.problem)

    def _write(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        with temporary.open("w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
