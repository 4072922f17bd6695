"""Joining an energy community from a hub's options."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ssch.vpp.topics import member_id_for

from .common import PLANNING, hub_entry

FORM = {
    "enabled": True,
    "community_id": "harbour",
    "topic_prefix": "ssch/community",
    "community_key": "  a-long-enough-community-key  ",
    "aggregator_id": "aggregator",
    "price_floor": 0.08,
    "max_kw": 15,
    "run_aggregator": True,
}


async def _community_form(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert "community" in result["menu_options"]
    return dict(
        await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "community"})
    )


async def test_joining_a_community_checks_the_form_and_needs_mqtt(hass: HomeAssistant) -> None:
    entry = hub_entry(options={"authorization_policy": "refuse_unknown"})
    entry.add_to_hass(hass)
    result = await _community_form(hass, entry)
    assert result["step_id"] == "community"
    assert result["description_placeholders"] == {"member_id": "-"}

    bad = FORM | {
        "community_id": "harbour/#",
        "topic_prefix": "a//b",
        "aggregator_id": "",
        "community_key": "short",
    }
    result = dict(await hass.config_entries.options.async_configure(result["flow_id"], bad))
    assert result["errors"] == {
        "community_id": "invalid_community_id",
        "topic_prefix": "invalid_topic_prefix",
        "aggregator_id": "invalid_aggregator_id",
        "community_key": "community_key_too_short",
    }
    result = dict(await hass.config_entries.options.async_configure(result["flow_id"], FORM))
    assert result["errors"] == {"base": "mqtt_not_set_up"}
    assert result["description_placeholders"] == {"member_id": member_id_for("harbour", entry.unique_id)}

    MockConfigEntry(domain="mqtt", data={"broker": "127.0.0.1"}).add_to_hass(hass)
    result = dict(await hass.config_entries.options.async_configure(result["flow_id"], FORM))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == PLANNING | {
        "authorization_policy": "refuse_unknown",
        "community": FORM
        | {"community_key": "a-long-enough-community-key", "price_floor": 0.08, "max_kw": 15.0},
    }

    # The planning step keeps the community (and the card policy).
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "planning"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"import_price_fixed": 0.3, "step_minutes": "15", "horizon_hours": 24}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["community"]["community_id"] == "harbour"
    assert entry.options["authorization_policy"] == "refuse_unknown"


async def test_leaving_a_community_needs_nothing_else(hass: HomeAssistant) -> None:
    entry = hub_entry(options={"community": FORM | {"community_key": "a-long-enough-community-key"}})
    entry.add_to_hass(hass)
    result = await _community_form(hass, entry)
    assert result["description_placeholders"] == {"member_id": member_id_for("harbour", entry.unique_id)}
    result = dict(
        await hass.config_entries.options.async_configure(
            result["flow_id"], FORM | {"enabled": False, "community_id": "", "community_key": ""}
        )
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options["community"]["enabled"] is False
    assert entry.options["import_price_fixed"] == PLANNING["import_price_fixed"]
