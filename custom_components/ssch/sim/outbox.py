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
    """One request and what to do with its response.

    The request is an ``ocpp`` call dataclass, or a function that builds it when it is sent: a
    1.6 MeterValues queued while offline only learns its transaction id from the answer to the
    StartTransaction ahead of it. A builder that returns None has nothing left to send.
    """

    payload: Any
    on_result: Callable[[Any], None] | None = None
    build: Callable[[], Any | None] | None = None

    def request(self) -> Any | None:
        """Return the call dataclass to send now, or None when there is nothing to send."""
        return self.build() if self.build is not None else self.payload


class Outbox:
    """FIFO of outgoing requests; the oldest entries go first when it overflows."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._items: deque[Outgoing] = deque(maxlen=capacity)
        self._ready = asyncio.Event()
        self.overflowed = 0

    def __len__(self) -> int:
        return len(self._items)

    def put(self, payload: Any, on_result: Callable[[Any], None] | None = None) -> None:
        self._append(Outgoing(payload, on_result))

    def put_built_later(
        self, build: Callable[[], Any | None], on_result: Callable[[Any], None] | None = None
    ) -> None:
        """Queue a request that is built only when its turn comes (see :class:`Outgoing`)."""
        self._append(Outgoing(None, on_result, build))

    def _append(self, item: Outgoing) -> None:
        if len(self._items) == self._items.maxlen:
            self.overflowed += 1
        self._items.append(item)
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
