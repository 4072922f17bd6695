"""One VPP device per Home Assistant, with one id, however many hubs come and go."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryDisabler
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.entities.devices import VPP_IDENTIFIER
from custom_components.ssch.registry_compat import device_by_identifier, move_device, remove_device

from .common import hub_entry, set_source_states


def _vpp_devices(hass: HomeAssistant) -> list[dr.DeviceEntry]:
    registry = dr.async_get(hass)
    return [
        device
        for entry in hass.config_entries.async_entries("ssch")
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        if VPP_IDENTIFIER in device.identifiers
    ]


async def _load(hass: HomeAssistant, name: str) -> MockConfigEntry:
    entry = hub_entry(site={"name": name})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_the_vpp_device_moves_with_its_host_and_keeps_its_id(hass: HomeAssistant) -> None:
    set_source_states(hass)
    first = await _load(hass, "Harbour hub")
    second = await _load(hass, "Depot hub")
    (device,) = _vpp_devices(hass)
    dr.async_get(hass).async_update_device(device.id, name_by_user="Our VPP")
    for unloaded, host in ((first, second), (second, first)):
        assert await hass.config_entries.async_unload(unloaded.entry_id)
        await hass.async_block_till_done()
        assert await hass.config_entries.async_setup(unloaded.entry_id)
        await hass.async_block_till_done()
        (moved,) = _vpp_devices(hass)
        assert moved.id == device.id
        assert moved.name_by_user == "Our VPP"
        assert device_by_identifier(dr.async_get(hass), VPP_IDENTIFIER, host.entry_id) == moved


async def test_copies_of_the_vpp_device_are_merged_into_the_hosts(hass: HomeAssistant) -> None:
    """Earlier versions could leave a VPP device on each hub that hosted it: the host keeps its own."""
    set_source_states(hass)
    # A hub that is not loaded (disabled) still owns its old copy.
    other = MockConfigEntry(domain="ssch", title="Depot hub", disabled_by=ConfigEntryDisabler.USER)
    host = hub_entry()
    registry = dr.async_get(hass)
    copies = {}
    for entry in (other, host):
        entry.add_to_hass(hass)
        copies[entry.entry_id] = registry.async_get_or_create(
            config_entry_id=entry.entry_id, identifiers={VPP_IDENTIFIER, ("ssch", f"copy-{entry.entry_id}")}
        )
    assert await hass.config_entries.async_setup(host.entry_id)
    await hass.async_block_till_done()
    (device,) = _vpp_devices(hass)
    assert device.id == copies[host.entry_id].id


class _SingleEntryRegistry:
    """The device registry calls of Home Assistant 2026.8 and later, where a device has one entry."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def async_get_device_by_identifier(self, identifier: tuple[str, str], entry_id: str) -> str:
        return f"{identifier[1]}@{entry_id}"

    def async_update_device(self, device_id: str, *, new_config_entry_id: str | None = None) -> None:
        self.calls.append(("move", (device_id, new_config_entry_id)))

    def async_remove_device(self, device_id: str) -> None:
        self.calls.append(("remove", device_id))


def test_the_2026_8_registry_calls_are_used_where_they_exist() -> None:
    registry: Any = _SingleEntryRegistry()
    device: Any = dr.DeviceEntry(id="d1", identifiers={VPP_IDENTIFIER})
    assert device_by_identifier(registry, VPP_IDENTIFIER, "hub1") == "vpp@hub1"
    move_device(registry, device, "hub1", "hub2")
    remove_device(registry, device, "hub2")
    assert registry.calls == [("move", ("d1", "hub2")), ("remove", "d1")]
