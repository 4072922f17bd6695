"""Which handler answers each station request, per OCPP version."""

from __future__ import annotations

from collections.abc import Mapping

from .handlers import HANDLERS, Handler
from .v16_handlers import HANDLERS_16

PENDING_ALLOWED = frozenset({"BootNotification", "Heartbeat"})
# Messages that carry energy: never refused for rate, only slowed down.
TRANSACTION_ACTIONS = frozenset({"TransactionEvent", "MeterValues", "StartTransaction", "StopTransaction"})


def handlers_for(ocpp_version: str) -> Mapping[str, Handler]:
    """The handlers of the requests a station of ``ocpp_version`` may send."""
    return HANDLERS_16 if ocpp_version == "1.6" else HANDLERS


INCOMING_ACTIONS = frozenset(HANDLERS) | frozenset(HANDLERS_16)
