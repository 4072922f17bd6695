"""What a hub keeps in Home Assistant's storage folder, each named ``ssch.<entry id>.<kind>``, and its
removal together with the hub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import STORAGE_DIR, Store

from .const import DOMAIN

STATIONS = "stations"
EMS = "ems"
BOOKINGS = "bookings"
CARDS = "cards"
_STORES = (STATIONS, EMS, BOOKINGS, CARDS)


def storage_key(entry_id: str, kind: str) -> str:
    """The key of one of a hub's Home Assistant stores."""
    return f"{DOMAIN}.{entry_id}.{kind}"


def _storage_file(hass: HomeAssistant, entry_id: str, name: str) -> Path:
    return Path(hass.config.path(STORAGE_DIR, storage_key(entry_id, name)))


def journal_path(hass: HomeAssistant, entry_id: str) -> Path:
    """The stations' journal (its segments are ``<path>.<n>``), beside the stations' store."""
    return _storage_file(hass, entry_id, f"{STATIONS}.journal")


def created_ca_files(hass: HomeAssistant, entry_id: str) -> tuple[Path, Path]:
    """Where a hub keeps the CA it created for its stations: certificate and key."""
    return (
        _storage_file(hass, entry_id, "station_ca.crt.pem"),
        _storage_file(hass, entry_id, "station_ca.key.pem"),
    )


async def async_remove_hub_storage(hass: HomeAssistant, entry_id: str) -> None:
    """The hub is deleted: its stores, its stations' journal and the CA it created go with it."""
    for kind in _STORES:
        await Store[dict[str, Any]](hass, 1, storage_key(entry_id, kind)).async_remove()
    journal = journal_path(hass, entry_id)

    def remove_files() -> None:
        for path in (*journal.parent.glob(f"{journal.name}.*"), *created_ca_files(hass, entry_id)):
            path.unlink(missing_ok=True)

    await hass.async_add_executor_job(remove_files)
