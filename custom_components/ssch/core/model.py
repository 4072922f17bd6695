"""Data contract of the hub brain: site snapshot in, plan out.

Conventions used everywhere in ``core``:
- Power in kW, energy in kWh, prices in EUR; the unit is part of every name.
- Positive power flows INTO the EV, the stationary battery or the site (grid import is positive).
- Export limits, discharge limits and PV power are magnitudes (>= 0).
- Times are timezone-aware UTC; series are read-only numpy float arrays, one value per step of a
  ``StepGrid``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def rounded_list(values: ArrayLike, digits: int = 3) -> list[float]:
    """A series as plain floats for JSON, state attributes and the frontend."""
    return [round(float(value), digits) for value in np.asarray(values)]


def as_series(values: ArrayLike, steps: int, name: str) -> FloatArray:
    """Return ``values`` as a read-only float array of length ``steps`` (scalars are broadcast)."""
    array = np.array(values, dtype=np.float64)
    if array.ndim == 0:
        array = np.full(steps, float(array))
    if array.shape != (steps,):
        raise ValueError(f"{name} must have {steps} values, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    array.flags.writeable = False
    return array


def _require_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def _freeze(obj: object, name: str, values: ArrayLike, steps: int) -> None:
    object.__setattr__(obj, name, as_series(values, steps, name))


def _freeze_fields(obj: object, *names: str) -> None:
    """Convert array fields to read-only float arrays; their length is checked by the owner."""
    for name in names:
        values = np.array(getattr(obj, name), dtype=np.float64)
        if values.ndim:  # scalars stay scalars until the snapshot broadcasts them to its grid
            _freeze(obj, name, values, values.size)


@dataclass(frozen=True, slots=True)
class StepGrid:
    """A fixed grid of ``steps`` equal steps starting at ``start`` (the plan's "now")."""

    start: datetime
    step_minutes: int
    steps: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _require_utc(self.start, "start"))
        if self.step_minutes <= 0 or self.steps <= 0:
            raise ValueError("step_minutes and steps must be positive")

    @property
    def step_hours(self) -> float:
        return self.step_minutes / 60.0

    @property
    def step_delta(self) -> timedelta:
        return timedelta(minutes=self.step_minutes)

    @property
    def end(self) -> datetime:
        return self.start + self.steps * self.step_delta

    def times(self) -> tuple[datetime, ...]:
        """Start time of every step."""
        return tuple(self.start + k * self.step_delta for k in range(self.steps))

    def offset_steps(self, moment: datetime) -> float:
        """Fractional steps from ``start`` to ``moment`` (may be negative or past the end)."""
        return (_require_utc(moment, "moment") - self.start) / self.step_delta

    def index_of(self, moment: datetime) -> int:
        """Index of the step containing ``moment``; ``ValueError`` outside the grid."""
        index = math.floor(self.offset_steps(moment))
        if not 0 <= index < self.steps:
            raise ValueError(f"{moment.isoformat()} is outside the plan grid")
        return index

    def shifted(self, k: int) -> StepGrid:
        return StepGrid(self.start + k * self.step_delta, self.step_minutes, self.steps)


@dataclass(frozen=True, slots=True, eq=False)
class SiteLimits:
    """Grid connection limits per step (DSO signals already applied); both are magnitudes."""

    import_limit_kw: FloatArray
    export_limit_kw: FloatArray

    def __post_init__(self) -> None:
        _freeze_fields(self, "import_limit_kw", "export_limit_kw")


@dataclass(frozen=True, slots=True, eq=False)
class Prices:
    """Energy prices per step and the demand (peak) charge."""

    import_eur_per_kwh: FloatArray
    export_eur_per_kwh: FloatArray
    peak_eur_per_kw: float = 0.0
    peak_already_kw: float = 0.0

    def __post_init__(self) -> None:
        _freeze_fields(self, "import_eur_per_kwh", "export_eur_per_kwh")


@dataclass(frozen=True, slots=True, eq=False)
class Forecasts:
    """PV available power (before curtailment) and building consumption, both >= 0."""

    pv_kw: FloatArray
    building_kw: FloatArray

    def __post_init__(self) -> None:
        _freeze_fields(self, "pv_kw", "building_kw")


@dataclass(frozen=True, slots=True)
class StationaryBattery:
    """A stationary battery; SoC bounds are fractions of capacity, efficiency is one-way."""

    capacity_kwh: float
    max_charge_kw: float
    max_discharge_kw: float
    soc_min: float
    soc_max: float
    efficiency: float
    energy_kwh: float

    @property
    def energy_min_kwh(self) -> float:
        return self.soc_min * self.capacity_kwh

    @property
    def energy_max_kwh(self) -> float:
        return self.soc_max * self.capacity_kwh


@dataclass(frozen=True, slots=True)
class Evse:
    """One charging point; without a car it is idle."""

    evse_id: str
    max_charge_kw: float
    max_discharge_kw: float = 0.0
    controllable: bool = True


