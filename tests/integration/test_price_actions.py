"""Prices the household's integrations give: Nord Pool's and Tibber's actions, the tariff, and what the
plan says when a price source has no forecast."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.ems.price_fetch import ActionPriceFetcher, action_source

from .common import hub_entry, load_hub

# 13:30 in Brussels (CET): tomorrow's day-ahead prices are published.
AFTER_AUCTION = datetime(2026, 12, 4, 12, 30, tzinfo=dt_util.UTC)


def _register(hass: HomeAssistant, platform: str, unique_id: str, entity_id: str) -> MockConfigEntry:
    """A price entity as the integration registers it, with its config entry."""
    source = MockConfigEntry(domain=platform)
    source.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "sensor", platform, unique_id, config_entry=source, suggested_object_id=entity_id.split(".", 1)[1]
    )
    return source


def _hourly(day: date, price_of: Any, key: str) -> list[dict[str, Any]]:
    start = dt_util.start_of_local_day(day)
    return [{key: (start + timedelta(hours=h)).isoformat(), "price": price_of(h)} for h in range(24)]


def _import_prices(entry: MockConfigEntry) -> list[float]:
    return [round(float(p), 4) for p in entry.runtime_data.ems.data.snapshot.prices.import_eur_per_kwh]


async def test_nord_pool_prices_come_through_its_action(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(AFTER_AUCTION - timedelta(hours=3))  # 10:30 CET: only today is published
    source = _register(hass, "nordpool", "SE3-current_price", "sensor.nord_pool_se3_current_price")
    hass.states.async_set("sensor.nord_pool_se3_current_price", "0.5", {"unit_of_measurement": "SEK/kWh"})
    calls: list[dict[str, Any]] = []
    published = {dt_util.now().date()}

    async def get_prices_for_date(call: ServiceCall) -> ServiceResponse:
        calls.append(dict(call.data))
        asked = date.fromisoformat(str(call.data["date"]))
        if asked not in published:
            raise ServiceValidationError("empty response")
        # per MWh, as Nord Pool answers: 100 + 10 per hour of the day; tomorrow 1000 flat
        price_of = (lambda h: 100.0 + 10 * h) if asked == dt_util.now().date() else (lambda h: 1000.0)
        return {"SE3": [{**p, "end": p["start"]} for p in _hourly(asked, price_of, "start")]}

    hass.services.async_register(
        "nordpool", "get_prices_for_date", get_prices_for_date, supports_response=SupportsResponse.ONLY
    )
    entry = await load_hub(
        hass, hub_entry(options={"import_price_entity": "sensor.nord_pool_se3_current_price"})
    )
    await hass.async_block_till_done()
    assert calls[0] == {
        "config_entry": source.entry_id,
        "date": dt_util.now().date().isoformat(),
        "areas": ["SE3"],
    }
    await entry.runtime_data.ems.async_refresh()
    prices = _import_prices(entry)
    # the day's shape, not the one present price; tomorrow repeats today's shape until it is published
    assert len(set(prices)) > 10
    hour = dt_util.now().hour
    assert prices[0] == pytest.approx((100 + 10 * hour) / 1000)
    assert prices[4 * 24 - 1] == pytest.approx((100 + 10 * ((hour + 23) % 24)) / 1000, abs=0.011)
    # after the auction the hub fetches tomorrow and re-plans with it
    published.add(dt_util.now().date() + timedelta(days=1))
    freezer.move_to(AFTER_AUCTION.replace(minute=32))
    async_fire_time_changed(hass, AFTER_AUCTION.replace(minute=32))
    await hass.async_block_till_done()
    await entry.runtime_data.ems.async_refresh()
    assert 1.0 in _import_prices(entry)
    plan = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_next_plan")
    assert plan is not None
    await hass.async_block_till_done()
    known_until = dt_util.parse_datetime(hass.states.get(plan).attributes["prices_known_until"])
    assert known_until == dt_util.start_of_local_day(dt_util.now().date() + timedelta(days=2))
    assert not ir.async_get(hass).async_get_issue(DOMAIN, f"price_forecast_missing_{entry.entry_id}")


async def test_tibber_prices_come_through_its_action_with_the_tariff(hass: HomeAssistant) -> None:
    _register(hass, "tibber", "home-1", "sensor.electricity_price_home")
    hass.states.async_set("sensor.electricity_price_home", "0.30", {"unit_of_measurement": "EUR/kWh"})

    async def get_prices(call: ServiceCall) -> ServiceResponse:
        start = dt_util.parse_datetime(str(call.data["start"]))
        assert start is not None
        return {"prices": {"Home": _hourly(dt_util.as_local(start).date(), lambda h: 0.2, "start_time")}}

    hass.services.async_register("tibber", "get_prices", get_prices, supports_response=SupportsResponse.ONLY)
    options = {
        "import_price_entity": "sensor.electricity_price_home",
        "grid_fee_eur_per_kwh": 0.1,
        "vat_pct": 25,
    }
    entry = await load_hub(hass, hub_entry(options=options))
    await hass.async_block_till_done()
    await entry.runtime_data.ems.async_refresh()
    # (0.20 + 0.10) x 1.25 for every step of today; past today the same shape
    assert set(_import_prices(entry)) == {0.375}


async def test_a_fixed_price_helper_is_billed_and_needs_no_forecast(hass: HomeAssistant) -> None:
    hass.states.async_set("input_number.my_price", "0.2", {"unit_of_measurement": "EUR/kWh"})
    options = {"import_price_entity": "input_number.my_price", "grid_fee_eur_per_kwh": 0.1, "vat_pct": 25}
    entry = await load_hub(hass, hub_entry(options=options))
    assert set(_import_prices(entry)) == {0.375}
    assert not ir.async_get(hass).async_get_issue(DOMAIN, f"price_forecast_missing_{entry.entry_id}")


async def test_a_price_without_forecast_is_reported_until_it_has_one(hass: HomeAssistant) -> None:
    hass.states.async_set("sensor.spot", "0.25", {"unit_of_measurement": "EUR/kWh"})
    entry = await load_hub(hass, hub_entry(options={"import_price_entity": "sensor.spot"}))
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"price_forecast_missing_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders["entity_id"] == "sensor.spot"
    assert entry.runtime_data.ems.builder.prices.known_until is None
    forecast = _hourly(dt_util.now().date(), lambda h: 0.1 * h, "start") + _hourly(
        dt_util.now().date() + timedelta(days=1), lambda h: 0.1 * h, "start"
    )
    hass.states.async_set("sensor.spot", "0.25", {"unit_of_measurement": "EUR/kWh", "today": forecast})
    await hass.async_block_till_done()
    await entry.runtime_data.ems.async_refresh()
    assert not ir.async_get(hass).async_get_issue(DOMAIN, f"price_forecast_missing_{entry.entry_id}")
    assert entry.runtime_data.ems.builder.prices.known_until is not None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_failing_action_keeps_the_entitys_prices(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    _register(hass, "nordpool", "FI-current_price", "sensor.nord_pool_fi_current_price")
    hass.states.async_set("sensor.nord_pool_fi_current_price", "0.1", {"unit_of_measurement": "EUR/kWh"})
    replans: list[bool] = []
    fetcher = ActionPriceFetcher(
        hass, ["sensor.nord_pool_fi_current_price", "sensor.other"], lambda: replans.append(True)
    )
    assert [s.area for s in fetcher.sources] == ["FI"]
    assert action_source(hass, "sensor.other") is None
    await fetcher.async_refresh(dt_util.utcnow())  # the action is not registered: logged once
    await fetcher.async_refresh(dt_util.utcnow() + timedelta(hours=7))
    assert caplog.text.count("could not be fetched") == 1
    assert (fetcher.points, replans) == ({}, [])
