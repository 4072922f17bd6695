"""Charge-station simulator: OCPP 2.1 / 2.0.1 / 1.6J clients with EV battery physics (HA-free)."""

from __future__ import annotations

from .clock import SimClock
from .config import CarVisit, Misbehaviour, OcppVersion, StationConfig, V2xLimits
from .fleet import SimulatedFleet, fleet_configs
from .schedule import car_arriving, random_visits
from .station import ReceivedCommand, SimulatedStation

__all__ = [
    "CarVisit",
    "Misbehaviour",
    "OcppVersion",
    "ReceivedCommand",
    "SimClock",
    "SimulatedFleet",
    "SimulatedStation",
    "StationConfig",
    "V2xLimits",
    "car_arriving",
    "fleet_configs",
    "random_visits",
]
