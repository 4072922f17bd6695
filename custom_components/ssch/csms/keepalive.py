"""Websocket liveness: ping a quiet station and close the connection when it does not answer.

aiohttp's own ``heartbeat`` re-arms its timer when a frame arrives while the socket is closing
(aiohttp 3.11), so a timer outlived such connections. Here one task per connection does the same
job and ends with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web


class KeepAlive:
    """Pings after ``interval_s`` without a frame from the station; ``interval_s / 2`` without an
    answer (a pong or any frame) and the station is gone."""

    def __init__(self, ws: web.WebSocketResponse, interval_s: float) -> None:
        self._ws = ws
        self._interval_s = interval_s
        self._heard = asyncio.Event()

    def heard(self) -> None:
        """A frame came from the station: it is there."""
        self._heard.set()

    async def watch(self, on_silent: Callable[[], Awaitable[None]]) -> None:
        """Run until the socket closes (or the task is cancelled); ``on_silent`` when the station
        stopped answering."""
        while not self._ws.closed:
            self._heard.clear()
            await asyncio.sleep(self._interval_s)
            if self._heard.is_set() or self._ws.closed:
                continue
            try:
                await self._ws.ping()
            except (ConnectionError, RuntimeError):
                return  # the socket is closing: the receive loop ends the session
            try:
                await asyncio.wait_for(self._heard.wait(), self._interval_s / 2)
            except TimeoutError:
                await on_silent()
                return
