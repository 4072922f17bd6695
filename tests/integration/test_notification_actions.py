"""Phone notifications that act: a blueprint notifies a registered phone, the reply changes the EVSE's goal.

The phone registers through the companion app's HTTP API and replies through its webhook, as the app
does; only the push gateway is mocked, so the notification the phone would show is what the tests read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ssch.blueprint_install import install_blueprints
from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.events import FaultReported
from custom_components.ssch.stations.bridge import StationEventRelay

from .common import load_hub, running, station_config, until
from .hub_events_common import STATIONS, car, evse_device, evse_entity, two_bay_hub

PUSH_URL = "https://push.ssch.test/push"
AUTOMATION = "automation.phone_replies"


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone registered with the companion app: its device and the webhook it talks through."""

    device_id: str
    reply: Callable[[str], Awaitable[None]]


@pytest.fixture
async def hub(hass: HomeAssistant) -> MockConfigEntry:
    """The hub, loaded before the HTTP server starts (which freezes the routes its dependencies add)."""
    return await load_hub(hass, two_bay_hub())


@pytest.fixture
async def phone(
    hass: HomeAssistant,
    hub: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
) -> Phone:
    """Register a phone as the app does; its replies go through the registration's webhook."""
    aioclient_mock.post(PUSH_URL, json={})
    assert await async_setup_component(hass, "mobile_app", {})
    client = await hass_client()
    response = await client.post(
        "/api/mobile_app/registrations",
        json={
            "app_data": {"push_token": "PUSH_TOKEN", "push_url": PUSH_URL},
            "app_id": "io.homeassistant.mobile_app",
            "app_name": "Home Assistant",
            "app_version": "2025.4",
            "device_id": "driver-phone",
            "device_name": "Driver",
            "manufacturer": "Phone maker",
            "model": "Phone",
            "os_name": "Android",
            "os_version": "15",
            "supports_encryption": False,
        },
    )
    assert response.status == 201
    webhook_id = (await response.json())["webhook_id"]
    await hass.async_block_till_done()
    (entry,) = hass.config_entries.async_entries("mobile_app")
    (device,) = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)

    async def reply(action: str) -> None:
        answer = await client.post(
            f"/api/webhook/{webhook_id}",
            json={
                "type": "fire_event",
                "data": {"event_type": "mobile_app_notification_action", "event_data": {"action": action}},
            },
        )
        assert answer.status == 200
        await hass.async_block_till_done()

    return Phone(device.id, reply)


def pushes(aioclient_mock: AiohttpClientMocker) -> list[dict[str, Any]]:
    """What the push gateway was asked to show on the phone."""
    return [data for _method, url, data, _headers in aioclient_mock.mock_calls if str(url) == PUSH_URL]


