"""An append-only journal of station records, on disk (fsync) before the hub acknowledges a message.

Each line holds one station's whole durable record as it was when the line was written, so replaying
the journal over the last snapshot is idempotent and order is all that matters. Lines written in the
same event-loop turn share one write and one fsync (group commit). The journal is split in numbered
segments: a compaction starts a new segment, saves a snapshot, then removes the older segments.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
import json
import logging
import os
from pathlib import Path
from typing import IO, Any

_LOGGER = logging.getLogger(__name__)

Record = dict[str, Any] | None
RenderRecord = Callable[[str], Record]


class StateJournal:
    """Durable, ordered station records between two snapshots."""

    def __init__(self, path: str | Path) -> None:
        """``path`` names the journal; its segments are ``<path>.<n>``."""
        self.path = Path(path)
        self._segment = 0
        self._pending: dict[str, None] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._flush_scheduled = False
        self._render: RenderRecord | None = None
        # One thread: writes, rotations and removals happen in the order they were asked for.
        self._executor: ThreadPoolExecutor | None = None
        self._file: tuple[int, IO[str]] | None = None

    def bind(self, render: RenderRecord) -> None:
        """Set how a station id becomes its record; the record is rendered when its line is written."""
        self._render = render

    async def read(self) -> list[tuple[str, Record]]:
        """Every complete record of every segment, oldest first; the next writes go to a new segment."""
        records: list[tuple[str, Record]]
        records, last_segment = await self._run(self._read_sync)
        self._segment = last_segment + 1
        return records

    async def write(self, key: str) -> None:
        """Append ``key``'s current record; returns once it is on disk."""
        if self._render is None:
            raise RuntimeError("journal is not bound to a record renderer")
        self._pending[key] = None
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._submit)
        await waiter

    def rotate(self) -> int:
        """Send later writes to a new segment; returns the last segment a snapshot taken now covers."""
        self._submit()
        covered = self._segment
        self._segment += 1
        return covered

    async def discard(self, upto_segment: int) -> None:
        """Remove the segments up to ``upto_segment`` (a snapshot now holds their records)."""
        await self._run(self._discard_sync, upto_segment)

    async def close(self) -> None:
        """Write what is pending, release the file and stop the journal's thread."""
        self._submit()
        if self._executor is None:
            return
        await self._run(self._close_sync)
        executor, self._executor = self._executor, None
        await asyncio.get_running_loop().run_in_executor(None, executor.shutdown)

    def _thread(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="csms-journal")
        return self._executor

    def _submit(self) -> None:
        self._flush_scheduled = False
        if not self._pending:
            return
        keys, waiters = list(self._pending), self._waiters
        self._pending, self._waiters = {}, []
        try:
            text = "".join(_line(key, self._render(key) if self._render else None) for key in keys)
        except (TypeError, ValueError, RecursionError) as error:
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        future = asyncio.get_running_loop().run_in_executor(
            self._thread(), self._append_sync, self._segment, text
        )
        future.add_done_callback(lambda done: _settle(waiters, done))

    async def _run(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._thread(), function, *args)

    # ---- file work, on the journal's thread ------------------------------------------------

    def _segment_path(self, segment: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{segment}")

    def _segments(self) -> list[int]:
        prefix = self.path.name + "."
        found = []
        if self.path.parent.is_dir():
            for candidate in self.path.parent.iterdir():
                suffix = candidate.name.removeprefix(prefix)
                if candidate.name.startswith(prefix) and suffix.isdigit():
                    found.append(int(suffix))
        return sorted(found)

    def _read_sync(self) -> tuple[list[tuple[str, Record]], int]:
        records: list[tuple[str, Record]] = []
        segments = self._segments()
        for segment in segments:
            with self._segment_path(segment).open(encoding="utf-8", errors="replace") as file:
                for number, line in enumerate(file, 1):
                    parsed = _parse(line)
                    if parsed is None:
                        # A line cut by a crash was never acknowledged: nothing is lost by skipping it.
                        _LOGGER.warning("Skipping unreadable journal line %s:%s", segment, number)
                        continue
                    records.append(parsed)
        return records, segments[-1] if segments else 0

    def _append_sync(self, segment: int, text: str) -> None:
        if self._file is None or self._file[0] != segment:
            self._close_sync()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            created = not self._segment_path(segment).exists()
            self._file = (segment, self._segment_path(segment).open("a", encoding="utf-8"))
            if created:
                _sync_directory(self.path.parent)
        file = self._file[1]
        file.write(text)
        file.flush()
        os.fsync(file.fileno())

    def _discard_sync(self, upto_segment: int) -> None:
        if self._file is not None and self._file[0] <= upto_segment:
            self._close_sync()
        for segment in self._segments():
            if segment <= upto_segment:
                self._segment_path(segment).unlink(missing_ok=True)

    def _close_sync(self) -> None:
        if self._file is not None:
            self._file[1].close()
            self._file = None


def _line(key: str, record: Record) -> str:
    return json.dumps({"k": key, "v": record}, separators=(",", ":"), allow_nan=False) + "\n"


def _parse(line: str) -> tuple[str, Record] | None:
    try:
        item = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(item, dict) or not isinstance(item.get("k"), str):
        return None
    record = item.get("v")
    return item["k"], record if isinstance(record, dict) else None


def _settle(waiters: list[asyncio.Future[None]], done: asyncio.Future[None]) -> None:
    error = asyncio.CancelledError() if done.cancelled() else done.exception()
    for waiter in waiters:
        if waiter.done():
            continue
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)


def _sync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not every platform opens directories; the file's own fsync still holds its data
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
