"""Events the CSMS reports to its listeners (the HA layer, the CLI, tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class StationConnected:
    station_id: str
    ocpp_version: str
    reconnects: int


@dataclass(frozen=True, slots=True)
class StationDisconnected:
    station_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class StationBooted:
    station_id: str
    vendor: str
    model: str
    firmware_version: str | None
    reason: str | None
    serial_number: str | None = None


@dataclass(frozen=True, slots=True)
class PendingExpired:
    """An unknown station left the pending list after a long silence."""

    station_id: str


@dataclass(frozen=True, slots=True)
class TokenPresented:
    """A card (idToken) was presented at a station, and what the hub answered."""

    station_id: str
    evse_id: int | None
    id_token: str
    token_type: str
    status: str


@dataclass(frozen=True, slots=True)
class StationPending:
    """An unknown station connected while adopting is enabled; it waits to be added."""

    station_id: str
    remote: str | None
    vendor: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class VersionMismatchRefused:
    """A station offered only OCPP versions other than the one it is pinned to."""

    station_id: str
    pinned_version: str
    offered: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatusChanged:
    station_id: str
    evse_id: int
    connector_id: int
    status: str


@dataclass(frozen=True, slots=True)
class TransactionStarted:
    station_id: str
    evse_id: int
    transaction_id: str
    id_token: str | None


@dataclass(frozen=True, slots=True)
class TransactionUpdated:
    station_id: str
    evse_id: int
    transaction_id: str
    charging_state: str | None


@dataclass(frozen=True, slots=True)
class TransactionEnded:
    station_id: str
    evse_id: int
    transaction_id: str
    session_energy_kwh: float
    stopped_reason: str | None
    ev_soc_pct: float | None = None  # the car's last reported SoC, when it reported one


@dataclass(frozen=True, slots=True)
class MeterValuesReceived:
    """Fresh readings for one EVSE; power is signed (positive = into the EV)."""

    station_id: str
    evse_id: int
    power_kw: float
    energy_charged_kwh: float
    energy_discharged_kwh: float
    ev_soc_pct: float | None


@dataclass(frozen=True, slots=True)
class EvNeedsReceived:
    station_id: str
    evse_id: int
    requested_energy_transfer: str
    control_mode: str | None
    departure_time: datetime | None
    energy_request_kwh: float | None
    max_charge_kw: float | None
    max_discharge_kw: float | None


@dataclass(frozen=True, slots=True)
class FaultReported:
    """A connector went Faulted or the station reported a problem through NotifyEvent."""

    station_id: str
    evse_id: int | None
    component: str
    detail: str
    cleared: bool = False


@dataclass(frozen=True, slots=True)
class SecurityEventReported:
    station_id: str
    event_type: str
    tech_info: str | None


@dataclass(frozen=True, slots=True)
class FirmwareStatusChanged:
    station_id: str
    status: str


@dataclass(frozen=True, slots=True)
class SetpointClipped:
    """A setpoint was limited before sending (e.g. discharge on a charging-only EVSE)."""

    station_id: str
    evse_id: int
    requested_kw: float
    applied_kw: float
    reason: str


CsmsEvent = (
    StationConnected
    | StationDisconnected
    | StationBooted
    | StationPending
    | VersionMismatchRefused
    | StatusChanged
    | TransactionStarted
    | TransactionUpdated
    | TransactionEnded
    | MeterValuesReceived
    | EvNeedsReceived
    | FaultReported
    | SecurityEventReported
    | FirmwareStatusChanged
    | SetpointClipped
    | TokenPresented
    | PendingExpired
)

EventListener = Callable[[CsmsEvent], Any]
