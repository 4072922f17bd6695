"""A hub's configuration, read once from its config entry into typed values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .bookings.vehicles import VehicleConfig, vehicle_from_subentry
from .const import (
    CONF_ADOPT_UNKNOWN,
    CONF_AUTHORIZATION_POLICY,
    CONF_BIDIRECTIONAL,
    CONF_CAPACITY_KWH,
    CONF_CONTROL_ENTITY,
    CONF_CURTAILMENT_ENTITY,
    CONF_EFFICIENCY,
    CONF_ENERGY_ENTITY,
    CONF_ENGINE,
    CONF_EVSE_COUNT,
    CONF_EXPORT_LIMIT_KW,
    CONF_EXPORT_POWER_ENTITY,
    CONF_EXPORT_PRICE_ENTITY,
    CONF_EXPORT_PRICE_FIXED,
    CONF_FLEXIBLE,
    CONF_FORECAST_CONFIG_ENTRY,
    CONF_FORECAST_ENTITY,
    CONF_GRID_FEE,
    CONF_HORIZON_HOURS,
    CONF_HOST,
    CONF_IMPORT_LIMIT_KW,
    CONF_IMPORT_POWER_ENTITY,
    CONF_IMPORT_PRICE_ENTITY,
    CONF_IMPORT_PRICE_FIXED,
    CONF_MAX_CHARGE_KW,
    CONF_MAX_DISCHARGE_KW,
    CONF_NOMINAL_VOLTAGE,
    CONF_OCPP_VERSION,
    CONF_PASSWORD_HASH,
    CONF_PEAK_CHARGE,
    CONF_PEAK_KWP,
    CONF_PORT,
    CONF_POWER_ENTITY,
    CONF_SOC_ENTITY,
    CONF_SOC_MAX,
    CONF_SOC_MIN,
    CONF_STATION_ID,
    CONF_STEP_MINUTES,
    CONF_TLS_CERT,
    CONF_TLS_CLIENT_CA,
    CONF_TLS_CLIENT_CA_KEY,
    CONF_TLS_CREATE_CA,
    CONF_TLS_KEY,
    CONF_VAT_PCT,
    DEFAULT_HORIZON_HOURS,
    DEFAULT_NOMINAL_VOLTAGE,
    DEFAULT_STEP_MINUTES,
    OCPP_VERSION_AUTO,
    OCPP_VERSIONS,
    SUBENTRY_BATTERY,
    SUBENTRY_BUILDING,
    SUBENTRY_CHARGER,
    SUBENTRY_GRID_METER,
    SUBENTRY_PV,
    SUBENTRY_VEHICLE,
)
from .core.planner import ENGINE_AUTO, ENGINE_CHOICES
from .csms.authorization import AuthorizationPolicy
from .ems.price_source import NO_TARIFF, Tariff


@dataclass(frozen=True, slots=True)
class PriceSource:
    """A price from an entity, or a fixed value when no entity is given."""

    entity_id: str | None
    fixed_eur_per_kwh: float | None


@dataclass(frozen=True, slots=True)
class ChargerConfig:
    """A charging station known to the hub's OCPP server."""

    subentry_id: str
    name: str
    station_id: str
    password_hash: str
    evse_count: int
    max_charge_kw: float
    max_discharge_kw: float
    bidirectional: bool
    ocpp_version: str | None = None  # declared by the installer; None: the first connection tells
    nominal_voltage_v: float = DEFAULT_NOMINAL_VOLTAGE


@dataclass(frozen=True, slots=True)
class PvConfig:
    """A PV inverter mapped to Home Assistant entities."""

    subentry_id: str
    name: str
    power_entity: str
    energy_entity: str | None
    forecast_entity: str | None
    curtailment_entity: str | None
    peak_kwp: float
    # A config entry whose integration gives the Energy dashboard a solar forecast.
    forecast_config_entry: str | None = None


@dataclass(frozen=True, slots=True)
class BatteryConfig:
    """A stationary battery mapped to Home Assistant entities."""

    subentry_id: str
    name: str
    soc_entity: str
    power_entity: str
    control_entity: str
    capacity_kwh: float
    max_charge_kw: float
    max_discharge_kw: float
    soc_min_pct: float
    soc_max_pct: float
    efficiency: float


