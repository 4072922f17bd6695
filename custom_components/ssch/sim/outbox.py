"""Requests waiting to go to the CSMS, kept across disconnections like a real station does."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_CAPACITY = 2000


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One request (an ``ocpp`` call dataclass) and what to do with its response."""

    payload: Any
    on_result: Callable[[Any], None] | None = None


class Outbox:
    """FIFO of outgoing requests; the oldest entries go first when it overflows."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._items: deque[Outgoing] = deque(maxlen=capacity)
        self._ready = asyncio.Event()
        self.overflowed = 0

    def __len__(self) -> int:
        return len(self._items)

    def put(self, payload: Any, on_result: Callable[[Any], None] | None = None) -> None:
        if len(self._items) == self._items.maxlen:
            self.overflowed += 1
        self._items.append(Outgoing(payload, on_result))
        self._ready.set()

    def put_first(self, payload: Any) -> None:
        """Queue a request ahead of the backlog (the status report right after a boot)."""
        self._items.appendleft(Outgoing(payload))
        self._ready.set()

    async def peek(self) -> Outgoing:
        """Wait for and return the oldest entry without removing it."""
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        return self._items[0]

    def pop(self, item: Outgoing) -> None:
        """Remove ``item`` once it has been answered (or given up on)."""
        if self._items and self._items[0] is item:
            self._items.popleft()
