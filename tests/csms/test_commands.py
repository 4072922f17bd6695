"""CSMS -> station commands with typed errors, on 2.1 and 2.0.1."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from custom_components.ssch.csms.clock import format_timestamp, utc_now
from custom_components.ssch.csms.commands import VariableRef
from custom_components.ssch.csms.errors import (
    CallError,
    CallTimeout,
    CommandRejected,
    InvalidRequest,
    NoTransaction,
    NotSupportedByVersion,
    StationOffline,
    UnknownStation,
)
from custom_components.ssch.csms.events import SetpointClipped

from .common import start_transaction
from .conftest import Hub, connect_raw, exchange, ocpp_station


async def test_commands_on_201(hub: Hub, http: aiohttp.ClientSession) -> None:
    handle = hub.server.station("CS201")
    async with ocpp_station(http, hub, "CS201", "2.0.1") as station:
        with pytest.raises(NoTransaction):
            await handle.set_setpoint(2, 5.0)
        await start_transaction(station)
        result = await handle.set_setpoint(2, -7.0)
        assert (result.applied_kw, result.action) == (0.0, "SetChargingProfile")
        assert result.clipped_reason == "discharge not possible on this EVSE"
        over = await handle.set_setpoint(2, 50.0, duration_s=60)
        assert over.applied_kw == 22.0
        assert (await handle.set_setpoint(2, 6.0)).action == "SetChargingProfile"
        await handle.clear_setpoint(2)
        assert await handle.set_availability(False, evse_id=2) == "Accepted"
        assert await handle.set_availability(True) == "Accepted"
        assert await handle.reset(immediate=True, evse_id=1) == "Accepted"
        assert await handle.reset() == "Accepted"
        await handle.unlock(1)
        variables = await handle.get_variables(
            [
                VariableRef(
                    "V2XChargingCtrlr",
                    "Enabled",
                    evse_id=1,
                    component_instance="a",
                    variable_instance="b",
                )
            ]
        )
        assert variables[0]["attributeValue"] == "true"
        written = await handle.set_variables([(VariableRef("OCPPCommCtrlr", "HeartbeatInterval"), "60")])
        assert written[0]["attributeStatus"] == "Accepted"
        assert await handle.start_transaction(1) == "remote-1"
        await handle.stop_transaction(2)
        await handle.trigger_message("StatusNotification", evse_id=1)
        await handle.trigger_message("Heartbeat")
        with pytest.raises(NotSupportedByVersion):
            await handle.notify_allowed_energy_transfer(2, ["AC_three_phase"])
        station.statuses["Reset"] = "Rejected"
        with pytest.raises(CommandRejected) as rejected:
            await handle.reset()
        assert rejected.value.status == "Rejected"
        with pytest.raises(InvalidRequest):
            await handle.trigger_message("NoSuchMessage")

    actions = station.actions()
    assert actions[:3] == ["SetChargingProfile"] * 3
    first = station.received[0][1]["charging_profile"]
    assert first["charging_profile_kind"] == "Absolute"
    assert first["charging_schedule"][0]["charging_schedule_period"] == [{"start_period": 0, "limit": 0.0}]
    assert "max_offline_duration" not in first
    assert (
        station.received[1][1]["charging_profile"]["charging_schedule"][0]["charging_schedule_period"][0][
            "limit"
        ]
        == 22000
    )
    assert station.received[3] == ("ClearChargingProfile", {"charging_profile_id": 7102})
    assert "RequestStopTransaction" in actions
    assert station.received[actions.index("RequestStopTransaction")][1] == {"transaction_id": "tx-9"}
    assert len(hub.of_type(SetpointClipped)) == 2
    with pytest.raises(StationOffline):
        await handle.reset()


async def test_v2g_gate_and_energy_transfer_on_21(hub: Hub, http: aiohttp.ClientSession) -> None:
    from ocpp.v21 import call as call21

    handle = hub.server.station("CS21")
    async with ocpp_station(http, hub, "CS21", "2.1") as station:
        await station.call(
            call21.TransactionEvent(
                event_type="Started",
                seq_no=0,
                timestamp=format_timestamp(utc_now()),
                transaction_info={"transactionId": "tx-9"},
                trigger_reason="CablePluggedIn",
                evse={"id": 1},
            ),
            suppress=False,
        )
        await handle.notify_allowed_energy_transfer(1, ["AC_three_phase"])
        assert station.received[-1] == (
            "NotifyAllowedEnergyTransfer",
            {"transaction_id": "tx-9", "allowed_energy_transfer": ["AC_three_phase"]},
        )
        # the user forbids V2G on the EVSE: no AC_BPT at the next Authorize, discharge clipped
        hub.server.set_v2g_allowed("CS21", 1, False)
        auth = await station.call(
            call21.Authorize(id_token={"idToken": "c", "type": "ISO14443"}), suppress=False
        )
        assert auth.allowed_energy_transfer is None
        result = await handle.set_setpoint(1, -3.0)
        assert result.applied_kw == 0.0
        period = station.received[-1][1]["charging_profile"]["charging_schedule"][0][
            "charging_schedule_period"
        ][0]
        assert (period["setpoint"], period["discharge_limit"]) == (0, 0)
        # UpdateDynamicSchedule rejected -> a new profile is sent instead
        station.statuses["UpdateDynamicSchedule"] = "Rejected"
        assert (await handle.set_setpoint(1, 5.0)).action == "SetChargingProfile"
        assert station.actions()[-2:] == ["UpdateDynamicSchedule", "SetChargingProfile"]
        # the station polls the current setpoint
        pulled = await station.call(
            call21.PullDynamicScheduleUpdate(charging_profile_id=7101), suppress=False
        )
        assert pulled.status == "Accepted"
        assert pulled.schedule_update == {"setpoint": 5000.0}
        missing = await station.call(call21.PullDynamicScheduleUpdate(charging_profile_id=1), suppress=False)
        assert missing.status == "Rejected"
        station.statuses["SetChargingProfile"] = "Rejected"
        with pytest.raises(CommandRejected):
            await handle.set_setpoint(1, 1.0, duration_s=10)


async def test_call_error_and_timeout_are_typed(hub: Hub, http: aiohttp.ClientSession) -> None:
    handle = hub.server.station("CS21")
    ws = await connect_raw(http, hub, "CS21")

    async def answer_with_error() -> None:
        request = await ws.receive_json()
        await ws.send_json([4, request[1], "NotSupported", "no way", {"why": "x"}])

    responder = asyncio.create_task(answer_with_error())
    with pytest.raises(CallError) as error:
        await handle.reset()
    await responder
    assert (error.value.code, error.value.description, error.value.details) == (
        "NotSupported",
        "no way",
        {"why": "x"},
    )

    async def answer_late() -> None:
        request = await ws.receive_json()
        await asyncio.sleep(0.3)
        await ws.send_json([3, request[1], {"status": "Accepted"}])

    responder = asyncio.create_task(answer_late())
    session = hub.server.session("CS21")
    assert session is not None
    with pytest.raises(CallTimeout):
        await session.call("Reset", {"type": "OnIdle"}, timeout_s=0.1)
    await responder
    # the late answer is dropped; the connection still serves requests
    assert (await exchange(ws, [2, "hb", "Heartbeat", {}]))[0] == 3

    # a response breaking the schema is still delivered (lenient) and the station goes offline mid-call
    async def answer_badly_then_leave() -> None:
        request = await ws.receive_json()
        await ws.send_json([3, request[1], {"status": "Maybe"}])
        await ws.receive_json()
        await ws.close()

    responder = asyncio.create_task(answer_badly_then_leave())
    with pytest.raises(CommandRejected):
        await handle.reset()
    with pytest.raises(StationOffline):
        await handle.reset()
    await responder


async def test_unknown_station_handles(hub: Hub) -> None:
    with pytest.raises(UnknownStation):
        hub.server.station("NOPE")
    with pytest.raises(UnknownStation):
        hub.server.state("NOPE")
