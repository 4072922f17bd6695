"""Add and reconfigure the assets of a hub: chargers, PV, batteries, buildings, the grid meter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigSubentry, ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.helpers import selector
import voluptuous as vol

from .asset_kinds import asset_kind
from .bookings.vehicles import normalize_id_token
from .const import (
    CONF_BIDIRECTIONAL,
    CONF_CAPACITY_KWH,
    CONF_CONSUMPTION,
    CONF_CONTROL_ENTITY,
    CONF_CURTAILMENT_ENTITY,
    CONF_EFFICIENCY,
    CONF_ENERGY_ENTITY,
    CONF_EVSE_COUNT,
    CONF_EXPORT_POWER_ENTITY,
    CONF_FLEXIBLE,
    CONF_FORECAST_CONFIG_ENTRY,
    CONF_FORECAST_ENTITY,
    CONF_ID_TOKEN,
    CONF_IMPORT_POWER_ENTITY,
    CONF_MAX_CHARGE_KW,
    CONF_MAX_DISCHARGE_KW,
    CONF_NOMINAL_VOLTAGE,
    CONF_OCPP_VERSION,
    CONF_PASSWORD,
    CONF_PASSWORD_HASH,
    CONF_PEAK_KWP,
    CONF_POWER_ENTITY,
    CONF_SOC_ENTITY,
    CONF_SOC_MAX,
    CONF_SOC_MIN,
    CONF_STATION_ID,
    DEFAULT_NOMINAL_VOLTAGE,
    MAX_EVSES,
    OCPP_VERSION_AUTO,
    OCPP_VERSIONS,
    SUBENTRY_BATTERY,
    SUBENTRY_BUILDING,
    SUBENTRY_CHARGER,
    SUBENTRY_GRID_METER,
    SUBENTRY_PV,
    SUBENTRY_VEHICLE,
)
from .csms.auth import hash_password
from .ems.solar_forecast_providers import async_forecast_entry_options
from .validation import Measure, charger_errors, entity_error


def _number(minimum: float, maximum: float, step: float, unit: str | None = None) -> vol.All:
    config = selector.NumberSelectorConfig(
        min=minimum, max=maximum, step=step, mode=selector.NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return vol.All(selector.NumberSelector(config), vol.Coerce(float))


def _sensor(device_class: str) -> selector.EntitySelector:
    return selector.EntitySelector(selector.EntitySelectorConfig(domain="sensor", device_class=device_class))


_NUMBER_CONTROL = selector.EntitySelector(selector.EntitySelectorConfig(domain=["number", "input_number"]))
_TEXT = selector.TextSelector()
_PASSWORD = selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD))
# OCPP 2.x IdTokenType.idToken is at most 36 characters (an EVCCID or RFID UID is shorter).
MAX_ID_TOKEN_LENGTH = 36


class AssetSubentryFlow(ConfigSubentryFlow):
    """One form for adding and reconfiguring an asset; subclasses declare fields and checks."""

    # Which fields map an entity, and what that entity must measure (None: any state will do).
    entity_fields: Mapping[str, Measure | None] = {}

    def schema(self, *, reconfigure: bool) -> vol.Schema:
        """The form's fields."""
        raise NotImplementedError

    def extra_errors(self, user_input: Mapping[str, Any], current: ConfigSubentry | None) -> dict[str, str]:
        """Checks beyond the mapped entities."""
        return {}

    async def async_to_data(
        self, user_input: Mapping[str, Any], current: ConfigSubentry | None
    ) -> dict[str, Any]:
        """What the subentry stores."""
        return dict(user_input)

    def unique_id(self, data: Mapping[str, Any]) -> str | None:
        """Assets mapped to the same power sensor are the same asset."""
        return str(data[CONF_POWER_ENTITY])

    def title(self, data: Mapping[str, Any]) -> str:
        """The device name."""
        return str(data[CONF_NAME])

    def suggested(self, current: ConfigSubentry) -> dict[str, Any]:
        """Values shown when reconfiguring."""
        return dict(current.data)

    def _errors(self, user_input: Mapping[str, Any], current: ConfigSubentry | None) -> dict[str, str]:
        errors: dict[str, str] = {}
        for field, measure in self.entity_fields.items():
            if (entity_id := user_input.get(field)) and (
                error := entity_error(self.hass, entity_id, measure)
            ):
                errors[field] = error
        errors.update(self.extra_errors(user_input, current))
        if not errors and self._unique_id_taken(self.unique_id(user_input), current):
            errors["base"] = "already_configured"
        return errors

    def _unique_id_taken(self, unique_id: str | None, current: ConfigSubentry | None) -> bool:
        return unique_id is not None and any(
            sub.unique_id == unique_id and sub is not current
            for sub in self._get_entry().subentries.values()
            if sub.subentry_type == self.handler[1]
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add an asset to the hub, unless the hub has as many of its kind as it may have."""
        limit = asset_kind(self.handler[1]).max_per_hub
        taken = [s for s in self._get_entry().subentries.values() if s.subentry_type == self.handler[1]]
        if limit is not None and len(taken) >= limit:
            return self.async_abort(reason=f"{self.handler[1]}_exists")
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._errors(user_input, None)
            if not errors:
                data = await self.async_to_data(user_input, None)
                return self.async_create_entry(
                    title=self.title(data), data=data, unique_id=self.unique_id(data)
                )
        schema = self.add_suggested_values_to_schema(self.schema(reconfigure=False), user_input or {})
        return self.async_show_form(step_id="user", data_schema=schema, errors=errors)

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Change an asset of the hub."""
        current = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._errors(user_input, current)
            if not errors:
                data = await self.async_to_data(user_input, current)
                return self.async_update_and_abort(
                    self._get_entry(),
                    current,
                    title=self.title(data),
                    data=data,
                    unique_id=self.unique_id(data),
                )
        schema = self.add_suggested_values_to_schema(
            self.schema(reconfigure=True), user_input or self.suggested(current)
        )
        return self.async_show_form(step_id="reconfigure", data_schema=schema, errors=errors)


class ChargerSubentryFlow(AssetSubentryFlow):
    """A V2G charging station that connects to the hub's OCPP server."""

    def schema(self, *, reconfigure: bool) -> vol.Schema:
        """Station identity, credentials and power limits."""
        password = vol.Optional(CONF_PASSWORD) if reconfigure else vol.Required(CONF_PASSWORD)
        return vol.Schema(
            {
                vol.Required(CONF_NAME): _TEXT,
                vol.Required(CONF_STATION_ID): _TEXT,
                password: _PASSWORD,
                vol.Required(CONF_EVSE_COUNT, default=1): vol.All(_number(1, MAX_EVSES, 1), vol.Coerce(int)),
                vol.Required(CONF_MAX_CHARGE_KW, default=11.0): _number(1, 50, 0.1, "kW"),
                vol.Required(CONF_BIDIRECTIONAL, default=True): selector.BooleanSelector(),
                vol.Required(CONF_MAX_DISCHARGE_KW, default=11.0): _number(0, 50, 0.1, "kW"),
                vol.Required(CONF_OCPP_VERSION, default=OCPP_VERSION_AUTO): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[OCPP_VERSION_AUTO, *OCPP_VERSIONS],
                        translation_key=CONF_OCPP_VERSION,
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(CONF_NOMINAL_VOLTAGE, default=DEFAULT_NOMINAL_VOLTAGE): _number(
                    100, 400, 1, "V"
                ),
            }
        )

    def extra_errors(self, user_input: Mapping[str, Any], current: ConfigSubentry | None) -> dict[str, str]:
        """Station ids must be URL- and Basic-auth-safe; passwords follow the OCPP length rules."""
        return charger_errors(user_input, password_required=current is None)

    async def async_to_data(
        self, user_input: Mapping[str, Any], current: ConfigSubentry | None
    ) -> dict[str, Any]:
        """Store a hash of the password, never the password; a blank password keeps the old one."""
        data = {k: v for k, v in user_input.items() if k != CONF_PASSWORD}
        if password := user_input.get(CONF_PASSWORD):
            data[CONF_PASSWORD_HASH] = await self.hass.async_add_executor_job(hash_password, password)
        elif current is not None:
            data[CONF_PASSWORD_HASH] = current.data[CONF_PASSWORD_HASH]
        return data

    def _errors(self, user_input: Mapping[str, Any], current: ConfigSubentry | None) -> dict[str, str]:
        errors = self.extra_errors(user_input, current)
        if not errors and self._unique_id_taken(user_input[CONF_STATION_ID], current):
            errors[CONF_STATION_ID] = "station_id_taken"
        return errors

    def unique_id(self, data: Mapping[str, Any]) -> str:
        """A station is known by its OCPP identity."""
        return str(data[CONF_STATION_ID])

    def suggested(self, current: ConfigSubentry) -> dict[str, Any]:
        """Never show the stored credential back."""
        return {k: v for k, v in current.data.items() if k != CONF_PASSWORD_HASH}


class PvSubentryFlow(AssetSubentryFlow):
    """A PV inverter: measured power, optional energy meter, forecast and curtailment control."""

    entity_fields = {
        CONF_POWER_ENTITY: Measure.POWER,
        CONF_ENERGY_ENTITY: Measure.ENERGY,
        CONF_FORECAST_ENTITY: None,
        CONF_CURTAILMENT_ENTITY: None,
    }

    def __init__(self) -> None:
        """The forecast entries to offer are looked up when a form is shown."""
        super().__init__()
        self.forecast_entries: dict[str, str] = {}

    def schema(self, *, reconfigure: bool) -> vol.Schema:
        """Sensors, forecast sources, control and the array's peak power."""
        forecast_entries = [
            selector.SelectOptionDict(value=entry_id, label=label)
            for entry_id, label in self.forecast_entries.items()
        ]
        return vol.Schema(
            {
                vol.Required(CONF_NAME): _TEXT,
                vol.Required(CONF_POWER_ENTITY): _sensor("power"),
                vol.Optional(CONF_ENERGY_ENTITY): _sensor("energy"),
                vol.Optional(CONF_FORECAST_CONFIG_ENTRY): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=forecast_entries, mode=selector.SelectSelectorMode.DROPDOWN
                    )
                ),
                vol.Optional(CONF_FORECAST_ENTITY): selector.EntitySelector(
                    selector.EntitySelectorConfig(domain="sensor", device_class=["power", "energy"])
                ),
                vol.Optional(CONF_CURTAILMENT_ENTITY): _NUMBER_CONTROL,
                vol.Required(CONF_PEAK_KWP): _number(0.1, 100000, 0.1, "kWp"),
            }
        )

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Offer the config entries that give a solar forecast, then add the PV."""
        self.forecast_entries = await async_forecast_entry_options(self.hass)
        return await super().async_step_user(user_input)

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """As when adding; a chosen entry that no longer offers a forecast stays selectable."""
        self.forecast_entries = await async_forecast_entry_options(self.hass)
        chosen = self._get_reconfigure_subentry().data.get(CONF_FORECAST_CONFIG_ENTRY)
        if chosen and chosen not in self.forecast_entries:
            self.forecast_entries[chosen] = chosen
        return await super().async_step_reconfigure(user_input)


class BatterySubentryFlow(AssetSubentryFlow):
    """A stationary battery controlled through a number entity."""

    entity_fields = {
        CONF_SOC_ENTITY: Measure.PERCENT,
        CONF_POWER_ENTITY: Measure.POWER,
        CONF_CONTROL_ENTITY: None,
    }

    def schema(self, *, reconfigure: bool) -> vol.Schema:
        """Sensors, setpoint control, size and limits."""
        return vol.Schema(
            {
                vol.Required(CONF_NAME): _TEXT,
                vol.Required(CONF_SOC_ENTITY): _sensor("battery"),
                vol.Required(CONF_POWER_ENTITY): _sensor("power"),
                vol.Required(CONF_CONTROL_ENTITY): _NUMBER_CONTROL,
                vol.Required(CONF_CAPACITY_KWH): _number(0.5, 100000, 0.1, "kWh"),
                vol.Required(CONF_MAX_CHARGE_KW): _number(0.1, 100000, 0.1, "kW"),
                vol.Required(CONF_MAX_DISCHARGE_KW): _number(0.1, 100000, 0.1, "kW"),
                vol.Required(CONF_SOC_MIN, default=10.0): _number(0, 100, 1, "%"),
                vol.Required(CONF_SOC_MAX, default=90.0): _number(0, 100, 1, "%"),
                vol.Required(CONF_EFFICIENCY, default=0.95): _number(0.5, 1, 0.01),
            }
        )

    def extra_errors(self, user_input: Mapping[str, Any], current: ConfigSubentry | None) -> dict[str, str]:
        """The usable SoC window must not be empty."""
        if user_input[CONF_SOC_MIN] >= user_input[CONF_SOC_MAX]:
            return {CONF_SOC_MAX: "soc_range_invalid"}
        return {}


class BuildingSubentryFlow(AssetSubentryFlow):
    """A building's consumption behind the grid connection."""

    entity_fields = {CONF_POWER_ENTITY: Measure.POWER, CONF_ENERGY_ENTITY: Measure.ENERGY}

    def schema(self, *, reconfigure: bool) -> vol.Schema:
        """Consumption sensors and whether the load can be shifted."""
        return vol.Schema(
            {
                vol.Required(CONF_NAME): _TEXT,
                vol.Required(CONF_POWER_ENTITY): _sensor("power"),
                vol.Optional(CONF_ENERGY_ENTITY): _sensor("energy"),
                vol.Required(CONF_FLEXIBLE, default=False): selector.BooleanSelector(),
            }
        )


