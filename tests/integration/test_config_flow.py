"""The hub config flow: user, planning, reconfigure and options steps, every error recovering."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
import re
import socket
from typing import Any
from unittest.mock import patch

from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.hub_config import HubConfig
from demo.ports import free_port
from tests.pki import issue

from .common import PLANNING, hub_entry, set_source_states
from .tls import write_self_signed

NEW_SITE = {
    "name": "Depot hub",
    "import_limit_kw": 200.0,
    "export_limit_kw": 100.0,
    "host": "127.0.0.1",
    "port": 19100,
}


@pytest.fixture(autouse=True)
def _sources(hass: HomeAssistant) -> None:
    set_source_states(hass)


@pytest.fixture
def free_ports() -> Generator[None]:
    """Treat every port as free so tests do not depend on this machine's sockets."""
    with patch("custom_components.ssch.config_flow.port_error", return_value=None):
        yield


async def _start(hass: HomeAssistant) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": config_entries.SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result


@pytest.mark.usefixtures("free_ports")
async def test_user_flow_creates_hub(hass: HomeAssistant) -> None:
    """Site, then planning, then an entry with site data and planning options."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**NEW_SITE, "name": "  Depot hub "}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "planning"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "import_price_entity": "sensor.day_ahead",
            "export_price_entity": "sensor.feed_in",
            "step_minutes": "15",
            "horizon_hours": 36,
            "adopt_unknown_stations": True,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Depot hub"
    assert result["data"] == NEW_SITE | {"tls_create_station_ca": False}
    assert result["options"] == {
        "import_price_entity": "sensor.day_ahead",
        "export_price_entity": "sensor.feed_in",
        "step_minutes": 15,
        "horizon_hours": 36,
        "adopt_unknown_stations": True,
        "optimizer_engine": "auto",
    }
    # A generated id: the name, address and port may all change later (see the reconfigure test).
    assert re.fullmatch("[0-9a-f]{32}", result["result"].unique_id)
    assert (result["result"].version, result["result"].minor_version) == (1, 2)


@pytest.mark.usefixtures("free_ports")
@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"name": "   "}, "name", "name_required"),
        ({"name": "harbour HUB"}, "name", "name_taken"),
        ({"host": "not-an-ip"}, "host", "invalid_host"),
        ({"port": "existing"}, "port", "port_used_by_hub"),
    ],
)
async def test_user_step_errors_recover(
    hass: HomeAssistant, change: dict[str, Any], field: str, error: str
) -> None:
    """Each site error is shown on its field and a corrected form goes on."""
    existing = hub_entry()
    existing.add_to_hass(hass)
    if change.get("port") == "existing":
        change = {"port": existing.data["port"]}
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], NEW_SITE | change)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], NEW_SITE)
    assert result["step_id"] == "planning"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], PLANNING | {"step_minutes": "15"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("socket_enabled")
async def test_port_in_use_by_another_program(hass: HomeAssistant) -> None:
    """A port another program holds is refused; a free one is accepted."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy_port = holder.getsockname()[1]
        result = await _start(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], NEW_SITE | {"port": busy_port}
        )
        assert result["errors"] == {"port": "port_in_use"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], NEW_SITE | {"port": free_port()}
    )
    assert result["step_id"] == "planning"


async def test_address_of_another_machine_is_refused(hass: HomeAssistant) -> None:
    """The server can only listen on this machine's own addresses (192.0.2.1 is a documentation address)."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], NEW_SITE | {"host": "192.0.2.1"}
    )
    assert result["errors"] == {"host": "host_not_local"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], NEW_SITE | {"port": free_port()}
    )
    assert result["step_id"] == "planning"


@pytest.mark.usefixtures("free_ports")
async def test_tls_errors_recover(hass: HomeAssistant, tmp_path: Path) -> None:
    """Incomplete, missing and mismatched TLS files are refused; a valid pair is kept."""
    cert, key = write_self_signed(tmp_path)
    other_cert, _ = write_self_signed(tmp_path / "other")
    result = await _start(hass)
    for tls, error in (
        ({"tls_certificate": str(cert)}, "tls_incomplete"),
        ({"tls_certificate": str(tmp_path / "x.pem"), "tls_key": str(key)}, "tls_file_not_found"),
        ({"tls_certificate": str(other_cert), "tls_key": str(key)}, "tls_invalid"),
        ({"tls_client_ca": str(cert)}, "tls_client_ca_needs_tls"),
        ({"tls_create_station_ca": True}, "tls_client_ca_needs_tls"),
        (
            {
                "tls_certificate": str(cert),
                "tls_key": str(key),
                "tls_client_ca": str(cert),
                "tls_create_station_ca": True,
            },
            "tls_client_ca_ambiguous",
        ),
        (
            {"tls_certificate": str(cert), "tls_key": str(key), "tls_client_ca_key": str(key)},
            "tls_client_ca_key_needs_ca",
        ),
        (
            {
                "tls_certificate": str(cert),
                "tls_key": str(key),
                "tls_client_ca": str(other_cert),
                "tls_client_ca_key": str(key),
            },
            "tls_client_ca_key_invalid",  # a key of a certificate that is no CA
        ),
        (
            {"tls_certificate": str(cert), "tls_key": str(key), "tls_client_ca": str(key)},
            "tls_client_ca_invalid",
        ),
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], NEW_SITE | tls)
        assert result["errors"] == {"base": error}
    ca = issue(tmp_path / "ca", "Stations CA", ca=True)
    tls = {
        "tls_certificate": str(cert),
        "tls_key": str(key),
        "tls_client_ca": str(ca.cert_path),
        "tls_client_ca_key": str(ca.key_path),
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], NEW_SITE | tls)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], PLANNING | {"step_minutes": "15"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["tls_certificate"] == str(cert)
    assert result["data"]["tls_client_ca"] == str(ca.cert_path)


@pytest.mark.usefixtures("free_ports")
@pytest.mark.parametrize(
    ("planning", "errors"),
    [
        ({}, {"base": "import_price_required"}),
        (
            {"import_price_entity": "sensor.day_ahead", "import_price_fixed": 0.3},
            {"base": "import_price_ambiguous"},
        ),
        (
            {
                "import_price_fixed": 0.3,
                "export_price_entity": "sensor.feed_in",
                "export_price_fixed": 0.1,
            },
            {"base": "export_price_ambiguous"},
        ),
        (
            {"import_price_entity": "sensor.temperature"},
            {"import_price_entity": "wrong_unit_price"},
        ),
        ({"import_price_entity": "sensor.missing"}, {"import_price_entity": "entity_not_found"}),
        (
            {"import_price_fixed": 0.3, "export_price_entity": "sensor.pv_power"},
            {"export_price_entity": "wrong_unit_price"},
        ),
        (
            {"import_price_fixed": 0.3, "step_minutes": "5", "horizon_hours": 48},
            {"horizon_hours": "horizon_too_long"},
        ),
    ],
)
async def test_planning_errors_recover(
    hass: HomeAssistant, planning: dict[str, Any], errors: dict[str, str]
) -> None:
    """Price sources must be unambiguous and of the right unit; the plan must not be too long."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], NEW_SITE)
    base = {"step_minutes": "15", "horizon_hours": 24, "adopt_unknown_stations": False}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], base | planning)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], base | {"import_price_fixed": 0.25}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"]["import_price_fixed"] == 0.25


