"""The stations' durable state: journaled before a message is acknowledged, snapshotted in the background."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import logging
from typing import Any

from .journal import RenderRecord, StateJournal
from .store import StateStore

_LOGGER = logging.getLogger(__name__)


class Persistence:
    """Owns the snapshot store and the journal of one server.

    Without a journal (tests, load runs with a memory store) :meth:`persist` only schedules a snapshot.
    """

    def __init__(
        self,
        store: StateStore,
        journal: StateJournal | None,
        snapshot: Callable[[], dict[str, Any]],
        record: RenderRecord,
        delay_s: float,
    ) -> None:
        self._store = store
        self._journal = journal
        self._snapshot = snapshot
        self._delay_s = delay_s
        self._scheduled: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._failing = False
        if journal is not None:
            journal.bind(record)

    async def load(self) -> dict[str, Any]:
        """The last snapshot with every journaled record after it applied."""
        data = dict(await self._store.load() or {})
        if self._journal is None:
            return data
        stations = data.get("stations")
        stations = dict(stations) if isinstance(stations, dict) else {}
        for station_id, record in await self._journal.read():
            if record is None:
                stations.pop(station_id, None)
            else:
                stations[station_id] = record
        data["stations"] = stations
        return data

    async def persist(self, station_id: str) -> None:
        """Make the station's current record durable; raises ``OSError`` when the disk refuses it."""
        if self._journal is not None:
            await self._journal.write(station_id)
        self.mark_dirty()

    def mark_dirty(self) -> None:
        """Schedule a snapshot unless one is already scheduled."""
        if self._scheduled is None or self._scheduled.done():
            self._scheduled = asyncio.get_running_loop().create_task(self._save_later())

    async def _save_later(self) -> None:
        await asyncio.sleep(self._delay_s)
        try:
            await self.save()
        except Exception as error:
            if not self._failing:
                _LOGGER.error("Saving the station state failed (the journal keeps the records): %r", error)
            self._failing = True
        else:
            if self._failing:
                _LOGGER.info("Saving the station state works again")
            self._failing = False

    async def save(self) -> None:
        """Write a snapshot now, then drop the journal segments it holds; raises on failure."""
        async with self._lock:
            data = self._snapshot()
            covered = self._journal.rotate() if self._journal is not None else None
            await self._store.save(data)
            if self._journal is not None and covered is not None:
                await self._journal.discard(covered)

    async def release(self) -> None:
        """Stop without saving (the server never started): the journal keeps what it holds."""
        if self._journal is not None:
            await self._journal.close()

    async def close(self) -> None:
        """Cancel a scheduled snapshot, save now and close the journal; raises when the save failed."""
        if self._scheduled is not None and not self._scheduled.done():
            self._scheduled.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._scheduled
        self._scheduled = None
        try:
            await self.save()
        finally:
            if self._journal is not None:
                await self._journal.close()
