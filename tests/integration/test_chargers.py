"""Charging stations inside Home Assistant: real simulated stations over websockets to the hub's server."""

from __future__ import annotations

from pathlib import Path
import socket
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.entities.devices import evse_identifier
from custom_components.ssch.sim.config import OcppVersion

from .common import (
    CHARGER_PASSWORD,
    car_visit,
    charger_data,
    charger_entity,
    evse_device,
    hub_entry,
    load_hub,
    port_is_free,
    running,
    state_of,
    station_config,
    subentry,
    until,
)
from .tls import write_self_signed


async def test_v2g_session_in_home_assistant(
    hass: HomeAssistant, entity_registry_enabled_by_default: None
) -> None:
    """Boot, plug-in, needs, meter values, a discharge setpoint followed, clear, unplug and offline."""
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    connected = charger_entity(hass, entry, "binary_sensor", "connected", evse=None)
    power = charger_entity(hass, entry, "sensor", "power")
    assert state_of(hass, connected) == "off"
    assert state_of(hass, power) == "unavailable"

    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        await until(lambda: state_of(hass, connected) == "on")
        assert state_of(hass, charger_entity(hass, entry, "sensor", "ocpp_version", evse=None)) == "2.1"
        await until(
            lambda: state_of(hass, charger_entity(hass, entry, "sensor", "connector_status")) == "available"
        )

        station.plug_in(car_visit(station))
        await until(
            lambda: state_of(hass, charger_entity(hass, entry, "sensor", "connector_status")) == "occupied"
        )
        await until(
            lambda: (
                state_of(hass, charger_entity(hass, entry, "sensor", "ev_departure_time"))
                not in ("unknown", "")
            )
        )
        await until(lambda: float(state_of(hass, power)) > 1.0)
        await until(
            lambda: float(state_of(hass, charger_entity(hass, entry, "sensor", "energy_charged"))) > 0.0
        )
        assert float(state_of(hass, charger_entity(hass, entry, "sensor", "ev_soc"))) >= 33.0

        await hass.services.async_call(
            DOMAIN,
            "set_charger_setpoint",
            {"device_id": evse_device(hass, entry), "power_kw": -6.0},
            blocking=True,
        )
        await until(lambda: station.power_kw < -5.0)
        await until(lambda: float(state_of(hass, power)) < -5.0)
        assert float(state_of(hass, charger_entity(hass, entry, "sensor", "active_setpoint"))) == -6.0
        assert state_of(hass, charger_entity(hass, entry, "sensor", "operation_mode")) == "central_setpoint"
        await until(
            lambda: float(state_of(hass, charger_entity(hass, entry, "sensor", "energy_discharged"))) > 0.0
        )

        await hass.services.async_call(
            DOMAIN, "clear_charger_setpoint", {"device_id": evse_device(hass, entry)}, blocking=True
        )
        await until(lambda: station.power_kw > 1.0)
        assert state_of(hass, charger_entity(hass, entry, "sensor", "active_setpoint")) == "unknown"

        station.unplug()
        await until(
            lambda: state_of(hass, charger_entity(hass, entry, "sensor", "connector_status")) == "available"
        )
    await until(lambda: state_of(hass, connected) == "off")
    assert state_of(hass, power) == "unavailable"


async def test_controls_reach_the_station(hass: HomeAssistant) -> None:
    """The availability switch, reset and unlock buttons and the power cap are sent to the station."""
    await async_setup_component(hass, "switch", {})
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        await until(lambda: state_of(hass, charger_entity(hass, entry, "switch", "availability")) == "on")
        # This firmware refuses availability changes and resets: the refusal comes back as a clear error.
        for domain, service, entity in (
            ("switch", "turn_off", charger_entity(hass, entry, "switch", "availability")),
            ("button", "press", charger_entity(hass, entry, "button", "reset", evse=None)),
        ):
            with pytest.raises(HomeAssistantError) as refused:
                await hass.services.async_call(domain, service, {"entity_id": entity}, blocking=True)
            assert refused.value.translation_key == "station_rejected"
        with pytest.raises(HomeAssistantError) as refused:
            await hass.services.async_call(
                "button",
                "press",
                {"entity_id": charger_entity(hass, entry, "button", "unlock")},
                blocking=True,
            )
        assert refused.value.translation_key == "station_rejected"

        cap = charger_entity(hass, entry, "number", "max_power")
        await hass.services.async_call("number", "set_value", {"entity_id": cap, "value": 6.0}, blocking=True)
        assert float(state_of(hass, cap)) == 6.0
        station.plug_in(car_visit(station))
        await until(
            lambda: state_of(hass, charger_entity(hass, entry, "sensor", "charging_state")) == "charging"
        )
        await hass.services.async_call("number", "set_value", {"entity_id": cap, "value": 4.0}, blocking=True)
        await until(lambda: 3.5 < station.power_kw <= 4.05)


async def test_setpoint_validation_errors(hass: HomeAssistant) -> None:
    """Bad setpoints are refused with translated errors before anything is sent."""
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
            subentry(
                "charger",
                charger_data("CS02", evse_count=1, bidirectional=False, max_discharge_kw=0.0, name="Plain"),
                "CS02",
            ),
        ),
    )
    plain = next(s for s in entry.subentries.values() if s.unique_id == "CS02")
    plain_device = dr.async_get(hass).async_get_device(
        identifiers={evse_identifier(entry.entry_id, plain.subentry_id, 1)}
    )
    assert plain_device is not None
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"device_id": "nope", "power_kw": 3.0}, ServiceValidationError, "unknown_evse"),
        ({"device_id": plain_device.id, "power_kw": -3.0}, ServiceValidationError, "discharge_not_supported"),
        (
            {"device_id": evse_device(hass, entry), "power_kw": 30.0},
            ServiceValidationError,
            "setpoint_out_of_range",
        ),
        ({"device_id": evse_device(hass, entry), "power_kw": 5.0}, HomeAssistantError, "station_offline"),
    ]
    for data, error, key in cases:
        with pytest.raises(error) as raised:
            await hass.services.async_call(DOMAIN, "set_charger_setpoint", data, blocking=True)
        assert raised.value.translation_key == key
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
        with pytest.raises(ServiceValidationError) as raised:
            await hass.services.async_call(
                DOMAIN,
                "set_charger_setpoint",
                {"device_id": evse_device(hass, entry), "power_kw": 5.0, "duration": {"minutes": 30}},
                blocking=True,
            )
        assert raised.value.translation_key == "no_transaction"


