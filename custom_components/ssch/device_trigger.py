"""Device triggers of an EVSE: its car is ready, its target is at risk, its charger reports a fault.

Each trigger is the hub's bus event for the EVSE's device. A fault of the whole station carries the
station's device and concerns every EVSE of it.
"""

from __future__ import annotations

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_EVENT_DATA, CONF_PLATFORM, CONF_TYPE
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .const import DOMAIN
from .ems.events import EVENT_SESSION_READY, EVENT_TARGET_AT_RISK
from .entities.event_devices import station_device_id_of_evse, station_identifier_of_evse
from .stations.bridge import EVENT_CHARGER_FAULT

CAR_READY = "car_ready"
TARGET_AT_RISK = "target_at_risk"
CHARGER_FAULT = "charger_fault"
TRIGGER_EVENTS = {
    CAR_READY: EVENT_SESSION_READY,
    TARGET_AT_RISK: EVENT_TARGET_AT_RISK,
    CHARGER_FAULT: EVENT_CHARGER_FAULT,
}

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend({vol.Required(CONF_TYPE): vol.In(TRIGGER_EVENTS)})


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, str]]:
    """The three triggers of an EVSE device; other devices have none."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None or station_identifier_of_evse(device) is None:
        return []
    return [
        {CONF_PLATFORM: "device", CONF_DOMAIN: DOMAIN, CONF_DEVICE_ID: device_id, CONF_TYPE: trigger_type}
        for trigger_type in TRIGGER_EVENTS
    ]


async def async_attach_trigger(
    hass: HomeAssistant, config: ConfigType, action: TriggerActionType, trigger_info: TriggerInfo
) -> CALLBACK_TYPE:
    """Listen to the trigger's bus event for the EVSE's device (and its station's, for faults)."""
    trigger_type: str = config[CONF_TYPE]
    device_ids = [config[CONF_DEVICE_ID]]
    if trigger_type == CHARGER_FAULT and (station := station_device_id_of_evse(hass, device_ids[0])):
        device_ids.append(station)
    detach = [
        await event_trigger.async_attach_trigger(
            hass,
            event_trigger.TRIGGER_SCHEMA(
                {
                    CONF_PLATFORM: "event",
                    event_trigger.CONF_EVENT_TYPE: TRIGGER_EVENTS[trigger_type],
                    CONF_EVENT_DATA: {CONF_DEVICE_ID: device_id},
                }
            ),
            action,
            trigger_info,
            platform_type="device",
        )
        for device_id in device_ids
    ]

    @callback
    def detach_all() -> None:
        for remove in detach:
            remove()

    return detach_all
