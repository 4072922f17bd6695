"""What a handler of a station's request may use: read and change the station's state, emit events and
queue the hub's own requests, but never await one.

A handler answers while the station waits; awaiting a request to the same station from there would
deadlock the connection. ``HandlerContext`` has no ``call``, so a handler that tries does not type-check.
Work that needs requests goes to ``after_reply``, which gets the full session once the answer is out.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from .authorization import TokenAuthority
from .events import CsmsEvent
from .registry import PendingStation, StationConfig
from .settings import CsmsSettings
from .signing import CertificateSigner
from .state import EvseState, StationState

if TYPE_CHECKING:
    from .station import Session

# Work started once the request being handled has been answered; it may send requests.
AfterReply = Callable[["Session"], Coroutine[Any, Any, None]]


class HandlerContext(Protocol):
    """The part of a station's session a request handler sees."""

    state: StationState
    station_id: str
    ocpp_version: str
    config: StationConfig | None
    pending: PendingStation | None
    settings: CsmsSettings
    authority: TokenAuthority
    signer: CertificateSigner | None
    last_token: str | None

    @property
    def emit(self) -> Callable[[CsmsEvent], None]:
        """Tell the hub what happened."""

    def mark_dirty(self) -> None:
        """The durable state changed: it goes to disk before the answer."""

    def evse(self, evse_id: int) -> EvseState:
        """A configured EVSE; any other id is refused."""

    def call_soon(self, action: str, payload: dict[str, Any]) -> None:
        """Send a request once the current one has been answered."""

    def after_reply(self, work: AfterReply) -> None:
        """Run ``work`` with the session once the current request has been answered."""

    def log_once(self, kind: str, message: str) -> None:
        """Log a recurring problem of this station only the first time."""

    @property
    def v2g_capable(self) -> bool:
        """Declared bidirectional and speaking OCPP 2.1."""
