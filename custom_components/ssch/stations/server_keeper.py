"""Keeps a hub's OCPP server running across a reload that does not concern it.

Adding a charger (or any other subentry) reloads the hub; without this every station would be
disconnected for a moment each time. The server is handed from the unloading hub to the one being
set up, with its station list updated in place, unless its address, TLS or adoption changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.hub_config import HubConfig

from .bridge import station_configs

type ServerKey = tuple[str, int, str | None, str | None, str | None, str | None, bool, bool]

KEEPER: HassKey[ServerKeeper] = HassKey("ssch_servers")


def server_key(config: HubConfig) -> ServerKey:
    """What the running server was started with; a change needs a new server."""
    return (
        config.host,
        config.port,
        config.tls_certificate,
        config.tls_key,
        config.tls_client_ca,
        config.tls_client_ca_key,
        config.tls_create_station_ca,
        config.adopt_unknown_stations,
    )


@dataclass(slots=True)
class ServerKeeper:
    """The servers held between the unload and the setup of a reloading hub."""

    _held: dict[str, tuple[CsmsServer, ServerKey]] = field(default_factory=dict)
    _keep: set[str] = field(default_factory=set)

    def keep_on_next_unload(self, entry_id: str) -> None:
        """The coming unload is a reload: hold the server instead of stopping it."""
        self._keep.add(entry_id)

    def forget_keep(self, entry_id: str) -> None:
        """The reload is over (or never unloaded the hub): later unloads stop the server again."""
        self._keep.discard(entry_id)

    async def release(self, entry_id: str, server: CsmsServer, config: HubConfig) -> None:
        """The hub unloads: hold its server for the reload, or stop it."""
        if entry_id in self._keep:
            self._keep.discard(entry_id)
            self._held[entry_id] = (server, server_key(config))
        else:
            await server.stop()

    async def take(self, entry_id: str, config: HubConfig) -> CsmsServer | None:
        """The held server of a reloading hub, with the new station list; None if there is none."""
        held = self._held.pop(entry_id, None)
        if held is None:
            return None
        server, key = held
        if key != server_key(config):
            await server.stop()
            return None
        await server.update_registry(station_configs(config))
        return server

    async def drop(self, entry_id: str) -> None:
        """The hub is gone: stop a server still held for it."""
        self._keep.discard(entry_id)
        if (held := self._held.pop(entry_id, None)) is not None:
            await held[0].stop()


def server_keeper(hass: HomeAssistant) -> ServerKeeper:
    """The keeper of this Home Assistant."""
    return hass.data.setdefault(KEEPER, ServerKeeper())
