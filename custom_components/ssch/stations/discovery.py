"""Unknown stations that connect while adopting is on are offered as discovered chargers.

A station with an id the hub does not know waits on the server's pending list (``csms.handshake``
bounds the list, expires silent entries and caps each address). Once it has told what it is in its
BootNotification, a discovery flow shows the installer what it told and adds it as a charger of the hub
(``config_flow``). The flow goes when the station leaves the pending list; an ignored station stays
ignored (Home Assistant keeps an ignored entry under the flow's unique id).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
import logging
from typing import Any

from homeassistant.config_entries import SOURCE_IGNORE, SOURCE_INTEGRATION_DISCOVERY, ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import discovery_flow

from custom_components.ssch.const import DOMAIN, MAX_EVSES
from custom_components.ssch.csms.errors import CsmsError
from custom_components.ssch.csms.events import CsmsEvent, PendingExpired, StationPending
from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.runtime import SschConfigEntry
from custom_components.ssch.validation import STATION_ID_PATTERN

_LOGGER = logging.getLogger(__name__)
# A 1.6 station answers GetConfiguration while pending; one that does not is offered without a count.
PROBE_TIMEOUT_S = 10.0
MAX_LOGGED_IDS = 64


@dataclass(frozen=True, slots=True)
class DiscoveredStation:
    """What an unknown station told the hub, and which hub it connected to."""

    entry_id: str
    station_id: str
    vendor: str | None = None
    model: str | None = None
    ocpp_version: str | None = None
    evse_count: int | None = None

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> DiscoveredStation:
        """Read the discovery flow's data."""
        return cls(**data)

    def placeholders(self, hub: str) -> dict[str, str]:
        """The texts the confirmation form shows; what the station did not tell is "unknown"."""
        return {
            "station_id": self.station_id,
            "hub": hub,
            "vendor": self.vendor or "unknown",
            "model": self.model or "unknown",
            "ocpp_version": self.ocpp_version or "unknown",
            "evse_count": str(self.evse_count) if self.evse_count is not None else "unknown",
        }


def discovery_unique_id(entry_id: str, station_id: str) -> str:
    """The discovery flow's unique id: one per station and hub, kept by an ignored entry."""
    return f"{entry_id}_station_{station_id}"


