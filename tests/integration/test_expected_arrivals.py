"""The hub learns when cars usually arrive, plans room for them, and keeps what it learned."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.expected_plan import EXPECTED_PREFIX
from custom_components.ssch.core.model import EvSession
from custom_components.ssch.core.session_forecast import (
    SessionForecastConfig,
    SessionForecaster,
    _Arrival,
    _pending_arrival,
)

from .common import car_visit, charger_data, hub_entry, load_hub, running, station_config, subentry, until

NEED_KWH = 12.0


def _learned_week(hass: HomeAssistant) -> dict[str, Any]:
    """A profile of the last seven days: every day one car came 3 hours after this time of day."""
    config = SessionForecastConfig(time_zone=hass.config.time_zone)
    forecaster = SessionForecaster(config)
    now = dt_util.utcnow()
    cars = [
        EvSession(
            session_id=f"past-{day}",
            evse_id="CS01/1",
            max_charge_kw=11.0,
            max_discharge_kw=0.0,
            arrival=now - timedelta(days=day) + timedelta(hours=3),
            departure=now - timedelta(days=day) + timedelta(hours=9),
            energy_kwh=20.0,
            capacity_kwh=60.0,
            target_energy_kwh=20.0 + NEED_KWH,
        )
        for day in range(1, 8)
    ]
    local_midnight = dt_util.start_of_local_day(now)
    forecaster.learn_history(cars, local_midnight - timedelta(days=7), local_midnight)
    return forecaster.to_dict()


def _hub() -> Any:
    return hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01"))


def _save(hass_storage: dict[str, Any], entry_id: str, data: dict[str, Any]) -> None:
    hass_storage[f"{DOMAIN}.{entry_id}.ems"] = {"version": 1, "key": f"{DOMAIN}.{entry_id}.ems", "data": data}


async def test_the_plan_keeps_room_for_the_cars_that_usually_come(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to("2026-11-25T18:00:00+00:00")  # a Wednesday morning in the test's time zone
    entry = _hub()
    _save(hass_storage, entry.entry_id, {"arrivals": _learned_week(hass)})
    await load_hub(hass, entry)
    ems = entry.runtime_data.ems
    await ems.async_refresh()
    expected = ems.data.expected
    assert len(expected) == 1
    assert expected[0].arrival > dt_util.utcnow()
    # Planned at twice the usual need, but the plan itself only names the hub's own chargers.
    assert ems.plan_attributes()["expected_arrivals_kwh"] == pytest.approx(2 * NEED_KWH, abs=0.1)
    assert not any(key.startswith(EXPECTED_PREFIX) for key in ems.data.plan.evse_power_kw)
    assert not any(key.startswith(EXPECTED_PREFIX) for key in ems.data.plan.session_outcomes)
    # The car the plan expects needs energy from the grid: the planned import rises when it comes.
    arrival_step = int(ems.data.plan.grid.offset_steps(expected[0].arrival)) + 1
    assert max(ems.data.plan.grid_import_kw[arrival_step:]) > max(
        ems.data.plan.grid_import_kw[: arrival_step - 1]
    )


async def test_what_the_hub_learns_survives_a_reload(hass: HomeAssistant) -> None:
    """A car seen today enters the profile at the day's end, arrived when the station says it was
    plugged in and with the dwell it really had; the day in progress is kept across a reload."""
    entry = await load_hub(hass, _hub())
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        station.plug_in(car_visit(station))
        ems = entry.runtime_data.ems
        await until(lambda: bool(ems.arrivals.to_dict()["pending"]))
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        ems = entry.runtime_data.ems

        def pending() -> list[_Arrival]:
            return [_pending_arrival(row) for row in ems.arrivals.to_dict()["pending"]]

        assert len(pending()) == 1
        car = pending()[0]
        assert car.day == dt_util.now().date()
        plugged_in = ems.server.state("CS01").evse(1).session_started_at
        assert plugged_in is not None
        assert car.arrival_s == pytest.approx(plugged_in.timestamp())
        assert car.dwell_h > 1.0
        # The car leaves at once: the profile learns how long it really stayed.
        station.unplug()
        await until(lambda: pending()[0].dwell_h < 0.1)


async def test_an_unreadable_profile_is_dropped(
    hass: HomeAssistant, hass_storage: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    entry = _hub()
    _save(hass_storage, entry.entry_id, {"arrivals": {"days": ["not", "a", "profile"]}})
    await load_hub(hass, entry)
    assert "arrival profile, it cannot be read" in caplog.text
    assert entry.runtime_data.ems.arrivals.to_dict()["stats"] == []
