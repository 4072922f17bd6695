"""Availability and status of connector 0 (the station) and connector 1, as 1.6 names them."""

from __future__ import annotations

from ocpp.v16.enums import AvailabilityStatus, ChargePointStatus

from .messages import CONNECTOR_ID

STATION = 0
AVAILABLE = str(ChargePointStatus.available)
PREPARING = str(ChargePointStatus.preparing)
FINISHING = str(ChargePointStatus.finishing)
UNAVAILABLE = str(ChargePointStatus.unavailable)
# The 2.x-style charging states the station computes are 1.6 connector statuses as they are.
_DURING_TRANSACTION = {
    "Charging": str(ChargePointStatus.charging),
    "SuspendedEV": str(ChargePointStatus.suspended_ev),
    "SuspendedEVSE": str(ChargePointStatus.suspended_evse),
}


class ConnectorState:
    """Whether the station and its connector are operative, and what was last reported."""

    def __init__(self) -> None:
        self.operative = {STATION: True, CONNECTOR_ID: True}
        self.inoperative_after_transaction: set[int] = set()
        self.finishing = False  # a transaction ended while the car stays plugged in
        self.reported: dict[int, str] = {}

    @property
    def usable(self) -> bool:
        """Tell whether a new transaction may start."""
        return self.operative[STATION] and self.operative[CONNECTOR_ID]

    def status(
        self, connector_id: int, *, car_plugged: bool, transaction_running: bool, charging_state: str | None
    ) -> str:
        """Return the status of a connector (0: the station as a whole)."""
        if connector_id == STATION:
            return AVAILABLE if self.operative[STATION] else UNAVAILABLE
        if transaction_running:
            return _DURING_TRANSACTION.get(charging_state or "", PREPARING)
        if not self.usable:
            return UNAVAILABLE
        if not car_plugged:
            return AVAILABLE
        return FINISHING if self.finishing else PREPARING

    def change_availability(self, connector_id: int, operative: bool, transaction_running: bool) -> str:
        """Answer ChangeAvailability; taking a busy connector out waits until its transaction ends."""
        if connector_id not in (STATION, CONNECTOR_ID):
            return str(AvailabilityStatus.rejected)
        if not operative and transaction_running:
            self.inoperative_after_transaction.add(connector_id)
            return str(AvailabilityStatus.scheduled)
        self.inoperative_after_transaction.discard(connector_id)
        self.operative[connector_id] = operative
        return str(AvailabilityStatus.accepted)

    def transaction_ended(self) -> None:
        """Apply the availability changes that waited for the transaction."""
        for connector_id in self.inoperative_after_transaction:
            self.operative[connector_id] = False
        self.inoperative_after_transaction.clear()
