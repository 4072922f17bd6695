"""Flexibility for grid operators and aggregators: requests, commitments the plan keeps, revenue, the VPP."""

from __future__ import annotations

from datetime import datetime, timedelta
import math
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.flexibility_book import Commitment
from custom_components.ssch.ems.coordinator import EmsCoordinator
from custom_components.ssch.vpp.device import FLEX_ENERGY_HORIZON, hub_flexibility

from .common import (
    BUILDING_DATA,
    car_visit,
    charger_data,
    flexible_site,
    hub_entry,
    load_flexible_site,
    load_hub,
    request_flexibility,
    running,
    sensor_by_unique_id,
    sensor_state_by_unique_id,
    set_flexible_site_sources,
    station_config,
    subentry,
    until,
)

TOLERANCE_KW = 0.05


def _value(hass: HomeAssistant, unique_id: str) -> float:
    return float(sensor_state_by_unique_id(hass, unique_id).state)


def _envelope_min(ems: EmsCoordinator, direction: str, start: datetime, end: datetime) -> float:
    plan = ems.data.plan
    envelope = plan.flexibility.up_kw if direction == "up" else plan.flexibility.down_kw
    return min(
        float(envelope[k])
        for k, t in enumerate(plan.grid.times())
        if t < end and t + plan.grid.step_delta > start
    )


def _assert_plan_keeps(ems: EmsCoordinator, commitment: Commitment) -> None:
    """Every planned step the window touches keeps the net power beyond baseline -/+ committed kW."""
    plan = ems.data.plan
    net = plan.grid_import_kw - plan.grid_export_kw
    checked = 0
    for k, t in enumerate(plan.grid.times()):
        end = t + plan.grid.step_delta
        targets = [commitment.target_kw(s) for s in commitment.baseline if s.start < end and s.end > t]
        if not targets:
            continue
        checked += 1
        if commitment.direction == "down":
            assert net[k] <= min(targets) + TOLERANCE_KW, (k, net[k], targets)
        else:
            assert net[k] >= max(targets) - TOLERANCE_KW, (k, net[k], targets)
    assert checked >= 4


@pytest.mark.parametrize("direction", ["down", "up"])
async def test_request_commits_what_the_plan_can_move_and_the_plan_keeps_it(
    hass: HomeAssistant, direction: str
) -> None:
    """The hub commits min(request, envelope over the window); the re-plan keeps the net power there."""
    set_flexible_site_sources(hass)
    entry = await load_flexible_site(hass)
    ems = entry.runtime_data.ems
    now = dt_util.utcnow()
    start, end = now + timedelta(minutes=30), now + timedelta(hours=1, minutes=30)
    envelope = _envelope_min(ems, direction, start, end)
    assert envelope > 10.0
    events = async_capture_events(hass, "ssch_flexibility_commitment")

    response = await request_flexibility(
        hass,
        direction=direction,
        power_kw=10,
        start=start.isoformat(),
        end=end.isoformat(),
        price_per_kwh=0.4,
    )
    assert response["committed_kw"] == 10.0
    assert response["requested_kw"] == 10.0
    assert response["hub"] == "Harbour hub"
    assert response["commitment_id"]
    commitment = ems.flexibility.commitments[0]
    assert commitment.commitment_id == response["commitment_id"]
    assert not ems.data.plan.diagnostics.fallback_used
    assert len(ems.data.snapshot.commitments) == len(commitment.baseline)
    _assert_plan_keeps(ems, commitment)
    assert _value(hass, f"{entry.entry_id}_flexibility_committed") == 0.0  # not started yet
    assert [e.data["state"] for e in events] == ["committed"]

    # Asking for more than the plan can move commits the envelope, rounded down to 10 W.
    expected = math.floor(_envelope_min(ems, direction, dt_util.utcnow(), end) * 100.0 + 1e-6) / 100.0
    response = await request_flexibility(hass, direction=direction, power_kw=5000, end=end.isoformat())
    assert response["committed_kw"] == pytest.approx(expected, abs=0.011)
    assert 0.0 < response["committed_kw"] < 5000
    # A window beyond the plan's horizon commits nothing and keeps nothing.
    far = now + timedelta(days=3)
    response = await request_flexibility(hass, direction=direction, power_kw=5, end=far.isoformat())
    assert response["committed_kw"] == 0.0
    assert response["commitment_id"] is None
    assert len(ems.flexibility.commitments) == 2

    await hass.services.async_call(DOMAIN, "clear_grid_signal", {}, blocking=True)
    assert ems.flexibility.commitments == []


