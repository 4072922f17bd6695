"""Fixtures: a standalone CSMS on a free loopback port, raw websocket clients and OCPP clients."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from ocpp.v21 import ChargePoint as ChargePoint21, call_result as result21
from ocpp.v201 import ChargePoint as ChargePoint201, call_result as result201
import pytest

from custom_components.ssch.csms.auth import hash_password
from custom_components.ssch.csms.events import CsmsEvent
from custom_components.ssch.csms.registry import StationConfig, StationRegistry
from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.csms.settings import CsmsSettings
from custom_components.ssch.csms.store import MemoryStore, StateStore
from tests.ocpp_clients import AiohttpConnection, handles, receiving
from tests.station16 import Station16

PASSWORD = "correct-horse-battery"
PASSWORD_HASH = hash_password(PASSWORD)
V2G = StationConfig(
    PASSWORD_HASH, evse_count=1, bidirectional=True, max_charge_kw=11.0, max_discharge_kw=10.0
)
PLAIN = StationConfig(PASSWORD_HASH, evse_count=2, bidirectional=False, max_charge_kw=22.0)


def basic_auth(username: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@dataclass
class Hub:
    """A running server plus everything it reported."""

    server: CsmsServer
    events: list[CsmsEvent] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def record(self, event: CsmsEvent) -> None:
        self.events.append(event)
        self.arrived.set()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}/ocpp/"

    def of_type(self, kind: type[Any]) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]

    async def wait_for(self, kind: type[Any], count: int = 1, within_s: float = 3.0) -> list[Any]:
        async with asyncio.timeout(within_s):
            while len(self.of_type(kind)) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.of_type(kind)


HubFactory = Callable[..., Awaitable[Hub]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """The CSMS runs without Home Assistant: no integration loading here."""


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """The tests talk to a real server on 127.0.0.1."""


@pytest.fixture
async def make_hub() -> AsyncIterator[HubFactory]:
    started: list[CsmsServer] = []

    async def factory(
        stations: dict[str, StationConfig] | None = None,
        *,
        store: StateStore | None = None,
        settings: CsmsSettings | None = None,
        **kwargs: Any,
    ) -> Hub:
        registry = StationRegistry({"CS21": V2G, "CS201": PLAIN} if stations is None else stations)
        server = CsmsServer(
            "127.0.0.1",
            0,
            registry,
            store or MemoryStore(),
            settings=settings
            or CsmsSettings(call_timeout_s=2.0, save_delay_s=0.05, auth_failure_lockout_s=0.0),
            **kwargs,
        )
        hub = Hub(server)
        server.listen(hub.record)
        await server.start()
        started.append(server)
        return hub

    yield factory
    for server in started:
        await server.stop()


@pytest.fixture
async def hub(make_hub: HubFactory) -> Hub:
    return await make_hub()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def connect_raw(
    http: aiohttp.ClientSession,
    hub: Hub,
    station_id: str,
    protocols: tuple[str, ...] = ("ocpp2.1",),
    password: str = PASSWORD,
) -> aiohttp.ClientWebSocketResponse:
    return await http.ws_connect(
        hub.url + station_id,
        protocols=protocols,
        headers={"Authorization": basic_auth(station_id, password)},
    )


async def exchange(ws: aiohttp.ClientWebSocketResponse, frame: str | list[Any]) -> list[Any]:
    """Send a raw frame and return the next frame the server sends."""
    await ws.send_str(frame if isinstance(frame, str) else json.dumps(frame))
    async with asyncio.timeout(3):
        return list(json.loads(await ws.receive_str()))


class StationMixin:
    """Records every request from the CSMS and answers with configurable statuses."""

    received: list[tuple[str, dict[str, Any]]]
    statuses: dict[str, str]
    results: Any

    def _record(self, action: str, payload: dict[str, Any]) -> str:
        self.received.append((action, payload))
        return self.statuses.get(action, "Accepted")

    def actions(self) -> list[str]:
        return [action for action, _ in self.received]

    @handles("SetChargingProfile")
    def on_set_charging_profile(self, **payload: Any) -> Any:
        return self.results.SetChargingProfile(status=self._record("SetChargingProfile", payload))

    @handles("ClearChargingProfile")
    def on_clear_charging_profile(self, **payload: Any) -> Any:
        return self.results.ClearChargingProfile(status=self._record("ClearChargingProfile", payload))

    @handles("ChangeAvailability")
    def on_change_availability(self, **payload: Any) -> Any:
        return self.results.ChangeAvailability(status=self._record("ChangeAvailability", payload))

    @handles("Reset")
    def on_reset(self, **payload: Any) -> Any:
        return self.results.Reset(status=self._record("Reset", payload))

    @handles("UnlockConnector")
    def on_unlock(self, **payload: Any) -> Any:
        self._record("UnlockConnector", payload)
        return self.results.UnlockConnector(status=self.statuses.get("UnlockConnector", "Unlocked"))

    @handles("TriggerMessage")
    def on_trigger(self, **payload: Any) -> Any:
        return self.results.TriggerMessage(status=self._record("TriggerMessage", payload))

    @handles("RequestStartTransaction")
    def on_start(self, **payload: Any) -> Any:
        status = self._record("RequestStartTransaction", payload)
        return self.results.RequestStartTransaction(status=status, transaction_id="remote-1")

    @handles("RequestStopTransaction")
    def on_stop(self, **payload: Any) -> Any:
        return self.results.RequestStopTransaction(status=self._record("RequestStopTransaction", payload))

    @handles("GetVariables")
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **payload: Any) -> Any:
        self._record("GetVariables", {"get_variable_data": get_variable_data})
        results = [
            {
                "attributeStatus": "Accepted",
                "attributeValue": "true",
                "component": item["component"],
                "variable": item["variable"],
            }
            for item in get_variable_data
        ]
        return self.results.GetVariables(get_variable_result=results)

    @handles("SetVariables")
    def on_set_variables(self, set_variable_data: list[dict[str, Any]], **payload: Any) -> Any:
        status = self._record("SetVariables", {"set_variable_data": set_variable_data})
        results = [
            {"attributeStatus": status, "component": i["component"], "variable": i["variable"]}
            for i in set_variable_data
        ]
        return self.results.SetVariables(set_variable_result=results)

    @handles("UpdateFirmware")
    def on_update_firmware(self, **payload: Any) -> Any:
        return self.results.UpdateFirmware(status=self._record("UpdateFirmware", payload))

    @handles("GetLog")
    def on_get_log(self, **payload: Any) -> Any:
        return self.results.GetLog(status=self._record("GetLog", payload), filename="log-1.zip")

    @handles("DataTransfer")
    def on_data_transfer(self, **payload: Any) -> Any:
        status = self._record("DataTransfer", payload)
        return self.results.DataTransfer(status=status, data={"echo": payload.get("data")})


class Station21(StationMixin, ChargePoint21):  # type: ignore[misc]
    results = result21

    @handles("UpdateDynamicSchedule")
    def on_update_dynamic_schedule(self, **payload: Any) -> Any:
        return result21.UpdateDynamicSchedule(status=self._record("UpdateDynamicSchedule", payload))

    @handles("NotifyAllowedEnergyTransfer")
    def on_notify_allowed(self, **payload: Any) -> Any:
        return result21.NotifyAllowedEnergyTransfer(
            status=self._record("NotifyAllowedEnergyTransfer", payload)
        )


class Station201(StationMixin, ChargePoint201):  # type: ignore[misc]
    results = result201


@contextlib.asynccontextmanager
async def ocpp_station(
    http: aiohttp.ClientSession, hub: Hub, station_id: str, version: str = "2.1"
) -> AsyncIterator[Any]:
    """An ``ocpp`` library client connected to the hub, its receive loop running."""
    ws = await connect_raw(http, hub, station_id, (f"ocpp{version}",))
    if version == "1.6":
        station: Any = Station16(station_id, AiohttpConnection(ws))
    else:
        station = (Station21 if version == "2.1" else Station201)(
            station_id, AiohttpConnection(ws), response_timeout=3
        )
        station.received, station.statuses = [], {}
    async with receiving(station, ws):
        yield station
