"""Station management actions: start and stop charging, trigger a message, update firmware, upload
logs, vendor data transfer and clearing charging profiles.

Each names a station through its device or an EVSE's device; what the station's OCPP version
cannot do is refused with a translated error (see ``station_commands``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import voluptuous as vol

from custom_components.ssch.const import ATTR_DEVICE_ID, DOMAIN
from custom_components.ssch.csms.dialect import FirmwareUpdate, LogUpload, ProfileFilter
from custom_components.ssch.csms.v16_requests import HUB_ID_TAG
from custom_components.ssch.service_targets import evse_target, run_on_station, station_target

from .bridge import async_refresh_station
from .settings import async_setup_station_settings

SERVICE_START_CHARGING = "start_charging"
SERVICE_STOP_CHARGING = "stop_charging"
SERVICE_TRIGGER_MESSAGE = "trigger_station_message"
SERVICE_UPDATE_FIRMWARE = "update_station_firmware"
SERVICE_UPLOAD_LOGS = "upload_station_logs"
SERVICE_DATA_TRANSFER = "station_data_transfer"
SERVICE_CLEAR_PROFILES = "clear_charging_profiles"

# The options users choose from, and the message each asks for (2.x names; 1.6 maps its own).
TRIGGER_MESSAGES = {
    "boot_notification": "BootNotification",
    "heartbeat": "Heartbeat",
    "status_notification": "StatusNotification",
    "meter_values": "MeterValues",
    "firmware_status_notification": "FirmwareStatusNotification",
    "log_status_notification": "LogStatusNotification",
    "transaction_event": "TransactionEvent",
    "sign_charging_station_certificate": "SignChargingStationCertificate",
}
PROFILE_PURPOSES = {
    "charging_station_max_profile": "ChargingStationMaxProfile",
    "tx_default_profile": "TxDefaultProfile",
    "tx_profile": "TxProfile",
}
LOG_TYPES = {"diagnostics": "DiagnosticsLog", "security": "SecurityLog"}

# A URL of any scheme: stations fetch firmware and upload logs over HTTP(S) and FTP(S) alike.
_LOCATION = vol.All(cv.string, vol.Match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$"), vol.Length(max=512))
_RETRIES = vol.All(vol.Coerce(int), vol.Range(min=0, max=100))
_DURATION = vol.All(cv.time_period, cv.positive_timedelta)
_DEVICE: dict[vol.Marker, Any] = {vol.Required(ATTR_DEVICE_ID): cv.string}

START_SCHEMA = vol.Schema(
    {**_DEVICE, vol.Optional("id_token"): vol.All(cv.string, vol.Length(min=1, max=36))}
)
DEVICE_SCHEMA = vol.Schema(_DEVICE)
TRIGGER_SCHEMA = vol.Schema({**_DEVICE, vol.Required("message"): vol.In(TRIGGER_MESSAGES)})
FIRMWARE_SCHEMA = vol.Schema(
    {
        **_DEVICE,
        vol.Required("location"): _LOCATION,
        vol.Optional("retrieve_at"): cv.datetime,
        vol.Optional("retries"): _RETRIES,
        vol.Optional("retry_interval"): _DURATION,
    }
)
LOGS_SCHEMA = vol.Schema(
    {
        **_DEVICE,
        vol.Required("location"): _LOCATION,
        vol.Optional("log_type", default="diagnostics"): vol.In(LOG_TYPES),
        vol.Optional("since"): cv.datetime,
        vol.Optional("until"): cv.datetime,
        vol.Optional("retries"): _RETRIES,
        vol.Optional("retry_interval"): _DURATION,
    }
)
DATA_TRANSFER_SCHEMA = vol.Schema(
    {
        **_DEVICE,
        vol.Required("vendor_id"): vol.All(cv.string, vol.Length(min=1, max=255)),
        vol.Optional("message_id"): vol.All(cv.string, vol.Length(max=50)),
        vol.Optional("data"): cv.match_all,
    }
)
CLEAR_PROFILES_SCHEMA = vol.Schema(
    {
        **_DEVICE,
        vol.Optional("profile_id"): vol.Coerce(int),
        vol.Optional("purpose"): vol.In(PROFILE_PURPOSES),
        vol.Optional("stack_level"): vol.All(vol.Coerce(int), vol.Range(min=0)),
    }
)


def _seconds(duration: timedelta | None) -> int | None:
    return None if duration is None else int(duration.total_seconds())


def _utc(call: ServiceCall, field: str) -> Any:
    value = call.data.get(field)
    return None if value is None else dt_util.as_utc(value)


async def _async_start_charging(call: ServiceCall) -> ServiceResponse:
    target = evse_target(call.hass, call.data[ATTR_DEVICE_ID])
    evse_id, token = target.evse_id, call.data.get("id_token", HUB_ID_TAG)
    assert evse_id is not None
    transaction_id = await run_on_station(
        target, "RequestStartTransaction", lambda h: h.start_transaction(evse_id, token)
    )
    return {"transaction_id": transaction_id}


async def _async_stop_charging(call: ServiceCall) -> None:
    target = evse_target(call.hass, call.data[ATTR_DEVICE_ID])
    evse_id = target.evse_id
    assert evse_id is not None
    await run_on_station(target, "RequestStopTransaction", lambda h: h.stop_transaction(evse_id))


async def _async_trigger_message(call: ServiceCall) -> None:
    target = station_target(call.hass, call.data[ATTR_DEVICE_ID])
    message = TRIGGER_MESSAGES[call.data["message"]]
    await run_on_station(target, "TriggerMessage", lambda h: h.trigger_message(message, target.evse_id))


async def _async_update_firmware(call: ServiceCall) -> None:
    target = station_target(call.hass, call.data[ATTR_DEVICE_ID])
    update = FirmwareUpdate(
        call.data["location"],
        _utc(call, "retrieve_at") or dt_util.utcnow(),
        call.data.get("retries"),
        _seconds(call.data.get("retry_interval")),
    )
    await run_on_station(target, "UpdateFirmware", lambda h: h.update_firmware(update))


async def _async_upload_logs(call: ServiceCall) -> ServiceResponse:
    target = station_target(call.hass, call.data[ATTR_DEVICE_ID])
    upload = LogUpload(
        call.data["location"],
        LOG_TYPES[call.data["log_type"]],
        _utc(call, "since"),
        _utc(call, "until"),
        call.data.get("retries"),
        _seconds(call.data.get("retry_interval")),
    )
    filename = await run_on_station(target, "GetLog", lambda h: h.upload_log(upload))
    return {"filename": filename}


async def _async_data_transfer(call: ServiceCall) -> ServiceResponse:
    target = station_target(call.hass, call.data[ATTR_DEVICE_ID])
    vendor_id, message_id, data = call.data["vendor_id"], call.data.get("message_id"), call.data.get("data")
    answer = await run_on_station(
        target, "DataTransfer", lambda h: h.data_transfer(vendor_id, message_id, data)
    )
    return {"data": answer}


async def _async_clear_profiles(call: ServiceCall) -> ServiceResponse:
    target = station_target(call.hass, call.data[ATTR_DEVICE_ID])
    purpose = call.data.get("purpose")
    which = ProfileFilter(
        call.data.get("profile_id"),
        target.evse_id,
        PROFILE_PURPOSES[purpose] if purpose is not None else None,
        call.data.get("stack_level"),
    )
    status = await run_on_station(target, "ClearChargingProfile", lambda h: h.clear_charging_profiles(which))
    # The hub's own profile may be gone: its setpoints go out again at the next dispatch.
    target.entry.runtime_data.ems.setpoints.forget_station(target.station_id)
    async_refresh_station(call.hass, target.entry.entry_id, target.station_id)
    return {"cleared": status == "Accepted"}


@callback
def async_setup_station_services(hass: HomeAssistant) -> None:
    """Register the station management actions once for all hubs."""
    async_setup_station_settings(hass)
    optional = SupportsResponse.OPTIONAL
    for service, handler, schema, response in (
        (SERVICE_START_CHARGING, _async_start_charging, START_SCHEMA, optional),
        (SERVICE_STOP_CHARGING, _async_stop_charging, DEVICE_SCHEMA, SupportsResponse.NONE),
        (SERVICE_TRIGGER_MESSAGE, _async_trigger_message, TRIGGER_SCHEMA, SupportsResponse.NONE),
        (SERVICE_UPDATE_FIRMWARE, _async_update_firmware, FIRMWARE_SCHEMA, SupportsResponse.NONE),
        (SERVICE_UPLOAD_LOGS, _async_upload_logs, LOGS_SCHEMA, optional),
        (SERVICE_DATA_TRANSFER, _async_data_transfer, DATA_TRANSFER_SCHEMA, optional),
        (SERVICE_CLEAR_PROFILES, _async_clear_profiles, CLEAR_PROFILES_SCHEMA, optional),
    ):
        hass.services.async_register(DOMAIN, service, handler, schema, supports_response=response)
