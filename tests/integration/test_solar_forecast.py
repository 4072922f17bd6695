"""The plan's PV follows the household's solar forecast: a forecast sensor, or an integration that gives
the Energy dashboard a forecast; a forecast that stops being usable is bridged, then replaced by the
hub's own estimate with a repair issue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import Mock

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    async_fire_time_changed,
    mock_integration,
    mock_platform,
)

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.model import FloatArray, StepGrid
from custom_components.ssch.ems.solar_forecasts import HOLD

from .common import PV_DATA, hub_entry, load_hub, set_source_states, subentry

# Late morning in the test's time zone (US/Pacific): the clear-sky estimate is far above the forecast.
MORNING = "2026-06-15T18:07:00+00:00"
HOUR = timedelta(hours=1)
FORECAST_KW = 3.21
FORECAST_HOURS = 6
SENSOR = "sensor.solar_forecast"


def _hour() -> datetime:
    return dt_util.utcnow().replace(minute=0, second=0, microsecond=0)


def _watts() -> dict[str, Any]:
    """Forecast.Solar / Open-Meteo Solar Forecast: W at each hour's start."""
    return {"watts": {(_hour() + k * HOUR).isoformat(): FORECAST_KW * 1000 for k in range(FORECAST_HOURS)}}


def _solcast(kw: float = FORECAST_KW, hours: int = FORECAST_HOURS) -> dict[str, Any]:
    """Solcast: half-hour periods in kW, times as datetimes."""
    half = timedelta(minutes=30)
    return {
        "detailedForecast": [
            {"period_start": _hour() + k * half, "pv_estimate": kw, "pv_estimate90": kw * 1.2}
            for k in range(2 * hours)
        ]
    }


def _pv_hub(name: str, **data: Any) -> MockConfigEntry:
    return hub_entry(subentry("pv", PV_DATA | data, "sensor.pv_power"), site={"name": name})


def _pv(entry: MockConfigEntry) -> tuple[StepGrid, FloatArray]:
    snapshot = entry.runtime_data.ems.data.snapshot
    return snapshot.grid, snapshot.forecasts.pv_kw


def _assert_forecast_then_estimate(entry: MockConfigEntry, estimate: FloatArray) -> None:
    """Steps inside the forecast take it; the steps after it ends take the hub's own estimate."""
    grid, planned = _pv(entry)
    ends = _hour() + FORECAST_HOURS * HOUR
    inside = [k for k, start in enumerate(grid.times()) if start + grid.step_delta <= ends]
    after = [k for k, start in enumerate(grid.times()) if start >= ends]
    assert len(inside) >= 4 * FORECAST_HOURS - 2
    assert planned[inside] == pytest.approx(FORECAST_KW)
    assert planned[after] == pytest.approx(estimate[after])
    assert max(abs(estimate[inside] - FORECAST_KW)) > 1.0


def _issue(hass: HomeAssistant, entry: MockConfigEntry, source: str) -> ir.IssueEntry | None:
    issue_id = f"solar_forecast_unavailable_{entry.entry_id}_{source}"
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


async def _later(hass: HomeAssistant, freezer: FrozenDateTimeFactory, delta: timedelta) -> None:
    freezer.tick(delta)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


@pytest.mark.parametrize("attributes", [_watts, _solcast], ids=["forecast_solar", "solcast"])
async def test_a_forecast_sensor_changes_the_planned_pv(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, attributes: Callable[[], dict[str, Any]]
) -> None:
    freezer.move_to(MORNING)
    set_source_states(hass)
    hass.states.async_set(SENSOR, "41.2", {"unit_of_measurement": "kWh", **attributes()})
    with_forecast = await load_hub(hass, _pv_hub("With forecast", forecast_entity=SENSOR))
    without = await load_hub(hass, _pv_hub("Estimate only"))
    _assert_forecast_then_estimate(with_forecast, _pv(without)[1])
    assert with_forecast.runtime_data.ems.status() == ("ok", None)


def _energy_forecast(calls: list[str]) -> Callable[[HomeAssistant, str], Awaitable[dict[str, Any] | None]]:
    async def async_get_solar_forecast(hass: HomeAssistant, config_entry_id: str) -> dict[str, Any] | None:
        calls.append(config_entry_id)
        if hass.config_entries.async_get_entry(config_entry_id) is None:
            return None
        return {"wh_hours": {(_hour() + k * HOUR).isoformat(): FORECAST_KW * 1000 for k in range(6)}}

    return async_get_solar_forecast


async def _forecast_integration(hass: HomeAssistant, calls: list[str]) -> MockConfigEntry:
    """An integration with an Energy platform that gives a solar forecast, and one entry of it."""
    mock_integration(hass, MockModule("solar_test"))
    mock_platform(hass, "solar_test.energy", Mock(async_get_solar_forecast=_energy_forecast(calls)))
    forecast_entry = MockConfigEntry(domain="solar_test", title="Roof forecast")
    forecast_entry.add_to_hass(hass)
    assert await async_setup_component(hass, "solar_test", {})
    return forecast_entry


