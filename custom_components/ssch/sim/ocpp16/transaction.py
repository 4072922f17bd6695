"""The connector's 1.6 transaction and the StartTransaction / MeterValues / StopTransaction requests.

The CSMS numbers a 1.6 transaction in its answer to StartTransaction. Requests queued before that
answer (offline, or while it is on its way) are built only when their turn comes, so they carry the
number by then; a StopTransaction whose start never got a number cannot be sent and is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
import logging
from typing import Any

from ocpp.v16.enums import AuthorizationStatus

from custom_components.ssch.sim.outbox import Outbox

from . import messages

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class RunningTransaction:
    """A transaction as the station knows it."""

    id_tag: str
    started_at: datetime
    meter_start_wh: int
    transaction_id: int | None = None  # the CSMS's number, once it answered StartTransaction


class Transactions:
    """Starts and stops the connector's transaction and queues the requests that report it.

    ``on_refused(transaction, status)`` runs when the CSMS answers a StartTransaction with an id tag
    status other than Accepted (the firmware then stops the transaction, as 1.6 asks).
    """

    def __init__(self, outbox: Outbox, on_refused: Callable[[RunningTransaction, str], None]) -> None:
        self._outbox = outbox
        self._on_refused = on_refused
        self.current: RunningTransaction | None = None

    @property
    def transaction_id(self) -> int | None:
        return self.current.transaction_id if self.current else None

    def start(self, now: datetime, id_tag: str, meter_wh: float) -> RunningTransaction:
        """Begin a transaction now and queue its StartTransaction."""
        transaction = RunningTransaction(messages.id_tag(id_tag), now, round(meter_wh))
        self.current = transaction

        def on_result(result: Any) -> None:
            transaction.transaction_id = int(result.transaction_id)
            status = str((result.id_tag_info or {}).get("status"))
            if status != AuthorizationStatus.accepted:
                self._on_refused(transaction, status)

        request = messages.start_transaction(transaction.id_tag, transaction.meter_start_wh, now)
        self._outbox.put(request, on_result)
        return transaction

    def report(self, values: dict[str, Any]) -> None:
        """Queue a MeterValues of the connector (for the running transaction, if there is one)."""
        transaction = self.current
        self._outbox.put_built_later(
            lambda: messages.meter_values(transaction.transaction_id if transaction else None, values)
        )

    def stop(self, now: datetime, meter_wh: float, reason: str, last_values: dict[str, Any]) -> None:
        """End the running transaction now and queue its StopTransaction."""
        transaction = self.current
        if transaction is None:
            return
        self.current = None

        def build() -> Any | None:
            if transaction.transaction_id is None:
                _LOGGER.warning("transaction started at %s never got an id; its stop is dropped", now)
                return None
            return messages.stop_transaction(
                transaction.transaction_id,
                round(meter_wh),
                now,
                reason=reason,
                token=transaction.id_tag,
                last_values=last_values,
            )

        self._outbox.put_built_later(build)
