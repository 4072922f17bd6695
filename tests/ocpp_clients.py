"""Adapters that let the ``ocpp`` package's charge points talk over aiohttp websockets in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import aiohttp
from ocpp.routing import on

HandlerT = TypeVar("HandlerT", bound=Callable[..., Any])


def handles(action: str) -> Callable[[HandlerT], HandlerT]:
    """``ocpp.routing.on`` with a type."""
    return cast(Callable[[HandlerT], HandlerT], on(action))


class AiohttpConnection:
    """Adapts an aiohttp websocket to the connection interface of ``ocpp.ChargePoint``."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def recv(self) -> str:
        return await self.ws.receive_str()

    async def send(self, text: str) -> None:
        await self.ws.send_str(text)