def _options(result: Mapping[str, Any], field: str) -> list[dict[str, str]]:
    for key, value in result["data_schema"].schema.items():
        if str(key) == field:
            return list(value.config["options"])
    raise AssertionError(field)


async def test_an_energy_forecast_integration_is_used_when_picked(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(MORNING)
    set_source_states(hass)
    calls: list[str] = []
    forecast_entry = await _forecast_integration(hass, calls)
    hub = await load_hub(hass, hub_entry(site={"name": "Harbour hub"}))
    estimate_hub = await load_hub(hass, _pv_hub("Estimate only"))

    result = await hass.config_entries.subentries.async_init(
        (hub.entry_id, "pv"), context={"source": SOURCE_USER}
    )
    # The hub's own Energy platform is not offered: it passes on the forecast it plans with.
    assert _options(result, "forecast_config_entry") == [
        {"value": forecast_entry.entry_id, "label": "Roof forecast (solar_test)"}
    ]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], PV_DATA | {"forecast_config_entry": forecast_entry.entry_id}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert calls == [forecast_entry.entry_id]
    _assert_forecast_then_estimate(hub, _pv(estimate_hub)[1])

    # The integration is removed: the choice stays on the form, the plan falls back to the estimate.
    assert await hass.config_entries.async_remove(forecast_entry.entry_id)
    pv = next(iter(hub.subentries.values()))
    result = await hass.config_entries.subentries.async_init(
        (hub.entry_id, "pv"), context={"source": SOURCE_RECONFIGURE, "subentry_id": pv.subentry_id}
    )
    assert _options(result, "forecast_config_entry") == [
        {"value": forecast_entry.entry_id, "label": forecast_entry.entry_id}
    ]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], dict(pv.data) | {"peak_kwp": 61.0}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert _issue(hass, hub, forecast_entry.entry_id) is None
    await _later(hass, freezer, HOLD + timedelta(minutes=16))
    issue = _issue(hass, hub, forecast_entry.entry_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "source": forecast_entry.entry_id,
        "assets": "Roof PV",
        "hours": "2",
    }
    assert (
        hub.runtime_data.ems.builder.solar.forecast_for(hub.runtime_data.config.pv[0], dt_util.utcnow())
        is None
    )
    assert _pv(hub)[1][0] > 2 * FORECAST_KW