async def test_request_validation(hass: HomeAssistant) -> None:
    """Windows that are over or reversed, non-positive power, negative prices and unknown hubs are refused."""
    set_flexible_site_sources(hass)
    entry = await load_flexible_site(hass)
    now = dt_util.utcnow()
    hour = (now + timedelta(hours=1)).isoformat()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"end": now.isoformat(), "start": hour}, "flexibility_window_order"),
        (
            {"start": "2001-01-01T00:00:00+00:00", "end": "2001-01-01T01:00:00+00:00"},
            "flexibility_window_in_past",
        ),
        ({"end": hour, "power_kw": 0}, "flexibility_power_not_positive"),
        ({"end": hour, "power_kw": -3}, "flexibility_power_not_positive"),
        ({"end": hour, "price_per_kwh": -0.1}, "flexibility_price_negative"),
        ({"end": hour, "config_entry_id": "nope"}, "unknown_hub"),
    ]
    for data, key in cases:
        with pytest.raises(ServiceValidationError) as refused:
            await request_flexibility(hass, **({"direction": "down", "power_kw": 5} | dict(data)))
        assert refused.value.translation_key == key
    await load_flexible_site(hass, "Depot hub")
    with pytest.raises(ServiceValidationError) as refused:
        await request_flexibility(hass, direction="up", power_kw=5, end=hour)
    assert refused.value.translation_key == "hub_required"
    response = await request_flexibility(
        hass, direction="up", power_kw=5, end=hour, config_entry_id=entry.entry_id
    )
    assert response["config_entry_id"] == entry.entry_id
    assert entry.runtime_data.ems.flexibility.commitments


