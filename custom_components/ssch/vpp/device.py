"""The virtual power plant: the flexibility of every loaded hub of this Home Assistant, added up.

The VPP's entities live on one device that the first loaded hub hosts. When the hosting hub is
unloaded, the next loaded hub takes the entities over; with no hub left they are gone (unavailable).
The device itself moves to the hub that hosts it, so there is one VPP device, with one id, however many
hubs come and go (from Home Assistant 2026.8 a device belongs to one config entry only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.flexibility_book import FlexDirection
from custom_components.ssch.ems.coordinator import EmsCoordinator
from custom_components.ssch.entities.devices import VPP_IDENTIFIER
from custom_components.ssch.registry_compat import move_device, remove_device

# The horizon over which the sensors add up flexible energy.
FLEX_ENERGY_HORIZON = timedelta(hours=4)
VPP_DATA: HassKey[Vpp] = HassKey("ssch_vpp")


@dataclass(frozen=True, slots=True)
class FlexValues:
    """Flexibility of a hub (or of all hubs) now."""

    up_kw: float = 0.0
    down_kw: float = 0.0
    up_kwh: float = 0.0
    down_kwh: float = 0.0
    committed_up_kw: float = 0.0
    committed_down_kw: float = 0.0
    revenue: float = 0.0

    @property
    def committed_kw(self) -> float:
        """kW committed in either direction."""
        return self.committed_up_kw + self.committed_down_kw

    def __add__(self, other: FlexValues) -> FlexValues:
        """Hubs add up."""
        return FlexValues(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def hub_flexibility(ems: EmsCoordinator, now: datetime) -> FlexValues:
    """What one hub could move now and over the next hours, what it committed and earned.

    Energy is the per-step envelope summed over the horizon: each step is assessed on its own, so it
    is what any one part of the horizon could give, an upper bound for all of it at once.
    """
    plan = ems.data.plan
    grid = plan.grid
    k = min(max(0, int(grid.offset_steps(now))), grid.steps - 1)
    horizon_end = now + FLEX_ENERGY_HORIZON
    up_kwh = down_kwh = 0.0
    for index, start in enumerate(grid.times()):
        overlap = min(horizon_end, start + grid.step_delta) - max(now, start)
        if overlap > timedelta(0):
            hours = overlap.total_seconds() / 3600.0
            up_kwh += float(plan.flexibility.up_kw[index]) * hours
            down_kwh += float(plan.flexibility.down_kw[index]) * hours
    book = ems.flexibility
    return FlexValues(
        up_kw=float(plan.flexibility.up_kw[k]),
        down_kw=float(plan.flexibility.down_kw[k]),
        up_kwh=up_kwh,
        down_kwh=down_kwh,
        committed_up_kw=book.committed_kw(now, FlexDirection.UP),
        committed_down_kw=book.committed_kw(now, FlexDirection.DOWN),
        revenue=book.revenue,
    )


type VppHost = Callable[[str], None]


class Vpp:
    """The loaded hubs and who hosts the VPP device."""

    def __init__(self, hass: HomeAssistant) -> None:
        """No hub yet."""
        self._hass = hass
        self.hubs: dict[str, EmsCoordinator] = {}
        self.host: str | None = None
        self._hosts: dict[str, VppHost] = {}
        self._listeners: list[CALLBACK_TYPE] = []

    def total(self) -> FlexValues:
        """All hubs added up."""
        now = dt_util.utcnow()
        total = FlexValues()
        for ems in self.hubs.values():
            total += hub_flexibility(ems, now)
        return total

    @callback
    def join(self, entry_id: str, ems: EmsCoordinator, host: VppHost) -> CALLBACK_TYPE:
        """A hub is loaded; ``host`` adds the VPP entities through that hub. Returns the leave."""
        self.hubs[entry_id] = ems
        self._hosts[entry_id] = host
        stop_listening = ems.async_add_listener(self._notify)
        if self.host is None:
            self._take_over(entry_id)
        self._notify()

        @callback
        def leave() -> None:
            stop_listening()
            del self.hubs[entry_id], self._hosts[entry_id]
            if self.host == entry_id:
                # The hub's platform removed the entities with it: the next hub brings them back.
                self.host = None
                if self.hubs:
                    self._take_over(next(iter(self.hubs)))
            self._notify()

        return leave

    def _take_over(self, entry_id: str) -> None:
        self.host = entry_id
        _give_device_to(self._hass, entry_id)
        self._hosts[entry_id](entry_id)

    @callback
    def listen(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update`` whenever any hub re-plans or hubs come and go."""
        self._listeners.append(update)

        @callback
        def stop() -> None:
            self._listeners.remove(update)

        return stop

    @callback
    def _notify(self) -> None:
        for update in list(self._listeners):
            update()


def vpp(hass: HomeAssistant) -> Vpp:
    """The VPP of this Home Assistant."""
    if VPP_DATA not in hass.data:
        hass.data[VPP_DATA] = Vpp(hass)
    return hass.data[VPP_DATA]


def _give_device_to(hass: HomeAssistant, host_id: str) -> None:
    """The VPP device, wherever it is, moves to the hub about to host its entities; copies left by
    earlier versions (one per hub that hosted it) go."""
    registry = dr.async_get(hass)
    found = [
        (entry.entry_id, device)
        for entry in hass.config_entries.async_entries(DOMAIN)
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        if VPP_IDENTIFIER in device.identifiers
    ]
    # The host's own copy is kept if it has one, else the first found is moved over.
    found.sort(key=lambda owned: owned[0] != host_id)
    for index, (owner_id, device) in enumerate(found):
        if index > 0:
            remove_device(registry, device, owner_id)
        elif owner_id != host_id:
            move_device(registry, device, owner_id, host_id)