async def test_a_failing_forecast_integration_does_not_stop_the_hub(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """An exception or a malformed answer counts as no forecast; the repair names the entry."""
    freezer.move_to(MORNING)
    set_source_states(hass)
    forecast_entry = await _forecast_integration(hass, [])

    async def broken(hass: HomeAssistant, config_entry_id: str) -> dict[str, Any]:
        raise RuntimeError("the forecast service is down")

    mock_platform(hass, "solar_test.energy", Mock(async_get_solar_forecast=broken))
    # An entry of an integration without a forecast: nothing to read from it either.
    other = MockConfigEntry(domain="other_test", title="Inverter")
    other.add_to_hass(hass)
    hub = await load_hub(
        hass,
        hub_entry(
            subentry("pv", PV_DATA | {"forecast_config_entry": forecast_entry.entry_id}, "sensor.pv_power"),
            subentry(
                "pv",
                PV_DATA
                | {
                    "name": "Carport",
                    "power_entity": "sensor.pv_forecast",
                    "forecast_config_entry": other.entry_id,
                },
                "sensor.pv_forecast",
            ),
        ),
    )
    assert hub.runtime_data.ems.last_update_success
    await _later(hass, freezer, HOLD + timedelta(minutes=16))
    issue = _issue(hass, hub, forecast_entry.entry_id)
    assert issue is not None
    assert (issue.translation_placeholders or {})["source"] == "Roof forecast (solar_test)"
    assert _issue(hass, hub, other.entry_id) is not None
    status, reason = hub.runtime_data.ems.status()
    assert status == "degraded"
    assert reason is not None
    assert forecast_entry.entry_id in reason


async def test_a_forecast_integration_that_loads_after_the_hub_is_read_once_home_assistant_runs(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """While Home Assistant starts, the forecast's integration may not be ready when the hub loads."""
    freezer.move_to(MORNING)
    set_source_states(hass)
    forecast_entry = await _forecast_integration(hass, [])
    ready = False

    async def after_start(hass: HomeAssistant, config_entry_id: str) -> dict[str, Any] | None:
        return await _energy_forecast([])(hass, config_entry_id) if ready else None

    mock_platform(hass, "solar_test.energy", Mock(async_get_solar_forecast=after_start))
    hass.set_state(CoreState.not_running)
    hub = await load_hub(hass, _pv_hub("Harbour hub", forecast_config_entry=forecast_entry.entry_id))
    estimate = await load_hub(hass, _pv_hub("Estimate only"))
    assert _pv(hub)[1] == pytest.approx(_pv(estimate)[1])
    ready = True
    await hass.async_start()
    await hass.async_block_till_done()
    _assert_forecast_then_estimate(hub, _pv(estimate)[1])


def _stale() -> dict[str, Any]:
    return {"watts": {(_hour() - k * HOUR).isoformat(): 2000.0 for k in range(1, 4)}}


@pytest.mark.parametrize(
    ("state", "attributes"),
    [
        ("1", lambda: {"watts": {"soon": "lots"}}),
        ("5000", lambda: {"unit_of_measurement": "kWh", "device_class": "energy"}),
        ("9", lambda: _solcast(kw=FORECAST_KW * 1000)),  # W where Solcast gives kW
        ("9", _stale),
        ("unavailable", dict),
    ],
    ids=["garbage", "wrong_unit", "implausible", "ended", "unavailable"],
)
async def test_an_unusable_forecast_falls_back_to_the_estimate_with_a_repair(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    state: str,
    attributes: Callable[[], dict[str, Any]],
) -> None:
    freezer.move_to(MORNING)
    set_source_states(hass)
    hass.states.async_set(SENSOR, state, attributes())
    hub = await load_hub(hass, _pv_hub("Harbour hub", forecast_entity=SENSOR))
    estimate = await load_hub(hass, _pv_hub("Estimate only"))
    assert _pv(hub)[1] == pytest.approx(_pv(estimate)[1])
    assert _issue(hass, hub, SENSOR) is None
    await _later(hass, freezer, HOLD + timedelta(minutes=16))
    issue = _issue(hass, hub, SENSOR)
    assert issue is not None
    assert issue.translation_key == "solar_forecast_unavailable"
    assert (issue.translation_placeholders or {})["source"] == SENSOR
    await hub.runtime_data.ems.builder.solar.async_refresh()
    await hub.runtime_data.ems.async_refresh()
    await estimate.runtime_data.ems.async_refresh()
    assert _pv(hub)[1] == pytest.approx(_pv(estimate)[1])

    # A usable forecast again: the issue goes and the plan follows the forecast at once.
    hass.states.async_set(SENSOR, "41.2", _watts())
    await hass.async_block_till_done()
    assert _issue(hass, hub, SENSOR) is None
    await estimate.runtime_data.ems.async_refresh()
    _assert_forecast_then_estimate(hub, _pv(estimate)[1])


async def test_a_broken_forecast_is_bridged_with_the_last_good_one(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(MORNING)
    set_source_states(hass)
    hass.states.async_set(SENSOR, "41.2", _solcast())
    hub = await load_hub(hass, _pv_hub("Harbour hub", forecast_entity=SENSOR))
    hass.states.async_set(SENSOR, "unavailable", {})
    await _later(hass, freezer, timedelta(minutes=20))
    await hub.runtime_data.ems.async_refresh()
    _grid, planned = _pv(hub)
    assert planned[: 4 * FORECAST_HOURS - 4] == pytest.approx(FORECAST_KW)
    assert _issue(hass, hub, SENSOR) is None
    # Not written for hours (a forecast integration that stopped): stale although it reaches far ahead.
    hass.states.async_set(SENSOR, "41.2", _solcast(hours=48))
    await hass.async_block_till_done()
    await _later(hass, freezer, timedelta(hours=6, minutes=10))
    assert _issue(hass, hub, SENSOR) is not None
    assert (
        hub.runtime_data.ems.builder.solar.forecast_for(hub.runtime_data.config.pv[0], dt_util.utcnow())
        is None
    )


async def test_forecast_shared_by_two_arrays_is_split_by_peak_power(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(MORNING)
    set_source_states(hass)
    hass.states.async_set(SENSOR, "41.2", _watts())
    east = PV_DATA | {"name": "East", "peak_kwp": 20.0, "forecast_entity": SENSOR}
    west = PV_DATA | {
        "name": "West",
        "power_entity": "sensor.pv_west",
        "peak_kwp": 40.0,
        "forecast_entity": SENSOR,
    }
    hass.states.async_set("sensor.pv_west", "0", {"unit_of_measurement": "W", "device_class": "power"})
    hub = await load_hub(
        hass,
        hub_entry(subentry("pv", east, "sensor.pv_power"), subentry("pv", west, "sensor.pv_west")),
    )
    estimate = await load_hub(hass, _pv_hub("Estimate only"))
    _assert_forecast_then_estimate(hub, _pv(estimate)[1])
    solar = hub.runtime_data.ems.builder.solar
    east_config, west_config = hub.runtime_data.config.pv
    east_forecast = solar.forecast_for(east_config, dt_util.utcnow())
    west_forecast = solar.forecast_for(west_config, dt_util.utcnow())
    assert east_forecast is not None
    assert west_forecast is not None
    assert east_forecast.peak_kw == pytest.approx(FORECAST_KW / 3)
    assert west_forecast.peak_kw == pytest.approx(2 * FORECAST_KW / 3)
