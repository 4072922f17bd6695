"""The connection of one station to its CSMS: connect, boot, heartbeat, send, reconnect."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from typing import Any, Protocol

import aiohttp
from ocpp.exceptions import OCPPError

from .config import StationConfig
from .link import ConnectionLostError, StationChargePoint, WebsocketConnection
from .outbox import Outbox
from .stats import LinkStats

_LOGGER = logging.getLogger(__name__)
_MALFORMED_FRAMES = (
    "this is not json",
    '{"not": "an array"}',
    '[9, "bad-type", "Heartbeat", {}]',
    '[2, "missing-payload"]',
)
# How long (real) a graceful reconnect waits for queued requests, such as a StopTransaction, to go out.
_FLUSH_BEFORE_RECONNECT_S = 2.0
_RECOVERABLE = (aiohttp.ClientError, ConnectionLostError, OSError, TimeoutError, OCPPError)


class SessionListener(Protocol):
    """What the connection tells the station about (inbound CALLs go to the charge point)."""

    @property
    def heartbeat_interval_s(self) -> float | None: ...

    def on_online(self, heartbeat_interval_s: float) -> None: ...

    def on_offline(self) -> None: ...


class OcppDialect(Protocol):
    """The version-specific pieces a connection needs."""

    def charge_point(self, connection: WebsocketConnection) -> StationChargePoint: ...

    def boot_notification(self) -> Any: ...

    def heartbeat(self) -> Any: ...


class StationSession:
    """Keeps one station connected, reconnecting with exponential backoff."""

    def __init__(
        self,
        config: StationConfig,
        listener: SessionListener,
        dialect: OcppDialect,
        *,
        outbox: Outbox,
        stats: LinkStats,
        http: aiohttp.ClientSession,
    ) -> None:
        self._config = config
        self._listener = listener
        self._dialect = dialect
        self._outbox = outbox
        self._stats = stats
        self._http = http
        self._connection: WebsocketConnection | None = None
        self._charge_point: StationChargePoint | None = None
        self._reported: set[str] = set()
        self.connected = False

    async def run_forever(self) -> None:
        """Connect, converse, and reconnect after every loss until cancelled."""
        backoff = self._config.reconnect_initial_s
        while True:
            booted = False
            try:
                booted = await self._run_once()
            except _RECOVERABLE as err:
                self._report_once(type(err).__name__, "connection to %s failed: %s", err)
            finally:
                if self.connected:
                    self.connected = False
                    self._listener.on_offline()
            if booted:
                backoff = self._config.reconnect_initial_s
            await asyncio.sleep(backoff * random.uniform(0.8, 1.2))
            backoff = min(self._config.reconnect_max_s, backoff * 2)

    async def drop(self) -> None:
        """Lose the current connection; the station reconnects and sends what it still holds."""
        if self._connection is not None:
            await self._connection.close()

    async def reconnect(self, *, flush_first: bool) -> None:
        """Drop the connection as a rebooting station does (``flush_first``: once the queue is sent)."""
        if flush_first:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + _FLUSH_BEFORE_RECONNECT_S
            while self._outbox and loop.time() < deadline:  # noqa: ASYNC110 - the queue has no event
                await asyncio.sleep(0.01)
        await self.drop()

    async def send_raw(self, text: str) -> None:
        """Send a frame as is (to test how a server copes with garbage)."""
        if self._connection is None:
            raise ConnectionLostError("not connected")
        await self._connection.send(text)

    async def _run_once(self) -> bool:
        """Run one connection; return whether the CSMS accepted the boot."""
        config = self._config
        auth = aiohttp.BasicAuth(config.station_id, config.password) if config.password else None
        websocket = await self._http.ws_connect(
            config.endpoint,
            protocols=(config.ocpp_version.subprotocol,),
            auth=auth,
            autoping=True,
            timeout=aiohttp.ClientWSTimeout(ws_close=2.0),
        )
        try:
            if websocket.protocol != config.ocpp_version.subprotocol:
                raise ConnectionLostError(f"server chose subprotocol {websocket.protocol!r}")
            self._stats.connects += 1
            self._connection = WebsocketConnection(websocket)
            self._charge_point = self._dialect.charge_point(self._connection)
            tasks = [
                asyncio.create_task(self._charge_point.start()),
                asyncio.create_task(self._converse(self._charge_point)),
            ]
            await _until_first_ends(tasks)
            return self.connected
        finally:
            self._connection = None
            self._charge_point = None
            await websocket.close()

    async def _converse(self, charge_point: StationChargePoint) -> None:
        interval = await self._boot(charge_point)
        self.connected = True
        self._listener.on_online(interval)
        tasks = [
            asyncio.create_task(self._heartbeat(interval)),
            asyncio.create_task(self._drain_outbox(charge_point)),
        ]
        garbage_every_s = self._config.misbehaviour.malformed_frame_every_s
        if garbage_every_s:
            tasks.append(asyncio.create_task(self._send_garbage(garbage_every_s)))
        await _until_first_ends(tasks)

    async def _boot(self, charge_point: StationChargePoint) -> float:
        while True:
            result = await self.call(charge_point, self._dialect.boot_notification())
            interval = float(result.interval) if result.interval else self._config.heartbeat_fallback_s
            if result.status == "Accepted":
                return interval
            self._report_once(f"boot-{result.status}", "boot of %s answered %s", result.status)
            await asyncio.sleep(max(1.0, interval))

    async def _heartbeat(self, boot_interval_s: float) -> None:
        while True:
            # The station may have been told a new interval since the boot.
            await asyncio.sleep(self._listener.heartbeat_interval_s or boot_interval_s)
            self._outbox.put(self._dialect.heartbeat())

    async def _drain_outbox(self, charge_point: StationChargePoint) -> None:
        while True:
            item = await self._outbox.peek()
            payload = item.request()
            if payload is None:
                self._outbox.pop(item)
                continue
            try:
                result = await self.call(charge_point, payload)
            except OCPPError as err:
                self._stats.call_errors += 1
                self._report_once(f"error-{err.code}", "CSMS rejected a request of %s: %s", err)
                self._outbox.pop(item)
                continue
            except TimeoutError:
                self._stats.call_timeouts += 1
                self._report_once("timeout", "CSMS did not answer %s: %s", "timeout")
                self._outbox.pop(item)
                continue
            self._outbox.pop(item)
            if item.on_result is not None:
                try:
                    item.on_result(result)
                except Exception as err:  # one odd answer must not stop the station
                    self._report_once("result", "cannot use an answer to %s: %r", err)

    async def _send_garbage(self, every_s: float) -> None:
        for frame in itertools.cycle(_MALFORMED_FRAMES):
            await asyncio.sleep(every_s)
            await self.send_raw(frame)
            self._stats.malformed_frames_sent += 1

    async def call(self, charge_point: StationChargePoint, payload: Any) -> Any:
        """Send one CALL and return the typed result; CALLERRORs raise ``OCPPError``."""
        action = type(payload).__name__
        self._stats.calls_sent[action] += 1
        started = time.perf_counter()
        result = await charge_point.call(
            payload, suppress=False, skip_schema_validation=not self._config.validate_schemas
        )
        self._stats.record_round_trip(action, (time.perf_counter() - started) * 1000.0)
        return result

    def _report_once(self, kind: str, message: str, detail: object) -> None:
        """Log a recurring problem once per station and kind, not on every retry."""
        if kind in self._reported:
            return
        self._reported.add(kind)
        _LOGGER.warning(message, self._config.station_id, detail)


async def _until_first_ends(tasks: list[asyncio.Task[Any]]) -> None:
    """Wait until one task ends, cancel the rest, and re-raise an unexpected failure."""
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for outcome in outcomes:
        expected = (asyncio.CancelledError, *_RECOVERABLE)
        if isinstance(outcome, BaseException) and not isinstance(outcome, expected):
            raise outcome
