"""What an action addresses: a loaded hub, or a charging station (through its device or an EVSE's)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN
from .csms.commands import StationHandle
from .entities.devices import asset_identifier, evse_identifier
from .hub_config import ChargerConfig
from .runtime import SschConfigEntry
from .stations.commands import async_run_command

_MISSING = object()


def device_entry_ids(device: dr.DeviceEntry) -> set[str]:
    """The config entries a device belongs to.

    From Home Assistant 2026.8 a device has one ``config_entry_id``; the older ``config_entries`` set
    warns from 2026.10, so it is read only where the single id does not exist.
    """
    entry_id = getattr(device, "config_entry_id", _MISSING)
    if entry_id is not _MISSING:
        return {entry_id} if isinstance(entry_id, str) else set()
    return set(device.config_entries)


def loaded_hubs(hass: HomeAssistant) -> list[SschConfigEntry]:
    """Every loaded hub."""
    entries: list[SschConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    return entries


def loaded_hub(hass: HomeAssistant, entry_id: str | None) -> SschConfigEntry:
    """The loaded hub an action addresses; without an id, the only loaded hub."""
    entries = loaded_hubs(hass)
    matches = [e for e in entries if entry_id in (None, e.entry_id)]
    if len(matches) != 1:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_hub" if entry_id or not entries else "hub_required",
            translation_placeholders={"config_entry_id": entry_id or ""},
        )
    return matches[0]


@dataclass(frozen=True, slots=True)
class StationTarget:
    """A charging station of a loaded hub; ``evse_id`` when an EVSE's device was chosen."""

    entry: SschConfigEntry
    charger: ChargerConfig
    evse_id: int | None

    @property
    def station_id(self) -> str:
        """The station's OCPP identity."""
        return self.charger.station_id


def find_station(hass: HomeAssistant, device_id: str) -> StationTarget | None:
    """The station behind a station or EVSE device, or None for any other device."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    entry_ids = device_entry_ids(device)
    for entry in loaded_hubs(hass):
        if entry.entry_id not in entry_ids:
            continue
        for charger in entry.runtime_data.config.chargers:
            if asset_identifier(entry.entry_id, charger.subentry_id) in device.identifiers:
                return StationTarget(entry, charger, None)
            for evse_id in range(1, charger.evse_count + 1):
                if evse_identifier(entry.entry_id, charger.subentry_id, evse_id) in device.identifiers:
                    return StationTarget(entry, charger, evse_id)
    return None


def station_target(hass: HomeAssistant, device_id: str) -> StationTarget:
    """The station an action addresses through its own device or one of its EVSEs' devices."""
    target = find_station(hass, device_id)
    if target is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_station_device",
            translation_placeholders={"device_id": device_id},
        )
    return target


def evse_target(hass: HomeAssistant, device_id: str) -> StationTarget:
    """The EVSE an action addresses through its device."""
    target = find_station(hass, device_id)
    if target is None or target.evse_id is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_evse",
            translation_placeholders={"device_id": device_id},
        )
    return target


async def run_on_station[T](
    target: StationTarget, action: str, command: Callable[[StationHandle], Awaitable[T]]
) -> T:
    """Send ``command`` to the target's station; refusals and failures become translated errors."""
    handle = target.entry.runtime_data.server.station(target.station_id)
    return await async_run_command(target.station_id, action, command(handle))
