"""Typed errors raised by the CSMS to its callers."""

from __future__ import annotations

from typing import Any


class CsmsError(Exception):
    """Base class of every error the CSMS raises to the code that drives it."""


class StationOffline(CsmsError):
    """The station has no live connection, so nothing can be sent to it."""

    def __init__(self, station_id: str) -> None:
        super().__init__(f"station {station_id} is not connected")
        self.station_id = station_id


class UnknownStation(CsmsError):
    """The station id is neither configured nor pending."""

    def __init__(self, station_id: str) -> None:
        super().__init__(f"station {station_id} is unknown")
        self.station_id = station_id


class CallError(CsmsError):
    """The station answered a CALL with a CALLERROR."""

    def __init__(
        self, action: str, code: str, description: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{action} failed: {code} {description}".strip())
        self.action = action
        self.code = code
        self.description = description
        self.details = details or {}


class CallTimeout(CsmsError):
    """The station did not answer a CALL in time."""

    def __init__(self, action: str, timeout_s: float) -> None:
        super().__init__(f"{action}: no answer within {timeout_s:g} s")
        self.action = action
        self.timeout_s = timeout_s


class InvalidRequest(CsmsError):
    """A request built by the CSMS does not match the OCPP schema (a programming error)."""


class NotSupportedByVersion(CsmsError):
    """The command does not exist in the OCPP version the station speaks."""

    def __init__(self, action: str, version: str) -> None:
        super().__init__(f"{action} is not available in OCPP {version}")
        self.action = action
        self.version = version


class NoTransaction(CsmsError):
    """A transaction-bound command was issued for an EVSE without an open transaction."""

    def __init__(self, station_id: str, evse_id: int) -> None:
        super().__init__(f"station {station_id} EVSE {evse_id} has no open transaction")
        self.station_id = station_id
        self.evse_id = evse_id


class CommandRejected(CsmsError):
    """The station answered, but refused the command (status other than Accepted)."""

    def __init__(self, action: str, status: str, reason: str | None = None) -> None:
        super().__init__(f"{action} rejected: {status}" + (f" ({reason})" if reason else ""))
        self.action = action
        self.status = status
        self.reason = reason


class PeerRefused(Exception):
    """A station's request names something the hub must refuse; answered with ``code`` as a CALLERROR."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
