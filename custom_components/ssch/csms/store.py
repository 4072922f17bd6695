"""Persistence of the durable station state, behind a small protocol the HA layer implements."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import json
import logging
import os
from pathlib import Path
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
    """A JSON file written atomically off the event loop (standalone mode)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    async def load(self) -> dict[str, Any] | None:
        return await asyncio.get_running_loop().run_in_executor(None, self._read)

    async def save(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, separators=(",", ":"))
        await asyncio.get_running_loop().run_in_executor(None, self._write, text)

    def _read(self) -> dict[str, Any] | None:
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            _LOGGER.warning("Ignoring unreadable state file %s", self.path)
            return None
        return loaded if isinstance(loaded, dict) else None

    def _write(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path)


class DebouncedSaver:
    """Coalesces "state changed" marks into at most one save per ``delay_s``."""

    def __init__(self, store: StateStore, snapshot: Callable[[], dict[str, Any]], delay_s: float) -> None:
        self._store = store
        self._snapshot = snapshot
        self._delay_s = delay_s
        self._task: asyncio.Task[None] | None = None

    def mark_dirty(self) -> None:
        """Schedule a save unless one is already scheduled."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._save_later())

    async def _save_later(self) -> None:
        await asyncio.sleep(self._delay_s)
        await self._save_now()

    async def _save_now(self) -> None:
        try:
            await self._store.save(self._snapshot())
        except Exception:
            _LOGGER.exception("Saving the station state failed")

    async def flush(self) -> None:
        """Cancel a scheduled save and save immediately."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
        await self._save_now()
