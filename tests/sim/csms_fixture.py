"""A small OCPP 2.1 / 2.0.1 / 1.6 CSMS on aiohttp for testing the simulator (and for load tests).

Run standalone: ``python -m tests.sim.csms_fixture --port 9000``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
import itertools
import logging
from typing import Any, cast

from aiohttp import WSMsgType, web
from ocpp.charge_point import ChargePoint
from ocpp.routing import on
from ocpp.v21 import call_result as result_v21
from ocpp.v201 import call_result as result_v201

from tests.sim.central_system16 import CentralSystem16ChargePoint

_Handler = Callable[..., Any]
_QUIET = logging.getLogger("ocpp.fixture")
_QUIET.setLevel(logging.CRITICAL)
SUBPROTOCOLS = ("ocpp2.1", "ocpp2.0.1", "ocpp1.6")


def _handles(action: str) -> Callable[[_Handler], _Handler]:
    return cast(Callable[[_Handler], _Handler], on(action))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ServerConnection:
    """``recv``/``send`` over an aiohttp server websocket, recording every raw frame."""

    def __init__(self, websocket: web.WebSocketResponse) -> None:
        self.websocket = websocket
        self.raw_frames: list[str] = []

    async def recv(self) -> str:
        message = await self.websocket.receive()
        if message.type is not WSMsgType.TEXT:
            raise ConnectionError("closed")
        text = cast(str, message.data)
        self.raw_frames.append(text)
        return text

    async def send(self, text: str) -> None:
        await self.websocket.send_str(text)


class FixtureChargePoint(ChargePoint):  # type: ignore[misc]
    """CSMS side of one station connection; records what the station sends."""

    def __init__(self, station_id: str, connection: ServerConnection, csms: FixtureCsms) -> None:
        super().__init__(station_id, connection, response_timeout=10, logger=_QUIET)
        version = connection.websocket.ws_protocol
        self._ocpp_version = "2.1" if version == "ocpp2.1" else "2.0.1"
        self._call_result = result_v21 if version == "ocpp2.1" else result_v201
        self.connection = connection
        self._csms = csms

    def _record(self, action: str, payload: dict[str, Any]) -> None:
        self._csms.record(self.id, action, payload)

    @_handles("BootNotification")
    def _boot(self, **payload: Any) -> Any:
        self._record("BootNotification", payload)
        status = self._csms.boot_statuses.pop(0) if self._csms.boot_statuses else "Accepted"
        return self._call_result.BootNotification(
            current_time=_now(), interval=self._csms.heartbeat_interval_s, status=status
        )

    @_handles("Heartbeat")
    def _heartbeat(self, **payload: Any) -> Any:
        self._record("Heartbeat", payload)
        return self._call_result.Heartbeat(current_time=_now())

    @_handles("StatusNotification")
    def _status(self, **payload: Any) -> Any:
        self._record("StatusNotification", payload)
        return self._call_result.StatusNotification()

    @_handles("Authorize")
    def _authorize(self, **payload: Any) -> Any:
        self._record("Authorize", payload)
        info = {"status": self._csms.authorize_status}
        if self._ocpp_version == "2.1" and self._csms.allowed_energy_transfer:
            return self._call_result.Authorize(
                id_token_info=info, allowed_energy_transfer=self._csms.allowed_energy_transfer
            )
        return self._call_result.Authorize(id_token_info=info)

    @_handles("TransactionEvent")
    def _transaction_event(self, **payload: Any) -> Any:
        self._record("TransactionEvent", payload)
        return self._call_result.TransactionEvent()

    @_handles("NotifyEVChargingNeeds")
    async def _charging_needs(self, **payload: Any) -> Any:
        self._record("NotifyEVChargingNeeds", payload)
        behaviour = self._csms.charging_needs_behaviour
        if behaviour == "error":
            raise ValueError("refusing charging needs")
        if behaviour == "slow":
            await asyncio.sleep(1.0)
        return self._call_result.NotifyEVChargingNeeds(status="Accepted")


class FixtureCsms:
    """Accepts the listed stations (all when ``passwords`` is None) and records their traffic."""

    def __init__(
        self,
        passwords: dict[str, str] | None = None,
        heartbeat_interval_s: int = 300,
        allowed_energy_transfer: list[str] | None = None,
    ) -> None:
        self.passwords = passwords
        self.heartbeat_interval_s = heartbeat_interval_s
        self.allowed_energy_transfer = allowed_energy_transfer or ["AC_three_phase", "AC_BPT"]
        self.authorize_status = "Accepted"
        self.start_transaction_status = "Accepted"
        self.transaction_ids = itertools.count(1001)
        self.boot_statuses: list[str] = []
        self.charging_needs_behaviour = "answer"
        self.subprotocols: tuple[str, ...] = SUBPROTOCOLS
        self.charge_points: dict[str, FixtureChargePoint | CentralSystem16ChargePoint] = {}
        self.received: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        self.rejected_handshakes = 0
        self.requests_handled = 0
        self.keep_messages = True
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_get("/ocpp/{station_id}", self._accept)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = cast(Any, site._server)
        self.port = int(server.sockets[0].getsockname()[1])
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def record(self, station_id: str, action: str, payload: dict[str, Any]) -> None:
        self.requests_handled += 1
        if self.keep_messages:
            self.received[station_id].append((action, payload))

    def messages(self, station_id: str, action: str) -> list[dict[str, Any]]:
        return [payload for name, payload in self.received[station_id] if name == action]

    async def wait_for(
        self,
        station_id: str,
        action: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda _: True,
        timeout_s: float = 10.0,
    ) -> dict[str, Any]:
        """Wait for a request of ``action`` from ``station_id`` that satisfies ``predicate``."""

        def found() -> dict[str, Any] | None:
            matches = [p for p in self.messages(station_id, action) if predicate(p)]
            return matches[-1] if matches else None

        async with asyncio.timeout(timeout_s):
            while (result := found()) is None:  # noqa: ASYNC110 - cheap polling keeps load low
                await asyncio.sleep(0.01)
        return result

    async def call(self, station_id: str, payload: Any) -> Any:
        """Send a CALL to a connected station and return its answer (CALLERROR raises)."""
        return await self.charge_points[station_id].call(payload, suppress=False)

    async def drop(self, station_id: str) -> None:
        """Close the websocket of a station, as a CSMS restart would."""
        await self.charge_points[station_id].connection.websocket.close()

    def _authorized(self, station_id: str, header: str | None) -> bool:
        if self.passwords is None:
            return True
        expected = self.passwords.get(station_id)
        if expected is None or header is None or not header.startswith("Basic "):
            return False
        decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
        return decoded == f"{station_id}:{expected}"

    async def _accept(self, request: web.Request) -> web.StreamResponse:
        station_id = request.match_info["station_id"]
        if not self._authorized(station_id, request.headers.get("Authorization")):
            self.rejected_handshakes += 1
            raise web.HTTPUnauthorized
        websocket = web.WebSocketResponse(protocols=self.subprotocols)
        await websocket.prepare(request)
        connection = ServerConnection(websocket)
        charge_point: FixtureChargePoint | CentralSystem16ChargePoint
        if websocket.ws_protocol == "ocpp1.6":
            charge_point = CentralSystem16ChargePoint(station_id, connection, self)
        else:
            charge_point = FixtureChargePoint(station_id, connection, self)
        self.charge_points[station_id] = charge_point
        try:
            await charge_point.start()
        except ConnectionError:
            pass
        finally:
            if self.charge_points.get(station_id) is charge_point:
                del self.charge_points[station_id]
        return websocket


async def _serve(port: int) -> None:
    csms = FixtureCsms()
    csms.keep_messages = False
    await csms.start(port)
    print(f"fixture CSMS listening on {csms.url}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Minimal OCPP 2.x / 1.6 CSMS for simulator tests")
    parser.add_argument("--port", type=int, default=9000)
    asyncio.run(_serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