async def test_version_switch_is_refused_until_accepted(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entity_registry_enabled_by_default: None
) -> None:
    """A station that booted with 2.1 and returns with 2.0.1 is refused and reported; accepting lets it in."""
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    assert await async_setup_component(hass, "repairs", {})
    async with running(station_config(entry, "CS01")) as station:
        await station.wait_connected()
    issue_id = f"version_mismatch_{entry.entry_id}_CS01"
    async with running(station_config(entry, "CS01", ocpp_version=OcppVersion.V201)) as station:
        await until(lambda: ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None)
        assert not station.connected
        client = await hass_client()
        response = await client.post(
            "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
        )
        flow = await response.json()
        response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
        assert (await response.json())["type"] == "create_entry"
        await station.wait_connected(timeout_s=15)
        await until(
            lambda: (
                state_of(hass, charger_entity(hass, entry, "sensor", "ocpp_version", evse=None)) == "2.0.1"
            )
        )


def _journal_text(hass: HomeAssistant, entry_id: str) -> str:
    storage = Path(hass.config.path(".storage"))
    return "".join(path.read_text() for path in storage.glob(f"ssch.{entry_id}.stations.journal.*"))


async def test_counters_survive_a_reload_and_the_port_is_released(hass: HomeAssistant) -> None:
    """Energy counters are persisted across a reload; unloading frees the OCPP port."""
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    charged = charger_entity(hass, entry, "sensor", "energy_charged")
    async with running(station_config(entry, "CS01"), speed=120.0) as station:
        await station.wait_connected()
        station.plug_in(car_visit(station))
        await until(lambda: float(state_of(hass, charged)) > 0.05, timeout_s=15)
        # What the station was told is stored is on disk already, beside Home Assistant's own storage.
        journal = await hass.async_add_executor_job(_journal_text, hass, entry.entry_id)
        assert f'"transaction_id":"{station.transaction_id}"' in journal
        before = float(state_of(hass, charged))
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        await station.wait_connected(timeout_s=15)
        await until(lambda: state_of(hass, charged) != "unavailable")
        assert float(state_of(hass, charged)) >= before
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert port_is_free(entry.data["port"])


async def test_busy_port_retries_and_bad_certificate_fails(hass: HomeAssistant, tmp_path: Any) -> None:
    """A port held by another program makes setup retry; a broken certificate stops setup with a reason."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        entry = hub_entry(site={"port": holder.getsockname()[1]})
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert "cannot listen" in (entry.reason or "")
    cert, _ = write_self_signed(tmp_path)
    broken = hub_entry(site={"tls_certificate": str(cert), "tls_key": str(cert)})
    broken.add_to_hass(hass)
    await hass.config_entries.async_setup(broken.entry_id)
    await hass.async_block_till_done()
    assert broken.state is ConfigEntryState.SETUP_ERROR


async def test_station_over_tls(hass: HomeAssistant, tmp_path: Any) -> None:
    """With a certificate and key, the hub serves wss:// (security profile 2)."""
    cert, key = write_self_signed(tmp_path)
    entry = hub_entry(
        subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
        site={"tls_certificate": str(cert), "tls_key": str(key)},
    )
    await load_hub(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    import ssl

    import aiohttp

    context = ssl.create_default_context(cafile=str(cert))
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(
            f"wss://127.0.0.1:{entry.data['port']}/ocpp/CS01",
            protocols=("ocpp2.1",),
            auth=aiohttp.BasicAuth("CS01", CHARGER_PASSWORD),
            ssl=context,
        ) as ws:
            assert ws.protocol == "ocpp2.1"
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(
                f"wss://127.0.0.1:{entry.data['port']}/ocpp/CS01",
                protocols=("ocpp2.1",),
                auth=aiohttp.BasicAuth("CS01", "wrong-password-here"),
                ssl=context,
            )
        assert refused.value.status == 401


async def test_garbage_from_one_station_does_not_disturb_another(hass: HomeAssistant) -> None:
    """Malformed frames are answered and logged; the sender and its neighbour keep working."""
    entry = await load_hub(
        hass,
        hub_entry(
            subentry("charger", charger_data("CS01", evse_count=1), "CS01"),
            subentry("charger", charger_data("CS02", evse_count=1, name="Bay 2"), "CS02"),
        ),
    )
    async with (
        running(station_config(entry, "CS01")) as noisy,
        running(station_config(entry, "CS02")) as quiet,
    ):
        await noisy.wait_connected()
        await quiet.wait_connected()
        for frame in ("{not json", "[2]", '[9, "x", "y", {}]', '[2, "1", "NoSuchAction", {}]', "x" * 70_000):
            await noisy.send_raw_frame(frame)
        quiet.plug_in(car_visit(quiet))
        await until(lambda: quiet.power_kw > 1.0)
        noisy.plug_in(car_visit(noisy))
        await until(lambda: noisy.power_kw > 1.0)
        assert noisy.connected
        assert quiet.connected
