"""Solar forecasts in the shapes Home Assistant integrations publish them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.core import State
import pytest

from custom_components.ssch.ems.solar_forecast_parse import (
    ForecastProblem,
    SolarForecast,
    parse_energy_platform,
    parse_state,
)

NOW = datetime(2026, 6, 1, 10, 7, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _state(value: str, attributes: dict[str, Any], written: datetime = NOW) -> State:
    return State("sensor.solar", value, attributes, last_updated=written, last_reported=written)


def _forecast(result: SolarForecast | ForecastProblem) -> SolarForecast:
    assert isinstance(result, SolarForecast), result
    return result


def test_solcast_detailed_forecast_in_kw() -> None:
    """Half-hour periods of pv_estimate (kW); times as datetimes or ISO strings."""
    items = [
        {"period_start": NOW.replace(minute=0), "pv_estimate": 2.0, "pv_estimate10": 1.0},
        {"period_start": NOW.replace(minute=30).isoformat(), "pv_estimate": 4.0},
    ]
    forecast = _forecast(parse_state(_state("12.3", {"detailedForecast": items}), NOW))
    assert [(p.start.minute, p.end.minute, p.kw) for p in forecast.periods] == [(0, 30, 2.0), (30, 0, 4.0)]
    assert forecast.ends == NOW.replace(minute=0) + HOUR


def test_forecast_solar_watts_and_wh_period() -> None:
    """watts are W at the period start; wh_period is Wh over a period that may be shorter than an hour."""
    start = NOW.replace(minute=0)
    watts = {(start + k * HOUR).isoformat(): 1000.0 * k for k in range(3)}
    forecast = _forecast(parse_state(_state("5", {"watts": watts}), NOW))
    assert [p.kw for p in forecast.periods] == [0.0, 1.0, 2.0]
    wh = {start.isoformat(): 500, (start + timedelta(minutes=30)).isoformat(): 2000}
    forecast = _forecast(parse_state(_state("5", {"wh_period": wh}), NOW))
    assert [p.kw for p in forecast.periods] == [1.0, 4.0]


def test_plain_power_state_stands_for_the_next_hour() -> None:
    forecast = _forecast(parse_state(_state("2500", {"unit_of_measurement": "W"}), NOW))
    assert [(p.start, p.end, p.kw) for p in forecast.periods] == [(NOW, NOW + HOUR, 2.5)]


@pytest.mark.parametrize(
    ("state", "problem"),
    [
        (None, ForecastProblem.UNAVAILABLE),
        (_state("unavailable", {}), ForecastProblem.UNAVAILABLE),
        (_state("12", {"unit_of_measurement": "kWh"}), ForecastProblem.WRONG_UNIT),
        (_state("12", {}), ForecastProblem.WRONG_UNIT),
        (_state("lots", {"unit_of_measurement": "kW"}), ForecastProblem.GARBAGE),
        (_state("-3", {"unit_of_measurement": "kW"}), ForecastProblem.GARBAGE),
        (_state("1", {"detailedForecast": "soon"}), ForecastProblem.GARBAGE),
        (_state("1", {"detailedForecast": []}), ForecastProblem.GARBAGE),
        (_state("1", {"detailedForecast": ["x"]}), ForecastProblem.GARBAGE),
        (_state("1", {"detailedForecast": [{"period_start": "never", "pv_estimate": 1}]}), "garbage"),
        (_state("1", {"forecast": [{"period_start": NOW, "pv_estimate": True}]}), "garbage"),
        (_state("1", {"watts": [1, 2]}), ForecastProblem.GARBAGE),
        (_state("1", {"watts": {NOW.isoformat(): "nan"}}), ForecastProblem.GARBAGE),
        (_state("1", {"watts": {NOW.isoformat(): None}}), ForecastProblem.GARBAGE),
        (_state("1", {"watts": {NOW.isoformat(): "x"}}), ForecastProblem.GARBAGE),
        (_state("1", {"watts": {NOW.isoformat(): 1, NOW.replace(tzinfo=None): 2}}), "garbage"),
        (_state("1", {"watts": {(NOW - 2 * HOUR).isoformat(): 100}}), ForecastProblem.STALE),
        (_state("2", {"unit_of_measurement": "kW"}, written=NOW - 7 * HOUR), ForecastProblem.STALE),
    ],
)
def test_unusable_forecasts_say_why(state: State | None, problem: str) -> None:
    assert parse_state(state, NOW) == problem


def test_unknown_state_with_a_series_is_read() -> None:
    items = [{"period_start": NOW, "pv_estimate": 1.5}]
    assert isinstance(parse_state(_state("unknown", {"detailedHourly": items}), NOW), SolarForecast)


def test_energy_platform_answer() -> None:
    start = NOW.replace(minute=0)
    wh_hours = {(start + k * HOUR).isoformat(): 1500 * k for k in range(4)}
    forecast = _forecast(parse_energy_platform({"wh_hours": wh_hours}, NOW))
    assert [p.kw for p in forecast.periods] == [0.0, 1.5, 3.0, 4.5]
    assert forecast.peak_kw == 4.5
    assert parse_energy_platform(None, NOW) is ForecastProblem.UNAVAILABLE
    assert parse_energy_platform({"watts": {}}, NOW) is ForecastProblem.GARBAGE
    assert parse_energy_platform(["wh_hours"], NOW) is ForecastProblem.GARBAGE  # type: ignore[arg-type]
    assert parse_energy_platform({"wh_hours": {}}, NOW) is ForecastProblem.GARBAGE


def test_samples_cover_each_step_of_a_period_and_the_last_step() -> None:
    """Every step inside a period gets its power; the step in which the forecast ends still counts."""
    start = NOW.replace(minute=0)
    forecast = _forecast(parse_energy_platform({"wh_hours": {start.isoformat(): 2000}}, NOW)).scaled(0.5)
    step = timedelta(minutes=15)
    points = forecast.samples(NOW, NOW + 4 * HOUR, step)
    assert [p[0].minute for p in points] == [0, 15, 30, 45, 59]
    assert {p[1] for p in points} == {1.0}
    assert forecast.samples(NOW + 2 * HOUR, NOW + 4 * HOUR, step) == []
