"""AC charging in amperes per phase: what a kW setpoint means for the phases in use, and the
smallest power a car takes (below its minimum current it does not charge at all)."""

from __future__ import annotations

from dataclasses import dataclass
import math

from .registry import StationConfig
from .state import EvseState

DEFAULT_PHASES = 3  # most AC chargers in Europe; the measured currents say better once charging


@dataclass(frozen=True, slots=True)
class AcSupply:
    """The phases and voltage a car charges on, and its minimum current (A per phase)."""

    phases: int
    voltage_v: float
    min_current_a: float

    def kw(self, current_a: float) -> float:
        """Power of ``current_a`` on every phase in use."""
        return current_a * self.phases * self.voltage_v / 1000.0

    def amperes(self, power_kw: float) -> float:
        """The current per phase for ``power_kw``, rounded down to the 0.1 A profiles carry."""
        return math.floor(power_kw * 1000.0 / (self.phases * self.voltage_v) * 10.0 + 1e-6) / 10.0

    @property
    def min_kw(self) -> float:
        """The smallest charging power the car takes."""
        return self.kw(self.min_current_a)


def ac_supply(config: StationConfig, evse: EvseState) -> AcSupply:
    """What the EVSE's car charges on: measured phases, the installer's voltage, the larger of the
    installer's and the car's minimum current."""
    minimum = max(config.min_current_a, evse.ev_limits.min_current_a or 0.0)
    return AcSupply(evse.phases_in_use or DEFAULT_PHASES, config.nominal_voltage_v, minimum)


def charge_limits_kw(config: StationConfig, evse: EvseState) -> tuple[float, float]:
    """(minimum, maximum) charging power of the EVSE with its car: the installer's limit, the car's
    reported power or current limits, and the minimum current. A car that states its minimum power
    (ISO 15118-20) knows it best; otherwise the minimum current on the phases in use decides."""
    supply = ac_supply(config, evse)
    limits = evse.ev_limits
    maximum = config.max_charge_kw
    for reported in (limits.max_charge_kw, _current_kw(supply, limits.max_current_a)):
        if reported is not None:
            maximum = min(maximum, reported)
    minimum = limits.min_charge_kw if limits.min_charge_kw is not None else supply.min_kw
    return min(minimum, maximum), maximum


def _current_kw(supply: AcSupply, current_a: float | None) -> float | None:
    return supply.kw(current_a) if current_a is not None else None
