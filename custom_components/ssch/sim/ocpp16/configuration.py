"""The configuration keys of a 1.6 station: GetConfiguration and ChangeConfiguration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ocpp.v16.enums import ConfigurationStatus

from custom_components.ssch.sim.config import StationConfig

from .messages import DEFAULT_MEASURANDS, MEASURANDS

SUPPORTED_FEATURE_PROFILES = (
    "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"
)
MAX_STACK_LEVEL = 10
MAX_SCHEDULE_PERIODS = 48
GET_CONFIGURATION_MAX_KEYS = 50

# Keys whose change the firmware acts on.
HEARTBEAT_INTERVAL = "HeartbeatInterval"
METER_VALUE_SAMPLE_INTERVAL = "MeterValueSampleInterval"
METER_VALUES_SAMPLED_DATA = "MeterValuesSampledData"
AUTHORIZE_REMOTE_TX_REQUESTS = "AuthorizeRemoteTxRequests"
LOCAL_AUTHORIZE_OFFLINE = "LocalAuthorizeOffline"


def _whole_seconds(minimum: int) -> Callable[[str], bool]:
    def valid(text: str) -> bool:
        return text.strip().isdigit() and int(text) >= minimum

    return valid


def _boolean(text: str) -> bool:
    return text.lower() in ("true", "false")


def _measurand_list(text: str) -> bool:
    items = [item.strip() for item in text.split(",")]
    return all(item in MEASURANDS for item in items) and len(items) <= len(MEASURANDS)


@dataclass(slots=True)
class ConfigurationKey:
    """One key: its value, whether the CSMS may change it, and which values it takes."""

    value: str
    readonly: bool = True
    valid: Callable[[str], bool] | None = None


class Configuration:
    """The keys of one station; ``on_change(key, value)`` runs after an accepted change."""

    def __init__(self, config: StationConfig, on_change: Callable[[str, str], None]) -> None:
        self._on_change = on_change
        self._keys: dict[str, ConfigurationKey] = {
            AUTHORIZE_REMOTE_TX_REQUESTS: ConfigurationKey("false", False, _boolean),
            "ChargeProfileMaxStackLevel": ConfigurationKey(str(MAX_STACK_LEVEL)),
            "ChargingScheduleAllowedChargingRateUnit": ConfigurationKey(config.charging_rate_units),
            "ChargingScheduleMaxPeriods": ConfigurationKey(str(MAX_SCHEDULE_PERIODS)),
            "GetConfigurationMaxKeys": ConfigurationKey(str(GET_CONFIGURATION_MAX_KEYS)),
            HEARTBEAT_INTERVAL: ConfigurationKey(
                str(round(config.heartbeat_fallback_s)), False, _whole_seconds(1)
            ),
            LOCAL_AUTHORIZE_OFFLINE: ConfigurationKey("true", False, _boolean),
            METER_VALUE_SAMPLE_INTERVAL: ConfigurationKey(
                str(round(config.meter_interval_s)), False, _whole_seconds(0)
            ),
            METER_VALUES_SAMPLED_DATA: ConfigurationKey(",".join(DEFAULT_MEASURANDS), False, _measurand_list),
            "MeterValuesSampledDataMaxLength": ConfigurationKey(str(len(MEASURANDS))),
            "NumberOfConnectors": ConfigurationKey("1"),
            "StopTransactionOnEVSideDisconnect": ConfigurationKey("true"),
            "SupportedFeatureProfiles": ConfigurationKey(SUPPORTED_FEATURE_PROFILES),
            "UnlockConnectorOnEVSideDisconnect": ConfigurationKey("true"),
        }

    def value(self, key: str) -> str:
        return self._keys[key].value

    def flag(self, key: str) -> bool:
        return self._keys[key].value.lower() == "true"

    @property
    def meter_interval_s(self) -> float:
        return float(self.value(METER_VALUE_SAMPLE_INTERVAL))

    @property
    def measurands(self) -> tuple[str, ...]:
        return tuple(item.strip() for item in self.value(METER_VALUES_SAMPLED_DATA).split(","))

    @property
    def rate_units(self) -> frozenset[str]:
        """Return the schedule units the station takes: "A" for Current, "W" for Power."""
        allowed = self.value("ChargingScheduleAllowedChargingRateUnit").split(",")
        return frozenset({"Current": "A", "Power": "W"}[unit.strip()] for unit in allowed)

    def get(self, keys: list[str] | None) -> tuple[list[dict[str, Any]], list[str]]:
        """Answer GetConfiguration: the known keys asked for (all without a list), and the unknown ones."""
        wanted = keys or list(self._keys)
        known = [
            {"key": key, "readonly": self._keys[key].readonly, "value": self._keys[key].value}
            for key in wanted
            if key in self._keys
        ]
        return known, [key for key in wanted if key not in self._keys]

    def change(self, key: str, value: str) -> str:
        """Answer ChangeConfiguration, and apply an accepted change."""
        entry = self._keys.get(key)
        if entry is None:
            return str(ConfigurationStatus.not_supported)
        if entry.readonly or (entry.valid is not None and not entry.valid(value)):
            return str(ConfigurationStatus.rejected)
        entry.value = value.strip()
        self._on_change(key, entry.value)
        return str(ConfigurationStatus.accepted)

    def note_heartbeat_interval(self, seconds: float) -> None:
        """Record the interval the CSMS gave in its BootNotification answer."""
        self._keys[HEARTBEAT_INTERVAL].value = str(round(seconds))
