"""EV battery physics: state of charge and the power limits a car accepts."""

from __future__ import annotations

from .config import CarVisit

_SECONDS_PER_HOUR = 3600.0


class EvBattery:
    """The traction battery of one plugged-in car.

    Power is positive into the car. The model is ideal (no losses, no taper): enough to check that a
    server's setpoints move energy the way it planned.
    """

    def __init__(self, visit: CarVisit) -> None:
        self.visit = visit
        self.energy_kwh = visit.energy_initial_kwh

    @property
    def capacity_kwh(self) -> float:
        """Return the usable capacity."""
        return self.visit.capacity_kwh

    @property
    def soc_percent(self) -> float:
        """Return the state of charge in percent."""
        return 100.0 * self.energy_kwh / self.visit.capacity_kwh

    @property
    def can_discharge(self) -> bool:
        """Tell whether the car supports bidirectional charging at all."""
        return self.visit.v2x is not None

    @property
    def _discharge_floor_kwh(self) -> float:
        v2x = self.visit.v2x
        floor_percent = v2x.min_soc_percent if v2x else 100.0
        return self.visit.capacity_kwh * floor_percent / 100.0

    def accepted_power_kw(self, requested_kw: float) -> float:
        """Clip a requested power to what the car accepts right now."""
        visit = self.visit
        if requested_kw > 0:
            if self.energy_kwh >= visit.capacity_kwh or requested_kw < visit.min_charge_power_kw:
                return 0.0
            return min(requested_kw, visit.max_charge_power_kw)
        v2x = visit.v2x
        if requested_kw == 0 or v2x is None or self.energy_kwh <= self._discharge_floor_kwh:
            return 0.0
        magnitude = min(-requested_kw, v2x.max_discharge_power_kw)
        return 0.0 if magnitude < v2x.min_discharge_power_kw else -magnitude

    def transfer(self, power_kw: float, seconds: float) -> float:
        """Move energy at ``power_kw`` for ``seconds``; return the kWh moved (signed).

        The battery stops at full, and a discharge stops at the car's V2X floor, so the energy moved
        can be less than power times time.
        """
        wanted_kwh = power_kw * max(0.0, seconds) / _SECONDS_PER_HOUR
        if wanted_kwh >= 0:
            moved = min(wanted_kwh, max(0.0, self.visit.capacity_kwh - self.energy_kwh))
        else:
            moved = -min(-wanted_kwh, max(0.0, self.energy_kwh - self._discharge_floor_kwh))
        self.energy_kwh += moved
        return moved