def offered(push: dict[str, Any]) -> dict[str, str]:
    """The notification's actions: title to action id."""
    return {action["title"]: action["action"] for action in push["data"]["actions"]}


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    """The blueprint, installed as the integration installs it, as an automation."""
    await hass.async_add_executor_job(install_blueprints, hass.config.path())
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "alias": "Phone replies",
                "use_blueprint": {"path": f"ssch/{name}", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get(AUTOMATION) is not None


def hub_actions(calls: list[Event[Any]]) -> list[tuple[str, dict[str, Any]]]:
    """The integration's actions that were called, with their data."""
    return [
        (call.data["service"], dict(call.data["service_data"]))
        for call in calls
        if call.data["domain"] == DOMAIN
    ]


def departure(hass: HomeAssistant, entry: MockConfigEntry, station_id: str) -> datetime | None:
    state = hass.states.get(evse_entity(hass, entry, station_id, "datetime", "goal_departure"))
    assert state is not None
    return dt_util.parse_datetime(state.state)


def charge_mode(hass: HomeAssistant, entry: MockConfigEntry, station_id: str) -> str:
    state = hass.states.get(evse_entity(hass, entry, station_id, "select", "goal_charge_mode"))
    assert state is not None
    return state.state


async def test_target_at_risk_charge_now_switches_that_evse_to_fast(
    hass: HomeAssistant, hub: MockConfigEntry, phone: Phone, aioclient_mock: AiohttpClientMocker
) -> None:
    entry = hub
    await use_blueprint(hass, "notify_target_at_risk.yaml", {"notify_device": phone.device_id})
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    async with AsyncExitStack() as stack:
        cs01, cs02 = [
            await stack.enter_async_context(running(station_config(entry, sid))) for sid in STATIONS
        ]
        await cs01.wait_connected()
        await cs02.wait_connected()
        cs01.plug_in(car(cs01, hours=8, energy_kwh=30.0))
        cs02.plug_in(car(cs02, hours=0.5, energy_kwh=10.0))
        await until(lambda: len(pushes(aioclient_mock)) == 1)
        (push,) = pushes(aioclient_mock)
        assert push["title"] == "Charging target at risk at Harbour hub"
        assert push["message"].startswith("Bay 2 (EVSE 1) expects ")
        actions = offered(push)
        assert list(actions) == ["Charge now (fast)", "Allow later departure", "Keep the plan"]
        device = evse_device(hass, entry, "CS02")
        session = f"CS02:1:{cs02.transaction_id}"
        assert actions["Charge now (fast)"] == f"SSCH|fast|{device}|{AUTOMATION}|{session}"
        assert push["data"]["tag"] == f"ssch-{device}"

        await phone.reply(actions["Keep the plan"])
        assert hub_actions(calls) == []
        await phone.reply(actions["Charge now (fast)"])

        assert hub_actions(calls) == [("charge_now", {"device_id": device, "session_id": session})]
        assert charge_mode(hass, entry, "CS02") == "fast"
        assert charge_mode(hass, entry, "CS01") == "smart"


async def test_car_ready_allow_later_departure_moves_that_cars_departure(
    hass: HomeAssistant, hub: MockConfigEntry, phone: Phone, aioclient_mock: AiohttpClientMocker
) -> None:
    entry = hub
    await use_blueprint(
        hass,
        "notify_car_ready.yaml",
        {"notify_device": phone.device_id, "departure_delay": {"hours": 1, "minutes": 30}},
    )
    calls = async_capture_events(hass, EVENT_CALL_SERVICE)
    async with AsyncExitStack() as stack:
        cs01 = await stack.enter_async_context(running(station_config(entry, "CS01")))
        await cs01.wait_connected()
        cs01.plug_in(car(cs01, hours=5, energy_kwh=48.0))
        await until(lambda: len(pushes(aioclient_mock)) == 1)
        actions = offered(pushes(aioclient_mock)[0])
        assert list(actions) == ["Allow later departure", "Keep the plan"]
        (session,) = entry.runtime_data.ems.data.snapshot.sessions
        assert departure(hass, entry, "CS01") is None

        # A reply meant for another automation (another phone's, say) is not this one's to carry out.
        await phone.reply(actions["Allow later departure"].replace(AUTOMATION, "automation.other_phone"))
        assert hub_actions(calls) == []
        await phone.reply(actions["Allow later departure"])

        device = evse_device(hass, entry, "CS01")
        assert hub_actions(calls) == [
            (
                "postpone_departure",
                {"device_id": device, "session_id": session.session_id, "delay": {"hours": 1, "minutes": 30}},
            )
        ]
        moved = departure(hass, entry, "CS01")
        assert moved is not None
        assert abs(moved - (session.departure + timedelta(minutes=90))) < timedelta(seconds=1)
        assert departure(hass, entry, "CS02") is None


async def test_charger_fault_offers_a_later_departure_for_a_faulted_evse(
    hass: HomeAssistant, hub: MockConfigEntry, phone: Phone, aioclient_mock: AiohttpClientMocker
) -> None:
    entry = hub
    await use_blueprint(
        hass, "notify_charger_fault.yaml", {"notify_device": phone.device_id, "notify_cleared": True}
    )
    relay = StationEventRelay(hass, entry.runtime_data.config)
    relay.handle(FaultReported("CS01", None, "ChargePoint", "PowerMeterFailure"))
    relay.handle(FaultReported("CS02", 1, "Connector", "GroundFailure", cleared=True))
    relay.handle(FaultReported("CS02", 1, "Connector", "GroundFailure"))
    await hass.async_block_till_done()
    station_wide, cleared, evse_fault = pushes(aioclient_mock)
    assert station_wide["message"] == "Charger CS01: ChargePoint (PowerMeterFailure)."
    assert station_wide["data"]["actions"] == cleared["data"]["actions"] == []
    assert list(offered(evse_fault)) == ["Allow later departure", "Keep the plan"]

    before = dt_util.utcnow().replace(microsecond=0)
    await phone.reply(offered(evse_fault)["Allow later departure"])
    moved = departure(hass, entry, "CS02")
    # No car, no departure yet: an hour from now.
    assert moved is not None
    assert before + timedelta(hours=1) <= moved <= dt_util.utcnow() + timedelta(hours=1)
    assert departure(hass, entry, "CS01") is None
