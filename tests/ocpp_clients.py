"""Adapters that let the ``ocpp`` package's charge points talk over aiohttp websockets in tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
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


@contextlib.asynccontextmanager
async def receiving(station: Any, ws: aiohttp.ClientWebSocketResponse) -> AsyncIterator[Any]:
    """Run an ``ocpp`` charge point's receive loop for the duration of a block, then close its socket."""
    loop_task = asyncio.create_task(station.start())
    try:
        yield station
    finally:
        loop_task.cancel()
        with contextlib.suppress(BaseException):
            await loop_task
        await ws.close()
