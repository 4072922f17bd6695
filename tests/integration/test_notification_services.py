"""The actions behind the phone's replies refuse what they cannot do safely, and say why."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN

from .common import load_hub
from .hub_events_common import evse_device, evse_entity, station_device, two_bay_hub


@pytest.fixture
async def hub(hass: HomeAssistant) -> MockConfigEntry:
    return await load_hub(hass, two_bay_hub())


async def _call(hass: HomeAssistant, service: str, data: dict[str, object]) -> None:
    await hass.services.async_call(DOMAIN, service, data, blocking=True)
    await hass.async_block_till_done()


async def test_a_reply_about_a_session_that_ended_changes_nothing(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    mode = evse_entity(hass, hub, "CS01", "select", "goal_charge_mode")
    device = evse_device(hass, hub, "CS01")
    for service, extra in (("charge_now", {}), ("postpone_departure", {"delay": {"hours": 1}})):
        with pytest.raises(ServiceValidationError) as raised:
            await _call(hass, service, {"device_id": device, "session_id": "CS01:1:gone"} | extra)
        assert raised.value.translation_key == "session_over"
        assert raised.value.translation_placeholders == {"charger": "Charger CS01", "evse_id": "1"}
    assert hass.states.get(mode).state == "smart"
    assert hass.states.get(evse_entity(hass, hub, "CS01", "datetime", "goal_departure")).state == "unknown"


async def test_only_evse_devices_are_accepted(hass: HomeAssistant, hub: MockConfigEntry) -> None:
    for device in (station_device(hass, hub, "CS01"), "no-such-device"):
        with pytest.raises(ServiceValidationError) as raised:
            await _call(hass, "charge_now", {"device_id": device})
        assert raised.value.translation_key == "unknown_evse"


async def test_the_goal_changes_even_with_its_entity_disabled(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    """The goal belongs to the EMS; its entity only shows it."""
    mode = evse_entity(hass, hub, "CS02", "select", "goal_charge_mode")
    er.async_get(hass).async_update_entity(mode, disabled_by=er.RegistryEntryDisabler.USER)
    await hass.config_entries.async_reload(hub.entry_id)
    await hass.async_block_till_done()
    await _call(hass, "charge_now", {"device_id": evse_device(hass, hub, "CS02")})
    assert hub.runtime_data.ems.controls["CS02:1"].goal.mode.value == "fast"


async def test_charge_now_and_a_later_departure_without_a_session(
    hass: HomeAssistant, hub: MockConfigEntry
) -> None:
    device = evse_device(hass, hub, "CS01")
    departure = evse_entity(hass, hub, "CS01", "datetime", "goal_departure")
    chosen = (dt_util.utcnow() + timedelta(hours=2)).replace(microsecond=0)
    await hass.services.async_call(
        "datetime", "set_value", {"entity_id": departure, "datetime": chosen}, blocking=True
    )

    await _call(hass, "postpone_departure", {"device_id": device, "delay": {"minutes": 30}})
    assert dt_util.parse_datetime(hass.states.get(departure).state) == chosen + timedelta(minutes=30)
    await _call(hass, "charge_now", {"device_id": device, "session_id": ""})
    assert hass.states.get(evse_entity(hass, hub, "CS01", "select", "goal_charge_mode")).state == "fast"
