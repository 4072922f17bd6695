"""Set the hub up through Home Assistant's REST API, exactly as an installer would click through it."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from demo.ha_ws import HomeAssistantWebsocket
from demo.settings import DemoSettings
from demo.site_entities import (
    BATTERY_POWER,
    BATTERY_SETPOINT,
    BATTERY_SOC,
    BUILDING_POWER,
    EXPORT_PRICE,
    IMPORT_PRICE,
    PV_LIMIT,
    PV_POWER,
)
from demo.site_model import BATTERY_CAPACITY_KWH, BATTERY_MAX_KW, PV_PEAK_KW

SIM_PREFIX = "SIM"
LEGACY_PREFIX = "AC"
OCPP16_PREFIX = "WB"
FIXED_PRICES = {"import_price_fixed": 0.30, "export_price_fixed": 0.08}
ENTITY_PRICES = {"import_price_entity": IMPORT_PRICE, "export_price_entity": EXPORT_PRICE}


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def run_flow(
    session: aiohttp.ClientSession,
    settings: DemoSettings,
    token: str,
    steps: list[dict[str, Any]],
    *,
    path: str = "flow",
    handler: str | list[str] = "ssch",
) -> dict[str, Any]:
    """Drive a config flow (or a subentry flow) through HA's REST API, one form at a time."""
    base = f"{settings.url}/api/config/config_entries/{path}"
    async with session.post(base, json={"handler": handler}, headers=_headers(token)) as response:
        response.raise_for_status()
        result: dict[str, Any] = await response.json()
    for user_input in steps:
        if result.get("type") != "form":
            raise SystemExit(f"Unexpected config flow result: {result}")
        async with session.post(
            f"{base}/{result['flow_id']}", json=user_input, headers=_headers(token)
        ) as response:
            response.raise_for_status()
            result = await response.json()
        if result.get("errors"):
            raise SystemExit(f"The config flow refused the demo's input: {result['errors']}")
    if result.get("type") != "create_entry":
        raise SystemExit(f"The config flow did not create what the demo asked for: {result}")
    return result


async def loaded_hubs(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str
) -> list[dict[str, Any]]:
    """The hub entries Home Assistant reports, with their state."""
    async with session.get(
        f"{settings.url}/api/config/config_entries/entry", params={"domain": "ssch"}, headers=_headers(token)
    ) as response:
        response.raise_for_status()
        entries: list[dict[str, Any]] = await response.json()
    return entries


def hub_steps(settings: DemoSettings, import_limit_kw: float, prices: dict[str, Any]) -> list[dict[str, Any]]:
    """The two forms of the hub's config flow: the site, then prices and planning."""
    return [
        {
            "name": "Harbour hub",
            "import_limit_kw": import_limit_kw,
            "export_limit_kw": 150,
            "host": "127.0.0.1",
            "port": settings.ocpp_port,
        },
        prices
        | {
            "step_minutes": "15",
            "horizon_hours": 24,
            "adopt_unknown_stations": True,
            "optimizer_engine": "cvxpy" if settings.engine == "cvxpy" else "auto",
        },
    ]


async def set_up_hub(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str, import_limit_kw: float = 150.0
) -> str:
    """Add the demo hub exactly as an installer would in the UI; return its entry id."""
    prices = ENTITY_PRICES if settings.site else FIXED_PRICES
    result = await run_flow(session, settings, token, hub_steps(settings, import_limit_kw, prices))
    await wait_loaded(session, settings, token)
    entry_id: str = result["result"]["entry_id"]
    return entry_id


async def wait_loaded(session: aiohttp.ClientSession, settings: DemoSettings, token: str) -> None:
    """Wait until every hub reports itself loaded."""
    hubs: list[dict[str, Any]] = []
    for _ in range(120):
        hubs = await loaded_hubs(session, settings, token)
        if hubs and all(hub["state"] == "loaded" for hub in hubs):
            return
        await asyncio.sleep(0.5)
    raise SystemExit(f"The hub did not load: {hubs}")


def station_ids(count: int, prefix: str = SIM_PREFIX) -> list[str]:
    """The simulator's ids: SIM01, SIM02, ... (the simulator's ``--prefix``)."""
    width = max(2, len(str(count)))
    return [f"{prefix}{number:0{width}d}" for number in range(1, count + 1)]


def _charger(name: str, station_id: str, password: str, *, discharge_kw: float = 0) -> dict[str, Any]:
    """The "Add charger" form of one single-EVSE 11 kW station."""
    return {
        "name": name,
        "station_id": station_id,
        "password": password,
        "evse_count": 1,
        "max_charge_kw": 11,
        "bidirectional": discharge_kw > 0,
        "max_discharge_kw": discharge_kw,
    }


