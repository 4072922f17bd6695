"""When the process runs out of file descriptors, asyncio reports every failed accept of the listening
socket to the loop's exception handler (about once a second while it lasts). The server reports it once
per episode instead, naming the limit, and leaves every other report to the handler it found."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import logging
import resource
import time
from typing import Any

_LOGGER = logging.getLogger(__name__)
_ACCEPT_FAILED = "socket.accept() out of system resource"
_QUIET_S = 3600.0

Handler = Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object]


class AcceptFailureReporter:
    """Wraps a loop's exception handler while a server listens."""

    def __init__(self, loop: asyncio.AbstractEventLoop, listening: Callable[[], list[Any]]) -> None:
        self._loop = loop
        self._listening = listening
        self._previous: Handler | None = None
        self._reported_at: float | None = None
        self.suppressed = 0

    def install(self) -> None:
        """Start filtering the accept failures of this server's sockets."""
        self._previous = self._loop.get_exception_handler()
        self._loop.set_exception_handler(self._handle)

    def uninstall(self) -> None:
        """Give the loop its handler back (unless someone replaced ours meanwhile)."""
        if self._loop.get_exception_handler() == self._handle:
            self._loop.set_exception_handler(self._previous)

    def _handle(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") == _ACCEPT_FAILED and self._ours(context.get("socket")):
            now = time.monotonic()
            if self._reported_at is None or now - self._reported_at > _QUIET_S:
                soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
                _LOGGER.error(
                    "The OCPP server cannot accept connections: the process has no file descriptors "
                    "left (limit %s): %s. Stations are refused until some close (reported once an hour)",
                    soft,
                    context.get("exception"),
                )
                self._reported_at = now
            else:
                self.suppressed += 1
            return
        if self._previous is not None:
            self._previous(loop, context)
        else:
            loop.default_exception_handler(context)

    def _ours(self, candidate: object) -> bool:
        fileno = getattr(candidate, "fileno", None)
        if fileno is None:
            return False
        return any(sock.fileno() == fileno() for sock in self._listening())
