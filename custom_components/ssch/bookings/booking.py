"""Bookings of the hub's shared cars: a car (or any car), a pickup time and the minimum the car must hold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
import uuid

from homeassistant.util import dt as dt_util

from .vehicles import VehicleConfig

DEFAULT_BOOKING_DURATION = timedelta(hours=1)
# What the hub assumes about a car it cannot identify (matches the planner's default).
UNKNOWN_CAR_CAPACITY_KWH = 60.0


class BookingError(Exception):
    """A booking that cannot be accepted; ``key`` is the translation key of the reason."""

    def __init__(self, key: str, **placeholders: str) -> None:
        """The reason, with the values its message shows."""
        super().__init__(key)
        self.key = key
        self.placeholders = placeholders


@dataclass(frozen=True, slots=True)
class Booking:
    """One booking; ``vehicle_id`` is the car's subentry id, None for any car of the hub."""

    booking_id: str
    vehicle_id: str | None
    pickup: datetime
    end: datetime
    min_range_km: float | None
    min_energy_kwh: float | None

    def energy_for(self, vehicle: VehicleConfig | None) -> float | None:
        """Energy the car must hold at pickup; None when a range cannot be converted (unknown car)."""
        if self.min_energy_kwh is not None:
            return self.min_energy_kwh
        if vehicle is None or self.min_range_km is None:
            return None
        return vehicle.energy_for_range_kwh(self.min_range_km)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether the car is away during any part of [start, end)."""
        return self.pickup < end and start < self.end

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "booking_id": self.booking_id,
            "vehicle_id": self.vehicle_id,
            "pickup": self.pickup.isoformat(),
            "end": self.end.isoformat(),
            "min_range_km": self.min_range_km,
            "min_energy_kwh": self.min_energy_kwh,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Booking:
        """Rebuild from :meth:`to_dict` output."""
        pickup, end = dt_util.parse_datetime(data["pickup"]), dt_util.parse_datetime(data["end"])
        if pickup is None or end is None:
            raise ValueError("booking without a valid time")
        return cls(
            booking_id=str(data["booking_id"]),
            vehicle_id=data.get("vehicle_id"),
            pickup=dt_util.as_utc(pickup),
            end=dt_util.as_utc(end),
            min_range_km=_optional_float(data.get("min_range_km")),
            min_energy_kwh=_optional_float(data.get("min_energy_kwh")),
        )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def new_booking(
    vehicles: Iterable[VehicleConfig],
    existing: Iterable[Booking],
    *,
    vehicle_id: str | None,
    pickup: datetime,
    duration: timedelta | None,
    min_range_km: float | None,
    min_energy_kwh: float | None,
    now: datetime,
) -> Booking:
    """A booking checked against the hub's cars and its other bookings; raises :class:`BookingError`."""
    cars = {vehicle.subentry_id: vehicle for vehicle in vehicles}
    if vehicle_id is not None and vehicle_id not in cars:
        raise BookingError("unknown_vehicle", vehicle=vehicle_id)
    if (min_range_km is None) == (min_energy_kwh is None):
        raise BookingError("booking_target_required")
    pickup = dt_util.as_utc(pickup)
    if pickup <= now:
        raise BookingError("booking_in_past", pickup=pickup.isoformat())
    booking = Booking(
        booking_id=uuid.uuid4().hex[:12],
        vehicle_id=vehicle_id,
        pickup=pickup,
        end=pickup + (duration or DEFAULT_BOOKING_DURATION),
        min_range_km=min_range_km,
        min_energy_kwh=min_energy_kwh,
    )
    _check_fits(booking, list(cars.values()) if vehicle_id is None else [cars[vehicle_id]])
    _check_free(booking, list(existing), len(cars))
    return booking


def _check_fits(booking: Booking, candidates: list[VehicleConfig]) -> None:
    """At least one candidate car can hold what the booking asks for."""
    if not candidates:
        # Any car at a hub that knows none of its cars: only an energy can be checked, against a typical car.
        if booking.min_energy_kwh is None:
            raise BookingError("range_needs_vehicle")
        if booking.min_energy_kwh > UNKNOWN_CAR_CAPACITY_KWH:
            raise BookingError(
                "booking_beyond_battery",
                vehicle="any car",
                needed_kwh=f"{booking.min_energy_kwh:g}",
                capacity_kwh=f"{UNKNOWN_CAR_CAPACITY_KWH:g}",
            )
        return
    needs = [(vehicle, booking.energy_for(vehicle) or 0.0) for vehicle in candidates]
    if not any(needed <= vehicle.capacity_kwh for vehicle, needed in needs):
        vehicle, needed = min(needs, key=lambda item: item[1] - item[0].capacity_kwh)
        raise BookingError(
            "booking_beyond_battery",
            vehicle=vehicle.name,
            needed_kwh=f"{needed:.1f}",
            capacity_kwh=f"{vehicle.capacity_kwh:g}",
        )


def _check_free(booking: Booking, existing: list[Booking], car_count: int) -> None:
    """The car is not booked at the same time, and the hub has a car left for every booking at once."""
    overlapping = [other for other in existing if other.overlaps(booking.pickup, booking.end)]
    if booking.vehicle_id is not None:
        for other in overlapping:
            if other.vehicle_id == booking.vehicle_id:
                raise BookingError("booking_overlaps", booking_id=other.booking_id)
    if car_count == 0:
        return
    # The most bookings running at once within the new one's window; every change starts at some pickup.
    moments = [booking.pickup, *(o.pickup for o in overlapping if booking.pickup < o.pickup < booking.end)]
    busiest = max(sum(1 for other in overlapping if other.pickup <= t < other.end) for t in moments)
    if busiest + 1 > car_count:
        raise BookingError("no_car_free")
