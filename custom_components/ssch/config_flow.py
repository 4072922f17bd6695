"""Config flow for a hub: the site, its OCPP server, prices and planning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.util import slugify
import voluptuous as vol

from .const import (
    CONF_ADOPT_UNKNOWN,
    CONF_AUTHORIZATION_POLICY,
    CONF_ENGINE,
    CONF_EXPORT_LIMIT_KW,
    CONF_EXPORT_PRICE_ENTITY,
    CONF_EXPORT_PRICE_FIXED,
    CONF_GRID_FEE,
    CONF_HORIZON_HOURS,
    CONF_HOST,
    CONF_IMPORT_LIMIT_KW,
    CONF_IMPORT_PRICE_ENTITY,
    CONF_IMPORT_PRICE_FIXED,
    CONF_PEAK_CHARGE,
    CONF_PORT,
    CONF_STEP_MINUTES,
    CONF_TLS_CERT,
    CONF_TLS_CLIENT_CA,
    CONF_TLS_CLIENT_CA_KEY,
    CONF_TLS_CREATE_CA,
    CONF_TLS_KEY,
    CONF_VAT_PCT,
    DEFAULT_HORIZON_HOURS,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_STEP_MINUTES,
    DOMAIN,
    STEP_MINUTES_CHOICES,
)
from .core.planner import ENGINE_AUTO, ENGINE_CHOICES
from .runtime import SschConfigEntry
from .stations.adoption import adoption_errors, adoption_schema, adoption_suggestions, async_adopt
from .stations.charging_cards import async_apply_cards_form, cards_form_schema
from .stations.discovery import DiscoveredStation, discovery_unique_id
from .subentry_flows import SUBENTRY_FLOWS
from .validation import (
    MAX_PLAN_STEPS,
    Measure,
    entity_error,
    host_is_valid,
    plan_steps,
    port_error,
    tls_error,
)
from .vpp.community_options import (
    CONF_COMMUNITY,
    community_errors,
    community_options,
    community_schema,
    community_suggestions,
    member_placeholder,
)

SITE_KEYS = (
    CONF_NAME,
    CONF_IMPORT_LIMIT_KW,
    CONF_EXPORT_LIMIT_KW,
    CONF_HOST,
    CONF_PORT,
    CONF_TLS_CERT,
    CONF_TLS_CLIENT_CA,
    CONF_TLS_CLIENT_CA_KEY,
    CONF_TLS_CREATE_CA,
    CONF_TLS_KEY,
)


def _kw(maximum: float) -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=0,
            max=maximum,
            step=0.1,
            unit_of_measurement="kW",
            mode=selector.NumberSelectorMode.BOX,
        )
    )


def _price_number() -> selector.NumberSelector:
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=-10,
            max=10,
            step="any",
            unit_of_measurement="EUR/kWh",
            mode=selector.NumberSelectorMode.BOX,
        )
    )


_PRICE_SENSOR = selector.EntitySelector(selector.EntitySelectorConfig(domain=["sensor", "input_number"]))
_TEXT = selector.TextSelector()


def _site_schema(*, include_name: bool) -> vol.Schema:
    fields: dict[vol.Marker, Any] = {}
    if include_name:
        fields[vol.Required(CONF_NAME)] = _TEXT
    fields |= {
        vol.Required(CONF_IMPORT_LIMIT_KW): _kw(100000),
        vol.Required(CONF_EXPORT_LIMIT_KW): _kw(100000),
        vol.Required(CONF_HOST, default=DEFAULT_HOST): _TEXT,
        vol.Required(CONF_PORT, default=DEFAULT_PORT): vol.All(
            selector.NumberSelector(
                selector.NumberSelectorConfig(min=1, max=65535, step=1, mode=selector.NumberSelectorMode.BOX)
            ),
            vol.Coerce(int),
        ),
        vol.Optional(CONF_TLS_CERT): _TEXT,
        vol.Optional(CONF_TLS_KEY): _TEXT,
        vol.Optional(CONF_TLS_CLIENT_CA): _TEXT,
        vol.Optional(CONF_TLS_CLIENT_CA_KEY): _TEXT,
        vol.Optional(CONF_TLS_CREATE_CA, default=False): selector.BooleanSelector(),
    }
    return vol.Schema(fields)


def _planning_schema() -> vol.Schema:
    return vol.Schema(
        {
            vol.Optional(CONF_IMPORT_PRICE_ENTITY): _PRICE_SENSOR,
            vol.Optional(CONF_IMPORT_PRICE_FIXED): _price_number(),
            vol.Optional(CONF_EXPORT_PRICE_ENTITY): _PRICE_SENSOR,
            vol.Optional(CONF_EXPORT_PRICE_FIXED): _price_number(),
            vol.Optional(CONF_GRID_FEE): _price_number(),
            vol.Optional(CONF_VAT_PCT): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=0, max=50, step="any", unit_of_measurement="%", mode=selector.NumberSelectorMode.BOX
                )
            ),
            vol.Optional(CONF_PEAK_CHARGE): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=0,
                    max=100,
                    step="any",
                    unit_of_measurement="EUR/kW",
                    mode=selector.NumberSelectorMode.BOX,
                )
            ),
            vol.Required(CONF_STEP_MINUTES, default=str(DEFAULT_STEP_MINUTES)): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=[str(m) for m in STEP_MINUTES_CHOICES],
                    translation_key=CONF_STEP_MINUTES,
                    mode=selector.SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_HORIZON_HOURS, default=DEFAULT_HORIZON_HOURS): vol.All(
                selector.NumberSelector(
                    selector.NumberSelectorConfig(min=1, max=72, step=1, unit_of_measurement="h")
                ),
                vol.Coerce(int),
            ),
            vol.Required(CONF_ADOPT_UNKNOWN, default=False): selector.BooleanSelector(),
            vol.Required(CONF_ENGINE, default=ENGINE_AUTO): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=list(ENGINE_CHOICES),
                    translation_key=CONF_ENGINE,
                    mode=selector.SelectSelectorMode.DROPDOWN,
                )
            ),
        }
    )


def _planning_errors(hass: HomeAssistant, user_input: Mapping[str, Any]) -> dict[str, str]:
    """Exactly one import price source, at most one export price source, a plan of sane size."""
    errors: dict[str, str] = {}
    import_entity = user_input.get(CONF_IMPORT_PRICE_ENTITY)
    import_fixed = user_input.get(CONF_IMPORT_PRICE_FIXED)
    if import_entity is None and import_fixed is None:
        errors["base"] = "import_price_required"
    elif import_entity is not None and import_fixed is not None:
        errors["base"] = "import_price_ambiguous"
    elif import_entity is not None and (error := entity_error(hass, import_entity, Measure.PRICE)):
        errors[CONF_IMPORT_PRICE_ENTITY] = error
    export_entity = user_input.get(CONF_EXPORT_PRICE_ENTITY)
    if export_entity is not None and user_input.get(CONF_EXPORT_PRICE_FIXED) is not None:
        errors["base"] = "export_price_ambiguous"
    elif export_entity is not None and (error := entity_error(hass, export_entity, Measure.PRICE)):
        errors[CONF_EXPORT_PRICE_ENTITY] = error
    steps = plan_steps(user_input[CONF_HORIZON_HOURS], int(user_input[CONF_STEP_MINUTES]))
    if steps > MAX_PLAN_STEPS:
        errors[CONF_HORIZON_HOURS] = "horizon_too_long"
    return errors


def _normalise_planning(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(user_input)
    data[CONF_STEP_MINUTES] = int(data[CONF_STEP_MINUTES])
    return data


class SschConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a hub: the site first, then prices and planning."""

    VERSION = 1
    # 1.2: the unique id is generated once, no longer the slug of the name (see ``migration``).
    MINOR_VERSION = 2

    def __init__(self) -> None:
        """Start with an empty site."""
        self._site: dict[str, Any] = {}
        self._station: DiscoveredStation | None = None

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: SschConfigEntry) -> OptionsFlow:
        """Prices and planning are options: they change without touching the site."""
        return SschOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: SschConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Chargers, PV, batteries, buildings and the grid meter are subentries of a hub."""
        return dict(SUBENTRY_FLOWS)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the site, set its grid connection and where the OCPP server listens."""
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input[CONF_NAME] = user_input[CONF_NAME].strip()
            errors = await self._async_site_errors(user_input, current=None)
            if not errors:
                self._site = user_input
                return await self.async_step_planning()
        schema = self.add_suggested_values_to_schema(_site_schema(include_name=True), user_input or {})
        return self.async_show_form(step_id="user", data_schema=schema, errors=errors)

    async def async_step_planning(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the price sources and how far and how finely the hub plans."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _planning_errors(self.hass, user_input)
            if not errors:
                # Name, address and port can all change; the hub's identity must not.
                await self.async_set_unique_id(uuid4().hex)
                return self.async_create_entry(
                    title=self._site[CONF_NAME],
                    data=self._site,
                    options=_normalise_planning(user_input),
                )
        schema = self.add_suggested_values_to_schema(_planning_schema(), user_input or {})
        return self.async_show_form(step_id="planning", data_schema=schema, errors=errors)

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Change the site's name, grid connection or OCPP server address."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            user_input[CONF_NAME] = user_input[CONF_NAME].strip()
            errors = await self._async_site_errors(user_input, current=entry)
            if not errors:
                self.hass.config_entries.async_update_entry(
                    entry,
                    title=user_input[CONF_NAME],
                    data=user_input,
                )
                return self.async_abort(reason="reconfigure_successful")
        schema = self.add_suggested_values_to_schema(
            _site_schema(include_name=True),
            user_input or {k: v for k, v in entry.data.items() if k in SITE_KEYS},
        )
        return self.async_show_form(step_id="reconfigure", data_schema=schema, errors=errors)

    async def async_step_integration_discovery(self, discovery_info: dict[str, Any]) -> ConfigFlowResult:
        """A station with an unknown id connected to a hub that adopts stations (``station_discovery``)."""
        station = DiscoveredStation.from_data(discovery_info)
        await self.async_set_unique_id(discovery_unique_id(station.entry_id, station.station_id))
        self._abort_if_unique_id_configured()
        self._station = station
        self.context["title_placeholders"] = {"name": station.station_id}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show what the station told; confirming adds it to its hub as a charger with a new password."""
        station = self._station
        assert station is not None
        hub: SschConfigEntry | None = self.hass.config_entries.async_get_entry(station.entry_id)
        if hub is None or hub.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="hub_not_loaded")
        if station.station_id not in hub.runtime_data.server.pending_stations:
            # Added as a charger meanwhile, or gone silent and expired.
            return self.async_abort(reason="station_not_waiting")
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = adoption_errors(station, user_input)
            if not errors:
                await async_adopt(self.hass, hub, station, user_input)
                return self.async_abort(reason="station_added")
        return self.async_show_form(
            step_id="discovery_confirm",
            data_schema=self.add_suggested_values_to_schema(
                adoption_schema(), user_input or adoption_suggestions(station)
            ),
            errors=errors,
            description_placeholders=station.placeholders(hub.title),
        )

    async def _async_site_errors(
        self, user_input: Mapping[str, Any], current: SschConfigEntry | None
    ) -> dict[str, str]:
        errors: dict[str, str] = {}
        others = [e for e in self._async_current_entries(include_ignore=False) if e is not current]
        if not user_input[CONF_NAME]:
            errors[CONF_NAME] = "name_required"
        elif any(slugify(e.title) == slugify(user_input[CONF_NAME]) for e in others):
            errors[CONF_NAME] = "name_taken"
        host, port = user_input[CONF_HOST].strip(), int(user_input[CONF_PORT])
        if not host_is_valid(host):
            errors[CONF_HOST] = "invalid_host"
        elif any(e.data.get(CONF_PORT) == port for e in others):
            errors[CONF_PORT] = "port_used_by_hub"
        elif not self._holds_port(current, host, port) and (
            error := await self.hass.async_add_executor_job(port_error, host, port)
        ):
            errors[CONF_HOST if error == "host_not_local" else CONF_PORT] = error
        tls = await self.hass.async_add_executor_job(
            tls_error,
            user_input.get(CONF_TLS_CERT),
            user_input.get(CONF_TLS_KEY),
            user_input.get(CONF_TLS_CLIENT_CA),
            user_input.get(CONF_TLS_CLIENT_CA_KEY),
            bool(user_input.get(CONF_TLS_CREATE_CA, False)),
        )
        if tls:
            errors["base"] = tls
        return errors

    @staticmethod
    def _holds_port(current: SschConfigEntry | None, host: str, port: int) -> bool:
        """A loaded hub that keeps its own address already holds the port."""
        return (
            current is not None
            and current.state is ConfigEntryState.LOADED
            and current.data.get(CONF_PORT) == port
            and current.data.get(CONF_HOST) == host
        )


class SschOptionsFlow(OptionsFlow):
    """Prices and planning of a hub, and its charging cards."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose what to change."""
        return self.async_show_menu(step_id="init", menu_options=["planning", "cards", "community"])

    async def async_step_cards(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The card policy, and the hub's own list of cards (kept in storage, not in the options)."""
        entry: SschConfigEntry = self.config_entry
        if entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="hub_not_loaded")
        if user_input is not None:
            await async_apply_cards_form(self.hass, entry, user_input)
            policy = user_input[CONF_AUTHORIZATION_POLICY]
            return self.async_create_entry(data={**entry.options, CONF_AUTHORIZATION_POLICY: policy})
        current = {CONF_AUTHORIZATION_POLICY: entry.runtime_data.config.authorization_policy.value}
        schema = self.add_suggested_values_to_schema(
            cards_form_schema(entry.runtime_data.server.authority), current
        )
        return self.async_show_form(step_id="cards", data_schema=schema)

    async def async_step_community(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Join an energy community over MQTT, and say what the hub accepts without asking."""
        errors: dict[str, str] = {}
        options = self.config_entry.options
        if user_input is not None:
            errors = community_errors(self.hass, user_input)
            if not errors:
                return self.async_create_entry(
                    data={**options, CONF_COMMUNITY: community_options(user_input)}
                )
        values = user_input or community_suggestions(options)
        schema = self.add_suggested_values_to_schema(community_schema(), values)
        member = member_placeholder(values, self.config_entry.unique_id or self.config_entry.entry_id)
        return self.async_show_form(
            step_id="community",
            data_schema=schema,
            errors=errors,
            description_placeholders={"member_id": member},
        )

    async def async_step_planning(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Edit price sources, the planning step and horizon, and station adoption."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _planning_errors(self.hass, user_input)
            if not errors:
                # The card policy is set in the cards step; keep it.
                kept = {
                    key: value
                    for key, value in self.config_entry.options.items()
                    if key in (CONF_AUTHORIZATION_POLICY, CONF_COMMUNITY)
                }
                return self.async_create_entry(data=kept | _normalise_planning(user_input))
        options = self.config_entry.options
        current = {**options, CONF_STEP_MINUTES: str(options.get(CONF_STEP_MINUTES, DEFAULT_STEP_MINUTES))}
        schema = self.add_suggested_values_to_schema(_planning_schema(), user_input or current)
        return self.async_show_form(step_id="planning", data_schema=schema, errors=errors)
