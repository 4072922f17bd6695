"""A hub's bookings at run time: kept across restarts, and turned into the goal of the car that serves each.

A booking is served by the car plugged in now that will be picked up: the booked car itself (recognised by
the idToken or EVCCID its session started with), or for "any car" the plugged-in car that fits best. The
booking then writes the EVSE's departure and target goals once; a user who changes them afterwards wins.
When the car leaves or the booking ends, the goals it wrote go back to what they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
import math
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from custom_components.ssch.core.evse_key import evse_key
from custom_components.ssch.csms.events import CsmsEvent, TransactionEnded, TransactionStarted
from custom_components.ssch.ems.coordinator import EmsCoordinator
from custom_components.ssch.ems.snapshot import ASSUMED_ARRIVAL_SOC
from custom_components.ssch.hub_config import HubConfig
from custom_components.ssch.hub_storage import BOOKINGS, storage_key

from .booking import UNKNOWN_CAR_CAPACITY_KWH, Booking, BookingError, new_booking
from .vehicles import VehicleConfig, vehicle_by_token

_LOGGER = logging.getLogger(__name__)
STORE_VERSION = 1
CHECK_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PluggedCar:
    """A car in a session at one EVSE; ``vehicle`` when the hub recognised it."""

    evse_key: str
    transaction_id: str
    vehicle: VehicleConfig | None
    soc_pct: float | None

    @property
    def capacity_kwh(self) -> float:
        """The battery the planner assumes for this car."""
        return self.vehicle.capacity_kwh if self.vehicle is not None else UNKNOWN_CAR_CAPACITY_KWH


@dataclass(frozen=True, slots=True)
class Assignment:
    """A booking served by the car of one session, and the goals it replaced."""

    evse_key: str
    transaction_id: str
    previous_departure: datetime | None
    previous_target_soc_pct: float | None
    departure: datetime
    target_soc_pct: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "evse_key": self.evse_key,
            "transaction_id": self.transaction_id,
            "previous_departure": _iso(self.previous_departure),
            "previous_target_soc_pct": self.previous_target_soc_pct,
            "departure": self.departure.isoformat(),
            "target_soc_pct": self.target_soc_pct,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assignment:
        """Rebuild from :meth:`to_dict` output."""
        departure = _parse(data["departure"])
        if departure is None:
            raise ValueError("assignment without a departure")
        previous = data.get("previous_target_soc_pct")
        return cls(
            evse_key=str(data["evse_key"]),
            transaction_id=str(data["transaction_id"]),
            previous_departure=_parse(data.get("previous_departure")),
            previous_target_soc_pct=None if previous is None else float(previous),
            departure=departure,
            target_soc_pct=float(data["target_soc_pct"]),
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _parse(text: str | None) -> datetime | None:
    moment = dt_util.parse_datetime(text) if text else None
    return dt_util.as_utc(moment) if moment is not None else None


class BookingManager:
    """The bookings of one hub."""

    def __init__(self, hass: HomeAssistant, config: HubConfig, ems: EmsCoordinator) -> None:
        """Bookings of the hub ``config`` describes; goals go to ``ems``."""
        self._hass = hass
        self._config = config
        self._ems = ems
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, storage_key(config.entry_id, BOOKINGS)
        )
        self.bookings: dict[str, Booking] = {}
        self.assignments: dict[str, Assignment] = {}
        # The idToken each EVSE's current session started with: EVSE -> (transaction id, token).
        self._tokens: dict[str, tuple[str, str | None]] = {}
        # Sessions reported ended whose EVSE state is cleared only after the listeners ran.
        self._ended: set[str] = set()
        self._listeners: list[Callable[[], None]] = []

    @property
    def vehicles(self) -> tuple[VehicleConfig, ...]:
        """The hub's shared cars."""
        return self._config.vehicles

    def vehicle(self, vehicle_id: str | None) -> VehicleConfig | None:
        """A car by subentry id."""
        return next((v for v in self._config.vehicles if v.subentry_id == vehicle_id), None)

    # ---- lifecycle ---------------------------------------------------------------------------

    async def async_restore(self) -> None:
        """Continue with the bookings, and the cars serving them, saved before a restart."""
        data = await self._store.async_load() or {}
        try:
            # A car removed from the hub takes its bookings along.
            self.bookings = {
                booking.booking_id: booking
                for booking in (Booking.from_dict(item) for item in data.get("bookings", []))
                if booking.vehicle_id is None or self.vehicle(booking.vehicle_id) is not None
            }
            self.assignments = {
                booking_id: Assignment.from_dict(item)
                for booking_id, item in dict(data.get("assignments", {})).items()
                if booking_id in self.bookings
            }
            self._tokens = {
                key: (str(value[0]), value[1]) for key, value in dict(data.get("tokens", {})).items()
            }
        except (KeyError, TypeError, ValueError, IndexError) as err:
            _LOGGER.warning("Ignoring the saved bookings, they cannot be read: %s", err)
            self.bookings, self.assignments, self._tokens = {}, {}, {}
        self._reconcile(dt_util.utcnow(), replan=False)

    @callback
    def start(self) -> CALLBACK_TYPE:
        """Expire past bookings and hand bookings to cars as time passes, until the callback is called."""

        @callback
        def check(now: datetime) -> None:
            self._reconcile(dt_util.utcnow())

        return async_track_time_interval(self._hass, check, CHECK_INTERVAL, cancel_on_shutdown=True)

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Be told when the bookings change."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # ---- bookings ----------------------------------------------------------------------------

    @callback
    def book(
        self,
        *,
        vehicle_id: str | None,
        pickup: datetime,
        duration: timedelta | None,
        min_range_km: float | None,
        min_energy_kwh: float | None,
    ) -> Booking:
        """Add a booking; raises :class:`BookingError` when it cannot be accepted."""
        now = dt_util.utcnow()
        self._expire(now)
        booking = new_booking(
            self._config.vehicles,
            self.bookings.values(),
            vehicle_id=vehicle_id,
            pickup=pickup,
            duration=duration,
            min_range_km=min_range_km,
            min_energy_kwh=min_energy_kwh,
            now=now,
        )
        self.bookings[booking.booking_id] = booking
        self._reconcile(now, changed=True)
        return booking

    @callback
    def cancel(self, booking_id: str) -> None:
        """Drop a booking; raises :class:`BookingError` for an id the hub does not hold."""
        if booking_id not in self.bookings:
            raise BookingError("unknown_booking", booking_id=booking_id)
        del self.bookings[booking_id]
        self._reconcile(dt_util.utcnow(), changed=True)

    def upcoming(self, vehicle_id: str | None = None) -> list[Booking]:
        """Bookings in pickup order; only one car's (any-car bookings excluded) when ``vehicle_id``."""
        return sorted(
            (b for b in self.bookings.values() if vehicle_id is None or b.vehicle_id == vehicle_id),
            key=lambda booking: booking.pickup,
        )

    def serving(self, booking_id: str) -> str | None:
        """The EVSE whose car serves a booking now."""
        assignment = self.assignments.get(booking_id)
        return assignment.evse_key if assignment is not None else None

    def needed_energy_kwh(self, booking: Booking, vehicle: VehicleConfig | None) -> float | None:
        """Energy the serving car must hold; a range for an unknown car uses the fleet's mean consumption."""
        energy = booking.energy_for(vehicle)
        if energy is not None or booking.min_range_km is None or not self._config.vehicles:
            return energy
        mean = sum(v.consumption_kwh_per_100km for v in self._config.vehicles) / len(self._config.vehicles)
        return booking.min_range_km * mean / 100.0

    # ---- sessions ----------------------------------------------------------------------------

    @callback
    def handle_station_event(self, event: CsmsEvent) -> None:
        """A car plugged in or left: hand the bookings out again."""
        if isinstance(event, TransactionStarted):
            self._tokens[evse_key(event.station_id, event.evse_id)] = (event.transaction_id, event.id_token)
        elif isinstance(event, TransactionEnded):
            self._tokens.pop(evse_key(event.station_id, event.evse_id), None)
            self._ended.add(event.transaction_id)
        else:
            return
        self._reconcile(dt_util.utcnow(), changed=True)

    def _plugged(self) -> dict[str, PluggedCar]:
        cars: dict[str, PluggedCar] = {}
        current: set[str] = set()
        for charger in self._config.chargers:
            station = self._ems.server.state(charger.station_id)
            for evse_id in range(1, charger.evse_count + 1):
                evse = station.evse(evse_id)
                if evse.transaction_id is None:
                    continue
                current.add(evse.transaction_id)
                if evse.transaction_id in self._ended:
                    continue
                key = evse_key(charger.station_id, evse_id)
                token = self._tokens.get(key)
                vehicle = (
                    vehicle_by_token(self._config.vehicles, token[1])
                    if token is not None and token[0] == evse.transaction_id
                    else None
                )
                cars[key] = PluggedCar(key, evse.transaction_id, vehicle, evse.ev_soc_pct)
        self._ended &= current
        return cars

    # ---- handing bookings to cars --------------------------------------------------------------

    def _expire(self, now: datetime) -> bool:
        ended = [booking_id for booking_id, booking in self.bookings.items() if booking.end <= now]
        for booking_id in ended:
            del self.bookings[booking_id]
        return bool(ended)

    def _wanted(self, now: datetime, plugged: dict[str, PluggedCar]) -> dict[str, str]:
        """Which EVSE's car serves which upcoming booking."""
        wanted: dict[str, str] = {}
        taken: set[str] = set()
        upcoming = [booking for booking in self.upcoming() if booking.pickup > now]
        for booking in upcoming:
            if booking.vehicle_id is None:
                continue
            for car in plugged.values():
                if (
                    car.evse_key not in taken
                    and car.vehicle
                    and car.vehicle.subentry_id == booking.vehicle_id
                ):
                    wanted[booking.booking_id] = car.evse_key
                    taken.add(car.evse_key)
                    break
        for booking in upcoming:
            if booking.vehicle_id is not None:
                continue
            free = [car for car in plugged.values() if car.evse_key not in taken]
            if (held := self.assignments.get(booking.booking_id)) is not None and any(
                car.evse_key == held.evse_key and car.transaction_id == held.transaction_id for car in free
            ):
                # The car already charging for this booking keeps it: no goal flapping between cars.
                chosen: str | None = held.evse_key
            else:
                chosen = self._best_fit(booking, free)
            if chosen is not None:
                wanted[booking.booking_id] = chosen
                taken.add(chosen)
        return wanted

    def _best_fit(self, booking: Booking, free: list[PluggedCar]) -> str | None:
        """The free car that holds the booking's minimum with the least charging still to do."""
        best: tuple[tuple[bool, float], str] | None = None
        for car in free:
            needed = self.needed_energy_kwh(booking, car.vehicle)
            if needed is None or needed > car.capacity_kwh:
                continue
            soc = car.soc_pct / 100.0 if car.soc_pct is not None else ASSUMED_ARRIVAL_SOC
            energy = car.capacity_kwh * soc
            score = (car.vehicle is not None, energy - needed)
            if best is None or score > best[0]:
                best = (score, car.evse_key)
        return best[1] if best is not None else None

    @callback
    def _reconcile(self, now: datetime, *, changed: bool = False, replan: bool = True) -> None:
        """Expire bookings, then move the goals so each upcoming booking is served by its car."""
        changed |= self._expire(now)
        plugged = self._plugged()
        self._ems.controls.set_car_capacities(
            {key: car.vehicle.capacity_kwh for key, car in plugged.items() if car.vehicle}
        )
        wanted = self._wanted(now, plugged)
        goals_changed = False
        for booking_id, held in list(self.assignments.items()):
            car = plugged.get(held.evse_key)
            if (
                wanted.get(booking_id) != held.evse_key
                or car is None
                or car.transaction_id != held.transaction_id
            ):
                self._release(held, now)
                del self.assignments[booking_id]
                goals_changed = True
        for booking_id, key in wanted.items():
            if booking_id not in self.assignments:
                self.assignments[booking_id] = self._assign(self.bookings[booking_id], plugged[key])
                goals_changed = True
        if changed or goals_changed:
            self._store.async_delay_save(self._data, 0)
            for listener in list(self._listeners):
                listener()
        if goals_changed and replan:
            self._hass.async_create_task(self._ems.async_request_refresh(), eager_start=True)

    def _assign(self, booking: Booking, car: PluggedCar) -> Assignment:
        goal = self._ems.controls[car.evse_key].goal
        needed = self.needed_energy_kwh(booking, car.vehicle) or 0.0
        target = float(min(100, math.ceil(needed / car.capacity_kwh * 100.0)))
        assignment = Assignment(
            evse_key=car.evse_key,
            transaction_id=car.transaction_id,
            previous_departure=goal.departure,
            previous_target_soc_pct=goal.target_soc_pct,
            departure=booking.pickup,
            target_soc_pct=target,
        )
        goal.departure = booking.pickup
        goal.target_soc_pct = target
        return assignment

    def _release(self, held: Assignment, now: datetime) -> None:
        """Give back the goals the booking wrote, unless the user changed them since."""
        goal = self._ems.controls[held.evse_key].goal
        if goal.departure == held.departure:
            previous = held.previous_departure
            goal.departure = previous if previous is not None and previous > now else None
        if goal.target_soc_pct == held.target_soc_pct:
            goal.target_soc_pct = held.previous_target_soc_pct

    def _data(self) -> dict[str, Any]:
        return {
            "bookings": [booking.to_dict() for booking in self.upcoming()],
            "assignments": {booking_id: held.to_dict() for booking_id, held in self.assignments.items()},
            "tokens": {key: list(value) for key, value in self._tokens.items()},
        }

    def diagnostics(self) -> dict[str, Any]:
        """Bookings and the EVSEs serving them; the cars' idTokens stay out."""
        return {
            "bookings": [booking.to_dict() for booking in self.upcoming()],
            "serving": {booking_id: held.evse_key for booking_id, held in self.assignments.items()},
        }

    async def async_save(self) -> None:
        """Write the bookings now (unload)."""
        await self._store.async_save(self._data())
