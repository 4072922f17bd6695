"""Unknown stations that connect over websockets are discovered, confirmed as chargers, ignored or expire."""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from dataclasses import asdict
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import SOURCE_IGNORE, SOURCE_INTEGRATION_DISCOVERY, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.clock import utc_now
from custom_components.ssch.csms.events import CsmsEvent, StationPending
from custom_components.ssch.stations.discovery import (
    DiscoveredStation,
    StationDiscovery,
    discovery_unique_id,
)
from tests.csms.conftest import basic_auth
from tests.ocpp_clients import AiohttpConnection, receiving
from tests.station16 import Station16

from .common import (
    CHARGER_PASSWORD,
    charger_entity,
    hub_entry,
    load_hub,
    running,
    state_of,
    station_config,
    until,
)

ADOPTING = {"adopt_unknown_stations": True}
FIELDS = {
    "name": "Bay 7",
    "evse_count": 1,
    "max_charge_kw": 11.0,
    "bidirectional": True,
    "max_discharge_kw": 11.0,
    "ocpp_version": "auto",
    "nominal_voltage_v": 230.0,
}


async def _reload_keeping_server(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """A change of the planning options reloads the hub; its OCPP server and pending stations stay."""
    server = entry.runtime_data.server
    hass.config_entries.async_update_entry(entry, options={**entry.options, "horizon_hours": 25})
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.server is server


def _flows(hass: HomeAssistant, entry: MockConfigEntry, station_id: str) -> list[dict[str, Any]]:
    unique_id = discovery_unique_id(entry.entry_id, station_id)
    return [
        dict(flow)
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"].get("unique_id") == unique_id
    ]


async def _discovered(hass: HomeAssistant, entry: MockConfigEntry, station_id: str) -> dict[str, Any]:
    """The station's discovery form, as the frontend reads it when the installer opens it."""
    await until(lambda: len(_flows(hass, entry, station_id)) == 1)
    flow = _flows(hass, entry, station_id)[0]
    assert flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    result = await hass.config_entries.flow.async_configure(flow["flow_id"])
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    return dict(result)


@contextlib.asynccontextmanager
async def _unknown_wallbox(entry: MockConfigEntry, station_id: str) -> AsyncIterator[Station16]:
    """The ``ocpp`` package's 1.6 charge point with an id the hub does not know."""
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(
            f"ws://127.0.0.1:{entry.data['port']}/ocpp/{station_id}",
            protocols=("ocpp1.6",),
            headers={"Authorization": basic_auth(station_id, CHARGER_PASSWORD)},
        )
        async with receiving(Station16(station_id, AiohttpConnection(ws)), ws) as station:
            yield station


async def test_a_discovered_station_is_confirmed_as_a_charger_and_connects(hass: HomeAssistant) -> None:
    """An OCPP 2.1 station with an unknown id is shown with what it told; confirming adds it; it logs in."""
    entry = await load_hub(hass, hub_entry(options=ADOPTING))
    async with running(station_config(entry, "NEW7")) as station:
        form = await _discovered(hass, entry, "NEW7")
        assert form["description_placeholders"] == {
            "station_id": "NEW7",
            "hub": "Harbour hub",
            "vendor": "SSCH",
            "model": "SimulatedStation",
            "ocpp_version": "2.1",
            "evse_count": "unknown",  # a 2.x station tells it only once accepted
        }
        progress = _flows(hass, entry, "NEW7")[0]
        assert progress["context"]["title_placeholders"] == {"name": "NEW7"}
        result = await hass.config_entries.flow.async_configure(
            form["flow_id"], FIELDS | {"password": "short"}
        )
        assert result["errors"] == {"password": "invalid_password"}
        result = await hass.config_entries.flow.async_configure(
            form["flow_id"], FIELDS | {"password": CHARGER_PASSWORD}
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "station_added"
        await hass.async_block_till_done()
        charger = next(s for s in entry.subentries.values() if s.unique_id == "NEW7")
        assert charger.data["name"] == "Bay 7"
        assert "password" not in charger.data
        await station.wait_connected(timeout_s=15)
        await until(
            lambda: (
                state_of(hass, charger_entity(hass, entry, "binary_sensor", "connected", evse=None)) == "on"
            )
        )
    assert entry.state is ConfigEntryState.LOADED
    assert _flows(hass, entry, "NEW7") == []


async def test_a_16_station_tells_its_connectors(hass: HomeAssistant) -> None:
    """A pending 1.6 station is asked for NumberOfConnectors after its boot was answered."""
    entry = await load_hub(hass, hub_entry(options=ADOPTING))
    async with _unknown_wallbox(entry, "WB99") as wallbox:
        answer = await wallbox.boot()
        assert answer.status == "Pending"
        form = await _discovered(hass, entry, "WB99")
        assert wallbox.last("GetConfiguration") == {"key": ["NumberOfConnectors"]}
        # Dismissed, then the hub reloads: the station, still waiting, is offered (and asked) again.
        hass.config_entries.flow.async_abort(form["flow_id"])
        await _reload_keeping_server(hass, entry)
        again = await _discovered(hass, entry, "WB99")
        assert again["description_placeholders"]["evse_count"] == "2"
        assert wallbox.actions().count("GetConfiguration") == 2
    placeholders = form["description_placeholders"]
    assert (placeholders["vendor"], placeholders["model"]) == ("Wallbox Maker", "Home 11")
    assert (placeholders["ocpp_version"], placeholders["evse_count"]) == ("1.6", "2")
    suggested = {
        str(key): (key.description or {}).get("suggested_value") for key in form["data_schema"].schema
    }
    assert suggested["evse_count"] == 2
    assert suggested["bidirectional"] is False  # discharging needs OCPP 2.1
    assert suggested["max_discharge_kw"] == 0.0


async def test_a_16_station_that_keeps_its_connectors_to_itself(hass: HomeAssistant) -> None:
    """A 1.6 station that does not answer the question is offered without a count."""
    entry = await load_hub(hass, hub_entry(options=ADOPTING))
    async with _unknown_wallbox(entry, "WB98") as wallbox:
        wallbox.configuration.pop("NumberOfConnectors")
        await wallbox.boot()
        form = await _discovered(hass, entry, "WB98")
    assert form["description_placeholders"]["evse_count"] == "unknown"


async def test_an_ignored_station_stays_ignored(hass: HomeAssistant) -> None:
    """Ignoring keeps an entry under the flow's unique id: the station, back again, is not offered."""
    entry = await load_hub(hass, hub_entry(options=ADOPTING))
    unique_id = discovery_unique_id(entry.entry_id, "NEW8")
    async with running(station_config(entry, "NEW8")):
        await _discovered(hass, entry, "NEW8")
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_IGNORE}, data={"unique_id": unique_id, "title": "NEW8"}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        assert _flows(hass, entry, "NEW8") == []
    # The station connects and boots again, and a reload offers the waiting stations again.
    boots: list[CsmsEvent] = []
    stop = entry.runtime_data.server.listen(
        lambda event: boots.append(event) if isinstance(event, StationPending) and event.vendor else None
    )
    async with running(station_config(entry, "NEW8")):
        await until(lambda: len(boots) == 1)
        await hass.async_block_till_done()
        assert _flows(hass, entry, "NEW8") == []
        stop()
        await _reload_keeping_server(hass, entry)
        assert _flows(hass, entry, "NEW8") == []
    ignored = hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, unique_id)
    assert ignored is not None
    assert ignored.source == SOURCE_IGNORE
    assert entry.state is ConfigEntryState.LOADED


