"""The automation blueprints: valid for Home Assistant, shipped twice identically, and doing their job.

Every blueprint runs as a real automation, installed into a fresh configuration the way the integration
installs it. Phone notifications go through a real ``mobile_app`` registration; only the push gateway's
HTTP endpoint is mocked, so the notification the phone would receive is what the tests read. Event names
come from the integration's constants, so a renamed event breaks these tests instead of the blueprints.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.calendar.const import DATA_COMPONENT
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.ssch.blueprint_install import SHIPPED_BLUEPRINTS, install_blueprints
from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.grid_signals import GridSignal
from custom_components.ssch.ems.events import (
    EVENT_GRID_SIGNAL,
    EVENT_SESSION_READY,
    EVENT_TARGET_AT_RISK,
    EmsEventEmitter,
)
from custom_components.ssch.hub_config import HubConfig
from custom_components.ssch.stations.bridge import EVENT_CHARGER_FAULT

REPO_BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation" / "ssch"
SOURCE_URL = "https://github.com/ssch-hub/ssch/blob/main/blueprints/automation/ssch/{}"
BLUEPRINTS = (
    "booking_reminder.yaml",
    "grid_event.yaml",
    "notify_car_ready.yaml",
    "notify_charger_fault.yaml",
    "notify_target_at_risk.yaml",
    "price_threshold.yaml",
)
PUSH_URL = "https://push.ssch.test/push"
AUTOMATION = "automation.blueprint_under_test"


def test_both_copies_hold_the_same_blueprints() -> None:
    assert sorted(path.name for path in REPO_BLUEPRINTS.glob("*.yaml")) == list(BLUEPRINTS)
    assert sorted(path.name for path in SHIPPED_BLUEPRINTS.glob("*.yaml")) == list(BLUEPRINTS)


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_shipped_copy_is_byte_identical(name: str) -> None:
    assert (SHIPPED_BLUEPRINTS / name).read_bytes() == (REPO_BLUEPRINTS / name).read_bytes()


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_blueprint_passes_the_automation_blueprint_schema(name: str) -> None:
    path = REPO_BLUEPRINTS / name
    blueprint = Blueprint(
        load_yaml_dict(str(path)),
        path=str(path),
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )

    assert blueprint.validate() is None
    assert blueprint.metadata["source_url"] == SOURCE_URL.format(name)
    assert blueprint.name.startswith("SSCH: ")
    assert blueprint.metadata["description"]
    for key, spec in blueprint.inputs.items():
        assert spec["name"], key
        assert spec["selector"], key


@pytest.fixture
async def installed(hass: HomeAssistant, tmp_path: Path) -> None:
    """A configuration directory of its own, with the blueprints installed as the integration does."""
    hass.config.config_dir = str(tmp_path)
    written = await hass.async_add_executor_job(install_blueprints, hass.config.path())
    assert sorted(path.name for path in written) == list(BLUEPRINTS)


@pytest.fixture
async def phone(hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, hass_admin_user: MockUser) -> str:
    """The device id of a phone registered through the Home Assistant app, able to receive pushes."""
    aioclient_mock.post(PUSH_URL, json={})
    entry = MockConfigEntry(
        domain="mobile_app",
        source="registration",
        title="Fleet manager phone",
        data={
            "app_data": {"push_token": "PUSH_TOKEN", "push_url": PUSH_URL},
            "app_id": "io.homeassistant.mobile_app",
            "app_name": "Home Assistant",
            "app_version": "2025.4",
            "device_id": "fleet-phone",
            "device_name": "Fleet manager",
            "manufacturer": "Phone maker",
            "model": "Phone",
            "os_name": "Android",
            "os_version": "15",
            "secret": "0123456789abcdef",
            "supports_encryption": False,
            "user_id": hass_admin_user.id,
            "webhook_id": "fleet-phone-webhook",
        },
    )
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, "mobile_app", {})
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device(identifiers={("mobile_app", "fleet-phone")})
    assert device is not None
    return device.id


def pushes(aioclient_mock: AiohttpClientMocker) -> list[dict[str, Any]]:
    """The notifications the push gateway received, as the phone would show them."""
    return [
        {"title": data.get("title"), "message": data["message"]}
        for _method, url, data, _headers in aioclient_mock.mock_calls
        if str(url) == PUSH_URL
    ]


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """Create an automation from an installed blueprint and check that Home Assistant accepted it."""
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Blueprint under test",
                "use_blueprint": {"path": f"ssch/{name}", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get(AUTOMATION)
    assert state is not None
    assert state.state == "on"


async def fire(hass: HomeAssistant, event_type: str, data: dict[str, Any]) -> None:
    hass.bus.async_fire(event_type, data)
    await hass.async_block_till_done()


def session_ready(**overrides: Any) -> dict[str, Any]:
    return {
        "hub": "Harbour hub",
        "charger": "Charger CS01",
        "station_id": "CS01",
        "evse_id": 1,
        "energy_kwh": 42.27,
        "soc": 80.4,
    } | overrides


def target_at_risk(**overrides: Any) -> dict[str, Any]:
    return {
        "hub": "Harbour hub",
        "charger": "Charger CS01",
        "station_id": "CS01",
        "evse_id": 2,
        "expected_energy_kwh": 31.46,
        "target_energy_kwh": 40,
        "reason": "grid limit",
    } | overrides


def charger_fault(**overrides: Any) -> dict[str, Any]:
    return {
        "hub": "Harbour hub",
        "charger": "Charger CS01",
        "station_id": "CS01",
        "evse_id": 1,
        "component": "Connector",
        "detail": "GroundFailure",
        "cleared": False,
    } | overrides


@pytest.mark.usefixtures("installed")
async def test_car_ready_notifies_the_phone(
    hass: HomeAssistant, phone: str, aioclient_mock: AiohttpClientMocker
) -> None:
    await use_blueprint(hass, "notify_car_ready.yaml", {"notify_device": phone})

    await fire(hass, EVENT_SESSION_READY, session_ready())
    await fire(hass, EVENT_SESSION_READY, session_ready(evse_id=2, energy_kwh=12, soc=None))
    await fire(hass, EVENT_SESSION_READY, session_ready(evse_id=None, energy_kwh=7.04, soc=99.6))

    assert pushes(aioclient_mock) == [
        {
            "title": "Car ready at Harbour hub",
            "message": (
                "Charger CS01 (EVSE 1) reached the charging target: 42.3 kWh charged, battery at 80 %."
            ),
        },
        {
            "title": "Car ready at Harbour hub",
            "message": "Charger CS01 (EVSE 2) reached the charging target: 12.0 kWh charged.",
        },
        {
            "title": "Car ready at Harbour hub",
            "message": "Charger CS01 reached the charging target: 7.0 kWh charged, battery at 100 %.",
        },
    ]


@pytest.mark.usefixtures("installed")
async def test_car_ready_only_for_the_chosen_charger(
    hass: HomeAssistant, phone: str, aioclient_mock: AiohttpClientMocker
) -> None:
    await use_blueprint(hass, "notify_car_ready.yaml", {"notify_device": phone, "charger_filter": "CS02"})

    await fire(hass, EVENT_SESSION_READY, session_ready())
    assert pushes(aioclient_mock) == []

    await fire(hass, EVENT_SESSION_READY, session_ready(charger="Depot west", station_id="CS02"))
    assert [push["message"][:16] for push in pushes(aioclient_mock)] == ["Depot west (EVSE"]


@pytest.mark.usefixtures("installed")
async def test_target_at_risk_tells_expected_and_target_energy_and_reason(
    hass: HomeAssistant, phone: str, aioclient_mock: AiohttpClientMocker
) -> None:
    await use_blueprint(
        hass, "notify_target_at_risk.yaml", {"notify_device": phone, "charger_filter": "Charger CS01"}
    )

    await fire(hass, EVENT_TARGET_AT_RISK, target_at_risk())
    await fire(hass, EVENT_TARGET_AT_RISK, target_at_risk(charger="Charger CS02", station_id="CS02"))
    await fire(hass, EVENT_TARGET_AT_RISK, target_at_risk(evse_id=None, reason=None))

    assert pushes(aioclient_mock) == [
        {
            "title": "Charging target at risk at Harbour hub",
            "message": "Charger CS01 (EVSE 2) expects 31.5 kWh of the 40.0 kWh target: grid limit.",
        },
        {
            "title": "Charging target at risk at Harbour hub",
            "message": "Charger CS01 expects 31.5 kWh of the 40.0 kWh target.",
        },
    ]


@pytest.mark.usefixtures("installed")
async def test_charger_fault_notifies_faults_but_not_their_clearing_by_default(
    hass: HomeAssistant, phone: str, aioclient_mock: AiohttpClientMocker
) -> None:
    await use_blueprint(hass, "notify_charger_fault.yaml", {"notify_device": phone})

    await fire(hass, EVENT_CHARGER_FAULT, charger_fault())
    await fire(hass, EVENT_CHARGER_FAULT, charger_fault(cleared=True))
    await fire(hass, EVENT_CHARGER_FAULT, charger_fault(evse_id=None, component="Controller", detail=""))

    assert pushes(aioclient_mock) == [
        {
            "title": "Charger fault at Harbour hub",
            "message": "Charger CS01 (EVSE 1): Connector (GroundFailure).",
        },
        {"title": "Charger fault at Harbour hub", "message": "Charger CS01: Controller."},
    ]


@pytest.mark.usefixtures("installed")
async def test_charger_fault_can_notify_cleared_faults_too(
    hass: HomeAssistant, phone: str, aioclient_mock: AiohttpClientMocker
) -> None:
    await use_blueprint(hass, "notify_charger_fault.yaml", {"notify_device": phone, "notify_cleared": True})

    await fire(hass, EVENT_CHARGER_FAULT, charger_fault(cleared=True))
    await fire(hass, EVENT_CHARGER_FAULT, charger_fault(station_id="CS09", charger="Charger CS09"))

    assert pushes(aioclient_mock) == [
        {
            "title": "Charger fault cleared at Harbour hub",
            "message": "Charger CS01 (EVSE 1): Connector (GroundFailure) cleared.",
        },
        {
            "title": "Charger fault at Harbour hub",
            "message": "Charger CS09 (EVSE 1): Connector (GroundFailure).",
        },
    ]


def recorded(calls: list[ServiceCall]) -> list[dict[str, Any]]:
    return [dict(call.data) for call in calls]


@pytest.mark.usefixtures("installed")
async def test_price_threshold_runs_actions_on_crossing_in_both_directions(hass: HomeAssistant) -> None:
    expensive = async_mock_service(hass, "test", "expensive")
    cheap = async_mock_service(hass, "test", "cheap")
    hass.states.async_set("sensor.import_price", "0.21")
    await use_blueprint(
        hass,
        "price_threshold.yaml",
        {
            "price_sensor": "sensor.import_price",
            "threshold": 0.30,
            "above_actions": [{"action": "test.expensive", "data": {"price": "{{ price }}"}}],
            "below_actions": [{"action": "test.cheap", "data": {"price": "{{ price }}"}}],
        },
    )

    for price in ("0.25", "0.34", "0.41", "0.29", "0.12"):
        hass.states.async_set("sensor.import_price", price)
        await hass.async_block_till_done()

    assert recorded(expensive) == [{"price": 0.34}]
    assert recorded(cheap) == [{"price": 0.29}]


@pytest.mark.usefixtures("installed")
async def test_price_threshold_without_actions_for_falling_prices(hass: HomeAssistant) -> None:
    expensive = async_mock_service(hass, "test", "expensive")
    hass.states.async_set("sensor.import_price", "0.10")
    await use_blueprint(
        hass,
        "price_threshold.yaml",
        {
            "price_sensor": "sensor.import_price",
            "threshold": 0.30,
            "above_actions": [{"action": "test.expensive"}],
        },
    )

    for price in ("0.35", "0.05", "0.31"):
        hass.states.async_set("sensor.import_price", price)
        await hass.async_block_till_done()

    # The fall below the threshold ran nothing, yet re-armed the rise: two separate calls.
    assert len(expensive) == 2


@pytest.mark.usefixtures("installed")
async def test_grid_event_runs_the_actions_for_start_and_end(hass: HomeAssistant) -> None:
    started = async_mock_service(hass, "test", "grid_started")
    ended = async_mock_service(hass, "test", "grid_ended")
    limits = {"hub": "{{ hub }}", "import_kw": "{{ import_limit_kw }}", "export_kw": "{{ export_limit_kw }}"}
    await use_blueprint(
        hass,
        "grid_event.yaml",
        {
            "hub_filter": "Harbour hub",
            "started_actions": [{"action": "test.grid_started", "data": limits}],
            "ended_actions": [{"action": "test.grid_ended", "data": limits}],
        },
    )

    signal = {"hub": "Harbour hub", "import_limit_kw": 40.0, "export_limit_kw": None}
    await fire(hass, EVENT_GRID_SIGNAL, signal | {"state": "started"})
    await fire(hass, EVENT_GRID_SIGNAL, signal | {"hub": "Airport hub", "state": "started"})
    assert recorded(started) == [{"hub": "Harbour hub", "import_kw": 40.0, "export_kw": None}]
    assert ended == []

    await fire(hass, EVENT_GRID_SIGNAL, signal | {"state": "ended", "import_limit_kw": None})
    assert recorded(ended) == [{"hub": "Harbour hub", "import_kw": None, "export_kw": None}]
    assert len(started) == 1


@pytest.mark.usefixtures("installed")
async def test_grid_event_understands_the_events_the_hub_fires(hass: HomeAssistant) -> None:
    started = async_mock_service(hass, "test", "grid_started")
    ended = async_mock_service(hass, "test", "grid_ended")
    await use_blueprint(
        hass,
        "grid_event.yaml",
        {
            "started_actions": [{"action": "test.grid_started", "data": {"limit": "{{ import_limit_kw }}"}}],
            "ended_actions": [{"action": "test.grid_ended", "data": {"hub": "{{ hub }}"}}],
        },
    )
    hub = MockConfigEntry(
        domain=DOMAIN,
        title="Harbour hub",
        data={"import_limit_kw": 150.0, "export_limit_kw": 150.0, "host": "127.0.0.1", "port": 19000},
    )
    emitter = EmsEventEmitter(hass, HubConfig.from_entry(hub))
    signal = GridSignal(start=dt_util.utcnow(), end=None, import_limit_kw=25.0)

    emitter.grid_signal(signal, "started")
    await hass.async_block_till_done()
    emitter.grid_signal(signal, "ended")
    await hass.async_block_till_done()

    assert recorded(started) == [{"limit": 25.0}]
    assert recorded(ended) == [{"hub": "Harbour hub"}]


class BookingCalendar(CalendarEntity):
    """A hub's booking calendar: one event per pickup."""

    _attr_name = "Harbour bookings"

    def __init__(self, bookings: list[CalendarEvent]) -> None:
        self._bookings = bookings

    @property
    def event(self) -> CalendarEvent | None:
        upcoming = [booking for booking in self._bookings if booking.end > dt_util.now()]
        return min(upcoming, key=lambda booking: booking.start_datetime_local, default=None)

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        return [
            booking for booking in self._bookings if booking.start < end_date and booking.end > start_date
        ]


