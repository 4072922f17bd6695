"""Run a real Home Assistant with a configured charging hub, as a new user would meet the product.

Started by ``./scripts/demo``. It writes a fresh configuration directory, starts Home Assistant from
the project's virtual environment, completes onboarding through HA's HTTP API, adds the hub through
its real config flow, prints how to log in, and runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
import json
import os
from pathlib import Path
import secrets
import shutil
import signal
import sys
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "demo"
CONFIGURATION = """\
homeassistant:
  name: Harbour charging hub
  latitude: 53.55
  longitude: 8.58
  elevation: 5
  unit_system: metric
  currency: EUR
  country: DE
  time_zone: Europe/Berlin
http:
  server_host: 127.0.0.1
  server_port: {port}
frontend:
config:
recorder:
  purge_keep_days: 2
history:
logbook:
energy:
logger:
  default: warning
  logs:
    custom_components.ssch: info
"""


@dataclass(frozen=True, slots=True)
class DemoSettings:
    """Where the demo runs."""

    config_dir: Path
    port: int
    ocpp_port: int
    exit_after_setup: bool
    stations: int
    speed: float

    @property
    def url(self) -> str:
        """The frontend's address."""
        return f"http://127.0.0.1:{self.port}"


def write_config(settings: DemoSettings) -> None:
    """A fresh configuration with the integration linked from this checkout."""
    if settings.config_dir.exists():
        shutil.rmtree(settings.config_dir)
    (settings.config_dir / "custom_components").mkdir(parents=True)
    (settings.config_dir / ".storage").mkdir()
    (settings.config_dir / "configuration.yaml").write_text(CONFIGURATION.format(port=settings.port))
    # Location, units and currency come from configuration.yaml. Finishing onboarding's core_config step
    # through the API would also add met, radio_browser and google_translate, which call the internet.
    onboarding = {"version": 4, "minor_version": 1, "key": "onboarding", "data": {"done": ["core_config"]}}
    (settings.config_dir / ".storage" / "onboarding").write_text(json.dumps(onboarding))
    (settings.config_dir / "custom_components" / "ssch").symlink_to(ROOT / "custom_components" / "ssch")


async def wait_until_up(
    session: aiohttp.ClientSession, settings: DemoSettings, hass: asyncio.subprocess.Process
) -> None:
    """Wait for the onboarding API to answer (or for Home Assistant to die)."""
    for _ in range(600):
        if hass.returncode is not None:
            raise SystemExit(f"Home Assistant stopped during start-up (exit code {hass.returncode})")
        try:
            async with session.get(f"{settings.url}/api/onboarding") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("Home Assistant did not answer within 5 minutes")


async def onboard(session: aiohttp.ClientSession, settings: DemoSettings, password: str) -> str:
    """Create the owner account and finish onboarding; return an access token."""
    client_id = f"{settings.url}/"
    async with session.post(
        f"{settings.url}/api/onboarding/users",
        json={
            "client_id": client_id,
            "name": "Demo user",
            "username": USERNAME,
            "password": password,
            "language": "en",
        },
    ) as response:
        response.raise_for_status()
        auth_code = (await response.json())["auth_code"]
    async with session.post(
        f"{settings.url}/auth/token",
        data={"grant_type": "authorization_code", "code": auth_code, "client_id": client_id},
    ) as response:
        response.raise_for_status()
        token: str = (await response.json())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for step, body in (
        ("analytics", {}),
        ("integration", {"client_id": client_id, "redirect_uri": f"{client_id}?auth_callback=1"}),
    ):
        async with session.post(
            f"{settings.url}/api/onboarding/{step}", json=body, headers=headers
        ) as response:
            response.raise_for_status()
    return token


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
    headers = {"Authorization": f"Bearer {token}"}
    base = f"{settings.url}/api/config/config_entries/{path}"
    async with session.post(base, json={"handler": handler}, headers=headers) as response:
        response.raise_for_status()
        result: dict[str, Any] = await response.json()
    for user_input in steps:
        if result.get("type") != "form":
            raise SystemExit(f"Unexpected config flow result: {result}")
        async with session.post(f"{base}/{result['flow_id']}", json=user_input, headers=headers) as response:
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
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(
        f"{settings.url}/api/config/config_entries/entry", params={"domain": "ssch"}, headers=headers
    ) as response:
        response.raise_for_status()
        entries: list[dict[str, Any]] = await response.json()
    return entries


async def set_up_hub(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str, import_limit_kw: float = 150.0
) -> str:
    """Add the demo hub exactly as an installer would in the UI; return its entry id."""
    result = await run_flow(
        session,
        settings,
        token,
        [
            {
                "name": "Harbour hub",
                "import_limit_kw": import_limit_kw,
                "export_limit_kw": 150,
                "host": "127.0.0.1",
                "port": settings.ocpp_port,
            },
            {
                "import_price_fixed": 0.30,
                "export_price_fixed": 0.08,
                "step_minutes": "15",
                "horizon_hours": 24,
                "adopt_unknown_stations": True,
            },
        ],
    )
    await wait_loaded(session, settings, token)
    entry_id: str = result["result"]["entry_id"]
    return entry_id


async def wait_loaded(session: aiohttp.ClientSession, settings: DemoSettings, token: str) -> None:
    """Wait until every hub reports itself loaded."""
    for _ in range(120):
        hubs = await loaded_hubs(session, settings, token)
        if hubs and all(hub["state"] == "loaded" for hub in hubs):
            return
        await asyncio.sleep(0.5)
    raise SystemExit(f"The hub did not load: {hubs}")


