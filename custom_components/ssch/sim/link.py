"""The OCPP-J link of a station, common to every version: websocket adapter and base charge point."""

from __future__ import annotations

from collections.abc import Callable
import logging
from typing import Any, cast

import aiohttp
from ocpp.charge_point import ChargePoint
from ocpp.exceptions import (
    InternalError,
    NotImplementedError as OcppNotImplementedError,
    OCPPError,
)
from ocpp.routing import after, on

from .stats import LinkStats

_QUIET_OCPP_LOGGER = logging.getLogger("ocpp.sim")
_QUIET_OCPP_LOGGER.setLevel(logging.WARNING)

Handler = Callable[..., Any]


class ConnectionLostError(Exception):
    """The websocket to the CSMS closed or failed."""


def handles(action: str) -> Callable[[Handler], Handler]:
    """Typed wrapper around ``ocpp.routing.on`` (the library is untyped)."""
    return cast(Callable[[Handler], Handler], on(action))


def after_answering(action: str) -> Callable[[Handler], Handler]:
    """Typed wrapper around ``ocpp.routing.after``: runs once the answer to ``action`` is sent."""
    return cast(Callable[[Handler], Handler], after(action))


class WebsocketConnection:
    """Adapts an aiohttp client websocket to the ``recv``/``send`` pair ``ocpp`` expects."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self._websocket = websocket
        self.frames_received = 0
        self.frames_sent = 0

    async def recv(self) -> str:
        message = await self._websocket.receive()
        if message.type is aiohttp.WSMsgType.TEXT:
            self.frames_received += 1
            return cast(str, message.data)
        if message.type is aiohttp.WSMsgType.BINARY:
            self.frames_received += 1
            return cast(bytes, message.data).decode("utf-8", errors="replace")
        raise ConnectionLostError(f"websocket ended: {message.type.name}")

    async def close(self) -> None:
        """End the connection from the station's side."""
        await self._websocket.close()

    async def send(self, text: str) -> None:
        if self._websocket.closed:
            raise ConnectionLostError("websocket is closed")
        self.frames_sent += 1
        await self._websocket.send_str(text)


class StationChargePoint(ChargePoint):  # type: ignore[misc]
    """Charging-station side of one connection, any OCPP version.

    Counts the CSMS's requests and answers those it has no handler for with a CALLERROR. Subclasses
    add the ``@handles`` methods of their version.
    """

    def __init__(
        self,
        station_id: str,
        connection: WebsocketConnection,
        stats: LinkStats,
        response_timeout: float,
    ) -> None:
        super().__init__(station_id, connection, response_timeout, logger=_QUIET_OCPP_LOGGER)
        self._stats = stats

    async def _handle_call(self, msg: Any) -> Any:
        action = str(msg.action)
        self._stats.calls_received[action] += 1
        if action not in self.route_map:
            # ocpp 2.1.0 stays silent on unknown 2.x actions; a real station answers.
            raise self.unhandled_action_error(action)
        try:
            return await super()._handle_call(msg)
        except OCPPError:
            raise
        except Exception as err:
            # e.g. an action that has no schema in this OCPP version
            raise InternalError(details={"cause": f"cannot handle {action}"}) from err

    def unhandled_action_error(self, action: str) -> OCPPError:
        """Return the CALLERROR for a request this station has no handler for."""
        return OcppNotImplementedError(details={"cause": f"{action} is not supported"})