def booking(summary: str, pickup: datetime) -> CalendarEvent:
    return CalendarEvent(start=pickup, end=pickup + timedelta(minutes=15), summary=summary)


@pytest.fixture
def now(freezer: FrozenDateTimeFactory) -> datetime:
    start = dt_util.parse_datetime("2026-11-27T05:00:00+00:00")
    assert start is not None
    freezer.move_to(start)
    return start


@pytest.fixture
async def calendar(hass: HomeAssistant, now: datetime) -> AsyncIterator[BookingCalendar]:
    """A booking calendar with two pickups 50 and 55 minutes from now."""
    assert await async_setup_component(hass, "calendar", {})
    entity = BookingCalendar(
        [
            booking("Van 3: 120 km", now + timedelta(minutes=50)),
            booking("Truck 7: 80 km", now + timedelta(minutes=55)),
        ]
    )
    await hass.data[DATA_COMPONENT].async_add_entities([entity])
    await hass.async_block_till_done()
    yield entity
    # The calendar trigger and the calendar entity keep timers for later pickups: release them.
    if hass.services.has_service("automation", "turn_off"):
        await hass.services.async_call("automation", "turn_off", {"entity_id": "all"}, blocking=True)
    await entity.async_remove()


async def move_to(hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: datetime) -> None:
    freezer.move_to(moment)
    async_fire_time_changed(hass, moment)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("installed")
async def test_booking_reminder_notifies_the_chosen_time_before_pickup(
    hass: HomeAssistant,
    phone: str,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    now: datetime,
    calendar: BookingCalendar,
) -> None:
    await use_blueprint(
        hass,
        "booking_reminder.yaml",
        {"calendar": calendar.entity_id, "reminder_offset": -45, "notify_device": phone},
    )

    await move_to(hass, freezer, now + timedelta(minutes=4, seconds=59))
    assert pushes(aioclient_mock) == []

    await move_to(hass, freezer, now + timedelta(minutes=5, seconds=1))
    first_local = dt_util.as_local(now + timedelta(minutes=50)).strftime("%H:%M")
    assert pushes(aioclient_mock) == [{"title": f"Pickup at {first_local}", "message": "Van 3: 120 km"}]

    await move_to(hass, freezer, now + timedelta(minutes=10, seconds=1))
    second_local = dt_util.as_local(now + timedelta(minutes=55)).strftime("%H:%M")
    assert pushes(aioclient_mock)[1:] == [{"title": f"Pickup at {second_local}", "message": "Truck 7: 80 km"}]
