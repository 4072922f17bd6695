"""Several stationary batteries: planned as one pool, each driven and shown with its own share."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest

from custom_components.ssch.const import DOMAIN

from .common import BATTERY_DATA, BUILDING_DATA, PV_DATA, hub_entry, load_hub, set_source_states, subentry

SMALL_BATTERY = BATTERY_DATA | {
    "name": "Garage battery",
    "soc_entity": "sensor.garage_soc",
    "power_entity": "sensor.garage_power",
    "control_entity": "input_number.garage_setpoint",
    "capacity_kwh": 20.0,
    "max_charge_kw": 10.0,
    "max_discharge_kw": 10.0,
}


async def test_every_battery_is_planned_and_driven(hass: HomeAssistant) -> None:
    """The plan has both batteries' capacity; the setpoints sent add up to the plan's battery power."""
    assert await async_setup_component(
        hass,
        "input_number",
        {
            "input_number": {
                name: {"min": -60, "max": 60, "step": 0.01, "unit_of_measurement": "kW"}
                for name in ("basement_setpoint", "garage_setpoint")
            }
        },
    )
    set_source_states(hass)
    hass.states.async_set("sensor.garage_soc", "80", {"unit_of_measurement": "%", "device_class": "battery"})
    hass.states.async_set("sensor.garage_power", "0", {"unit_of_measurement": "kW", "device_class": "power"})
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("pv", PV_DATA, "sensor.pv_power"),
            subentry(
                "battery", BATTERY_DATA | {"control_entity": "input_number.basement_setpoint"}, "basement"
            ),
            subentry("battery", SMALL_BATTERY, "garage"),
            subentry("building", BUILDING_DATA, "sensor.office_power"),
        ),
    )
    ems = entry.runtime_data.ems
    pool = ems.data.snapshot.battery
    assert pool is not None
    assert pool.capacity_kwh == 120.0
    assert pool.max_discharge_kw == 60.0
    # 55 % of 100 kWh and 80 % of 20 kWh.
    assert pool.energy_kwh == pytest.approx(71.0)

    # The pool discharges 30 kW: both can give their full power this step, so 50 : 10.
    now = ems.data.plan.grid.start
    await ems.assets.async_apply(-30.0, 0.0, 0.0, ems.builder.batteries(now))
    assert float(hass.states.get("input_number.basement_setpoint").state) == pytest.approx(-25.0)
    assert float(hass.states.get("input_number.garage_setpoint").state) == pytest.approx(-5.0)

    # Each battery's plan sensor shows its share; the shares add up to the plan.
    registry = er.async_get(hass)
    shares = []
    for sub in entry.subentries.values():
        if sub.subentry_type != "battery":
            continue
        entity_id = registry.async_get_entity_id(
            "sensor", DOMAIN, f"{entry.entry_id}_{sub.subentry_id}_battery_setpoint"
        )
        assert entity_id is not None
        state = hass.states.get(entity_id)
        shares.append([float(value) for value in state.attributes["values_kw"]])
    planned = ems.data.plan.battery_power_kw
    for step in range(len(planned)):
        assert shares[0][step] + shares[1][step] == pytest.approx(float(planned[step]), abs=0.01)
