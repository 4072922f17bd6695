"""Sign in to Home Assistant with a user name and password through its login flow (as the login page does)."""

from __future__ import annotations

from typing import Any

import aiohttp


async def log_in(session: aiohttp.ClientSession, url: str, username: str, password: str) -> dict[str, Any]:
    """Return the token answer (access and refresh token) for a frontend session."""
    client_id = f"{url}/"
    async with session.post(
        f"{url}/auth/login_flow",
        json={
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{client_id}?auth_callback=1",
        },
    ) as response:
        response.raise_for_status()
        flow = await response.json()
    async with session.post(
        f"{url}/auth/login_flow/{flow['flow_id']}",
        json={"client_id": client_id, "username": username, "password": password},
    ) as response:
        response.raise_for_status()
        result = await response.json()
    if result.get("type") != "create_entry":
        raise RuntimeError(f"Home Assistant refused the login: {result.get('errors')}")
    async with session.post(
        f"{url}/auth/token",
        data={"grant_type": "authorization_code", "code": result["result"], "client_id": client_id},
    ) as response:
        response.raise_for_status()
        tokens: dict[str, Any] = await response.json()
    return tokens
