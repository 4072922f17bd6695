"""What the CSMS knows about each station; the durable part survives restarts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import format_timestamp, parse_timestamp
from .sequence import EndedTransactions, SeqTracker
from .v16_transaction_ids import TransactionIds


@dataclass(slots=True)
class EvLimits:
    """Power limits the EV reported (kW, all >= 0)."""

    max_charge_kw: float | None = None
    min_charge_kw: float | None = None
    max_discharge_kw: float | None = None
    min_discharge_kw: float | None = None
    min_current_a: float | None = None  # AC, per phase
    max_current_a: float | None = None
    max_voltage_v: float | None = None


@dataclass(slots=True)
class EnergyMeter:
    """Turns station register readings into counters that never go backwards.

    A station may reset its register (replacement, firmware update). A reading below the last one is
    held, not counted: one glitch must not make the next normal reading count everything again. When
    the next reading goes on from the low one, the register was reset and counts from zero.
    """

    total_kwh: float = 0.0
    last_register_kwh: float | None = None
    held_kwh: float | None = None  # a reading below the last, waiting to be confirmed as a reset

    def add_reading(self, register_kwh: float, *, stale: bool = False) -> bool:
        """Fold one register reading into the monotonic total; returns whether it went backwards.

        ``stale`` marks a reading older than one already seen: if it is lower it is a replay,
        not a reset.
        """
        last = self.last_register_kwh
        if register_kwh < 0 or (stale and last is not None and register_kwh < last):
            return False
        if last is None or register_kwh >= last:
            self._count(register_kwh - last if last is not None else 0.0, register_kwh)
            return False
        if self.held_kwh is not None and register_kwh >= self.held_kwh:
            self._count(register_kwh, register_kwh)
            return False
        self.held_kwh = register_kwh
        return True

    def _count(self, delta_kwh: float, register_kwh: float) -> None:
        self.total_kwh = round(self.total_kwh + delta_kwh, 6)
        self.last_register_kwh = register_kwh
        self.held_kwh = None


@dataclass(slots=True)
class EvseState:
    """One EVSE. Power is signed: positive = into the EV."""

    status: str | None = None
    transaction_id: str | None = None
    charging_state: str | None = None
    power_kw: float = 0.0
    charged: EnergyMeter = field(default_factory=EnergyMeter)
    discharged: EnergyMeter = field(default_factory=EnergyMeter)
    session_start_charged_kwh: float = 0.0
    session_start_discharged_kwh: float = 0.0
    session_started_at: datetime | None = None  # when the car was plugged in, as far as known
    ev_soc_pct: float | None = None
    last_sampled_at: datetime | None = None
    departure_time: datetime | None = None
    energy_request_kwh: float | None = None
    requested_energy_transfer: str | None = None
    control_mode: str | None = None
    ev_limits: EvLimits = field(default_factory=EvLimits)
    active_setpoint_kw: float | None = None
    active_profile_id: int | None = None
    profile_is_dynamic: bool = False
    operation_mode: str | None = None
    v2g_allowed: bool = True
    phases_in_use: int | None = None  # AC phases the car draws on, from per-phase currents
    voltage_v: float | None = None  # measured phase-to-neutral voltage
    error_code: str | None = None  # OCPP 1.6 connector error other than NoError
    sequence: SeqTracker = field(default_factory=SeqTracker)  # seqNos of the open transaction's events

    @property
    def energy_charged_kwh(self) -> float:
        """Energy delivered into the EV over the EVSE's life in this hub (monotonic)."""
        return self.charged.total_kwh

    @property
    def energy_discharged_kwh(self) -> float:
        """Energy taken from the EV over the EVSE's life in this hub (monotonic)."""
        return self.discharged.total_kwh

    @property
    def session_energy_kwh(self) -> float:
        """Net energy into the EV since the current (or last) transaction started."""
        charged = self.charged.total_kwh - self.session_start_charged_kwh
        discharged = self.discharged.total_kwh - self.session_start_discharged_kwh
        return charged - discharged

    def start_session(self, transaction_id: str, started_at: datetime | None = None) -> None:
        """Mark the counters at the start of a transaction."""
        self.transaction_id = transaction_id
        self.sequence = SeqTracker()
        self.session_started_at = started_at
        self.ev_soc_pct = None  # a new car: the last one's SoC says nothing about it
        self.session_start_charged_kwh = self.charged.total_kwh
        self.session_start_discharged_kwh = self.discharged.total_kwh
        self.forget_setpoint()

    def end_session(self) -> None:
        """Close the transaction; the EV-specific data goes with it."""
        self.transaction_id = None
        self.sequence = SeqTracker()
        self.session_started_at = None
        self.charging_state = None
        self.power_kw = 0.0
        self.ev_soc_pct = None
        self.departure_time = None
        self.energy_request_kwh = None
        self.requested_energy_transfer = None
        self.control_mode = None
        self.ev_limits = EvLimits()
        self.forget_setpoint()

    def forget_setpoint(self) -> None:
        """Drop what the CSMS believes the station applies (profile cleared or expired)."""
        self.active_setpoint_kw = None
        self.active_profile_id = None
        self.profile_is_dynamic = False
        self.operation_mode = None


