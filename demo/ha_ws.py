"""A minimal client for Home Assistant's websocket API (registries and dashboards)."""

from __future__ import annotations

from itertools import count
from types import TracebackType
from typing import Any, Self

import aiohttp


class HomeAssistantWebsocket:
    """One authenticated websocket connection; ``call`` sends a command and returns its result."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        """Connect to the Home Assistant at ``url`` (http://...) with an access token."""
        self._session = session
        self._url = url.replace("http", "ws", 1) + "/api/websocket"
        self._token = token
        self._ids = count(1)
        self._socket: aiohttp.ClientWebSocketResponse | None = None

    async def __aenter__(self) -> Self:
        self._socket = await self._session.ws_connect(self._url)
        await self._socket.receive_json()  # auth_required
        await self._socket.send_json({"type": "auth", "access_token": self._token})
        answer = await self._socket.receive_json()
        if answer.get("type") != "auth_ok":
            raise SystemExit(f"Home Assistant refused the websocket login: {answer}")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def call(self, command: str, **data: Any) -> Any:
        """Send one command and wait for its result (events of other subscriptions are not used here)."""
        if self._socket is None:
            raise RuntimeError("not connected")
        message_id = next(self._ids)
        await self._socket.send_json({"id": message_id, "type": command, **data})
        while True:
            answer = await self._socket.receive_json()
            if answer.get("id") == message_id and answer.get("type") == "result":
                if not answer.get("success"):
                    raise SystemExit(f"Home Assistant refused {command}: {answer.get('error')}")
                return answer.get("result")