def station_ids(count: int) -> list[str]:
    """The simulator's ids: SIM01, SIM02, ..."""
    width = max(2, len(str(count)))
    return [f"SIM{number:0{width}d}" for number in range(1, count + 1)]


async def add_chargers(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str, entry_id: str, password: str
) -> None:
    """Add one bidirectional 11 kW charger per simulated station through the charger subentry flow."""
    for station_id in station_ids(settings.stations):
        await run_flow(
            session,
            settings,
            token,
            [
                {
                    "name": f"Bay {station_id[3:]}",
                    "station_id": station_id,
                    "password": password,
                    "evse_count": 1,
                    "max_charge_kw": 11,
                    "bidirectional": True,
                    "max_discharge_kw": 11,
                }
            ],
            path="subentries/flow",
            handler=[entry_id, "charger"],
        )
    # Each added charger reloads the hub; its entities exist once the last reload is through.
    for _ in range(240):
        if await count_connectivity(session, settings, token, connected_only=False) >= settings.stations:
            break
        await asyncio.sleep(0.5)
    await wait_loaded(session, settings, token)


async def wait_connected(session: aiohttp.ClientSession, settings: DemoSettings, token: str) -> int:
    """Wait until every simulated station shows as connected in Home Assistant; return how many do."""
    connected = 0
    for _ in range(240):
        connected = await count_connectivity(session, settings, token, connected_only=True)
        if connected >= settings.stations:
            break
        await asyncio.sleep(0.5)
    return connected


async def count_connectivity(
    session: aiohttp.ClientSession, settings: DemoSettings, token: str, *, connected_only: bool
) -> int:
    """How many station connectivity sensors exist (or are on)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(f"{settings.url}/api/states", headers=headers) as response:
        states = await response.json()
    return sum(
        1
        for state in states
        if state["entity_id"].startswith("binary_sensor.")
        and state["attributes"].get("device_class") == "connectivity"
        and (state["state"] == "on" or not connected_only)
    )


async def start_stations(settings: DemoSettings, password: str, log: Path) -> asyncio.subprocess.Process:
    """The simulated charging stations, connecting over websockets like real ones."""
    with log.open("wb") as output:
        return await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "custom_components.ssch.sim"),
            *("--url", f"ws://127.0.0.1:{settings.ocpp_port}/ocpp", "--stations", str(settings.stations)),
            *("--speed", str(settings.speed), "--meter-interval", "60"),
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            cwd=ROOT,
            env=os.environ | {"SSCH_SIM_PASSWORD": password, "PYTHONUNBUFFERED": "1"},
        )


async def stop(process: asyncio.subprocess.Process) -> int:
    """Ask a process to stop and wait for it."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 60)
        except TimeoutError:
            process.kill()
            await process.wait()
    return process.returncode or 0


async def main(settings: DemoSettings) -> int:
    """Start, set up, report, and run until interrupted."""
    write_config(settings)
    password = secrets.token_urlsafe(12)
    log_path = settings.config_dir / "demo.log"
    with log_path.open("wb") as log:
        hass = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "homeassistant", "-c", str(settings.config_dir), "--skip-pip"),
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            cwd=ROOT,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )
    stations: asyncio.subprocess.Process | None = None
    station_password = secrets.token_urlsafe(18)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_requested.set)
    try:
        async with aiohttp.ClientSession() as session:
            print(f"Starting Home Assistant (log: {log_path}) ...", flush=True)
            await wait_until_up(session, settings, hass)
            token = await onboard(session, settings, password)
            entry_id = await set_up_hub(session, settings, token)
            if settings.stations:
                await add_chargers(session, settings, token, entry_id, station_password)
                stations = await start_stations(
                    settings, station_password, settings.config_dir / "stations.log"
                )
                connected = await wait_connected(session, settings, token)
                print(f"{connected} of {settings.stations} charging stations connected.", flush=True)
        print(
            "\nSuper Smart Charging Hub demo is running.\n"
            f"  Open:      {settings.url}\n"
            f"  User name: {USERNAME}\n"
            f"  Password:  {password}\n"
            f"  {settings.stations} simulated stations connect to ws://127.0.0.1:{settings.ocpp_port}/ocpp/<id>\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        if not settings.exit_after_setup:
            waiter = asyncio.create_task(stop_requested.wait())
            await asyncio.wait(
                {waiter, asyncio.create_task(hass.wait())}, return_when=asyncio.FIRST_COMPLETED
            )
            waiter.cancel()
    finally:
        if stations is not None:
            await stop(stations)
        print("Stopping Home Assistant ...", flush=True)
        code = await stop(hass)
    print("Stopped.")
    return 0 if code in (0, -signal.SIGTERM) else code


def parse_args(argv: list[str] | None = None) -> DemoSettings:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--config", type=Path, default=ROOT / "demo-config", help="configuration directory (recreated)"
    )
    parser.add_argument("--port", type=int, default=8123, help="Home Assistant HTTP port")
    parser.add_argument("--ocpp-port", type=int, default=9000, help="the hub's OCPP server port")
    parser.add_argument(
        "--exit-after-setup", action="store_true", help="stop once the hub is loaded (for tests)"
    )
    parser.add_argument("--stations", type=int, default=12, help="simulated charging stations")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated time runs this many times faster")
    args = parser.parse_args(argv)
    return DemoSettings(
        args.config.resolve(), args.port, args.ocpp_port, args.exit_after_setup, args.stations, args.speed
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
