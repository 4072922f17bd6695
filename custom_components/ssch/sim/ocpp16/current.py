"""Currents per phase and the power they mean on the station's AC supply."""

from __future__ import annotations

from dataclasses import dataclass

from custom_components.ssch.sim.config import StationConfig

AMPERES = "A"
WATTS = "W"


@dataclass(frozen=True, slots=True)
class CurrentLimit:
    """How much current per phase the EVSE allows, on how many phases."""

    amperes: float
    phases: int

    def capped_by(self, other: CurrentLimit | None) -> CurrentLimit:
        """Return the tighter of two limits, phase count and current each."""
        if other is None:
            return self
        return CurrentLimit(min(self.amperes, other.amperes), min(self.phases, other.phases))


@dataclass(frozen=True, slots=True)
class AcSupply:
    """The station's connection: its phases and nominal phase-to-neutral voltage."""

    phases: int
    voltage_v: float

    @classmethod
    def of(cls, config: StationConfig) -> AcSupply:
        return cls(config.phases, config.nominal_voltage_v)

    def limit(self, value: float, unit: str, number_phases: int | None = None) -> CurrentLimit:
        """Turn a schedule limit (A per phase, or W in total) into a current limit."""
        phases = min(number_phases or self.phases, self.phases)
        if unit == WATTS:
            return CurrentLimit(value / (phases * self.voltage_v), phases)
        return CurrentLimit(value, phases)

    def watts(self, limit: CurrentLimit) -> float:
        return limit.amperes * limit.phases * self.voltage_v

    def amperes_at(self, power_w: float, phases: int) -> float:
        """Return the current per phase that carries ``power_w`` on ``phases`` phases."""
        return power_w / (phases * self.voltage_v)

    def in_unit(self, limit: CurrentLimit, unit: str) -> float:
        """Express a limit as a schedule does: A per phase, or W in total."""
        return self.watts(limit) if unit == WATTS else limit.amperes
