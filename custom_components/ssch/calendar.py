"""Calendar platform: the hub's bookings, and each shared car's own.

Events can be added and deleted from the calendar UI; they take the same path as the booking actions.
An event's title names the car (any car when it names none) and the minimum, e.g. "Kona 150 km".
"""

from __future__ import annotations

from datetime import datetime
import re
from typing import Any

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.calendar.const import CalendarEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .bookings.booking import Booking, BookingError
from .bookings.manager import BookingManager
from .bookings.services import validation_error
from .bookings.vehicles import VehicleConfig, vehicle_anchor
from .const import DOMAIN
from .entities.base import SschEntity
from .entities.devices import site_anchor
from .runtime import SschConfigEntry

PARALLEL_UPDATES = 0

HUB_BOOKINGS = EntityDescription(key="bookings", translation_key="bookings")
VEHICLE_BOOKINGS = EntityDescription(key="vehicle_bookings", translation_key="vehicle_bookings")
_MINIMUM = re.compile(r"(\d+(?:[.,]\d+)?)\s*(km|kwh)\b", re.IGNORECASE)


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """A bookings calendar for the hub and one for each shared car."""
    manager, config = entry.runtime_data.bookings, entry.runtime_data.config
    async_add_entities([BookingCalendar(manager, entry.entry_id, config.name, None)])
    for vehicle in config.vehicles:
        async_add_entities(
            [BookingCalendar(manager, entry.entry_id, config.name, vehicle)],
            config_subentry_id=vehicle.subentry_id,
        )


def event_summary(manager: BookingManager, booking: Booking) -> str:
    """The car and the minimum it must have at pickup."""
    vehicle = manager.vehicle(booking.vehicle_id)
    car = vehicle.name if vehicle is not None else "Any car"
    if booking.min_range_km is not None:
        return f"{car}: min. {booking.min_range_km:g} km"
    return f"{car}: min. {booking.min_energy_kwh:g} kWh"


class BookingCalendar(SschEntity, CalendarEntity):
    """Bookings as events from pickup to return."""

    _attr_supported_features = CalendarEntityFeature.CREATE_EVENT | CalendarEntityFeature.DELETE_EVENT

    def __init__(
        self, manager: BookingManager, entry_id: str, hub_name: str, vehicle: VehicleConfig | None
    ) -> None:
        """The hub's calendar, or the calendar of one car when ``vehicle`` is given."""
        if vehicle is None:
            super().__init__(site_anchor(entry_id, hub_name), HUB_BOOKINGS)
        else:
            super().__init__(vehicle_anchor(entry_id, vehicle), VEHICLE_BOOKINGS)
        self._manager = manager
        self._vehicle = vehicle

    async def async_added_to_hass(self) -> None:
        """Show bookings as they change."""
        await super().async_added_to_hass()
        self.async_on_remove(self._manager.async_add_listener(self.async_write_ha_state))

    def _bookings(self) -> list[Booking]:
        return self._manager.upcoming(self._vehicle.subentry_id if self._vehicle is not None else None)

    def _event(self, booking: Booking) -> CalendarEvent:
        vehicle = self._manager.vehicle(booking.vehicle_id)
        energy = self._manager.needed_energy_kwh(booking, vehicle)
        lines = [f"Booking {booking.booking_id}"]
        if energy is not None:
            lines.append(f"At least {energy:.1f} kWh in the battery at pickup.")
        return CalendarEvent(
            start=dt_util.as_local(booking.pickup),
            end=dt_util.as_local(booking.end),
            summary=event_summary(self._manager, booking),
            description="\n".join(lines),
            uid=booking.booking_id,
        )

    @property
    def event(self) -> CalendarEvent | None:
        """The booking under way or coming next."""
        bookings = self._bookings()
        return self._event(bookings[0]) if bookings else None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Bookings that overlap the window."""
        return [self._event(b) for b in self._bookings() if b.overlaps(start_date, end_date)]

    async def async_create_event(self, **kwargs: Any) -> None:
        """Book from the calendar: the title names the car (or none for any car) and a range or energy."""
        start, end = kwargs["dtstart"], kwargs["dtend"]
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            raise ServiceValidationError(translation_domain=DOMAIN, translation_key="booking_needs_time")
        text = f"{kwargs.get('summary', '')} {kwargs.get('description') or ''}"
        range_km, energy_kwh = _minimum(text)
        vehicle = self._vehicle or _named_vehicle(self._manager.vehicles, text)
        try:
            self._manager.book(
                vehicle_id=vehicle.subentry_id if vehicle is not None else None,
                pickup=start,
                duration=end - start,
                min_range_km=range_km,
                min_energy_kwh=energy_kwh,
            )
        except BookingError as err:
            raise validation_error(err) from err

    async def async_delete_event(
        self, uid: str, recurrence_id: str | None = None, recurrence_range: str | None = None
    ) -> None:
        """Cancel a booking."""
        if uid not in {booking.booking_id for booking in self._bookings()}:
            raise validation_error(BookingError("unknown_booking", booking_id=uid))
        self._manager.cancel(uid)


def _minimum(text: str) -> tuple[float | None, float | None]:
    """The first "<n> km" or "<n> kWh" in the text, as (range, energy)."""
    found = _MINIMUM.search(text)
    if found is None:
        return None, None
    value = float(found.group(1).replace(",", "."))
    return (value, None) if found.group(2).lower() == "km" else (None, value)


def _named_vehicle(vehicles: tuple[VehicleConfig, ...], text: str) -> VehicleConfig | None:
    """The car whose name the text contains (the longest name wins: "Kona Electric" over "Kona")."""
    lowered = text.lower()
    named = [vehicle for vehicle in vehicles if vehicle.name.lower() in lowered]
    return max(named, key=lambda vehicle: len(vehicle.name)) if named else None
