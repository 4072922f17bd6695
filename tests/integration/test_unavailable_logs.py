"""A station or a mapped source that goes unavailable is logged once, and once more when it is back."""

from __future__ import annotations

from datetime import timedelta
import logging

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.ssch.ems.source_tracker import SourceTracker

from .common import charger_data, hub_entry, load_hub, running, station_config, subentry, until


async def test_a_station_outage_is_logged_once_each_way(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    caplog.set_level(logging.INFO, logger="custom_components.ssch.stations.bridge")
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected(timeout_s=15)
        server = entry.runtime_data.server
        for _ in range(2):
            # The station's connection drops and it comes back, twice.
            session = server.session("CS01")
            assert session is not None
            await session.close("test drop")
            await until(lambda: server.session("CS01") not in (None, session))  # noqa: B023
            await hass.async_block_till_done()
    await until(lambda: server.session("CS01") is None)
    unavailable = [r for r in caplog.records if "is unavailable" in r.getMessage()]
    back = [r for r in caplog.records if "is connected again" in r.getMessage()]
    assert len(unavailable) == 3  # two drops, and the end of the test
    assert len(back) == 2
    assert all(r.levelno == logging.INFO for r in unavailable + back)
    assert "Charger CS01 (station CS01) of hub Harbour hub is unavailable: test drop" in caplog.text


async def test_a_source_outage_is_logged_once_each_way(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="custom_components.ssch.ems.source_tracker")
    tracker = SourceTracker(hass, "hub")
    now = dt_util.utcnow()
    hass.states.async_set("sensor.pv_power", "5", {"unit_of_measurement": "kW"})
    assert tracker.read("sensor.pv_power", SensorDeviceClass.POWER, 0.0, now) == 5.0
    hass.states.async_set("sensor.pv_power", "unavailable")
    for minutes in (1, 2, 30):
        tracker.read("sensor.pv_power", SensorDeviceClass.POWER, 0.0, now + timedelta(minutes=minutes))
    hass.states.async_set("sensor.pv_power", "6", {"unit_of_measurement": "kW"})
    tracker.read("sensor.pv_power", SensorDeviceClass.POWER, 0.0, now + timedelta(minutes=31))
    tracker.read("sensor.pv_power", SensorDeviceClass.POWER, 0.0, now + timedelta(minutes=32))
    messages = [r.getMessage() for r in caplog.records if r.name.endswith("source_tracker")]
    assert messages == [
        "sensor.pv_power has no usable value (unavailable); its last value is held up to 15 minutes,"
        " then 0 is assumed",
        "sensor.pv_power has a usable value again",
    ]
    tracker.clear_all()