def charger_inputs(settings: DemoSettings, password: str) -> list[dict[str, Any]]:
    """One charger form per simulated station: bidirectional on OCPP 2.1, charge-only on 2.0.1 and 1.6."""
    bays = [
        *((station_id, 11) for station_id in station_ids(settings.stations)),
        *((station_id, 0) for station_id in station_ids(settings.legacy_stations, LEGACY_PREFIX)),
    ]
    wallboxes = station_ids(settings.ocpp16_stations, OCPP16_PREFIX)
    return [
        _charger(f"Bay {number:02d}", station_id, password, discharge_kw=discharge)
        for number, (station_id, discharge) in enumerate(bays, start=1)
    ] + [
        _charger(f"Wallbox {number:02d}", station_id, password) | {"ocpp_version": "ocpp16"}
        for number, station_id in enumerate(wallboxes, start=1)
    ]


async def add_chargers(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str, entry_id: str, password: str
) -> None:
    """Add a charger per simulated station through the charger subentry flow ("Add charger")."""
    inputs = charger_inputs(settings, password)
    for user_input in inputs:
        await add_subentry(session, settings, token, entry_id, subentry_type="charger", user_input=user_input)
    # Each added charger reloads the hub; its entities exist once the last reload is through.
    for _ in range(240):
        if await count_connectivity(session, settings, token, connected_only=False) >= len(inputs):
            break
        await asyncio.sleep(0.5)
    await wait_loaded(session, settings, token)


async def add_subentry(
    session: aiohttp.ClientSession,
    settings: DemoSettings,
    token: str,
    entry_id: str,
    *,
    subentry_type: str,
    user_input: dict[str, Any],
) -> None:
    """One asset through its subentry flow (the hub page's "Add charger", "Add PV", ...)."""
    await run_flow(
        session, settings, token, [user_input], path="subentries/flow", handler=[entry_id, subentry_type]
    )


async def add_site_assets(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str, entry_id: str
) -> None:
    """PV, battery and building mapped to the demo's simulated site entities."""
    assets: list[tuple[str, dict[str, Any]]] = [
        (
            "pv",
            {
                "name": "Roof PV",
                "power_entity": PV_POWER,
                "curtailment_entity": PV_LIMIT,
                "peak_kwp": PV_PEAK_KW,
            },
        ),
        (
            "battery",
            {
                "name": "Site battery",
                "soc_entity": BATTERY_SOC,
                "power_entity": BATTERY_POWER,
                "control_entity": BATTERY_SETPOINT,
                "capacity_kwh": BATTERY_CAPACITY_KWH,
                "max_charge_kw": BATTERY_MAX_KW,
                "max_discharge_kw": BATTERY_MAX_KW,
                "soc_min": 10,
                "soc_max": 90,
                "efficiency": 0.95,
            },
        ),
        ("building", {"name": "Office", "power_entity": BUILDING_POWER, "flexible": False}),
    ]
    for subentry_type, user_input in assets:
        await add_subentry(
            session, settings, token, entry_id, subentry_type=subentry_type, user_input=user_input
        )
    await wait_loaded(session, settings, token)


async def wait_connected(session: aiohttp.ClientSession, settings: DemoSettings, token: str) -> int:
    """Wait until every simulated station shows as connected in Home Assistant; return how many do."""
    expected = settings.station_count
    connected = 0
    for _ in range(240):
        connected = await count_connectivity(session, settings, token, connected_only=True)
        if connected >= expected:
            break
        await asyncio.sleep(0.5)
    return connected


async def count_connectivity(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str, *, connected_only: bool
) -> int:
    """How many station connectivity sensors exist (or are on)."""
    async with session.get(f"{settings.url}/api/states", headers=_headers(token)) as response:
        states = await response.json()
    return sum(
        1
        for state in states
        if state["entity_id"].startswith("binary_sensor.")
        and state["attributes"].get("device_class") == "connectivity"
        and (state["state"] == "on" or not connected_only)
    )


async def planning_engine(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str, entry_id: str
) -> str:
    """What the hub's solver sensor shows ("cvxpy / Clarabel", "built-in / PIQP")."""
    async with HomeAssistantWebsocket(session, settings.url, token) as ws:
        entities = await ws.call("config/entity_registry/list")
    entity_id = next(e["entity_id"] for e in entities if e["unique_id"] == f"{entry_id}_solver_backend")
    async with session.get(f"{settings.url}/api/states/{entity_id}", headers=_headers(token)) as response:
        state: dict[str, Any] = await response.json()
    return str(state["state"])
