"""The physical state of the simulated site and how setpoints change it."""

from __future__ import annotations

from dataclasses import dataclass, field
import math

from benchmarks.scenario import BatterySpec, ChargerSpec, Scenario, SessionSpec

ENERGY_TOLERANCE_KWH = 1e-6


@dataclass
class SessionState:
    """A session on whole steps: it can take power in steps ``first_step .. end_step - 1``."""

    session_id: str
    spec: SessionSpec
    charger: ChargerSpec
    first_step: int
    end_step: int
    energy_kwh: float

    @property
    def floor_kwh(self) -> float:
        """Energy V2G may not go below (never above the arrival energy)."""
        return min(self.spec.min_energy_kwh, self.spec.energy_initial_kwh)

    @property
    def delivered_kwh(self) -> float:
        """Net energy stored in the car since arrival."""
        return self.energy_kwh - self.spec.energy_initial_kwh

    def reachable_kwh(self, step_hours: float) -> float:
        """What the car could get alone at full power over its whole steps."""
        steps = max(0, self.end_step - self.first_step)
        return self.charger.max_charge_kw * self.charger.efficiency * steps * step_hours

    def power_bounds_kw(self, step_hours: float) -> tuple[float, float]:
        """Lowest (discharging, negative) and highest power this step allows."""
        efficiency = self.charger.efficiency
        room = max(0.0, self.spec.capacity_kwh - self.energy_kwh)
        highest = min(self.charger.max_charge_kw, room / (efficiency * step_hours))
        lowest = 0.0
        if self.spec.v2g:
            above_floor = max(0.0, self.energy_kwh - self.floor_kwh)
            lowest = -min(self.charger.max_discharge_kw, above_floor * efficiency / step_hours)
        return lowest, highest

    def apply(self, power_kw: float, step_hours: float) -> None:
        """Advance the stored energy by one step at ``power_kw`` (grid side, signed)."""
        efficiency = self.charger.efficiency
        stored = power_kw * efficiency if power_kw >= 0 else power_kw / efficiency
        self.energy_kwh += stored * step_hours


@dataclass
class BatteryState:
    """The stationary battery's stored energy."""

    spec: BatterySpec
    energy_kwh: float

    def power_bounds_kw(self, step_hours: float) -> tuple[float, float]:
        """Lowest (discharging, negative) and highest power this step allows."""
        spec = self.spec
        room = max(0.0, spec.soc_max * spec.capacity_kwh - self.energy_kwh)
        above_floor = max(0.0, self.energy_kwh - spec.soc_min * spec.capacity_kwh)
        highest = min(spec.max_charge_kw, room / (spec.efficiency * step_hours))
        lowest = -min(spec.max_discharge_kw, above_floor * spec.efficiency / step_hours)
        return lowest, highest

    def apply(self, power_kw: float, step_hours: float) -> None:
        """Advance the stored energy by one step at ``power_kw`` (signed)."""
        efficiency = self.spec.efficiency
        stored = power_kw * efficiency if power_kw >= 0 else power_kw / efficiency
        self.energy_kwh += stored * step_hours


@dataclass
class SiteState:
    """Everything that evolves during a replay."""

    sessions: list[SessionState]
    battery: BatteryState | None
    month_peak_kw: dict[tuple[int, int], float] = field(default_factory=dict)
    _by_step: dict[int, list[SessionState]] | None = None

    def present(self, step: int) -> list[SessionState]:
        """Sessions plugged in during ``step``."""
        if self._by_step is None:
            self._by_step = {}
            for session in self.sessions:
                for k in range(session.first_step, session.end_step):
                    self._by_step.setdefault(k, []).append(session)
        return self._by_step.get(step, [])


def initial_state(scenario: Scenario) -> SiteState:
    """Sessions snapped to whole steps (the same for every controller) and a charged battery.

    A car is known and can take power from the first step boundary after it plugs in until the
    last boundary before it leaves; visits that cover no whole step are left out.
    """
    sessions: list[SessionState] = []
    for index, spec in enumerate(scenario.sessions):
        first = math.ceil((spec.arrival - scenario.start) / scenario.step - 1e-9)
        end = min(scenario.steps, math.floor((spec.departure - scenario.start) / scenario.step))
        first = max(first, 0)
        if end <= first:
            continue
        sessions.append(
            SessionState(
                session_id=f"s{index:05d}",
                spec=spec,
                charger=scenario.charger(spec.charger),
                first_step=first,
                end_step=end,
                energy_kwh=spec.energy_initial_kwh,
            )
        )
    battery = None
    if scenario.battery is not None:
        battery_spec = scenario.battery
        battery = BatteryState(
            spec=battery_spec, energy_kwh=battery_spec.soc_initial * battery_spec.capacity_kwh
        )
    return SiteState(sessions=sessions, battery=battery)