@dataclass(frozen=True, slots=True)
class EvSession:
    """A car at (or expected at) a charging point, with the user's needs."""

    session_id: str
    evse_id: str
    max_charge_kw: float
    max_discharge_kw: float
    arrival: datetime
    departure: datetime
    energy_kwh: float
    capacity_kwh: float
    target_energy_kwh: float
    min_energy_kwh: float = 0.0
    v2g_allowed: bool = False
    charge_efficiency: float = 0.95
    discharge_efficiency: float = 0.95
    hard_target: bool = False
    plugged_in: bool = True
    # What each kWh short of the target costs the plan; None: the hub's shortfall penalty, far above
    # any energy price. Expected (forecast) cars are worth less: the last ``optional_kwh`` of their
    # target only ``optional_price_eur_per_kwh`` each, so that part never raises the peak.
    shortfall_price_eur_per_kwh: float | None = None
    optional_kwh: float = 0.0
    optional_price_eur_per_kwh: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "arrival", _require_utc(self.arrival, "arrival"))
        object.__setattr__(self, "departure", _require_utc(self.departure, "departure"))
        if not 0.0 < self.charge_efficiency <= 1.0 or not 0.0 < self.discharge_efficiency <= 1.0:
            raise ValueError("efficiencies must be in (0, 1]")

    @property
    def energy_needed_kwh(self) -> float:
        return max(0.0, self.target_energy_kwh - self.energy_kwh)


@dataclass(frozen=True, slots=True)
class FlexCommitment:
    """An accepted flexibility request: during [start, end) the site's net grid power should move by
    ``requested_kw`` (positive: more consumption, negative: less consumption / more export) relative
    to ``reference_kw``; every kWh not delivered costs ``breach_price_eur_per_kwh``."""

    commitment_id: str
    start: datetime
    end: datetime
    requested_kw: float
    reference_kw: float
    breach_price_eur_per_kwh: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _require_utc(self.start, "start"))
        object.__setattr__(self, "end", _require_utc(self.end, "end"))

    @property
    def target_net_kw(self) -> float:
        return self.reference_kw + self.requested_kw


@dataclass(frozen=True, slots=True, eq=False)
class SiteSnapshot:
    """Everything the planner needs to know at one moment (``grid.start`` is now)."""

    grid: StepGrid
    limits: SiteLimits
    prices: Prices
    forecasts: Forecasts
    battery: StationaryBattery | None = None
    evses: tuple[Evse, ...] = ()
    sessions: tuple[EvSession, ...] = ()
    pv_curtailable: bool = False
    commitments: tuple[FlexCommitment, ...] = ()

    def __post_init__(self) -> None:
        steps = self.grid.steps
        for owner, names in (
            (self.limits, ("import_limit_kw", "export_limit_kw")),
            (self.prices, ("import_eur_per_kwh", "export_eur_per_kwh")),
            (self.forecasts, ("pv_kw", "building_kw")),
        ):
            for name in names:
                _freeze(owner, name, getattr(owner, name), steps)
        evse_ids = [evse.evse_id for evse in self.evses]
        if len(set(evse_ids)) != len(evse_ids):
            raise ValueError("evse ids must be unique")
        session_ids = [session.session_id for session in self.sessions]
        if len(set(session_ids)) != len(session_ids):
            raise ValueError("session ids must be unique")
        unknown = {session.evse_id for session in self.sessions} - set(evse_ids)
        if unknown:
            raise ValueError(f"sessions refer to unknown evses: {sorted(unknown)}")

    @property
    def now(self) -> datetime:
        return self.grid.start

    def evse(self, evse_id: str) -> Evse:
        return next(evse for evse in self.evses if evse.evse_id == evse_id)


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    """What the plan expects for one session at its departure (or at the plan's end)."""

    expected_energy_kwh: float
    target_energy_kwh: float
    at_risk: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class FlexibilityEnvelope:
    """kW the site could move per step without breaking a user target: up = more consumption."""

    up_kw: FloatArray
    down_kw: FloatArray

    def __post_init__(self) -> None:
        _freeze_fields(self, "up_kw", "down_kw")

    @classmethod
    def zeros(cls, steps: int) -> FlexibilityEnvelope:
        return cls(np.zeros(steps), np.zeros(steps))


@dataclass(frozen=True, slots=True)
class SolverDiagnostics:
    """Which stage produced the plan and why."""

    backend: str
    status: str
    solve_time_s: float
    fallback_used: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class StepSetpoints:
    """The setpoints of one step."""

    start: datetime
    evse_power_kw: dict[str, float]
    battery_power_kw: float
    grid_import_kw: float
    grid_export_kw: float
    pv_curtailment_kw: float


