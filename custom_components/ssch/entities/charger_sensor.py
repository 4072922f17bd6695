"""Sensors of charging stations and their EVSEs, fed by the hub's OCPP server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import re

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfEnergy, UnitOfTime
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from custom_components.ssch.csms.state import EvseState, StationState
from custom_components.ssch.runtime import SschConfigEntry

from .sensor_kinds import energy_counter_kwh, power_kw
from .station import StationEntity

type StateValue = str | int | float | datetime | None

CONNECTOR_STATUSES = ["available", "occupied", "reserved", "unavailable", "faulted"]
CHARGING_STATES = ["charging", "ev_connected", "suspended_ev", "suspended_evse", "idle"]
FIRMWARE_STATUSES = [
    "idle",
    "download_scheduled",
    "downloading",
    "download_paused",
    "downloaded",
    "download_failed",
    "signature_verified",
    "invalid_signature",
    "install_scheduled",
    "installing",
    "install_rebooting",
    "installed",
    "installation_failed",
    "install_verification_failed",
]
OPERATION_MODES = [
    "idle",
    "charging_only",
    "central_setpoint",
    "external_setpoint",
    "external_limits",
    "central_frequency",
    "local_frequency",
    "local_load_balancing",
]


def snake(value: str | None, options: list[str]) -> str | None:
    """OCPP's CamelCase enumeration value as a translatable state, or None when unknown."""
    if value is None:
        return None
    converted = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", value).lower()
    return converted if converted in options else None


@dataclass(frozen=True, kw_only=True)
class StationSensorDescription(SensorEntityDescription):
    """A value of the whole station."""

    value_fn: Callable[[StationState], StateValue]


@dataclass(frozen=True, kw_only=True)
class EvseSensorDescription(SensorEntityDescription):
    """A value of one EVSE."""

    value_fn: Callable[[EvseState], StateValue]


# What a 1.6 connector never reports: discharge, operation modes and the car's ISO 15118 needs.
OCPP2_ONLY = frozenset({"energy_discharged", "ev_departure_time", "ev_energy_request", "operation_mode"})


def _power(key: str, value_fn: Callable[[EvseState], StateValue], measured: bool) -> EvseSensorDescription:
    return power_kw(EvseSensorDescription, key, measured=measured, value_fn=value_fn)


def _energy_counter(key: str, value_fn: Callable[[EvseState], StateValue]) -> EvseSensorDescription:
    return energy_counter_kwh(EvseSensorDescription, key, precision=3, value_fn=value_fn)


# Diagnostics that change with every heartbeat or command are off until someone turns them on: a hub of
# many stations would otherwise fill the recorder with them (the firmware version is on the device).
STATION_SENSORS = (
    StationSensorDescription(
        key="firmware",
        translation_key="firmware",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.firmware_version,
    ),
    StationSensorDescription(
        key="firmware_status",
        translation_key="firmware_status",
        device_class=SensorDeviceClass.ENUM,
        options=FIRMWARE_STATUSES,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda s: snake(s.firmware_status, FIRMWARE_STATUSES),
    ),
    StationSensorDescription(
        key="ocpp_version",
        translation_key="ocpp_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.ocpp_version,
    ),
    StationSensorDescription(
        key="last_heartbeat",
        translation_key="last_heartbeat",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.last_heartbeat,
    ),
    StationSensorDescription(
        key="latency",
        translation_key="latency",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.latency_ms,
    ),
    StationSensorDescription(
        key="reconnects",
        translation_key="reconnects",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda s: s.reconnects,
    ),
)

EVSE_SENSORS = (
    EvseSensorDescription(
        key="connector_status",
        translation_key="connector_status",
        device_class=SensorDeviceClass.ENUM,
        options=CONNECTOR_STATUSES,
        value_fn=lambda e: snake(e.status, CONNECTOR_STATUSES),
    ),
    EvseSensorDescription(
        key="charging_state",
        translation_key="charging_state",
        device_class=SensorDeviceClass.ENUM,
        options=CHARGING_STATES,
        value_fn=lambda e: snake(e.charging_state, CHARGING_STATES),
    ),
    _power("power", lambda e: e.power_kw, measured=True),
    _energy_counter("energy_charged", lambda e: e.energy_charged_kwh),
    _energy_counter("energy_discharged", lambda e: e.energy_discharged_kwh),
    EvseSensorDescription(
        key="session_energy",
        translation_key="session_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=3,
        value_fn=lambda e: e.session_energy_kwh if e.transaction_id else None,
    ),
    EvseSensorDescription(
        key="ev_soc",
        translation_key="ev_soc",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=lambda e: e.ev_soc_pct if e.transaction_id else None,
    ),
    EvseSensorDescription(
        key="ev_departure_time",
        translation_key="ev_departure_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda e: e.departure_time,
    ),
    EvseSensorDescription(
        key="ev_energy_request",
        translation_key="ev_energy_request",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=1,
        value_fn=lambda e: e.energy_request_kwh,
    ),
    # What the hub last sent, and how the station runs it: for finding faults; the power is what counts.
    power_kw(
        EvseSensorDescription,
        "active_setpoint",
        measured=False,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda e: e.active_setpoint_kw,
    ),
    EvseSensorDescription(
        key="operation_mode",
        translation_key="operation_mode",
        device_class=SensorDeviceClass.ENUM,
        options=OPERATION_MODES,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda e: snake(e.operation_mode, OPERATION_MODES),
    ),
)


def add_charger_sensors(entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback) -> None:
    """Add the station and EVSE sensors of every charger subentry."""
    server = entry.runtime_data.server
    for charger in entry.runtime_data.config.chargers:
        entities: list[SensorEntity] = [
            StationSensor(entry.entry_id, server, charger, description) for description in STATION_SENSORS
        ]
        entities += [
            EvseSensor(entry.entry_id, server, charger, description, evse_id)
            for evse_id in range(1, charger.evse_count + 1)
            for description in EVSE_SENSORS
            if charger.ocpp_version != "1.6" or description.key not in OCPP2_ONLY
        ]
        async_add_entities(entities, config_subentry_id=charger.subentry_id)


class StationSensor(StationEntity, SensorEntity):
    """A station-wide value."""

    entity_description: StationSensorDescription

    @property
    def native_value(self) -> StateValue:
        """Read from the server's state."""
        return self.entity_description.value_fn(self.station)


class EvseSensor(StationEntity, SensorEntity):
    """A value of one EVSE."""

    entity_description: EvseSensorDescription

    @property
    def native_value(self) -> StateValue:
        """Read from the server's state."""
        return self.entity_description.value_fn(self.evse)
