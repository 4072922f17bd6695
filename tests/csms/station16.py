"""A connected 1.6 station of the ``ocpp`` package for the CSMS tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib

import aiohttp

from tests.ocpp_clients import AiohttpConnection
from tests.station16 import Station16

from .conftest import Hub, connect_raw


@contextlib.asynccontextmanager
async def station16(http: aiohttp.ClientSession, hub: Hub, station_id: str) -> AsyncIterator[Station16]:
    """A connected 1.6 station whose receive loop runs until the block ends."""
    ws = await connect_raw(http, hub, station_id, ("ocpp1.6",))
    station = Station16(station_id, AiohttpConnection(ws))
    loop_task = asyncio.create_task(station.start())
    try:
        yield station
    finally:
        loop_task.cancel()
        with contextlib.suppress(BaseException):
            await loop_task
        await ws.close()
