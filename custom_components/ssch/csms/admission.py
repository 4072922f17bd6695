"""Sockets that have not sent their upgrade request yet: a deadline, a size cap, a cap per source address.

Without them, idle or dribbling TCP connections from one address could hold every file descriptor of
the process and keep real stations out.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
import logging
from typing import Any

_LOGGER = logging.getLogger(__name__)


class Admission:
    """Tracks connections until their upgrade request arrives; closes the slow and the excess ones."""

    def __init__(self, handshake_timeout_s: float, per_address: int, handshake_bytes: int) -> None:
        self._timeout_s = handshake_timeout_s
        self._per_address = per_address
        self.handshake_bytes = handshake_bytes
        self._waiting: dict[asyncio.BaseTransport, tuple[str, asyncio.TimerHandle]] = {}
        self._counts: Counter[str] = Counter()
        self._refused_addresses: set[str] = set()

    def opened(self, transport: asyncio.BaseTransport) -> bool:
        """A new connection; ``False`` when its address already holds its share (it is then closed)."""
        address = _address(transport)
        if self._counts[address] >= self._per_address:
            if address not in self._refused_addresses and len(self._refused_addresses) < 1000:
                self._refused_addresses.add(address)
                _LOGGER.warning(
                    "OCPP server: %s holds %s connections that have not sent a request yet; further ones "
                    "are closed (logged once per address)",
                    address,
                    self._per_address,
                )
            _abort(transport)
            return False
        self._counts[address] += 1
        timer = asyncio.get_running_loop().call_later(self._timeout_s, self._expire, transport)
        self._waiting[transport] = (address, timer)
        return True

    def request_received(self, transport: asyncio.BaseTransport | None) -> None:
        """The whole upgrade request arrived; what follows (login, upgrade) is bounded by the server."""
        if transport is not None:
            self._release(transport)

    def waiting(self, transport: asyncio.BaseTransport) -> bool:
        """Whether the connection has not sent its whole request yet."""
        return transport in self._waiting

    def closed(self, transport: asyncio.BaseTransport) -> None:
        """The connection is gone."""
        self._release(transport)

    def close_all(self) -> None:
        """Server stop: cancel every deadline."""
        for _, timer in self._waiting.values():
            timer.cancel()
        self._waiting.clear()
        self._counts.clear()

    def _release(self, transport: asyncio.BaseTransport) -> None:
        found = self._waiting.pop(transport, None)
        if found is None:
            return
        address, timer = found
        timer.cancel()
        self._counts[address] -= 1
        if self._counts[address] <= 0:
            del self._counts[address]

    def _expire(self, transport: asyncio.BaseTransport) -> None:
        if transport in self._waiting:
            self._release(transport)
            _abort(transport)


class GuardedProtocol(asyncio.Protocol):
    """Puts :class:`Admission` in front of aiohttp's request handler for one connection."""

    def __init__(self, inner: asyncio.Protocol, admission: Admission) -> None:
        self._inner = inner
        self._admission = admission
        self._transport: asyncio.BaseTransport | None = None
        self._received = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._admission.opened(transport):
            self._transport = transport
            self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        transport = self._transport
        if transport is None:
            return
        if self._admission.waiting(transport):
            self._received += len(data)
            if self._received > self._admission.handshake_bytes:
                self._admission.closed(transport)
                _abort(transport)
                return
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._transport is not None else None

    def pause_writing(self) -> None:
        if self._transport is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._transport is not None:
            self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._admission.closed(self._transport)
            self._inner.connection_lost(exc)


def guarded_factory(factory: Callable[[], Any], admission: Admission) -> Callable[[], asyncio.Protocol]:
    """Wrap a protocol factory (aiohttp's low-level server) with :class:`GuardedProtocol`."""
    return lambda: GuardedProtocol(factory(), admission)


def _address(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"


def _abort(transport: asyncio.BaseTransport) -> None:
    if isinstance(transport, asyncio.Transport):
        transport.abort()
    else:
        transport.close()
