"""Actions for shared cars: book a car (or any car of a hub) for a pickup, and cancel a booking."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
import voluptuous as vol

from custom_components.ssch.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID, ATTR_DURATION, DOMAIN
from custom_components.ssch.entities.devices import asset_identifier
from custom_components.ssch.service_targets import device_entry_ids, loaded_hub, loaded_hubs

from .booking import Booking, BookingError
from .manager import BookingManager

SERVICE_BOOK_VEHICLE = "book_vehicle"
SERVICE_CANCEL_BOOKING = "cancel_booking"
ATTR_PICKUP = "pickup"
ATTR_MIN_RANGE_KM = "min_range_km"
ATTR_MIN_ENERGY_KWH = "min_energy_kwh"
ATTR_BOOKING_ID = "booking_id"

BOOK_VEHICLE_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_PICKUP): cv.datetime,
        vol.Optional(ATTR_DURATION): vol.All(cv.time_period, cv.positive_timedelta),
        vol.Optional(ATTR_MIN_RANGE_KM): vol.All(vol.Coerce(float), vol.Range(min=0, min_included=False)),
        vol.Optional(ATTR_MIN_ENERGY_KWH): vol.All(vol.Coerce(float), vol.Range(min=0, min_included=False)),
    }
)
CANCEL_BOOKING_SCHEMA = vol.Schema({vol.Required(ATTR_BOOKING_ID): cv.string})


@dataclass(frozen=True, slots=True)
class BookingTarget:
    """The hub a booking goes to, and the car (None: any car of the hub)."""

    manager: BookingManager
    vehicle_id: str | None


def validation_error(err: BookingError) -> ServiceValidationError:
    """A booking refusal as the translated error users see."""
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=err.key, translation_placeholders=err.placeholders
    )


def booking_response(manager: BookingManager, booking: Booking) -> ServiceResponse:
    """What the caller learns about a booking."""
    vehicle = manager.vehicle(booking.vehicle_id)
    energy = manager.needed_energy_kwh(booking, vehicle)
    return {
        ATTR_BOOKING_ID: booking.booking_id,
        "vehicle": vehicle.name if vehicle is not None else None,
        ATTR_PICKUP: booking.pickup.isoformat(),
        "end": booking.end.isoformat(),
        ATTR_MIN_ENERGY_KWH: round(energy, 2) if energy is not None else None,
    }


def _target(hass: HomeAssistant, device_id: str | None, entry_id: str | None) -> BookingTarget:
    """A vehicle device names its hub and car; without one, the hub given (or the only one) and any car."""
    if device_id is not None:
        device = dr.async_get(hass).async_get(device_id)
        for entry in loaded_hubs(hass):
            if device is None or entry.entry_id not in device_entry_ids(device):
                continue
            for vehicle in entry.runtime_data.config.vehicles:
                if asset_identifier(entry.entry_id, vehicle.subentry_id) in device.identifiers:
                    return BookingTarget(entry.runtime_data.bookings, vehicle.subentry_id)
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_vehicle",
            translation_placeholders={"vehicle": device_id},
        )
    return BookingTarget(loaded_hub(hass, entry_id).runtime_data.bookings, None)


async def _async_book_vehicle(call: ServiceCall) -> ServiceResponse:
    target = _target(call.hass, call.data.get(ATTR_DEVICE_ID), call.data.get(ATTR_CONFIG_ENTRY_ID))
    try:
        booking = target.manager.book(
            vehicle_id=target.vehicle_id,
            pickup=call.data[ATTR_PICKUP],
            duration=call.data.get(ATTR_DURATION),
            min_range_km=call.data.get(ATTR_MIN_RANGE_KM),
            min_energy_kwh=call.data.get(ATTR_MIN_ENERGY_KWH),
        )
    except BookingError as err:
        raise validation_error(err) from err
    return booking_response(target.manager, booking)


async def _async_cancel_booking(call: ServiceCall) -> None:
    booking_id = call.data[ATTR_BOOKING_ID]
    for entry in loaded_hubs(call.hass):
        if booking_id in entry.runtime_data.bookings.bookings:
            entry.runtime_data.bookings.cancel(booking_id)
            return
    raise validation_error(BookingError("unknown_booking", booking_id=booking_id))


@callback
def async_setup_booking_services(hass: HomeAssistant) -> None:
    """Register the booking actions once for all hubs."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_BOOK_VEHICLE,
        _async_book_vehicle,
        BOOK_VEHICLE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(DOMAIN, SERVICE_CANCEL_BOOKING, _async_cancel_booking, CANCEL_BOOKING_SCHEMA)