class GridMeterSubentryFlow(AssetSubentryFlow):
    """The site's meter at the grid connection; one per hub."""

    entity_fields = {
        CONF_IMPORT_POWER_ENTITY: Measure.POWER,
        CONF_EXPORT_POWER_ENTITY: Measure.POWER,
    }

    def schema(self, *, reconfigure: bool) -> vol.Schema:
        """A signed import sensor, or separate import and export sensors."""
        return vol.Schema(
            {
                vol.Required(CONF_NAME, default="Grid connection"): _TEXT,
                vol.Required(CONF_IMPORT_POWER_ENTITY): _sensor("power"),
                vol.Optional(CONF_EXPORT_POWER_ENTITY): _sensor("power"),
            }
        )

    def unique_id(self, data: Mapping[str, Any]) -> str:
        """A hub has a single grid connection."""
        return SUBENTRY_GRID_METER


class VehicleSubentryFlow(AssetSubentryFlow):
    """A shared car of the hub: battery, consumption and the idToken or EVCCID it plugs in with."""

    def schema(self, *, reconfigure: bool) -> vol.Schema:
        """Name, battery, consumption and an optional identity."""
        return vol.Schema(
            {
                vol.Required(CONF_NAME): _TEXT,
                vol.Required(CONF_CAPACITY_KWH): _number(5, 250, 0.1, "kWh"),
                vol.Required(CONF_CONSUMPTION, default=18.0): _number(5, 60, 0.1, "kWh/100 km"),
                vol.Optional(CONF_ID_TOKEN): _TEXT,
            }
        )

    async def async_to_data(
        self, user_input: Mapping[str, Any], current: ConfigSubentry | None
    ) -> dict[str, Any]:
        """A blank identity is not stored."""
        data = dict(user_input)
        if token := str(data.pop(CONF_ID_TOKEN, "") or "").strip():
            data[CONF_ID_TOKEN] = token
        return data

    def _errors(self, user_input: Mapping[str, Any], current: ConfigSubentry | None) -> dict[str, str]:
        token = user_input.get(CONF_ID_TOKEN)
        if token and len(str(token).strip()) > MAX_ID_TOKEN_LENGTH:
            return {CONF_ID_TOKEN: "invalid_id_token"}
        if self._unique_id_taken(self.unique_id(user_input), current):
            return {CONF_ID_TOKEN: "id_token_taken"}
        return {}

    def unique_id(self, data: Mapping[str, Any]) -> str | None:
        """Two cars cannot share an identity; cars without one are told apart by the hub only."""
        return normalize_id_token(data.get(CONF_ID_TOKEN))


# The form of each asset kind (``asset_kinds.ASSET_KINDS``), by subentry type.
SUBENTRY_FLOWS: dict[str, type[AssetSubentryFlow]] = {
    SUBENTRY_CHARGER: ChargerSubentryFlow,
    SUBENTRY_PV: PvSubentryFlow,
    SUBENTRY_BATTERY: BatterySubentryFlow,
    SUBENTRY_BUILDING: BuildingSubentryFlow,
    SUBENTRY_GRID_METER: GridMeterSubentryFlow,
    SUBENTRY_VEHICLE: VehicleSubentryFlow,
}
