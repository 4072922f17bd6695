"""The hub's shared cars: what each one holds and uses, and how it identifies itself at a charger."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.helpers.device_registry import DeviceInfo

from custom_components.ssch.const import CONF_CAPACITY_KWH, CONF_CONSUMPTION, CONF_ID_TOKEN
from custom_components.ssch.entities.devices import DeviceAnchor, asset_device_info, asset_unique_prefix

VEHICLE_MODEL = "Shared vehicle"


def normalize_id_token(token: str | None) -> str | None:
    """Compare RFID tags and EVCCIDs (MAC-like) without case or separators."""
    if not token:
        return None
    cleaned = "".join(ch for ch in token.strip().upper() if ch not in ":-. ")
    return cleaned or None


@dataclass(frozen=True, slots=True)
class VehicleConfig:
    """One shared car of the hub."""

    subentry_id: str
    name: str
    capacity_kwh: float
    consumption_kwh_per_100km: float
    id_token: str | None

    def energy_for_range_kwh(self, range_km: float) -> float:
        """Energy the car needs in its battery to drive ``range_km``."""
        return range_km * self.consumption_kwh_per_100km / 100.0

    def matches(self, token: str | None) -> bool:
        """Whether a charger's session was started with this car's idToken or EVCCID."""
        own = normalize_id_token(self.id_token)
        return own is not None and own == normalize_id_token(token)


def vehicle_from_subentry(subentry_id: str, title: str, data: Mapping[str, Any]) -> VehicleConfig:
    """Read a vehicle subentry."""
    return VehicleConfig(
        subentry_id=subentry_id,
        name=title,
        capacity_kwh=float(data[CONF_CAPACITY_KWH]),
        consumption_kwh_per_100km=float(data[CONF_CONSUMPTION]),
        id_token=data.get(CONF_ID_TOKEN) or None,
    )


def vehicle_by_token(vehicles: Iterable[VehicleConfig], token: str | None) -> VehicleConfig | None:
    """The car a session's idToken identifies, if any."""
    return next((vehicle for vehicle in vehicles if vehicle.matches(token)), None)


def vehicle_device_info(entry_id: str, vehicle: VehicleConfig) -> DeviceInfo:
    """A shared car's device."""
    return asset_device_info(entry_id, vehicle.subentry_id, vehicle.name, VEHICLE_MODEL)


def vehicle_anchor(entry_id: str, vehicle: VehicleConfig) -> DeviceAnchor:
    """A shared car's device."""
    return DeviceAnchor(
        vehicle_device_info(entry_id, vehicle), asset_unique_prefix(entry_id, vehicle.subentry_id)
    )