@dataclass(frozen=True, slots=True, eq=False)
class Plan:
    """A schedule on a step grid. EV and battery powers are signed (charging positive)."""

    grid: StepGrid
    evse_power_kw: dict[str, FloatArray]
    battery_power_kw: FloatArray
    grid_import_kw: FloatArray
    grid_export_kw: FloatArray
    pv_curtailment_kw: FloatArray
    flexibility: FlexibilityEnvelope
    session_outcomes: dict[str, SessionOutcome] = field(default_factory=dict)
    diagnostics: SolverDiagnostics = field(
        default_factory=lambda: SolverDiagnostics("none", "unknown", 0.0, False)
    )

    def __post_init__(self) -> None:
        steps = self.grid.steps
        for name in ("battery_power_kw", "grid_import_kw", "grid_export_kw", "pv_curtailment_kw"):
            _freeze(self, name, getattr(self, name), steps)
        object.__setattr__(
            self,
            "evse_power_kw",
            {key: as_series(value, steps, key) for key, value in self.evse_power_kw.items()},
        )
        _freeze(self.flexibility, "up_kw", self.flexibility.up_kw, steps)
        _freeze(self.flexibility, "down_kw", self.flexibility.down_kw, steps)

    def setpoints_at(self, moment: datetime) -> StepSetpoints:
        """Setpoints of the step containing ``moment``."""
        k = self.grid.index_of(moment)
        return StepSetpoints(
            start=self.grid.start + k * self.grid.step_delta,
            evse_power_kw={key: float(value[k]) for key, value in self.evse_power_kw.items()},
            battery_power_kw=float(self.battery_power_kw[k]),
            grid_import_kw=float(self.grid_import_kw[k]),
            grid_export_kw=float(self.grid_export_kw[k]),
            pv_curtailment_kw=float(self.pv_curtailment_kw[k]),
        )

    def shifted(self, k: int) -> Plan:
        """The plan moved forward by ``k`` steps; the uncovered tail is padded with zeros."""
        if k < 0:
            raise ValueError("k must be >= 0")

        def shift(values: FloatArray) -> FloatArray:
            out = np.zeros_like(values)
            if k < values.size:
                out[: values.size - k] = values[k:]
            return out

        envelope = self.flexibility
        return replace(
            self,
            grid=self.grid.shifted(k),
            evse_power_kw={key: shift(value) for key, value in self.evse_power_kw.items()},
            battery_power_kw=shift(self.battery_power_kw),
            grid_import_kw=shift(self.grid_import_kw),
            grid_export_kw=shift(self.grid_export_kw),
            pv_curtailment_kw=shift(self.pv_curtailment_kw),
            flexibility=FlexibilityEnvelope(shift(envelope.up_kw), shift(envelope.down_kw)),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (see ``from_dict``)."""
        envelope = self.flexibility
        return {
            "grid": {
                "start": self.grid.start.isoformat(),
                "step_minutes": self.grid.step_minutes,
                "steps": self.grid.steps,
            },
            "evse_power_kw": {key: value.tolist() for key, value in self.evse_power_kw.items()},
            "battery_power_kw": self.battery_power_kw.tolist(),
            "grid_import_kw": self.grid_import_kw.tolist(),
            "grid_export_kw": self.grid_export_kw.tolist(),
            "pv_curtailment_kw": self.pv_curtailment_kw.tolist(),
            "session_outcomes": {
                key: {
                    "expected_energy_kwh": outcome.expected_energy_kwh,
                    "target_energy_kwh": outcome.target_energy_kwh,
                    "at_risk": outcome.at_risk,
                    "reason": outcome.reason,
                }
                for key, outcome in self.session_outcomes.items()
            },
            "flexibility": {"up_kw": envelope.up_kw.tolist(), "down_kw": envelope.down_kw.tolist()},
            "diagnostics": {
                "backend": self.diagnostics.backend,
                "status": self.diagnostics.status,
                "solve_time_s": self.diagnostics.solve_time_s,
                "fallback_used": self.diagnostics.fallback_used,
                "reason": self.diagnostics.reason,
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        grid_data = data["grid"]
        grid = StepGrid(
            datetime.fromisoformat(grid_data["start"]),
            int(grid_data["step_minutes"]),
            int(grid_data["steps"]),
        )
        flexibility = data["flexibility"]
        return cls(
            grid=grid,
            evse_power_kw={key: np.array(value) for key, value in data["evse_power_kw"].items()},
            battery_power_kw=np.array(data["battery_power_kw"]),
            grid_import_kw=np.array(data["grid_import_kw"]),
            grid_export_kw=np.array(data["grid_export_kw"]),
            pv_curtailment_kw=np.array(data["pv_curtailment_kw"]),
            session_outcomes={
                key: SessionOutcome(**value) for key, value in data["session_outcomes"].items()
            },
            flexibility=FlexibilityEnvelope(np.array(flexibility["up_kw"]), np.array(flexibility["down_kw"])),
            diagnostics=SolverDiagnostics(**data["diagnostics"]),
        )
