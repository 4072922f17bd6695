"""The kinds of asset a hub is made of, declared once: flows, devices, sensors and limits follow this table.

A new kind is a row here, its config dataclass and parser in ``hub_config``, its form in
``subentry_flows`` (``SUBENTRY_FLOWS``) and its translations; tests check that every row has all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .const import (
    SUBENTRY_BATTERY,
    SUBENTRY_BUILDING,
    SUBENTRY_CHARGER,
    SUBENTRY_GRID_METER,
    SUBENTRY_PV,
    SUBENTRY_VEHICLE,
)
from .entities.asset_descriptions import (
    BATTERY_SENSORS,
    BUILDING_SENSORS,
    GRID_METER_SENSORS,
    PV_SENSORS,
    MirrorSensorDescription,
)
from .hub_config import HubConfig


@dataclass(frozen=True, slots=True)
class AssetKind:
    """One kind of asset (a subentry type of the hub).

    ``device_model`` is None for kinds whose devices describe themselves (a station reports its vendor
    and model; a car is a vehicle of the hub's booking calendar).
    """

    subentry_type: str
    assets: Callable[[HubConfig], Sequence[Any]]
    device_model: str | None = None
    sensors: tuple[MirrorSensorDescription, ...] = ()
    max_per_hub: int | None = None


ASSET_KINDS: tuple[AssetKind, ...] = (
    AssetKind(SUBENTRY_CHARGER, lambda config: config.chargers),
    AssetKind(SUBENTRY_PV, lambda config: config.pv, "PV inverter", PV_SENSORS),
    AssetKind(SUBENTRY_BATTERY, lambda config: config.batteries, "Stationary battery", BATTERY_SENSORS),
    AssetKind(SUBENTRY_BUILDING, lambda config: config.buildings, "Building", BUILDING_SENSORS),
    AssetKind(
        SUBENTRY_GRID_METER,
        lambda config: () if config.grid_meter is None else (config.grid_meter,),
        "Grid meter",
        GRID_METER_SENSORS,
        max_per_hub=1,
    ),
    AssetKind(SUBENTRY_VEHICLE, lambda config: config.vehicles),
)
_BY_TYPE = {kind.subentry_type: kind for kind in ASSET_KINDS}


def asset_kind(subentry_type: str) -> AssetKind:
    """The kind of a subentry type."""
    return _BY_TYPE[subentry_type]


def device_model(subentry_type: str) -> str:
    """The model shown on the devices of a kind that does not describe itself."""
    model = asset_kind(subentry_type).device_model
    assert model is not None, subentry_type
    return model
