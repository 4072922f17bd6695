"""What a loaded hub keeps at run time."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .bookings.manager import BookingManager
from .csms.server import CsmsServer
from .ems.coordinator import EmsCoordinator
from .hub_config import HubConfig


@dataclass(slots=True)
class SschRuntimeData:
    """Everything one hub owns while loaded; released on unload."""

    config: HubConfig
    server: CsmsServer
    ems: EmsCoordinator
    bookings: BookingManager


type SschConfigEntry = ConfigEntry[SschRuntimeData]
