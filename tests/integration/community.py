"""Helpers for hubs that talk to their energy community through a real broker and HA's MQTT integration."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.vpp.community_data import CommunityRuntime, community_runtime
from custom_components.ssch.vpp.paho_link import BrokerAddress, PahoLink
from tests.mqtt_broker import Broker

from .common import BATTERY_DATA, BUILDING_DATA, GRID_METER_DATA, hub_entry, load_hub, subentry

KEY = "a-shared-community-key-for-tests"
PREFIX = "test/ssch"
COMMUNITY = "harbour"


def community_options(**overrides: Any) -> dict[str, Any]:
    """The ``community`` option of a member that accepts up to 20 kW at 5 ct/kWh or more."""
    return {
        "enabled": True,
        "community_id": COMMUNITY,
        "topic_prefix": PREFIX,
        "community_key": KEY,
        "aggregator_id": "aggregator",
        "price_floor": 0.05,
        "max_kw": 20.0,
        "run_aggregator": False,
    } | overrides


async def setup_mqtt(hass: HomeAssistant, broker: Broker) -> MockConfigEntry:
    """Home Assistant's real MQTT integration, connected to the test's broker."""
    # The MQTT integration reads configuration.yaml for its YAML items: an empty one.
    config = Path(hass.config.config_dir) / "configuration.yaml"
    await hass.async_add_executor_job(config.write_text, "{}\n")
    entry = MockConfigEntry(domain="mqtt", data={"broker": "127.0.0.1", "port": broker.port})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
async def mqtt_entry(hass: HomeAssistant, mqtt_broker: Broker) -> AsyncIterator[MockConfigEntry]:
    """HA's MQTT integration on the test's broker; hubs, then MQTT, unload while the broker still runs."""
    entry = await setup_mqtt(hass, mqtt_broker)
    yield entry
    for hub in hass.config_entries.async_entries(DOMAIN):
        if hub.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(hub.entry_id)
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def load_member(
    hass: HomeAssistant, name: str, **overrides: Any
) -> tuple[MockConfigEntry, CommunityRuntime]:
    """A hub with a battery and a building that joined the community (as in ``test_flexibility``)."""
    entry = hub_entry(
        subentry("battery", BATTERY_DATA, "sensor.battery_power"),
        subentry("building", BUILDING_DATA, "sensor.office_power"),
        subentry("grid_meter", GRID_METER_DATA, "grid_meter"),
        site={"name": name},
        options={"community": community_options(**overrides)},
    )
    await load_hub(hass, entry)
    ems = entry.runtime_data.ems
    # As if the hub had been running a few minutes: the plan knows the building, so it has flexibility.
    ems.builder.record(dt_util.utcnow() - timedelta(minutes=5), ems.builder.live(dt_util.utcnow()))
    await ems.async_refresh()
    runtime = community_runtime(hass, entry.entry_id)
    assert runtime is not None
    await runtime.member.publish_envelope()
    # HA's MQTT client subscribes after a short debounce: the echo of the hub's own announcement says
    # its subscriptions (and those of an aggregator started before it) are in place.
    await until(runtime.member.echoed.is_set)
    return entry, runtime


async def until(predicate: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Wait (letting Home Assistant and the broker work) until ``predicate`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def spy(broker: Broker) -> AsyncIterator[list[tuple[str, bytes]]]:
    """Every message published under the test prefix while the block runs (and retained ones)."""
    seen: list[tuple[str, bytes]] = []

    async def keep(topic: str, payload: bytes) -> None:
        seen.append((topic, payload))

    link = PahoLink(BrokerAddress.parse(broker.url), "test-spy", keep)
    await link.start([f"{PREFIX}/#"])
    try:
        yield seen
    finally:
        await link.stop()