@pytest.mark.usefixtures("free_ports")
async def test_reconfigure_updates_site(hass: HomeAssistant) -> None:
    """Reconfigure shows the current site, refuses a clash and stores the change."""
    entry = hub_entry()
    entry.add_to_hass(hass)
    other = hub_entry(site=NEW_SITE)
    other.add_to_hass(hass)
    unique_id = entry.unique_id
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    site = dict(entry.data)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], site | {"port": NEW_SITE["port"]}
    )
    assert result["errors"] == {"port": "port_used_by_hub"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], site | {"name": "Harbour hub north", "import_limit_kw": 120.0}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.title == "Harbour hub north"
    assert entry.unique_id == unique_id
    assert entry.data["import_limit_kw"] == 120.0


async def test_reconfigure_keeps_own_port_while_loaded(hass: HomeAssistant) -> None:
    """A loaded hub that keeps its address is not refused because it holds its own port."""
    entry = hub_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    with patch("custom_components.ssch.config_flow.port_error", return_value="port_in_use") as probe:
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], dict(entry.data) | {"export_limit_kw": 50.0}
        )
    assert result.get("reason") == "reconfigure_successful", result
    probe.assert_not_called()
    assert entry.data["export_limit_kw"] == 50.0
    await hass.async_block_till_done()  # the reload the change started ends before the test does
    assert entry.state is ConfigEntryState.LOADED


async def test_options_flow(hass: HomeAssistant) -> None:
    """Options show the current planning, refuse errors and store the change, keeping the card policy."""
    entry = hub_entry(options={"authorization_policy": "refuse_unknown"})
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["planning", "cards", "community"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "planning"}
    )
    assert result["step_id"] == "planning"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"step_minutes": "15", "horizon_hours": 24, "adopt_unknown_stations": False},
    )
    assert result["errors"] == {"base": "import_price_required"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "import_price_entity": "sensor.day_ahead",
            "step_minutes": "30",
            "horizon_hours": 48,
            "adopt_unknown_stations": True,
            "optimizer_engine": "built-in",
            "peak_charge_eur_per_kw": 4.5,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        "import_price_entity": "sensor.day_ahead",
        "step_minutes": 30,
        "horizon_hours": 48,
        "adopt_unknown_stations": True,
        "optimizer_engine": "built-in",
        "peak_charge_eur_per_kw": 4.5,
        "authorization_policy": "refuse_unknown",
    }
    assert HubConfig.from_entry(entry).peak_charge_eur_per_kw == 4.5


async def test_cards_are_managed_in_the_options(hass: HomeAssistant) -> None:
    """The card policy and the hub's list of cards, from the options; only while the hub runs."""
    entry = hub_entry()
    entry.add_to_hass(hass)

    async def cards_form() -> dict[str, Any]:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        return dict(
            await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "cards"})
        )

    result = await cards_form()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "hub_not_loaded"

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    result = await cards_form()
    assert result["step_id"] == "cards"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"authorization_policy": "refuse_unknown", "id_token": "CARD-A", "name": "Anna", "blocked": False},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the policy changed: the hub reloads
    authority = entry.runtime_data.server.authority
    assert authority.policy == "refuse_unknown"
    card = authority.known("CARD-A")
    assert card is not None
    assert card.name == "Anna"

    # block it, keeping its name; then remove it
    result = await cards_form()
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"authorization_policy": "refuse_unknown", "id_token": "CARD-A", "blocked": True}
    )
    card = authority.known("CARD-A")
    assert card is not None
    assert (card.name, card.blocked) == ("Anna", True)
    result = await cards_form()
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"authorization_policy": "refuse_unknown", "remove": ["CARD-A"]}
    )
    assert authority.known("CARD-A") is None
    assert entry.options["authorization_policy"] == "refuse_unknown"
