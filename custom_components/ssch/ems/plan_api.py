"""The whole plan on request: the ``ssch.get_plan`` action and the ``ssch/plan`` websocket command.

The plan's series stay out of the recorder (see the sensors' ``_unrecorded_attributes``); cards and
automations that need all of it ask here instead of reading a recorded attribute.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_NOT_FOUND
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import numpy as np
import voluptuous as vol

from custom_components.ssch.const import ATTR_CONFIG_ENTRY_ID, DOMAIN
from custom_components.ssch.core.evse_key import evse_key
from custom_components.ssch.core.model import FloatArray, SiteSnapshot, StationaryBattery, rounded_list
from custom_components.ssch.core.windows import battery_trajectory
from custom_components.ssch.runtime import SschConfigEntry
from custom_components.ssch.service_targets import loaded_hub

from .plan_evses import evse_rows

SERVICE_GET_PLAN = "get_plan"
WS_PLAN = f"{DOMAIN}/plan"


def battery_soc_pct(battery: StationaryBattery, power_kw: FloatArray, step_minutes: int) -> list[float]:
    """The stationary battery's state of charge at the end of each step if the plan is followed."""
    trajectory = battery_trajectory(battery, np.asarray(power_kw, dtype=float), step_minutes / 60.0)
    energy = np.clip(trajectory[1:], 0.0, battery.capacity_kwh)
    return rounded_list(100.0 * energy / battery.capacity_kwh) if battery.capacity_kwh > 0 else []


def _battery(snapshot: SiteSnapshot, power_kw: FloatArray, step_minutes: int) -> dict[str, Any] | None:
    battery = snapshot.battery
    if battery is None:
        return None
    return {
        "capacity_kwh": round(battery.capacity_kwh, 1),
        "soc_now_pct": round(100.0 * battery.energy_kwh / battery.capacity_kwh, 1)
        if battery.capacity_kwh > 0
        else 0.0,
        "soc_min_pct": round(100.0 * battery.soc_min, 1),
        "soc_max_pct": round(100.0 * battery.soc_max, 1),
        "soc_pct": battery_soc_pct(battery, power_kw, step_minutes),
    }


def card_payload(entry: SschConfigEntry) -> dict[str, Any]:
    """What the plan card shows beyond the plan's series: the hub's state and one row per EVSE."""
    ems = entry.runtime_data.ems
    status, reason = ems.status()
    snapshot = ems.data.snapshot
    return {
        "ems_mode": ems.mode.value,
        "status": status,
        "status_reason": reason,
        "currency": ems.hass.config.currency,
        "charger_count": len(entry.runtime_data.config.chargers),
        "billed_peak_kw": round(snapshot.prices.peak_already_kw, 3),
        "peak_price_per_kw": round(snapshot.prices.peak_eur_per_kw, 4),
        "pv_curtailable": snapshot.pv_curtailable,
        "battery": _battery(snapshot, ems.data.plan.battery_power_kw, ems.data.plan.grid.step_minutes),
        "evse_rows": evse_rows(ems.hass, entry),
    }


def plan_payload(entry: SschConfigEntry) -> dict[str, Any]:
    """The hub's current plan: site series, each EVSE's series, the inputs it was made from, outcomes."""
    ems = entry.runtime_data.ems
    plan, snapshot = ems.data.plan, ems.data.snapshot
    evses = [
        {
            "key": key,
            "charger": charger.name,
            "station_id": charger.station_id,
            "evse_id": evse_id,
            "power_kw": rounded_list(plan.evse_power_kw[key]),
        }
        for charger in entry.runtime_data.config.chargers
        for evse_id in range(1, charger.evse_count + 1)
        if (key := evse_key(charger.station_id, evse_id)) in plan.evse_power_kw
    ]
    sessions = [
        {
            "session_id": session.session_id,
            "evse": session.evse_id,
            "plugged_in": session.plugged_in,
            "departure": session.departure.isoformat(),
            "expected_energy_kwh": round(outcome.expected_energy_kwh, 2),
            "target_energy_kwh": round(outcome.target_energy_kwh, 2),
            "at_risk": outcome.at_risk,
            "reason": outcome.reason,
        }
        for session in snapshot.sessions
        if (outcome := plan.session_outcomes.get(session.session_id)) is not None
    ]
    diagnostics = plan.diagnostics
    return {
        "config_entry_id": entry.entry_id,
        "hub": entry.title,
        "start": plan.grid.start.isoformat(),
        "step_minutes": plan.grid.step_minutes,
        **ems.plan_attributes(),
        "pv_forecast_kw": rounded_list(snapshot.forecasts.pv_kw),
        "building_kw": rounded_list(snapshot.forecasts.building_kw),
        "import_limit_kw": rounded_list(snapshot.limits.import_limit_kw),
        "export_limit_kw": rounded_list(snapshot.limits.export_limit_kw),
        "import_price_per_kwh": rounded_list(snapshot.prices.import_eur_per_kwh),
        "export_price_per_kwh": rounded_list(snapshot.prices.export_eur_per_kwh),
        "flexibility_up_kw": rounded_list(plan.flexibility.up_kw),
        "flexibility_down_kw": rounded_list(plan.flexibility.down_kw),
        "evses": evses,
        "sessions": sessions,
        "solver": {
            "backend": diagnostics.backend,
            "status": diagnostics.status,
            "solve_time_ms": round(diagnostics.solve_time_s * 1000.0, 1),
            "fallback_used": diagnostics.fallback_used,
            "reason": diagnostics.reason,
        },
        **card_payload(entry),
    }


async def _async_get_plan(call: ServiceCall) -> ServiceResponse:
    return plan_payload(loaded_hub(call.hass, call.data.get(ATTR_CONFIG_ENTRY_ID)))


@websocket_command({vol.Required("type"): WS_PLAN, vol.Optional(ATTR_CONFIG_ENTRY_ID): str})
@callback
def _ws_plan(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    try:
        entry = loaded_hub(hass, msg.get(ATTR_CONFIG_ENTRY_ID))
    except ServiceValidationError as err:
        connection.send_error(
            msg["id"],
            ERR_NOT_FOUND,
            str(err),
            translation_key=err.translation_key,
            translation_domain=err.translation_domain,
            translation_placeholders=err.translation_placeholders,
        )
        return
    connection.send_result(msg["id"], plan_payload(entry))


@callback
def async_setup_plan_api(hass: HomeAssistant) -> None:
    """Register the plan's action and websocket command once for all hubs."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_PLAN,
        _async_get_plan,
        vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}),
        supports_response=SupportsResponse.ONLY,
    )
    async_register_command(hass, _ws_plan)
