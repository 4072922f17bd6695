"""Adding or removing an asset reloads the hub, but its stations stay connected."""

from __future__ import annotations

from types import MappingProxyType

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant

from custom_components.ssch.stations.server_keeper import server_keeper

from .common import charger_data, hub_entry, load_hub, port_is_free, running, station_config, subentry, until


async def test_a_new_charger_does_not_disconnect_the_others(hass: HomeAssistant) -> None:
    """The server carries on through the reload; a change of its own settings restarts it."""
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    server = entry.runtime_data.server
    async with running(station_config(entry, "CS01")) as first:
        await first.wait_connected()
        await until(lambda: server.state("CS01").connected)
        reconnects = server.state("CS01").reconnects

        data = charger_data("CS02", evse_count=1, name="Bay 2")
        hass.config_entries.async_add_subentry(
            entry,
            ConfigSubentry(
                data=MappingProxyType(data), subentry_type="charger", title="Bay 2", unique_id="CS02"
            ),
        )
        await hass.async_block_till_done()
        assert entry.runtime_data.server is server
        assert first.connected
        assert server.state("CS01").reconnects == reconnects
        async with running(station_config(entry, "CS02")) as second:
            await second.wait_connected()
            await until(lambda: entry.runtime_data.ems.server.state("CS02").connected)

        # Adopting unknown stations is a setting of the server itself: it starts anew.
        hass.config_entries.async_update_entry(
            entry, options={**entry.options, "adopt_unknown_stations": True}
        )
        await hass.async_block_till_done()
        assert entry.runtime_data.server is not server
        await until(lambda: entry.runtime_data.server.state("CS01").connected)

    # A plain unload stops the server, and removing the hub leaves nothing held.
    port = entry.data["port"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert port_is_free(port)
    await hass.config_entries.async_remove(entry.entry_id)
    assert server_keeper(hass)._held == {}


async def test_a_held_server_is_stopped_when_the_hub_goes(hass: HomeAssistant) -> None:
    """A reload that never set the hub up again leaves no server running once the hub is deleted."""
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    keeper = server_keeper(hass)
    keeper.keep_on_next_unload(entry.entry_id)
    assert await hass.config_entries.async_unload(entry.entry_id)
    port = entry.data["port"]
    assert not port_is_free(port)
    await hass.config_entries.async_remove(entry.entry_id)
    assert port_is_free(port)