@dataclass(frozen=True, slots=True)
class BuildingConfig:
    """A building load mapped to Home Assistant entities."""

    subentry_id: str
    name: str
    power_entity: str
    energy_entity: str | None
    flexible: bool


@dataclass(frozen=True, slots=True)
class GridMeterConfig:
    """The meter at the grid connection: one signed sensor, or import and export sensors."""

    subentry_id: str
    name: str
    import_power_entity: str
    export_power_entity: str | None


@dataclass(frozen=True, slots=True)
class HubConfig:
    """Site, server, planning and assets of one hub."""

    entry_id: str
    name: str
    import_limit_kw: float
    export_limit_kw: float
    host: str
    port: int
    tls_certificate: str | None
    tls_key: str | None
    import_price: PriceSource
    export_price: PriceSource
    step_minutes: int
    horizon_hours: int
    adopt_unknown_stations: bool
    engine: str
    chargers: tuple[ChargerConfig, ...]
    pv: tuple[PvConfig, ...]
    batteries: tuple[BatteryConfig, ...]
    buildings: tuple[BuildingConfig, ...]
    grid_meter: GridMeterConfig | None
    vehicles: tuple[VehicleConfig, ...] = ()
    authorization_policy: AuthorizationPolicy = AuthorizationPolicy.ACCEPT_ALL
    tls_client_ca: str | None = None
    tls_client_ca_key: str | None = None
    tls_create_station_ca: bool = False
    tariff: Tariff = NO_TARIFF
    # Capacity tariff: EUR per kW of the month's highest quarter-hour import (0: none).
    peak_charge_eur_per_kw: float = 0.0

    @classmethod
    def from_entry(cls, entry: ConfigEntry[Any]) -> HubConfig:
        """Read a config entry, its options and its subentries."""
        data, options = entry.data, entry.options
        by_type: dict[str, list[tuple[str, str, Mapping[str, Any]]]] = {}
        for sub in entry.subentries.values():
            by_type.setdefault(sub.subentry_type, []).append((sub.subentry_id, sub.title, sub.data))
        meters = [_grid_meter(*item) for item in by_type.get(SUBENTRY_GRID_METER, [])]
        return cls(
            entry_id=entry.entry_id,
            name=entry.title,
            import_limit_kw=float(data[CONF_IMPORT_LIMIT_KW]),
            export_limit_kw=float(data[CONF_EXPORT_LIMIT_KW]),
            host=data[CONF_HOST],
            port=int(data[CONF_PORT]),
            tls_certificate=data.get(CONF_TLS_CERT) or None,
            tls_key=data.get(CONF_TLS_KEY) or None,
            tls_client_ca=data.get(CONF_TLS_CLIENT_CA) or None,
            tls_client_ca_key=data.get(CONF_TLS_CLIENT_CA_KEY) or None,
            tls_create_station_ca=bool(data.get(CONF_TLS_CREATE_CA, False)),
            import_price=PriceSource(
                options.get(CONF_IMPORT_PRICE_ENTITY),
                _optional_float(options.get(CONF_IMPORT_PRICE_FIXED)),
            ),
            export_price=PriceSource(
                options.get(CONF_EXPORT_PRICE_ENTITY),
                _optional_float(options.get(CONF_EXPORT_PRICE_FIXED)),
            ),
            step_minutes=int(options.get(CONF_STEP_MINUTES, DEFAULT_STEP_MINUTES)),
            horizon_hours=int(options.get(CONF_HORIZON_HOURS, DEFAULT_HORIZON_HOURS)),
            adopt_unknown_stations=bool(options.get(CONF_ADOPT_UNKNOWN, False)),
            engine=_engine(options.get(CONF_ENGINE)),
            chargers=tuple(_charger(*item) for item in by_type.get(SUBENTRY_CHARGER, [])),
            pv=tuple(_pv(*item) for item in by_type.get(SUBENTRY_PV, [])),
            batteries=tuple(_battery(*item) for item in by_type.get(SUBENTRY_BATTERY, [])),
            buildings=tuple(_building(*item) for item in by_type.get(SUBENTRY_BUILDING, [])),
            grid_meter=meters[0] if meters else None,
            vehicles=tuple(vehicle_from_subentry(*item) for item in by_type.get(SUBENTRY_VEHICLE, [])),
            authorization_policy=_policy(options.get(CONF_AUTHORIZATION_POLICY)),
            tariff=Tariff(
                _optional_float(options.get(CONF_GRID_FEE)) or 0.0,
                (_optional_float(options.get(CONF_VAT_PCT)) or 0.0) / 100.0,
            ),
            peak_charge_eur_per_kw=_optional_float(options.get(CONF_PEAK_CHARGE)) or 0.0,
        )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _charger(subentry_id: str, title: str, data: Mapping[str, Any]) -> ChargerConfig:
    return ChargerConfig(
        subentry_id=subentry_id,
        name=title,
        station_id=data[CONF_STATION_ID],
        password_hash=data[CONF_PASSWORD_HASH],
        evse_count=int(data[CONF_EVSE_COUNT]),
        max_charge_kw=float(data[CONF_MAX_CHARGE_KW]),
        max_discharge_kw=float(data[CONF_MAX_DISCHARGE_KW]),
        bidirectional=bool(data[CONF_BIDIRECTIONAL]),
        ocpp_version=OCPP_VERSIONS.get(data.get(CONF_OCPP_VERSION, OCPP_VERSION_AUTO)),
        nominal_voltage_v=float(data.get(CONF_NOMINAL_VOLTAGE, DEFAULT_NOMINAL_VOLTAGE)),
    )