async def test_delivery_earns_revenue_and_survives_a_reload(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The grid meter shows the site 10 kW under its baseline for 30 minutes: 5 kWh at 0.5 per kWh."""
    set_flexible_site_sources(hass)
    entry = await load_flexible_site(hass)
    ems = entry.runtime_data.ems
    events = async_capture_events(hass, "ssch_flexibility_commitment")
    now = dt_util.utcnow()
    response = await request_flexibility(
        hass,
        direction="down",
        power_kw=10,
        end=(now + timedelta(minutes=30)).isoformat(),
        price_per_kwh=0.5,
    )
    assert response["committed_kw"] == 10.0
    commitment = ems.flexibility.commitments[0]
    lowest = min(step.net_kw for step in commitment.baseline)
    # Far below the baseline: the delivery counts as the committed 10 kW, not more.
    hass.states.async_set(
        "sensor.grid_power",
        str((lowest - 25.0) * 1000.0),
        {"unit_of_measurement": "W", "device_class": "power"},
    )
    await ems.async_dispatch(ems.data)
    assert [e.data["state"] for e in events] == ["committed", "started"]
    assert events[1].data["committed_kw"] == 10.0
    assert events[1].data["direction"] == "down"
    # The start of the commitment shows at once, not with the next plan.
    assert _value(hass, f"{entry.entry_id}_flexibility_committed") == 10.0
    for _ in range(30):
        freezer.tick(timedelta(seconds=30))
        await ems.async_dispatch(ems.data)
    # 15 minutes delivered so far: 2.5 kWh earning 1.25.
    assert ems.flexibility.revenue == pytest.approx(1.25, abs=0.01)
    ems.async_update_listeners()
    state = sensor_state_by_unique_id(hass, f"{entry.entry_id}_flexibility_revenue")
    assert float(state.state) == pytest.approx(1.25, abs=0.01)
    assert state.attributes["unit_of_measurement"] == hass.config.currency
    assert state.attributes["state_class"] == "total"
    assert state.attributes["device_class"] == "monetary"

    # Commitment and revenue are kept across a reload; the new plan keeps the commitment.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    ems = entry.runtime_data.ems
    assert ems.flexibility.revenue == pytest.approx(1.25, abs=0.01)
    assert [c.commitment_id for c in ems.flexibility.commitments] == [commitment.commitment_id]
    assert ems.data.snapshot.commitments
    # Right after the reload the previous measurement is unknown: nothing is counted for the gap.
    freezer.tick(timedelta(seconds=30))
    await ems.async_dispatch(ems.data)
    for _ in range(30):
        freezer.tick(timedelta(seconds=30))
        await ems.async_dispatch(ems.data)
    # The window is over: 29.5 of its 30 minutes were measured, the commitment ended.
    assert ems.flexibility.revenue == pytest.approx(0.5 * 10.0 * 29.5 / 60.0, abs=0.02)
    assert ems.flexibility.commitments == []
    assert [e.data["state"] for e in events] == ["committed", "started", "ended"]
    assert _value(hass, f"{entry.entry_id}_flexibility_committed") == 0.0
    assert events[-1].data["revenue"] == pytest.approx(ems.flexibility.revenue, abs=0.01)


async def test_vpp_adds_up_every_hub_and_moves_with_them(hass: HomeAssistant) -> None:
    """One VPP device sums both hubs; it moves to the second hub when the first goes, and leaves with it."""
    set_flexible_site_sources(hass)
    first = await load_flexible_site(hass)
    second = await load_flexible_site(hass, "Depot hub")
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "vpp")})
    assert device is not None
    assert device.name == "Virtual power plant"
    end = (dt_util.utcnow() + timedelta(hours=2)).isoformat()
    await request_flexibility(hass, direction="down", power_kw=4, end=end, config_entry_id=first.entry_id)
    await request_flexibility(hass, direction="up", power_kw=3, end=end, config_entry_id=second.entry_id)
    for entry in (first, second):
        entry.runtime_data.ems.async_update_listeners()

    def hubs_total(entries: list[MockConfigEntry], field: str) -> float:
        now = dt_util.utcnow()
        return float(sum(getattr(hub_flexibility(e.runtime_data.ems, now), field) for e in entries))

    both = [first, second]
    assert _value(hass, "vpp_flexibility_up") == pytest.approx(hubs_total(both, "up_kw"), abs=0.01)
    assert _value(hass, "vpp_flexibility_down") == pytest.approx(hubs_total(both, "down_kw"), abs=0.01)
    assert _value(hass, "vpp_flexibility_energy_up") == pytest.approx(hubs_total(both, "up_kwh"), abs=0.01)
    energy_down = sensor_state_by_unique_id(hass, "vpp_flexibility_energy_down")
    assert float(energy_down.state) == pytest.approx(hubs_total(both, "down_kwh"), abs=0.01)
    assert energy_down.attributes["horizon_hours"] == FLEX_ENERGY_HORIZON.total_seconds() / 3600.0
    assert _value(hass, "vpp_flexibility_up") > 0.0
    committed = sensor_state_by_unique_id(hass, "vpp_flexibility_committed")
    assert float(committed.state) == 7.0
    assert committed.attributes["up_kw"] == 3.0
    assert committed.attributes["down_kw"] == 4.0
    assert committed.attributes["hubs"] == 2
    assert _value(hass, "vpp_flexibility_revenue") == 0.0
    assert _value(hass, f"{first.entry_id}_flexibility_energy_up") == pytest.approx(
        hubs_total([first], "up_kwh"), abs=0.01
    )
    hub_committed = sensor_state_by_unique_id(hass, f"{first.entry_id}_flexibility_committed")
    assert [c["committed_kw"] for c in hub_committed.attributes["commitments"]] == [4.0]

    # The first hub hosted the VPP; it goes, the second hub takes the device and its entities over.
    assert await hass.config_entries.async_unload(first.entry_id)
    await hass.async_block_till_done()
    committed = sensor_state_by_unique_id(hass, "vpp_flexibility_committed")
    assert float(committed.state) == 3.0
    assert committed.attributes["hubs"] == 1
    registry_entry = er.async_get(hass).async_get(sensor_by_unique_id(hass, "vpp_flexibility_committed"))
    assert registry_entry is not None
    assert registry_entry.config_entry_id == second.entry_id
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "vpp")})
    assert device is not None
    assert device.config_entries == {second.entry_id}
    # Reloading the remaining hub keeps the VPP device (it is not a stale device of the hub).
    assert await hass.config_entries.async_reload(second.entry_id)
    await hass.async_block_till_done()
    assert dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "vpp")}) is not None
    assert float(sensor_state_by_unique_id(hass, "vpp_flexibility_committed").state) == 3.0

    # No hub left: the VPP's entities are unavailable.
    assert await hass.config_entries.async_unload(second.entry_id)
    await hass.async_block_till_done()
    assert sensor_state_by_unique_id(hass, "vpp_flexibility_committed").state == "unavailable"
    # A hub that comes back hosts the VPP again.
    assert await hass.config_entries.async_setup(first.entry_id)
    await hass.async_block_till_done()
    committed = sensor_state_by_unique_id(hass, "vpp_flexibility_committed")
    assert float(committed.state) == 4.0
    assert committed.attributes["hubs"] == 1


async def test_unreadable_saved_commitments_are_dropped(
    hass: HomeAssistant, hass_storage: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """A saved flexibility book that cannot be read is dropped with a warning; the hub still loads."""
    set_flexible_site_sources(hass)
    entry = flexible_site()
    hass_storage[f"{DOMAIN}.{entry.entry_id}.ems"] = {
        "version": 1,
        "key": f"{DOMAIN}.{entry.entry_id}.ems",
        "data": {"flexibility": {"commitments": [{"direction": "sideways"}], "revenue": 3.0}},
    }
    await load_hub(hass, entry)
    assert entry.runtime_data.ems.flexibility.commitments == []
    assert entry.runtime_data.ems.flexibility.revenue == 0.0
    assert "flexibility commitments, they cannot be read" in caplog.text


async def _set_departure(hass: HomeAssistant, entry: MockConfigEntry, departure: datetime) -> None:
    """The departure goal of CS01's only EVSE."""
    sub = next(s for s in entry.subentries.values() if s.unique_id == "CS01")
    entity_id = er.async_get(hass).async_get_entity_id(
        "datetime", DOMAIN, f"{entry.entry_id}_{sub.subentry_id}_evse1_goal_departure"
    )
    await hass.services.async_call(
        "datetime", "set_value", {"entity_id": entity_id, "datetime": departure}, blocking=True
    )


@pytest.mark.parametrize(
    ("direction", "hours", "building_kw"),
    [
        # 28 kWh in 3.5 hours: the car charges fast and can give 2 kW, then 3 more to a building spike.
        ("down", 3.5, 24.0),
        # 28 kWh in 8 hours: the car charges slowly and can take 2 kW more, then what the building frees.
        ("up", 8.0, 18.0),
    ],
)
async def test_dispatcher_holds_a_commitment_between_plans(
    hass: HomeAssistant, direction: str, hours: float, building_kw: float
) -> None:
    """The plan moves a car for a commitment; when the building's load changes, the car makes up the
    difference at the next dispatch, not at the next plan."""
    sign = 1.0 if direction == "up" else -1.0
    set_flexible_site_sources(hass)
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
            subentry("building", BUILDING_DATA, "sensor.office_power"),
        ),
    )
    ems = entry.runtime_data.ems
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        station.plug_in(car_visit(station, hours=hours))
        await until(lambda: station.power_kw > 1.0, timeout_s=20)
        await _set_departure(hass, entry, dt_util.utcnow() + timedelta(hours=hours))
        ems.builder.record(dt_util.utcnow() - timedelta(minutes=5), ems.builder.live(dt_util.utcnow()))
        await ems.async_refresh()
        planned_ev = float(ems.data.plan.evse_power_kw["CS01:1"][0])
        # Room for the 2 kW committed and the 3 kW the building moves (an 11 kW charger).
        assert (11.0 - planned_ev if sign > 0 else planned_ev) > 5.0
        end = dt_util.utcnow() + timedelta(hours=1)
        response = await request_flexibility(hass, direction=direction, power_kw=2, end=end.isoformat())
        assert response["committed_kw"] == 2.0
        commitment = ems.flexibility.commitments[0]
        _assert_plan_keeps(ems, commitment)
        baseline = commitment.baseline_at(dt_util.utcnow())
        assert baseline is not None
        promised = baseline + sign * 2.0

        def held(site_kw: float) -> bool:
            return sign * (site_kw + station.power_kw - promised) >= -0.3

        await until(lambda: held(21.0), timeout_s=20)
        before_kw = station.power_kw
        hass.states.async_set(
            "sensor.office_power", str(building_kw), {"unit_of_measurement": "kW", "device_class": "power"}
        )
        await ems.async_dispatch(ems.data)
        await until(lambda: held(building_kw), timeout_s=20)
        assert station.power_kw == pytest.approx(before_kw - (building_kw - 21.0), abs=0.6)
