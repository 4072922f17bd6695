"""Actions that read and change a station's settings: device-model variables (OCPP 2.x) and
configuration keys (OCPP 1.6).

A variable is named ``Component.Variable``, with instances in brackets where the device model has
them, e.g. ``OCPPCommCtrlr.HeartbeatInterval`` or ``Connector[1].Enabled``; when an EVSE's device is
chosen, the components are those of that EVSE.
"""

from __future__ import annotations

import re
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from custom_components.ssch.const import ATTR_DEVICE_ID, DOMAIN
from custom_components.ssch.csms.commands import VariableRef
from custom_components.ssch.service_targets import run_on_station, station_target

SERVICE_GET_VARIABLES = "get_station_variables"
SERVICE_SET_VARIABLES = "set_station_variables"
SERVICE_GET_CONFIGURATION = "get_station_configuration"
SERVICE_CHANGE_CONFIGURATION = "change_station_configuration"
# What a station says when it took a new value (some only after a reboot).
WRITTEN = ("Accepted", "RebootRequired")

_NAME = re.compile(
    r"^(?P<component>[^.\[\]]+)(?:\[(?P<component_instance>[^\[\]]+)\])?"
    r"\.(?P<variable>[^.\[\]]+)(?:\[(?P<variable_instance>[^\[\]]+)\])?$"
)


def _text(value: Any) -> str:
    """A value as OCPP writes it: booleans in lower case, numbers without a needless ``.0``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_DEVICE: dict[vol.Marker, Any] = {vol.Required(ATTR_DEVICE_ID): cv.string}
GET_VARIABLES_SCHEMA = vol.Schema(
    {**_DEVICE, vol.Required("variables"): vol.All(cv.ensure_list, [cv.string], vol.Length(min=1))}
)
SET_VARIABLES_SCHEMA = vol.Schema(
    {
        **_DEVICE,
        vol.Required("values"): vol.All(
            {cv.string: vol.All(vol.Any(str, int, float, bool), _text)}, vol.Length(min=1)
        ),
    }
)
GET_CONFIGURATION_SCHEMA = vol.Schema(
    {**_DEVICE, vol.Optional("keys", default=list): vol.All(cv.ensure_list, [cv.string])}
)
CHANGE_CONFIGURATION_SCHEMA = vol.Schema(
    {
        **_DEVICE,
        vol.Required("key"): vol.All(cv.string, vol.Length(min=1, max=50)),
        vol.Required("value"): vol.All(vol.Any(str, int, float, bool), _text, vol.Length(max=500)),
    }
)


def variable_ref(name: str, evse_id: int | None) -> VariableRef:
    """Parse ``Component[instance].Variable[instance]``; ``evse_id`` places the component on an EVSE."""
    match = _NAME.match(name.strip())
    if match is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_variable_name",
            translation_placeholders={"name": name},
        )
    return VariableRef(
        match["component"],
        match["variable"],
        evse_id=evse_id,
        component_instance=match["component_instance"],
        variable_instance=match["variable_instance"],
    )


def variable_name(result: dict[str, Any]) -> str:
    """The name a station's result speaks of, in the form the actions take."""
    component, variable = result["component"], result["variable"]
    name = component["name"] + (f"[{component['instance']}]" if "instance" in component else "")
    name += "." + variable["name"] + (f"[{variable['instance']}]" if "instance" in variable else "")
    return str(name)


async def _async_get_variables(call: ServiceCall) -> ServiceResponse:
    target = station_target(call.hass, call.data[ATTR_DEVICE_ID])
    refs = [variable_ref(name, target.evse_id) for name in call.data["variables"]]
    results = await run_on_station(target, "GetVariables", lambda h: h.get_variables(refs))
    return {
        "values": {variable_name(r): r.get("attributeValue") for r in results},
        "statuses": {variable_name(r): r["attributeStatus"] for r in results},
    }


async def _async_set_variables(call: ServiceCall) -> ServiceResponse:
    target = station_target(call.hass, call.data[ATTR_DEVICE_ID])
    values = [(variable_ref(name, target.evse_id), value) for name, value in call.data["values"].items()]
    results = await run_on_station(target, "SetVariables", lambda h: h.set_variables(values))
    statuses: dict[str, Any] = {variable_name(r): str(r["attributeStatus"]) for r in results}
    refused = {name: status for name, status in statuses.items() if status not in WRITTEN}
    if refused:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="variables_refused",
            translation_placeholders={
                "station_id": target.station_id,
                "refused": ", ".join(f"{name} ({status})" for name, status in refused.items()),
            },
        )
    return {"statuses": statuses, "reboot_required": "RebootRequired" in statuses.values()}


async def _async_get_configuration(call: ServiceCall) -> ServiceResponse:
    target = station_target(call.hass, call.data[ATTR_DEVICE_ID])
    keys = call.data["keys"]
    values: dict[str, Any] = await run_on_station(
        target, "GetConfiguration", lambda h: h.get_configuration(keys)
    )
    return {"values": values}


async def _async_change_configuration(call: ServiceCall) -> ServiceResponse:
    target = station_target(call.hass, call.data[ATTR_DEVICE_ID])
    key, value = call.data["key"], call.data["value"]
    status = await run_on_station(target, "ChangeConfiguration", lambda h: h.change_configuration(key, value))
    return {"reboot_required": status == "RebootRequired"}


@callback
def async_setup_station_settings(hass: HomeAssistant) -> None:
    """Register the settings actions once for all hubs."""
    for service, handler, schema, response in (
        (SERVICE_GET_VARIABLES, _async_get_variables, GET_VARIABLES_SCHEMA, SupportsResponse.ONLY),
        (SERVICE_SET_VARIABLES, _async_set_variables, SET_VARIABLES_SCHEMA, SupportsResponse.OPTIONAL),
        (
            SERVICE_GET_CONFIGURATION,
            _async_get_configuration,
            GET_CONFIGURATION_SCHEMA,
            SupportsResponse.ONLY,
        ),
        (
            SERVICE_CHANGE_CONFIGURATION,
            _async_change_configuration,
            CHANGE_CONFIGURATION_SCHEMA,
            SupportsResponse.OPTIONAL,
        ),
    ):
        hass.services.async_register(DOMAIN, service, handler, schema, supports_response=response)