def _pv(subentry_id: str, title: str, data: Mapping[str, Any]) -> PvConfig:
    return PvConfig(
        subentry_id=subentry_id,
        name=title,
        power_entity=data[CONF_POWER_ENTITY],
        energy_entity=data.get(CONF_ENERGY_ENTITY),
        forecast_entity=data.get(CONF_FORECAST_ENTITY),
        forecast_config_entry=data.get(CONF_FORECAST_CONFIG_ENTRY),
        curtailment_entity=data.get(CONF_CURTAILMENT_ENTITY),
        peak_kwp=float(data[CONF_PEAK_KWP]),
    )


def _battery(subentry_id: str, title: str, data: Mapping[str, Any]) -> BatteryConfig:
    return BatteryConfig(
        subentry_id=subentry_id,
        name=title,
        soc_entity=data[CONF_SOC_ENTITY],
        power_entity=data[CONF_POWER_ENTITY],
        control_entity=data[CONF_CONTROL_ENTITY],
        capacity_kwh=float(data[CONF_CAPACITY_KWH]),
        max_charge_kw=float(data[CONF_MAX_CHARGE_KW]),
        max_discharge_kw=float(data[CONF_MAX_DISCHARGE_KW]),
        soc_min_pct=float(data[CONF_SOC_MIN]),
        soc_max_pct=float(data[CONF_SOC_MAX]),
        efficiency=float(data[CONF_EFFICIENCY]),
    )


def _building(subentry_id: str, title: str, data: Mapping[str, Any]) -> BuildingConfig:
    return BuildingConfig(
        subentry_id=subentry_id,
        name=title,
        power_entity=data[CONF_POWER_ENTITY],
        energy_entity=data.get(CONF_ENERGY_ENTITY),
        flexible=bool(data[CONF_FLEXIBLE]),
    )


def _grid_meter(subentry_id: str, title: str, data: Mapping[str, Any]) -> GridMeterConfig:
    return GridMeterConfig(
        subentry_id=subentry_id,
        name=title,
        import_power_entity=data[CONF_IMPORT_POWER_ENTITY],
        export_power_entity=data.get(CONF_EXPORT_POWER_ENTITY),
    )


def _policy(value: object) -> AuthorizationPolicy:
    """The chosen card policy; an entry from before the choice existed accepts every card, as it did."""
    try:
        return AuthorizationPolicy(str(value))
    except ValueError:
        return AuthorizationPolicy.ACCEPT_ALL


def _engine(value: object) -> str:
    """The chosen engine; an entry from before the choice existed (or an unknown one) plans automatically."""
    return str(value) if value in ENGINE_CHOICES else ENGINE_AUTO
