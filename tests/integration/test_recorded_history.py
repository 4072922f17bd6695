"""A hub that loads continues from the history Home Assistant already has: the recorder's statistics
and states of the mapped entities, and what the hub kept in its own store."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.models import StatisticData, StatisticMeanType, StatisticMetaData
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import numpy as np
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import async_wait_recording_done
from sqlalchemy.exc import SQLAlchemyError

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.history_bins import from_compact, to_compact
from custom_components.ssch.core.model import FloatArray, StepGrid

from .common import BUILDING_DATA, PV_DATA, charger_data, hub_entry, load_hub, set_source_states, subentry
from .day_site import office_kw

HOUR = timedelta(hours=1)
STEP = timedelta(minutes=15)
WEEK = timedelta(days=7)


@pytest.fixture
def mock_recorder_before_hass(async_setup_recorder_instance: Any) -> None:
    """The recorder's database is prepared before Home Assistant starts (only ``recorder_mock`` sets
    the recorder up: the other tests run without it)."""


def _office_at(moment: datetime) -> float:
    """The office's mean power over the hour ``moment`` lies in."""
    local = dt_util.as_local(moment).replace(minute=30, second=0, microsecond=0)
    return office_kw(local)


def _building(entry: Any) -> tuple[StepGrid, FloatArray]:
    snapshot = entry.runtime_data.ems.data.snapshot
    return snapshot.grid, snapshot.forecasts.building_kw


def _assert_office_pattern(entry: Any) -> None:
    grid, building = _building(entry)
    expected = np.array([_office_at(start) for start in grid.times()])
    assert np.ptp(building) > 10.0
    assert building == pytest.approx(expected, abs=0.01)


async def test_recorder_statistics_feed_the_building_forecast_after_a_restart(
    recorder_mock: Recorder, hass: HomeAssistant
) -> None:
    """A week of hourly means in the long-term statistics: the first plan already follows the day."""
    hour = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    metadata = StatisticMetaData(
        has_mean=True,
        mean_type=StatisticMeanType.ARITHMETIC,
        has_sum=False,
        name=None,
        source="recorder",
        statistic_id="sensor.office_power",
        unit_of_measurement="W",
    )
    starts = [hour - WEEK + k * HOUR for k in range(7 * 24)]
    async_import_statistics(
        hass, metadata, [StatisticData(start=start, mean=_office_at(start) * 1000) for start in starts]
    )
    await async_wait_recording_done(hass)
    set_source_states(hass)
    entry = await load_hub(hass, hub_entry(subentry("building", BUILDING_DATA, "sensor.office_power")))
    _assert_office_pattern(entry)


async def test_recorded_states_feed_the_pv_history(recorder_mock: Recorder, hass: HomeAssistant) -> None:
    """A sensor without statistics: its recorded states, as means per plan step."""
    now = dt_util.utcnow()
    first = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    for k in range(2 * 24 * 12):
        moment = first + k * timedelta(minutes=5)
        watts = 1000.0 * (k % 12)  # 0..11 kW within each hour
        hass.states.async_set(
            "sensor.pv_power", str(watts), {"unit_of_measurement": "W"}, timestamp=moment.timestamp()
        )
    hass.states.async_set(
        "sensor.pv_power", "unavailable", {}, timestamp=(first + timedelta(days=2)).timestamp()
    )
    await async_wait_recording_done(hass)
    set_source_states(hass)
    entry = await load_hub(hass, hub_entry(subentry("pv", PV_DATA, "sensor.pv_power")))
    kept = from_compact(entry.runtime_data.ems.builder.kept_history()["pv"])
    by_moment = dict(kept)
    assert kept[0][0] == first
    # Each quarter of an hour holds three readings: 0, 1, 2 kW, then 3, 4, 5 kW, ...
    assert [by_moment[first + q * STEP] for q in range(4)] == pytest.approx([1.0, 4.0, 7.0, 10.0])
    assert len([moment for moment in by_moment if moment < first + timedelta(days=2)]) == 2 * 24 * 4


