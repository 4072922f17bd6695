"""Price series from the attributes of common price integrations, in EUR/kWh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homeassistant.core import State
import pytest

from custom_components.ssch.core.model import StepGrid
from custom_components.ssch.ems.price_source import current_price, forecast_points, price_series, unit_factor

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GRID = StepGrid(START, 15, 12)


def _hours(
    count: int, value_of: object, time_key: str = "start", value_key: str = "value"
) -> list[dict[str, object]]:
    return [
        {time_key: (START + timedelta(hours=h)).isoformat(), value_key: value_of(h)}  # type: ignore[operator]
        for h in range(count)
    ]


@pytest.mark.parametrize(
    ("unit", "factor"),
    [
        ("EUR/kWh", 1.0),
        ("€/MWh", 0.001),
        ("ct/kWh", 0.01),
        ("SEK/kWh", 1.0),
        ("øre/kWh", 0.01),
        ("EUR/Wh", 1000.0),
    ],
)
def test_unit_factor(unit: str, factor: float) -> None:
    """Units convert to currency per kWh."""
    assert unit_factor(unit) == pytest.approx(factor)


def test_nord_pool_style_attributes() -> None:
    """raw_today/raw_tomorrow hourly values fill each 15-minute step of their hour."""
    state = State(
        "sensor.nordpool",
        "0.20",
        {
            "unit_of_measurement": "EUR/kWh",
            "raw_today": _hours(2, lambda h: 0.1 * (h + 1)),
            "raw_tomorrow": [],
        },
    )
    series, from_entity = price_series(state, GRID, fallback_eur_per_kwh=9.0)
    assert from_entity
    assert series[:4].tolist() == pytest.approx([0.1] * 4)
    assert series[4:8].tolist() == pytest.approx([0.2] * 4)
    assert series[8:].tolist() == pytest.approx([0.2] * 4)


def test_entsoe_and_epex_styles() -> None:
    """ENTSO-e's time/price pairs and EPEX Spot's price_eur_per_mwh are both read."""
    entsoe = State(
        "sensor.entsoe",
        "0.3",
        {"unit_of_measurement": "€/kWh", "prices": _hours(3, lambda h: 0.3 + h, "time", "price")},
    )
    assert [p.eur_per_kwh for p in forecast_points(entsoe)] == pytest.approx([0.3, 1.3, 2.3])
    epex = State(
        "sensor.epex",
        "120",
        {
            "unit_of_measurement": "EUR/MWh",
            "data": _hours(3, lambda h: 100.0 + h, "start_time", "price_eur_per_mwh"),
        },
    )
    assert [p.eur_per_kwh for p in forecast_points(epex)] == pytest.approx([0.1, 0.101, 0.102])
    assert current_price(epex) == pytest.approx(0.12)


def test_garbage_falls_back_to_the_present_price_then_the_fixed_one() -> None:
    """Unreadable forecasts use the present price; an unusable state uses the fallback."""
    noisy = State(
        "sensor.price",
        "25",
        {
            "unit_of_measurement": "ct/kWh",
            "prices": [{"time": "soon", "price": 1}, {"price": 2}, "x", {"time": None}],
        },
    )
    series, from_entity = price_series(noisy, GRID, 0.4)
    assert from_entity
    assert series.tolist() == pytest.approx([0.25] * 12)
    for state in (State("sensor.price", "unavailable"), None):
        series, from_entity = price_series(state, GRID, 0.4)
        assert not from_entity
        assert series.tolist() == pytest.approx([0.4] * 12)