async def test_the_discovery_goes_when_the_station_expires(hass: HomeAssistant) -> None:
    """A pending station that fell silent leaves the list; its form is aborted. A reload offers again."""
    entry = await load_hub(hass, hub_entry(options=ADOPTING))
    async with running(station_config(entry, "GHOST1")):
        await _discovered(hass, entry, "GHOST1")
    later = utc_now() + timedelta(minutes=20)
    with patch("custom_components.ssch.csms.handshake.utc_now", return_value=later):
        # The next unknown station to knock sweeps out the ones that fell silent.
        async with running(station_config(entry, "GHOST2")):
            await _discovered(hass, entry, "GHOST2")
            assert "GHOST1" not in entry.runtime_data.server.pending_stations
            assert _flows(hass, entry, "GHOST1") == []
            # A reload keeps the forms of the stations still waiting.
            await _reload_keeping_server(hass, entry)
            await _discovered(hass, entry, "GHOST2")


async def test_the_form_checks_its_hub_and_station(hass: HomeAssistant) -> None:
    """A form whose station left the list goes when the hub loads again; shown for a station that is not
    waiting or a hub not loaded, it aborts."""
    entry = await load_hub(hass, hub_entry(options=ADOPTING))
    async with running(station_config(entry, "NEW9")):
        form = await _discovered(hass, entry, "NEW9")
    entry.runtime_data.server.pending_stations.pop("NEW9")  # as if added by hand, or expired
    await _reload_keeping_server(hass, entry)
    assert _flows(hass, entry, "NEW9") == []
    assert form["flow_id"] not in {f["flow_id"] for f in hass.config_entries.flow.async_progress()}
    station = DiscoveredStation(entry_id=entry.entry_id, station_id="NEW9", vendor="X", model="Y")
    context = {"source": SOURCE_INTEGRATION_DISCOVERY}
    result = await hass.config_entries.flow.async_init(DOMAIN, context=context, data=asdict(station))
    assert result["reason"] == "station_not_waiting"
    assert await hass.config_entries.async_unload(entry.entry_id)
    result = await hass.config_entries.flow.async_init(DOMAIN, context=context, data=asdict(station))
    assert result["reason"] == "hub_not_loaded"


async def test_a_deleted_hub_takes_its_discovered_stations_along(hass: HomeAssistant) -> None:
    entry = await load_hub(hass, hub_entry(options=ADOPTING))
    async with running(station_config(entry, "NEW12")), running(station_config(entry, "NEW13")):
        await _discovered(hass, entry, "NEW12")
        await _discovered(hass, entry, "NEW13")
        await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": SOURCE_IGNORE},
            data={"unique_id": discovery_unique_id(entry.entry_id, "NEW13"), "title": "NEW13"},
        )
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_stations_not_offered(hass: HomeAssistant, caplog: pytest.LogCaptureFixture) -> None:
    """An id no charger can have is not offered (and logged once); nothing is offered by a hub not loaded."""
    entry = await load_hub(hass, hub_entry(options=ADOPTING))
    discovery = StationDiscovery(hass, entry, entry.runtime_data.server)
    for _ in range(2):
        discovery.handle(StationPending("bad id!", "192.0.2.1", "ACME", "Box"))
    assert caplog.text.count("cannot be added as a charger") == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    discovery.handle(StationPending("NEW10", "192.0.2.1", "ACME", "Box"))
    await hass.async_block_till_done()
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_a_connector_count_the_form_cannot_take_is_no_suggestion(hass: HomeAssistant) -> None:
    """A station that claims 64 connectors is offered without a count, not with an impossible one."""
    entry = await load_hub(hass, hub_entry(options=ADOPTING))
    async with _unknown_wallbox(entry, "WB97") as wallbox:
        wallbox.configuration["NumberOfConnectors"] = "64"
        await wallbox.boot()
        form = await _discovered(hass, entry, "WB97")
    assert form["description_placeholders"]["evse_count"] == "unknown"
