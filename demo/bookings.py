"""Demo bookings of the shared cars, made through the hub's own ``ssch.book_vehicle`` action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp

from demo.settings import DemoSettings

# (hours from the next full hour, hours booked, kWh the car must hold at pickup), any car of the hub.
BOOKINGS = ((2, 3, 25.0), (5, 2, 30.0), (20, 4, 40.0))


async def has_booking_action(session: aiohttp.ClientSession, settings: DemoSettings, token: str) -> bool:
    """Whether this version of the hub offers bookings."""
    async with session.get(
        f"{settings.url}/api/services", headers={"Authorization": f"Bearer {token}"}
    ) as response:
        response.raise_for_status()
        domains = await response.json()
    return any(domain["domain"] == "ssch" and "book_vehicle" in domain["services"] for domain in domains)


async def add_bookings(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str, entry_id: str
) -> int:
    """Book a car for a few pickups on Home Assistant's clock; return how many bookings were made."""
    if not await has_booking_action(session, settings, token):
        return 0
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    made = 0
    for offset, hours, energy in BOOKINGS:
        async with session.post(
            f"{settings.url}/api/services/ssch/book_vehicle",
            params={"return_response": ""},
            json={
                "config_entry_id": entry_id,
                "pickup": (hour + timedelta(hours=offset)).isoformat(),
                "duration": {"hours": hours},
                "min_energy_kwh": energy,
            },
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            if response.status != 200:
                print(f"The hub refused a demo booking: {await response.text()}", flush=True)
                continue
        made += 1
    return made
