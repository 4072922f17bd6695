"""The OCPP 1.6 side of the fixture CSMS: an ``ocpp.v16.ChargePoint`` with ``@on`` handlers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
import itertools
import logging
from typing import Any, Protocol, cast

from ocpp.routing import on
from ocpp.v16 import ChargePoint as V16ChargePoint, call_result

_Handler = Callable[..., Any]
_QUIET = logging.getLogger("ocpp.fixture16")
_QUIET.setLevel(logging.CRITICAL)


def _handles(action: str) -> Callable[[_Handler], _Handler]:
    return cast(Callable[[_Handler], _Handler], on(action))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Recorder(Protocol):
    """What the 1.6 charge point needs of the fixture CSMS."""

    heartbeat_interval_s: int
    boot_statuses: list[str]
    authorize_status: str
    start_transaction_status: str
    transaction_ids: itertools.count[int]

    def record(self, station_id: str, action: str, payload: dict[str, Any]) -> None: ...


class CentralSystem16ChargePoint(V16ChargePoint):  # type: ignore[misc]
    """Central-system side of one 1.6 connection; records what the charge point sends."""

    def __init__(self, station_id: str, connection: Any, csms: Recorder) -> None:
        super().__init__(station_id, connection, response_timeout=10, logger=_QUIET)
        self.connection = connection
        self._csms = csms

    def _record(self, action: str, payload: dict[str, Any]) -> None:
        self._csms.record(self.id, action, payload)

    @_handles("BootNotification")
    def _boot(self, **payload: Any) -> Any:
        self._record("BootNotification", payload)
        status = self._csms.boot_statuses.pop(0) if self._csms.boot_statuses else "Accepted"
        return call_result.BootNotification(
            current_time=_now(), interval=self._csms.heartbeat_interval_s, status=status
        )

    @_handles("Heartbeat")
    def _heartbeat(self, **payload: Any) -> Any:
        self._record("Heartbeat", payload)
        return call_result.Heartbeat(current_time=_now())

    @_handles("StatusNotification")
    def _status(self, **payload: Any) -> Any:
        self._record("StatusNotification", payload)
        return call_result.StatusNotification()

    @_handles("Authorize")
    def _authorize(self, **payload: Any) -> Any:
        self._record("Authorize", payload)
        return call_result.Authorize(id_tag_info={"status": self._csms.authorize_status})

    @_handles("StartTransaction")
    def _start_transaction(self, **payload: Any) -> Any:
        self._record("StartTransaction", payload)
        return call_result.StartTransaction(
            transaction_id=next(self._csms.transaction_ids),
            id_tag_info={"status": self._csms.start_transaction_status},
        )

    @_handles("MeterValues")
    def _meter_values(self, **payload: Any) -> Any:
        self._record("MeterValues", payload)
        return call_result.MeterValues()

    @_handles("StopTransaction")
    def _stop_transaction(self, **payload: Any) -> Any:
        self._record("StopTransaction", payload)
        return call_result.StopTransaction(id_tag_info={"status": "Accepted"})

    @_handles("DiagnosticsStatusNotification")
    def _diagnostics_status(self, **payload: Any) -> Any:
        self._record("DiagnosticsStatusNotification", payload)
        return call_result.DiagnosticsStatusNotification()

    @_handles("FirmwareStatusNotification")
    def _firmware_status(self, **payload: Any) -> Any:
        self._record("FirmwareStatusNotification", payload)
        return call_result.FirmwareStatusNotification()