async def test_recorded_sessions_give_a_new_hub_its_arrival_profile(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The hub's session energy sensor was recorded before the hub learned anything (its store was
    lost): a car came every day three hours after this time, so one is expected today."""
    freezer.move_to("2026-11-25T18:00:00+00:00")  # a Wednesday morning in the test's time zone
    now = dt_util.utcnow()
    entry = hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01"))
    entry.add_to_hass(hass)
    charger = next(iter(entry.subentries.values()))
    session_sensor = (
        er.async_get(hass)
        .async_get_or_create(
            "sensor",
            DOMAIN,
            f"{entry.entry_id}_{charger.subentry_id}_evse1_session_energy",
            config_entry=entry,
        )
        .entity_id
    )
    for day in range(7, 0, -1):
        arrival = now - timedelta(days=day) + 3 * HOUR
        for moment, state in (
            (arrival, "0.0"),
            (arrival + 2 * HOUR, "12.0"),
            (arrival + 6 * HOUR, "unknown"),
        ):
            hass.states.async_set(
                session_sensor, state, {"unit_of_measurement": "kWh"}, timestamp=moment.timestamp()
            )
    await async_wait_recording_done(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    ems = entry.runtime_data.ems
    assert ems.arrivals.days_seen_before(dt_util.now().date()) == 6
    expected = ems.data.expected
    assert len(expected) == 1
    assert expected[0].arrival == pytest.approx(now + 3 * HOUR, abs=timedelta(minutes=1))
    assert expected[0].energy_needed_kwh == pytest.approx(2 * 12.0 * 0.95, abs=0.1)


async def test_a_recorder_that_cannot_be_read_does_not_stop_the_hub(
    recorder_mock: Recorder, hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    set_source_states(hass)
    with patch(
        "custom_components.ssch.ems.recorder_history.read_history",
        side_effect=SQLAlchemyError("database is locked"),
    ):
        entry = await load_hub(hass, hub_entry(subentry("building", BUILDING_DATA, "sensor.office_power")))
    assert entry.state is ConfigEntryState.LOADED
    assert "history could not be read" in caplog.text


async def test_history_survives_a_reload_without_the_recorder(hass: HomeAssistant) -> None:
    set_source_states(hass)
    entry = await load_hub(hass, hub_entry(subentry("building", BUILDING_DATA, "sensor.office_power")))
    kept = entry.runtime_data.ems.builder.kept_history()
    assert kept["building"]["values"] == [21.0]
    assert kept["pv"] is None  # no PV mapped: no PV history
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.ems.builder.kept_history()["building"]["values"] == [21.0]


async def test_stored_history_feeds_the_first_plan(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    """What the hub kept before a restart gives the first plan the office's day."""
    set_source_states(hass)
    entry = hub_entry(subentry("building", BUILDING_DATA, "sensor.office_power"))
    now = dt_util.utcnow()
    start = now.replace(minute=0, second=0, microsecond=0) - WEEK
    history = [(start + k * STEP, _office_at(start + k * STEP)) for k in range(7 * 24 * 4)]
    key = f"{DOMAIN}.{entry.entry_id}.ems"
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {"history": {"building": to_compact(history, STEP), "pv": None}},
    }
    await load_hub(hass, entry)
    _assert_office_pattern(entry)


async def test_unreadable_stored_history_is_dropped(
    hass: HomeAssistant, hass_storage: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    set_source_states(hass)
    entry = hub_entry(subentry("building", BUILDING_DATA, "sensor.office_power"))
    key = f"{DOMAIN}.{entry.entry_id}.ems"
    hass_storage[key] = {"version": 1, "key": key, "data": {"history": {"building": {"start": 0}}}}
    await load_hub(hass, entry)
    assert "PV and building history, it cannot be read" in caplog.text
    assert entry.runtime_data.ems.builder.kept_history()["building"]["values"] == [21.0]
