"""Forecast helpers: sun geometry, PV and building load, on synthetic and on real data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from benchmarks.office_load import office_load_kw
from benchmarks.weather import hourly_pv_kw, load_reference_year, reference_array
from custom_components.ssch.core.forecast import (
    clear_sky_irradiance,
    day_kind,
    forecast_building_kw,
    forecast_pv_kw,
    resample,
    sun_position,
)
from custom_components.ssch.core.model import StepGrid

LATITUDE, LONGITUDE = 53.53, 8.58
QUARTER = timedelta(minutes=15)


def test_sun_position_at_equinox_noon() -> None:
    # Solar noon at the March equinox: the zenith equals the latitude, the sun stands south.
    sun = sun_position(datetime(2023, 3, 20, 12, 7, tzinfo=UTC), 0.0, 0.0)
    assert sun.zenith_deg == pytest.approx(0.0, abs=1.0)
    sun = sun_position(datetime(2023, 3, 20, 11, 26, tzinfo=UTC), LATITUDE, LONGITUDE)
    assert sun.zenith_deg == pytest.approx(LATITUDE, abs=1.5)
    assert sun.azimuth_deg == pytest.approx(180.0, abs=5.0)
    assert sun.extraterrestrial_w_per_m2 == pytest.approx(1361, rel=0.02)


def test_clear_sky_is_zero_at_night_and_high_at_summer_noon() -> None:
    assert clear_sky_irradiance(datetime(2023, 6, 21, 0, 0, tzinfo=UTC), LATITUDE, LONGITUDE) == 0
    noon = clear_sky_irradiance(datetime(2023, 6, 21, 11, 30, tzinfo=UTC), LATITUDE, LONGITUDE)
    assert 750 < noon < 950


def test_resample_averages_and_holds() -> None:
    grid = StepGrid(datetime(2023, 6, 1, 10, tzinfo=UTC), 15, 4)
    points = [
        (grid.start, 2.0),
        (grid.start + timedelta(minutes=5), 4.0),
        (grid.start + 2 * QUARTER, 7.0),
    ]
    values, known = resample(points, grid)
    assert values.tolist() == [3.0, 4.0, 7.0, 7.0]
    assert known.all()
    later_values, later_known = resample([(grid.start + QUARTER, 1.0)], grid)
    assert later_values.tolist() == [0.0, 1.0, 1.0, 1.0]
    assert later_known.tolist() == [False, True, True, True]


def test_pv_forecast_uses_a_given_series_and_continues_clear_sky() -> None:
    grid = StepGrid(datetime(2023, 6, 21, 8, tzinfo=UTC), 15, 16)
    series = [(grid.start + k * QUARTER, 5.0 + k) for k in range(8)]
    forecast = forecast_pv_kw(grid, 60.0, LATITUDE, LONGITUDE, forecast=series)
    assert forecast[:8].tolist() == [5.0 + k for k in range(8)]
    # No history: the rest follows a clear sky, which at this time is far above 12 kW.
    assert np.all(forecast[8:] > 20.0)
    assert np.all(forecast <= 60.0)


def test_pv_forecast_keeps_the_recent_clearness() -> None:
    grid = StepGrid(datetime(2023, 6, 21, 10, tzinfo=UTC), 15, 8)
    clear = forecast_pv_kw(grid, 10.0, LATITUDE, LONGITUDE)
    history = [
        (moment, 0.5 * float(value))
        for moment, value in zip(
            [grid.start - (k + 1) * QUARTER for k in range(96)][::-1],
            forecast_pv_kw(StepGrid(grid.start - 96 * QUARTER, 15, 96), 10.0, LATITUDE, LONGITUDE),
            strict=True,
        )
    ]
    cloudy = forecast_pv_kw(grid, 10.0, LATITUDE, LONGITUDE, history=history)
    assert cloudy == pytest.approx(0.5 * clear, rel=0.02)


def test_pv_forecast_at_night_has_no_clearness_to_keep() -> None:
    grid = StepGrid(datetime(2023, 12, 21, 22, tzinfo=UTC), 15, 8)
    history = [(grid.start - (k + 1) * QUARTER, 0.0) for k in range(8)]
    assert forecast_pv_kw(grid, 10.0, LATITUDE, LONGITUDE, history=history).tolist() == [0.0] * 8


def test_day_kind() -> None:
    assert day_kind(datetime(2023, 7, 3)) == 1  # Monday
    assert day_kind(datetime(2023, 7, 7)) == 1  # Friday
    assert day_kind(datetime(2023, 7, 8)) == 6
    assert day_kind(datetime(2023, 7, 9)) == 7


def test_building_forecast_without_history_is_zero() -> None:
    grid = StepGrid(datetime(2023, 7, 3, tzinfo=UTC), 15, 4)
    assert forecast_building_kw(grid, []).tolist() == [0.0] * 4


def test_building_forecast_falls_back_to_the_recent_mean() -> None:
    grid = StepGrid(datetime(2023, 7, 3, tzinfo=UTC), 15, 4)
    history = [(grid.start - (k + 1) * QUARTER, 8.0) for k in range(8)]
    assert forecast_building_kw(grid, history).tolist() == [8.0] * 4


def test_building_forecast_right_after_a_start_is_the_reading_taken_now() -> None:
    grid = StepGrid(datetime(2023, 7, 3, tzinfo=UTC), 15, 4)
    assert forecast_building_kw(grid, [(grid.start, 21.0)]).tolist() == [21.0] * 4


def test_building_forecast_separates_working_days_from_weekends() -> None:
    start = datetime(2023, 6, 5, tzinfo=UTC)  # a Monday
    history = []
    for k in range(21 * 96):
        moment = start + k * QUARTER
        working = moment.isoweekday() < 6
        history.append((moment, (50.0 if working else 5.0) + moment.hour))
    monday = StepGrid(datetime(2023, 6, 26, tzinfo=UTC), 15, 96)
    forecast = forecast_building_kw(monday, history, time_zone="UTC")
    assert forecast[40] == pytest.approx(60.0)
    saturday = StepGrid(datetime(2023, 6, 24, 10, tzinfo=UTC), 15, 4)
    assert forecast_building_kw(saturday, history)[0] == pytest.approx(15.0)


def test_building_forecast_on_the_office_profile() -> None:
    # Real BDEW G1 data: three weeks of history forecast the following Tuesday almost exactly.
    start = datetime(2023, 6, 5, tzinfo=UTC)
    load = office_load_kw(start, 22 * 96, step_minutes=15, annual_kwh=150_000.0, time_zone="Europe/Amsterdam")
    history = [(start + k * QUARTER, load[k]) for k in range(21 * 96)]
    grid = StepGrid(start + 21 * 96 * QUARTER, 15, 96)
    forecast = forecast_building_kw(grid, history, time_zone="Europe/Amsterdam")
    actual = np.array(load[21 * 96 :])
    assert np.mean(np.abs(forecast - actual)) < 0.05 * np.mean(actual)


def test_pv_forecast_on_the_reference_year_beats_a_clear_sky_guess() -> None:
    # Real weather (Bremerhaven reference year), day-ahead forecasts made at midnight for June.
    hourly = hourly_pv_kw(reference_array(10.0), 2023, load_reference_year())
    quarter_hourly = np.repeat(np.array(hourly), 4)
    first = datetime(2023, 1, 1, tzinfo=UTC)
    persistence_error = 0.0
    clear_sky_error = 0.0
    for day in range(152, 182):
        start = first + timedelta(days=day)
        index = day * 96
        history = [(start - (k + 1) * QUARTER, quarter_hourly[index - k - 1]) for k in range(96)]
        grid = StepGrid(start, 15, 96)
        actual = quarter_hourly[index : index + 96]
        with_history = forecast_pv_kw(grid, 10.0, LATITUDE, LONGITUDE, history=history)
        without = forecast_pv_kw(grid, 10.0, LATITUDE, LONGITUDE)
        persistence_error += float(np.sum(np.abs(with_history - actual)))
        clear_sky_error += float(np.sum(np.abs(without - actual)))
    assert persistence_error < 0.8 * clear_sky_error
