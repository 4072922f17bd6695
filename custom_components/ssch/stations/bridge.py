"""The hub's OCPP server inside Home Assistant: start, stop, persistence, events and repairs.

Unknown stations waiting to be adopted are offered as discovered devices (``station_discovery``).
"""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from custom_components.ssch.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, DOMAIN
from custom_components.ssch.csms.events import (
    CsmsEvent,
    FaultReported,
    StationConnected,
    StationDisconnected,
    VersionMismatchRefused,
)
from custom_components.ssch.csms.journal import StateJournal
from custom_components.ssch.csms.registry import StationConfig, StationRegistry
from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.entities.event_devices import event_device_id
from custom_components.ssch.hub_config import HubConfig
from custom_components.ssch.hub_storage import STATIONS, journal_path, storage_key

from .tls import async_server_tls

_LOGGER = logging.getLogger(__name__)
STORE_VERSION = 1
EVENT_CHARGER_FAULT = f"{DOMAIN}_charger_fault"
ISSUE_VERSION_MISMATCH = "version_mismatch"
ISSUE_DECLARED_VERSION_MISMATCH = "declared_version_mismatch"


def station_signal(entry_id: str, station_id: str) -> str:
    """Dispatcher signal sent whenever anything about one station changes."""
    return f"{DOMAIN}_{entry_id}_station_{station_id}"


@callback
def async_refresh_station(hass: HomeAssistant, entry_id: str, station_id: str) -> None:
    """Tell the station's entities to read its state again, e.g. after a command changed it."""
    async_dispatcher_send(hass, station_signal(entry_id, station_id))


def issue_id(kind: str, entry_id: str, station_id: str) -> str:
    """Repair issue id for one station of one hub."""
    return f"{kind}_{entry_id}_{station_id}"


class HaStationStore:
    """Keeps the server's durable station state in Home Assistant's storage."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """One store file per hub."""
        self._store: Store[dict[str, Any]] = Store(hass, STORE_VERSION, storage_key(entry_id, STATIONS))

    async def load(self) -> dict[str, Any] | None:
        """The saved state, or None on first start."""
        return await self._store.async_load()

    async def save(self, data: dict[str, Any]) -> None:
        """Replace the saved state."""
        await self._store.async_save(data)


def station_configs(config: HubConfig) -> dict[str, StationConfig]:
    """The server's view of the configured chargers."""
    return {
        charger.station_id: StationConfig(
            password_hash=charger.password_hash,
            evse_count=charger.evse_count,
            bidirectional=charger.bidirectional,
            max_charge_kw=charger.max_charge_kw,
            max_discharge_kw=charger.max_discharge_kw,
            ocpp_version=charger.ocpp_version,
            nominal_voltage_v=charger.nominal_voltage_v,
        )
        for charger in config.chargers
    }


async def async_start_server(hass: HomeAssistant, config: HubConfig) -> CsmsServer:
    """Start the hub's OCPP server; a busy port retries later, a broken certificate needs the installer."""
    ssl_context, signer = await async_server_tls(hass, config)
    server = CsmsServer(
        config.host,
        config.port,
        StationRegistry(station_configs(config)),
        HaStationStore(hass, config.entry_id),
        adopt_unknown=config.adopt_unknown_stations,
        ssl_context=ssl_context,
        signer=signer,
        journal=StateJournal(journal_path(hass, config.entry_id)),
    )
    try:
        await server.start()
    except OSError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="port_unavailable",
            translation_placeholders={"host": config.host, "port": str(config.port), "error": str(err)},
        ) from err
    return server


# Stations each hub logged as unavailable; kept in hass.data so a reload does not forget them.
OFFLINE_LOGGED: HassKey[dict[str, set[str]]] = HassKey(f"{DOMAIN}_offline_logged")


class StationEventRelay:
    """Turns server events into entity updates, bus events, repair issues and availability logs."""

    def __init__(self, hass: HomeAssistant, config: HubConfig) -> None:
        """Relay for one hub."""
        self._hass = hass
        self._config = config
        self._names = {charger.station_id: charger.name for charger in config.chargers}
        self._offline = hass.data.setdefault(OFFLINE_LOGGED, {}).setdefault(config.entry_id, set())

    def attach(self, server: CsmsServer) -> Callable[[], None]:
        """Start relaying; returns the function that stops it."""
        unsubscribe: Callable[[], None] = server.listen(self.handle)
        return unsubscribe

    @callback
    def handle(self, event: CsmsEvent) -> None:
        """Route one event."""
        entry_id = self._config.entry_id
        if event.station_id not in self._names:
            return  # pending stations are ``station_discovery``'s
        if isinstance(event, VersionMismatchRefused):
            self._raise_version_mismatch(event)
            return
        if isinstance(event, StationConnected):
            ir.async_delete_issue(
                self._hass, DOMAIN, issue_id(ISSUE_VERSION_MISMATCH, entry_id, event.station_id)
            )
            self._log_available(event.station_id)
        if isinstance(event, StationDisconnected):
            self._log_unavailable(event)
        if isinstance(event, FaultReported):
            self._hass.bus.async_fire(
                EVENT_CHARGER_FAULT,
                {
                    "hub": self._config.name,
                    "station_id": event.station_id,
                    "charger": self._names.get(event.station_id, event.station_id),
                    "evse_id": event.evse_id,
                    "component": event.component,
                    "detail": event.detail,
                    "cleared": event.cleared,
                    ATTR_CONFIG_ENTRY_ID: entry_id,
                    ATTR_DEVICE_ID: event_device_id(
                        self._hass, self._config, event.station_id, event.evse_id
                    ),
                },
            )
        async_dispatcher_send(self._hass, station_signal(entry_id, event.station_id))

    def _log_unavailable(self, event: StationDisconnected) -> None:
        # Once per outage: its entities are unavailable until it connects again.
        if event.station_id not in self._offline:
            self._offline.add(event.station_id)
            _LOGGER.info(
                "%s (station %s) of hub %s is unavailable: %s",
                self._names[event.station_id],
                event.station_id,
                self._config.name,
                event.reason,
            )

    def _log_available(self, station_id: str) -> None:
        if station_id in self._offline:
            self._offline.discard(station_id)
            _LOGGER.info(
                "%s (station %s) of hub %s is connected again",
                self._names[station_id],
                station_id,
                self._config.name,
            )

    def _raise_version_mismatch(self, event: VersionMismatchRefused) -> None:
        # A version the installer chose is changed in the charger's settings, not by accepting it.
        declared = any(
            charger.station_id == event.station_id and charger.ocpp_version
            for charger in self._config.chargers
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id(ISSUE_VERSION_MISMATCH, self._config.entry_id, event.station_id),
            is_fixable=not declared,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_DECLARED_VERSION_MISMATCH if declared else ISSUE_VERSION_MISMATCH,
            translation_placeholders={
                "station_id": event.station_id,
                "pinned": event.pinned_version,
                "offered": ", ".join(event.offered) or "none",
            },
            data={"entry_id": self._config.entry_id, "station_id": event.station_id},
        )
