"""A full V2G session against the standalone server with an ``ocpp`` 2.1 client."""

from __future__ import annotations

import aiohttp
from ocpp.v21 import call

from custom_components.ssch.csms.clock import format_timestamp, utc_now
from custom_components.ssch.csms.events import (
    EvNeedsReceived,
    MeterValuesReceived,
    SetpointClipped,
    StationBooted,
    StationConnected,
    StatusChanged,
    TransactionEnded,
    TransactionStarted,
    TransactionUpdated,
)

from .conftest import Hub, ocpp_station


def sampled(import_wh: float, export_wh: float, power_w: float, soc: float) -> list[dict[str, object]]:
    return [
        {
            "timestamp": format_timestamp(utc_now()),
            "sampledValue": [
                {"value": import_wh, "measurand": "Energy.Active.Import.Register"},
                {"value": export_wh, "measurand": "Energy.Active.Export.Register"},
                {"value": power_w, "measurand": "Power.Active.Import"},
                {"value": soc, "measurand": "SoC", "location": "EV"},
            ],
        }
    ]


def tx_event(
    event_type: str, seq_no: int, meter: list[dict[str, object]] | None = None, **extra: object
) -> call.TransactionEvent:
    return call.TransactionEvent(
        event_type=event_type,
        seq_no=seq_no,
        timestamp=format_timestamp(utc_now()),
        transaction_info={"transactionId": "tx-1", **extra},
        trigger_reason="MeterValuePeriodic",
        evse={"id": 1, "connectorId": 1} if event_type == "Started" else None,
        meter_value=meter,
        id_token={"idToken": "card", "type": "ISO14443"} if event_type == "Started" else None,
    )


async def test_full_v2g_session(hub: Hub, http: aiohttp.ClientSession) -> None:
    server = hub.server
    async with ocpp_station(http, hub, "CS21") as station:
        boot = await station.call(
            call.BootNotification(
                charging_station={"vendorName": "Acme", "model": "Bidi", "firmwareVersion": "1.2"},
                reason="PowerUp",
            ),
            suppress=False,
        )
        assert boot.status == "Accepted"
        assert boot.current_time.endswith("Z")
        assert len(boot.current_time.split(".")[1]) == 4
        await station.call(call.Heartbeat(), suppress=False)
        await station.call(
            call.StatusNotification(
                timestamp=format_timestamp(utc_now()),
                connector_status="Occupied",
                evse_id=1,
                connector_id=1,
            ),
            suppress=False,
        )
        auth = await station.call(
            call.Authorize(id_token={"idToken": "card", "type": "ISO14443"}), suppress=False
        )
        assert auth.id_token_info["status"] == "Accepted"
        assert "AC_BPT" in auth.allowed_energy_transfer

        started = await station.call(tx_event("Started", 0, sampled(1000, 500, 0, 40)), suppress=False)
        assert started.id_token_info == {"status": "Accepted"}
        needs = await station.call(
            call.NotifyEVChargingNeeds(
                evse_id=1,
                charging_needs={
                    "requestedEnergyTransfer": "AC_BPT",
                    "controlMode": "DynamicControl",
                    "departureTime": "2030-01-01T07:30:00.000Z",
                    "v2xChargingParameters": {
                        "maxChargePower": 7400,
                        "maxDischargePower": 6000,
                        "minChargePower": 1400,
                        "evTargetEnergyRequest": 20000,
                    },
                },
            ),
            suppress=False,
        )
        assert needs.status == "Accepted"

        first = await server.station("CS21").set_setpoint(1, -5.0, duration_s=900)
        second = await server.station("CS21").set_setpoint(1, 5.5)
        clipped = await server.station("CS21").set_setpoint(1, -9.0)

        await station.call(
            tx_event("Updated", 1, sampled(2500, 1500, -4200, 45), chargingState="Charging"),
            suppress=False,
        )
        state = server.state("CS21")
        evse = state.evses[1]
        assert evse.power_kw == -4.2
        assert evse.ev_soc_pct == 45
        await station.call(
            call.MeterValues(evse_id=1, meter_value=sampled(3000, 1500, 3000, 46)), suppress=False
        )
        ended = await station.call(
            tx_event("Ended", 2, sampled(3500, 1500, 0, 47), stoppedReason="EVDisconnected"),
            suppress=False,
        )
        assert ended.id_token_info is None

    # set_setpoint: first installs a dynamic TxProfile, later ones update it
    assert (first.action, first.applied_kw, first.clipped_reason) == (
        "SetChargingProfile",
        -5.0,
        None,
    )
    assert (second.action, second.applied_kw) == ("UpdateDynamicSchedule", 5.5)
    assert (clipped.action, clipped.applied_kw) == ("UpdateDynamicSchedule", -6.0)
    action, profile_request = station.received[0]
    assert action == "SetChargingProfile"
    profile = profile_request["charging_profile"]
    assert profile["charging_profile_purpose"] == "TxProfile"
    assert profile["charging_profile_kind"] == "Dynamic"
    assert profile["transaction_id"] == "tx-1"
    assert profile["max_offline_duration"] == 120
    assert profile["invalid_after_offline_duration"] is True
    period = profile["charging_schedule"][0]["charging_schedule_period"][0]
    assert period["operation_mode"] == "CentralSetpoint"
    assert period["setpoint"] == -5000
    assert period["discharge_limit"] == -6000  # the EV's limit is tighter than the station's
    assert period["limit"] == 7400
    assert profile["charging_schedule"][0]["duration"] == 900
    assert station.received[1][0] == "UpdateDynamicSchedule"
    assert station.received[1][1]["schedule_update"]["setpoint"] == 5500
    assert station.received[2][1]["schedule_update"]["setpoint"] == -6000

    assert hub.of_type(StationConnected)[0].ocpp_version == "2.1"
    assert hub.of_type(StationBooted)[0].vendor == "Acme"
    assert hub.of_type(StatusChanged)[0].status == "Occupied"
    assert hub.of_type(TransactionStarted)[0].id_token == "card"
    assert hub.of_type(TransactionUpdated)[0].charging_state == "Charging"
    ev_needs = hub.of_type(EvNeedsReceived)[0]
    assert (ev_needs.max_discharge_kw, ev_needs.energy_request_kwh) == (6.0, 20.0)
    assert ev_needs.departure_time is not None
    assert ev_needs.departure_time.hour == 7
    assert hub.of_type(SetpointClipped)[0].applied_kw == -6.0
    end = hub.of_type(TransactionEnded)[0]
    assert end.stopped_reason == "EVDisconnected"
    # charged 2.5 kWh, discharged 1.0 kWh during the session
    assert end.session_energy_kwh == 1.5
    meters = hub.of_type(MeterValuesReceived)
    assert meters[-1].energy_charged_kwh == 2.5
    assert meters[-1].energy_discharged_kwh == 1.0
    assert evse.transaction_id is None
    assert evse.active_setpoint_kw is None
    assert state.vendor == "Acme"
    assert state.firmware_version == "1.2"
    assert state.latency_ms is not None
    assert state.latency_ms < 1000
    assert state.last_heartbeat is not None
