"""Plain configuration records of the simulator: cars, stations, injected misbehaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

# ChargingScheduleAllowedChargingRateUnit values a 1.6 station may announce.
CHARGING_RATE_UNIT_CHOICES = ("Current", "Power", "Current,Power")


class OcppVersion(StrEnum):
    """OCPP versions the simulated stations speak; the value is the version string."""

    V201 = "2.0.1"
    V21 = "2.1"
    V16 = "1.6"

    @property
    def subprotocol(self) -> str:
        """Return the websocket subprotocol that announces this version."""
        return f"ocpp{self.value}"


@dataclass(frozen=True, slots=True)
class V2xLimits:
    """What a bidirectional car accepts when asked to discharge."""

    max_discharge_power_kw: float
    min_discharge_power_kw: float = 0.0
    min_soc_percent: float = 20.0


@dataclass(frozen=True, slots=True)
class CarVisit:
    """One car that plugs in at ``arrival`` and leaves at ``departure`` (simulated time)."""

    arrival: datetime
    departure: datetime
    energy_initial_kwh: float
    capacity_kwh: float
    target_soc_percent: float = 100.0
    max_charge_power_kw: float = 11.0
    # 6 A on one 230 V phase: the least an AC car draws (IEC 61851).
    min_charge_power_kw: float = 1.38
    v2x: V2xLimits | None = None
    id_token: str = "SIMCARD"

    def __post_init__(self) -> None:
        if self.departure <= self.arrival:
            raise ValueError("a car must leave after it arrives")
        if not 0 <= self.energy_initial_kwh <= self.capacity_kwh:
            raise ValueError("initial energy must lie between 0 and the battery capacity")


@dataclass(frozen=True, slots=True)
class Misbehaviour:
    """Faults a station firmware can be told to show, to test how a server copes."""

    ignore_setpoints: bool = False
    malformed_frame_every_s: float | None = None


@dataclass(frozen=True, slots=True)
class StationConfig:
    """Everything one simulated charging station needs to run.

    ``phases``, ``nominal_voltage_v`` and ``min_current_a`` describe the AC supply and the car's
    smallest charging current; ``charging_rate_units`` is what a 1.6 station announces in
    ``ChargingScheduleAllowedChargingRateUnit``.
    """

    station_id: str
    url: str
    password: str | None = None
    ocpp_version: OcppVersion = OcppVersion.V21
    evse_max_power_kw: float = 11.0
    phases: int = 3
    heartbeat_fallback_s: float = 300.0
    meter_interval_s: float = 60.0
    control_mode: str = "DynamicControl"
    visits: tuple[CarVisit, ...] = ()
    vendor: str = "SSCH"
    model: str = "SimulatedStation"
    call_timeout_s: float = 30.0
    reconnect_initial_s: float = 0.5
    reconnect_max_s: float = 30.0
    validate_schemas: bool = True
    misbehaviour: Misbehaviour = field(default_factory=Misbehaviour)
    nominal_voltage_v: float = 230.0
    min_current_a: float = 6.0
    charging_rate_units: str = "Current"
    firmware_version: str = "sim-1"

    def __post_init__(self) -> None:
        if self.phases not in (1, 2, 3):
            raise ValueError("a station has 1, 2 or 3 phases")
        if self.nominal_voltage_v <= 0 or self.min_current_a < 0:
            raise ValueError("the voltage must be positive and the minimum current not negative")
        if self.charging_rate_units not in CHARGING_RATE_UNIT_CHOICES:
            raise ValueError(f"charging_rate_units must be one of {CHARGING_RATE_UNIT_CHOICES}")

    @property
    def endpoint(self) -> str:
        """Return the websocket URL of this station: the server URL plus the station id."""
        return f"{self.url.rstrip('/')}/{self.station_id}"

    @property
    def evse_max_current_a(self) -> float:
        """Return the current per phase at which the EVSE delivers its maximum power."""
        return self.evse_max_power_kw * 1000.0 / (self.phases * self.nominal_voltage_v)
