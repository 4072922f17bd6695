"""Constants shared by the Home Assistant layer of the integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "ssch"
MANUFACTURER: Final = "Super Smart Charging Hub"

# Hub (config entry) data
CONF_IMPORT_LIMIT_KW: Final = "import_limit_kw"
CONF_EXPORT_LIMIT_KW: Final = "export_limit_kw"
CONF_HOST: Final = "host"
CONF_PORT: Final = "port"
CONF_TLS_CERT: Final = "tls_certificate"
CONF_TLS_KEY: Final = "tls_key"
CONF_TLS_CLIENT_CA: Final = "tls_client_ca"
CONF_TLS_CLIENT_CA_KEY: Final = "tls_client_ca_key"
CONF_TLS_CREATE_CA: Final = "tls_create_station_ca"

# Hub options
CONF_IMPORT_PRICE_ENTITY: Final = "import_price_entity"
CONF_IMPORT_PRICE_FIXED: Final = "import_price_fixed"
CONF_EXPORT_PRICE_ENTITY: Final = "export_price_entity"
CONF_EXPORT_PRICE_FIXED: Final = "export_price_fixed"
CONF_STEP_MINUTES: Final = "step_minutes"
CONF_HORIZON_HOURS: Final = "horizon_hours"
CONF_ADOPT_UNKNOWN: Final = "adopt_unknown_stations"
CONF_ENGINE: Final = "optimizer_engine"
CONF_AUTHORIZATION_POLICY: Final = "authorization_policy"
# What a household pays on top of the import price entity: (price + fee) x (1 + VAT).
CONF_GRID_FEE: Final = "grid_fee_eur_per_kwh"
CONF_VAT_PCT: Final = "vat_pct"
# The most EVSEs (connectors) one charger may have in the hub.
MAX_EVSES: Final = 4
CONF_PEAK_CHARGE: Final = "peak_charge_eur_per_kw"

DEFAULT_HOST: Final = "0.0.0.0"
DEFAULT_PORT: Final = 9000
DEFAULT_STEP_MINUTES: Final = 15
DEFAULT_HORIZON_HOURS: Final = 24
STEP_MINUTES_CHOICES: Final = (5, 15, 30, 60)

# Subentry types
SUBENTRY_CHARGER: Final = "charger"
SUBENTRY_PV: Final = "pv"
SUBENTRY_BATTERY: Final = "battery"
SUBENTRY_BUILDING: Final = "building"
SUBENTRY_GRID_METER: Final = "grid_meter"
SUBENTRY_VEHICLE: Final = "vehicle"

# Charger subentry data
CONF_STATION_ID: Final = "station_id"
CONF_PASSWORD: Final = "password"
CONF_PASSWORD_HASH: Final = "password_hash"
CONF_EVSE_COUNT: Final = "evse_count"
CONF_MAX_CHARGE_KW: Final = "max_charge_kw"
CONF_MAX_DISCHARGE_KW: Final = "max_discharge_kw"
CONF_BIDIRECTIONAL: Final = "bidirectional"
CONF_OCPP_VERSION: Final = "ocpp_version"
CONF_NOMINAL_VOLTAGE: Final = "nominal_voltage_v"
DEFAULT_NOMINAL_VOLTAGE: Final = 230.0
# The OCPP version a charger speaks, as offered in the charger form; "auto": its first connection tells.
OCPP_VERSION_AUTO: Final = "auto"
OCPP_VERSIONS: Final = {"ocpp21": "2.1", "ocpp201": "2.0.1", "ocpp16": "1.6"}

# Asset subentry data
CONF_POWER_ENTITY: Final = "power_entity"
CONF_ENERGY_ENTITY: Final = "energy_entity"
CONF_FORECAST_ENTITY: Final = "forecast_entity"
CONF_FORECAST_CONFIG_ENTRY: Final = "forecast_config_entry"
CONF_CURTAILMENT_ENTITY: Final = "curtailment_entity"
CONF_PEAK_KWP: Final = "peak_kwp"
CONF_SOC_ENTITY: Final = "soc_entity"
CONF_CONTROL_ENTITY: Final = "control_entity"
CONF_CAPACITY_KWH: Final = "capacity_kwh"
CONF_SOC_MIN: Final = "soc_min"
CONF_SOC_MAX: Final = "soc_max"
CONF_EFFICIENCY: Final = "efficiency"
CONF_FLEXIBLE: Final = "flexible"
CONF_IMPORT_POWER_ENTITY: Final = "import_power_entity"
CONF_EXPORT_POWER_ENTITY: Final = "export_power_entity"

# Vehicle subentry data (capacity: CONF_CAPACITY_KWH)
CONF_CONSUMPTION: Final = "consumption_kwh_per_100km"
CONF_ID_TOKEN: Final = "id_token"

# Energy community option (the shared key that signs every community message)
CONF_COMMUNITY_KEY: Final = "community_key"

REDACTED_KEYS: Final = frozenset(
    {
        CONF_PASSWORD,
        CONF_PASSWORD_HASH,
        CONF_TLS_KEY,
        CONF_TLS_CLIENT_CA_KEY,
        CONF_ID_TOKEN,
        CONF_COMMUNITY_KEY,
    }
)

# Fields shared by several actions.
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_DEVICE_ID: Final = "device_id"
ATTR_DURATION: Final = "duration"
ATTR_POWER_KW: Final = "power_kw"
ATTR_START: Final = "start"
