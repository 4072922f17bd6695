"""The reference site's battery and PV inverter as simple physical models."""

from __future__ import annotations

from dataclasses import dataclass

# The benchmark's reference site (benchmarks/README.md).
PV_PEAK_KW = 60.0
BATTERY_CAPACITY_KWH = 100.0
BATTERY_MAX_KW = 50.0
BATTERY_EFFICIENCY = 0.95


@dataclass(slots=True)
class SimulatedBattery:
    """A battery that follows its power setpoint (positive charges) within its power and energy."""

    capacity_kwh: float = BATTERY_CAPACITY_KWH
    max_kw: float = BATTERY_MAX_KW
    efficiency: float = BATTERY_EFFICIENCY
    energy_kwh: float = BATTERY_CAPACITY_KWH / 2
    power_kw: float = 0.0

    @property
    def soc_percent(self) -> float:
        """State of charge."""
        return 100.0 * self.energy_kwh / self.capacity_kwh

    def step(self, setpoint_kw: float, hours: float) -> None:
        """Run ``hours`` at the setpoint, stopping when full or empty."""
        power = max(-self.max_kw, min(self.max_kw, setpoint_kw))
        room = self.capacity_kwh - self.energy_kwh
        if hours > 0:
            power = min(power, room / (hours * self.efficiency))
            power = max(power, -self.energy_kwh * self.efficiency / hours)
        elif (power > 0 and room <= 0) or (power < 0 and self.energy_kwh <= 0):
            power = 0.0
        stored = power * hours * (self.efficiency if power >= 0 else 1 / self.efficiency)
        self.energy_kwh = min(self.capacity_kwh, max(0.0, self.energy_kwh + stored))
        self.power_kw = power


def pv_output_kw(available_kw: float, limit_kw: float | None) -> float:
    """What the inverter feeds in: what the sun gives, at most its curtailment limit."""
    if limit_kw is None:
        return available_kw
    return max(0.0, min(available_kw, limit_kw))
