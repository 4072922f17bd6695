"""The month's billed peak: measured from the grid meter, kept across restarts, planned and dispatched to."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.ssch.const import DOMAIN

from .common import GRID_METER_DATA, hub_entry, load_hub, set_source_states, subentry

OPTIONS: dict[str, Any] = {"import_price_fixed": 0.30, "peak_charge_eur_per_kw": 8.0}


async def test_billed_peak_is_measured_planned_and_kept(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    set_source_states(hass)  # the grid meter reads 40 kW of import
    entry = await load_hub(
        hass, hub_entry(subentry("grid_meter", GRID_METER_DATA, "grid_meter"), options=OPTIONS)
    )
    ems = entry.runtime_data.ems
    for _ in range(32):  # half an hour of dispatch rounds: at least one whole quarter hour
        freezer.tick(timedelta(minutes=1))
        await ems.async_dispatch(ems.data)
    assert ems.billed_peak.peak_kw == pytest.approx(40.0, rel=0.01)

    await ems.async_refresh()
    prices = ems.data.snapshot.prices
    assert prices.peak_eur_per_kw == 8.0
    assert prices.peak_already_kw == pytest.approx(40.0, rel=0.01)
    sensor = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_billed_peak")
    assert sensor is not None
    ems.async_update_listeners()
    state = hass.states.get(sensor)
    assert float(state.state) == pytest.approx(40.0, rel=0.01)
    assert state.attributes["month"] == ems.billed_peak.month

    # A restart keeps the month's peak; a quieter quarter hour does not lower it.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    ems = entry.runtime_data.ems
    assert ems.billed_peak.peak_kw == pytest.approx(40.0, rel=0.01)
    hass.states.async_set("sensor.grid_power", "10000", {"unit_of_measurement": "W", "device_class": "power"})
    for _ in range(32):
        freezer.tick(timedelta(minutes=1))
        await ems.async_dispatch(ems.data)
    assert ems.billed_peak.peak_kw == pytest.approx(40.0, rel=0.01)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_without_a_capacity_tariff_the_plan_has_no_peak_charge(hass: HomeAssistant) -> None:
    set_source_states(hass)
    entry = await load_hub(hass, hub_entry(options={"import_price_fixed": 0.30}))
    assert entry.runtime_data.ems.data.snapshot.prices.peak_eur_per_kw == 0.0
    assert entry.runtime_data.config.peak_charge_eur_per_kw == 0.0