class StationDiscovery:
    """Starts and ends the discovery flows of one hub's pending stations."""

    def __init__(self, hass: HomeAssistant, entry: SschConfigEntry, server: CsmsServer) -> None:
        """Discovery for one hub."""
        self._hass = hass
        self._entry = entry
        self._server = server
        self._unusable_ids: set[str] = set()

    def attach(self) -> CALLBACK_TYPE:
        """Follow the server; stations already waiting are offered once the hub is loaded."""
        stop_listening = self._server.listen(self.handle)
        stop_watching = self._entry.async_on_state_change(self._on_state_change)

        @callback
        def detach() -> None:
            # Forms stay over a reload; one opened while the hub is not loaded says so.
            stop_listening()
            stop_watching()

        return detach

    @callback
    def handle(self, event: CsmsEvent) -> None:
        """A pending station that booted is discovered; one that expired is no longer."""
        if self._entry.state is not ConfigEntryState.LOADED:
            return
        if isinstance(event, StationPending) and event.vendor is not None:
            self._discover(event.station_id)
        elif isinstance(event, PendingExpired):
            self._abort(event.station_id)

    @callback
    def _on_state_change(self) -> None:
        """Loaded (again): forms of stations no longer waiting go, waiting stations are offered."""
        if self._entry.state is not ConfigEntryState.LOADED:
            return
        pending = self._server.pending_stations
        for station_id in self._flows_by_station():
            if station_id not in pending:
                self._abort(station_id)
        for station_id, station in pending.items():
            if station.vendor is not None:
                self._discover(station_id, answered=True)

    def _discover(self, station_id: str, *, answered: bool = False) -> None:
        """Offer the station unless it is offered already or ignored.

        ``answered``: its BootNotification was answered already. A 1.6 station is asked how many
        connectors it has, but only after the hub's answer to its boot has gone out.
        """
        if self._offered_or_ignored(station_id):
            return
        if not STATION_ID_PATTERN.fullmatch(station_id):
            # A charger's id must be URL- and Basic-auth-safe: this one could never log in. The ids are
            # the peers' choice: the memory of those already logged is bounded.
            if station_id not in self._unusable_ids and len(self._unusable_ids) < MAX_LOGGED_IDS:
                self._unusable_ids.add(station_id)
                _LOGGER.info("Station id %r cannot be added as a charger; it is not offered", station_id)
            return
        session = self._server.session(station_id)
        if session is None or session.ocpp_version != "1.6":
            self._start(station_id, None)
        elif answered:
            self._hass.async_create_task(self._probe_and_start(station_id), eager_start=True)
        else:
            session.after_reply(lambda _: self._probe_and_start(station_id))

    async def _probe_and_start(self, station_id: str) -> None:
        evse_count: int | None = None
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_S):
                values = await self._server.station(station_id).get_configuration(["NumberOfConnectors"])
            evse_count = int(values.get("NumberOfConnectors") or "")
        except (CsmsError, TimeoutError, ValueError) as err:
            _LOGGER.debug("Station %s did not tell its number of connectors: %r", station_id, err)
        if station_id in self._server.pending_stations and not self._offered_or_ignored(station_id):
            # A count the charger form cannot take is no suggestion: the installer enters it.
            plausible = evse_count is not None and 0 < evse_count <= MAX_EVSES
            self._start(station_id, evse_count if plausible else None)

    def _start(self, station_id: str, evse_count: int | None) -> None:
        pending = self._server.pending_stations.get(station_id)
        session = self._server.session(station_id)
        station = DiscoveredStation(
            entry_id=self._entry.entry_id,
            station_id=station_id,
            vendor=pending.vendor if pending else None,
            model=pending.model if pending else None,
            ocpp_version=session.ocpp_version if session else None,
            evse_count=evse_count,
        )
        _LOGGER.info(
            "Unknown station %s (%s %s) connected to hub %s; it is offered under discovered devices",
            station_id,
            station.vendor,
            station.model,
            self._entry.title,
        )
        discovery_flow.async_create_flow(
            self._hass, DOMAIN, context={"source": SOURCE_INTEGRATION_DISCOVERY}, data=asdict(station)
        )

    def _offered_or_ignored(self, station_id: str) -> bool:
        unique_id = discovery_unique_id(self._entry.entry_id, station_id)
        if self._hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, unique_id) is not None:
            return True
        return station_id in self._flows_by_station()

    def _flows_by_station(self) -> dict[str, list[str]]:
        return _flows_by_station(self._hass, self._entry.entry_id)

    def _abort(self, station_id: str) -> None:
        for flow_id in self._flows_by_station().get(station_id, []):
            self._hass.config_entries.flow.async_abort(flow_id)


def _flows_by_station(hass: HomeAssistant, entry_id: str) -> dict[str, list[str]]:
    """Flow ids of one hub's discovery flows in progress, by station."""
    prefix = discovery_unique_id(entry_id, "")
    flows: dict[str, list[str]] = {}
    for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN, include_uninitialized=True):
        unique_id = flow["context"].get("unique_id")
        if isinstance(unique_id, str) and unique_id.startswith(prefix):
            flows.setdefault(unique_id.removeprefix(prefix), []).append(flow["flow_id"])
    return flows


async def async_forget_stations(hass: HomeAssistant, entry_id: str) -> None:
    """A deleted hub's discovered stations go: their forms, and the entries of those ignored."""
    for flow_ids in _flows_by_station(hass, entry_id).values():
        for flow_id in flow_ids:
            hass.config_entries.flow.async_abort(flow_id)
    prefix = discovery_unique_id(entry_id, "")
    for ignored in hass.config_entries.async_entries(DOMAIN, include_ignore=True):
        if ignored.source == SOURCE_IGNORE and (ignored.unique_id or "").startswith(prefix):
            await hass.config_entries.async_remove(ignored.entry_id)