@dataclass(slots=True)
class StationState:
    """One station as seen from the hub."""

    station_id: str
    connected: bool = False
    ocpp_version: str | None = None
    vendor: str | None = None
    model: str | None = None
    firmware_version: str | None = None
    serial_number: str | None = None
    firmware_status: str | None = None
    diagnostics_status: str | None = None
    booted: bool = False
    last_heartbeat: datetime | None = None
    latency_ms: float | None = None
    reconnects: int = 0
    evses: dict[int, EvseState] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    ended: EndedTransactions = field(default_factory=EndedTransactions)
    charging_rate_unit: str | None = None  # "A" or "W": what a 1.6 station takes in its profiles
    transaction_ids: TransactionIds = field(default_factory=TransactionIds)  # OCPP 1.6 only

    def evse(self, evse_id: int) -> EvseState:
        """Return the EVSE, creating it on first mention."""
        found = self.evses.get(evse_id)
        if found is None:
            if not isinstance(evse_id, int) or isinstance(evse_id, bool):
                raise TypeError(f"EVSE id must be an integer, got {evse_id!r}")
            found = self.evses[evse_id] = EvseState()
        return found

    def evse_of_transaction(self, transaction_id: str) -> int | None:
        """Return the id of the EVSE running ``transaction_id``."""
        for evse_id, evse in self.evses.items():
            if evse.transaction_id == transaction_id:
                return evse_id
        return None

    def to_dict(self) -> dict[str, Any]:
        """The durable part, JSON-ready."""
        return {
            "ocpp_version": self.ocpp_version,
            "vendor": self.vendor,
            "model": self.model,
            "firmware_version": self.firmware_version,
            "serial_number": self.serial_number,
            "reconnects": self.reconnects,
            "evses": {str(evse_id): _evse_to_dict(evse) for evse_id, evse in self.evses.items()},
            "ended": self.ended.to_dict(),
            "charging_rate_unit": self.charging_rate_unit,
            "transaction_ids": self.transaction_ids.to_dict(),
        }

    @classmethod
    def from_dict(cls, station_id: str, data: dict[str, Any]) -> StationState:
        """Rebuild from :meth:`to_dict` output; unknown or broken fields fall back to defaults."""
        state = cls(
            station_id=station_id,
            ocpp_version=_opt_str(data.get("ocpp_version")),
            vendor=_opt_str(data.get("vendor")),
            model=_opt_str(data.get("model")),
            firmware_version=_opt_str(data.get("firmware_version")),
            serial_number=_opt_str(data.get("serial_number")),
            reconnects=int(data.get("reconnects", 0)),
            ended=EndedTransactions.from_dict(data.get("ended")),
            charging_rate_unit=_opt_str(data.get("charging_rate_unit")),
            transaction_ids=TransactionIds.from_dict(data.get("transaction_ids")),
        )
        for key, evse_data in dict(data.get("evses", {})).items():
            state.evses[int(key)] = _evse_from_dict(evse_data)
        return state


def _evse_to_dict(evse: EvseState) -> dict[str, Any]:
    return {
        "transaction_id": evse.transaction_id,
        "sequence": evse.sequence.to_list(),
        "charged_kwh": evse.charged.total_kwh,
        "charged_register_kwh": evse.charged.last_register_kwh,
        "discharged_kwh": evse.discharged.total_kwh,
        "discharged_register_kwh": evse.discharged.last_register_kwh,
        "session_start_charged_kwh": evse.session_start_charged_kwh,
        "session_start_discharged_kwh": evse.session_start_discharged_kwh,
        "session_started_at": format_timestamp(evse.session_started_at) if evse.session_started_at else None,
        "departure_time": format_timestamp(evse.departure_time) if evse.departure_time else None,
        "last_sampled_at": format_timestamp(evse.last_sampled_at) if evse.last_sampled_at else None,
        "energy_request_kwh": evse.energy_request_kwh,
        "v2g_allowed": evse.v2g_allowed,
    }


def _evse_from_dict(data: dict[str, Any]) -> EvseState:
    return EvseState(
        transaction_id=_opt_str(data.get("transaction_id")),
        sequence=SeqTracker.from_list(data.get("sequence")),
        charged=EnergyMeter(float(data.get("charged_kwh", 0.0)), _opt_float(data, "charged_register_kwh")),
        discharged=EnergyMeter(
            float(data.get("discharged_kwh", 0.0)), _opt_float(data, "discharged_register_kwh")
        ),
        session_start_charged_kwh=float(data.get("session_start_charged_kwh", 0.0)),
        session_start_discharged_kwh=float(data.get("session_start_discharged_kwh", 0.0)),
        session_started_at=parse_timestamp(data.get("session_started_at")),
        departure_time=parse_timestamp(data.get("departure_time")),
        last_sampled_at=parse_timestamp(data.get("last_sampled_at")),
        energy_request_kwh=_opt_float(data, "energy_request_kwh"),
        v2g_allowed=bool(data.get("v2g_allowed", True)),
    )


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _opt_float(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    return float(value) if isinstance(value, int | float) else None
