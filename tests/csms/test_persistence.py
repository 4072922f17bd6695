"""Durable state across restarts: version pins, open transactions, monotonic energy counters."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from custom_components.ssch.csms.events import StationConnected
from custom_components.ssch.csms.settings import CsmsSettings
from custom_components.ssch.csms.store import JsonFileStore, MemoryStore

from .conftest import HubFactory, connect_raw, exchange

NOW = "2025-06-01T12:00:00.000Z"


def meter(import_wh: float, export_wh: float) -> list[dict[str, object]]:
    return [
        {
            "timestamp": NOW,
            "sampledValue": [
                {"value": import_wh, "measurand": "Energy.Active.Import.Register"},
                {"value": export_wh, "measurand": "Energy.Active.Export.Register"},
            ],
        }
    ]


def started(tx_id: str, import_wh: float, export_wh: float) -> list[object]:
    payload = {
        "eventType": "Started",
        "timestamp": NOW,
        "triggerReason": "CablePluggedIn",
        "seqNo": 0,
        "transactionInfo": {"transactionId": tx_id},
        "evse": {"id": 1, "connectorId": 1},
        "meterValue": meter(import_wh, export_wh),
    }
    return [2, "tx", "TransactionEvent", payload]


async def test_state_survives_a_restart(
    make_hub: HubFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    path = tmp_path / "state" / "csms.json"
    hub = await make_hub(store=JsonFileStore(path))
    ws = await connect_raw(http, hub, "CS21")
    boot = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V", "serialNumber": "S1"}}
    await exchange(ws, [2, "b", "BootNotification", boot])
    await exchange(ws, started("tx-7", 10_000, 2_000))
    await exchange(ws, [2, "m", "MeterValues", {"evseId": 1, "meterValue": meter(14_000, 3_000)}])
    hub.server.set_v2g_allowed("CS21", 1, False)
    await hub.server.stop()
    await ws.close()
    assert path.exists()

    again = await make_hub(store=JsonFileStore(path))
    state = again.server.state("CS21")
    assert (state.ocpp_version, state.vendor, state.serial_number) == ("2.1", "V", "S1")
    evse = state.evses[1]
    assert evse.transaction_id == "tx-7"
    assert (evse.energy_charged_kwh, evse.energy_discharged_kwh) == (4.0, 1.0)
    assert evse.v2g_allowed is False
    assert not state.connected
    # the station was replaced: its register restarts low; the hub's counters keep growing
    ws = await connect_raw(http, again, "CS21")
    assert (await again.wait_for(StationConnected))[0].reconnects == 1
    await exchange(ws, [2, "m", "MeterValues", {"evseId": 1, "meterValue": meter(500, 100)}])
    await exchange(ws, [2, "m", "MeterValues", {"evseId": 1, "meterValue": meter(1500, 100)}])
    assert (evse.energy_charged_kwh, evse.energy_discharged_kwh) == (5.5, 1.1)
    assert round(evse.session_energy_kwh, 3) == 4.4
    await ws.close()
    # a pinned version survives too
    await again.server.stop()
    third = await make_hub(store=JsonFileStore(path))
    assert third.server.state("CS21").ocpp_version == "2.1"


async def test_saves_are_debounced(make_hub: HubFactory, http: aiohttp.ClientSession) -> None:
    store = MemoryStore()
    hub = await make_hub(store=store, settings=CsmsSettings(save_delay_s=1.0))
    assert store.saves == 1  # what was loaded, saved back as one snapshot
    ws = await connect_raw(http, hub, "CS21")
    for index in range(20):
        await exchange(ws, [2, "m", "MeterValues", {"evseId": 1, "meterValue": meter(index * 100, 0)}])
    assert store.saves == 1
    await asyncio.sleep(1.2)
    assert store.saves == 2
    assert store.data is not None
    assert store.data["stations"]["CS21"]["evses"]["1"]["charged_kwh"] == 1.9
    await hub.server.save()
    await ws.close()


async def test_unreadable_saved_state_is_ignored(make_hub: HubFactory, tmp_path: Path) -> None:
    path = tmp_path / "csms.json"
    path.write_text("{not json", encoding="utf-8")
    hub = await make_hub(store=JsonFileStore(path))
    assert hub.server.state("CS21").evses == {}
    path.write_text("[1, 2]", encoding="utf-8")
    assert await JsonFileStore(path).load() is None
    store = MemoryStore({"stations": {"CS21": {"evses": {"x": {}}}, "CS201": {"reconnects": 2}}})
    hub = await make_hub(store=store)
    assert hub.server.state("CS21").evses == {}
    assert hub.server.state("CS201").reconnects == 2
