"""Charging cards inside Home Assistant: the hub's list decides who charges, and every card is a tag."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.entities.devices import asset_identifier

from .common import car_visit, charger_data, hub_entry, load_hub, running, station_config, subentry, until


async def test_cards_decide_who_charges_and_reach_the_tag_integration(hass: HomeAssistant) -> None:
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
            options={"authorization_policy": "refuse_unknown"},
        ),
    )
    scanned = async_capture_events(hass, "tag_scanned")
    await hass.services.async_call(
        DOMAIN, "add_charging_card", {"id_token": "FAMILY01", "name": "Anna"}, blocking=True
    )
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        station.plug_in(replace(car_visit(station), id_token="STRANGER"))
        await until(lambda: any(event.data["tag_id"] == "STRANGER" for event in scanned))
        await asyncio.sleep(0.3)
        assert station.transaction_id is None  # refused: the car does not charge
        station.unplug()
        station.plug_in(replace(car_visit(station), id_token="FAMILY01"))
        await until(lambda: station.transaction_id is not None)

    charger = next(iter(entry.subentries))
    device = dr.async_get(hass).async_get_device(identifiers={asset_identifier(entry.entry_id, charger)})
    assert device is not None
    assert [event.data["tag_id"] for event in scanned] == ["STRANGER", "FAMILY01"]
    assert {event.data["device_id"] for event in scanned} == {device.id}

    # the list is kept across a reload; a card can be blocked and removed
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    authority = entry.runtime_data.server.authority
    known = authority.known("FAMILY01")
    assert known is not None
    assert known.name == "Anna"
    await hass.services.async_call(
        DOMAIN, "add_charging_card", {"id_token": "FAMILY01", "blocked": True}, blocking=True
    )
    assert authority.status({"idToken": "FAMILY01", "type": "ISO14443"}) == "Blocked"
    await hass.services.async_call(DOMAIN, "remove_charging_card", {"id_token": "FAMILY01"}, blocking=True)
    assert authority.status({"idToken": "FAMILY01", "type": "ISO14443"}) == "Invalid"
    with pytest.raises(ServiceValidationError, match="not on this hub's list"):
        await hass.services.async_call(
            DOMAIN, "remove_charging_card", {"id_token": "FAMILY01"}, blocking=True
        )
