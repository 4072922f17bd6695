"""AC reality on OCPP 2.0.1 / 2.1 too: the car's current limits bound the power the hub asks for."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from custom_components.ssch.csms.ac import AcSupply

from .conftest import Hub, connect_raw, exchange

STARTED = {
    "eventType": "Started",
    "timestamp": "2026-12-04T10:00:00Z",
    "triggerReason": "CablePluggedIn",
    "seqNo": 0,
    "transactionInfo": {"transactionId": "tx-ac"},
    "evse": {"id": 1, "connectorId": 1},
}
NEEDS = {
    "evseId": 1,
    "chargingNeeds": {
        "requestedEnergyTransfer": "AC_three_phase",
        "acChargingParameters": {
            "energyAmount": 20000,
            "evMinCurrent": 10,
            "evMaxCurrent": 16,
            "evMaxVoltage": 400,
        },
    },
}


async def answered_setpoint(
    ws: aiohttp.ClientWebSocketResponse, hub: Hub, power_kw: float
) -> tuple[float, Any]:
    pending = asyncio.create_task(hub.server.station("CS201").set_setpoint(1, power_kw))
    request = json.loads(await ws.receive_str())
    await ws.send_str(json.dumps([3, request[1], {"status": "Accepted"}]))
    result = await pending
    return result.applied_kw, request[3]["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"][
        0
    ]


async def test_the_cars_current_limits_bound_the_setpoint(hub: Hub, http: aiohttp.ClientSession) -> None:
    ws = await connect_raw(http, hub, "CS201", ("ocpp2.0.1",))
    assert (await exchange(ws, [2, "t", "TransactionEvent", STARTED]))[0] == 3
    assert (await exchange(ws, [2, "n", "NotifyEVChargingNeeds", NEEDS]))[2] == {"status": "Accepted"}
    limits = hub.server.state("CS201").evse(1).ev_limits
    assert (limits.min_current_a, limits.max_current_a, limits.max_voltage_v) == (10.0, 16.0, 400.0)
    # the station allows 22 kW; the car takes 16 A on three phases of 230 V
    applied, period = await answered_setpoint(ws, hub, 20.0)
    assert applied == AcSupply(3, 230.0, 10.0).kw(16)
    assert period["limit"] == round(applied * 1000, 1)
    # below the car's 10 A (6.9 kW) and nearer to zero than to it: nothing
    assert (await answered_setpoint(ws, hub, 3.0))[0] == 0.0
    assert (await answered_setpoint(ws, hub, 4.0))[0] == AcSupply(3, 230.0, 10.0).min_kw
    await ws.close()


def test_amperes_round_down_to_what_a_profile_carries() -> None:
    supply = AcSupply(phases=1, voltage_v=230.0, min_current_a=6.0)
    assert supply.amperes(7.4) == 32.1
    assert supply.amperes(1.38) == 6.0
    assert AcSupply(3, 230.0, 6.0).amperes(11.0) == 15.9
