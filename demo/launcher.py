"""Start a real Home Assistant from the project's virtual environment and finish its onboarding."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from typing import IO

import aiohttp

from demo.settings import ROOT, USERNAME, DemoSettings

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
# The demo's simulated battery and PV inverter take their setpoints from these, as a real one's
# integration would offer number entities.
input_number:
  demo_battery_setpoint:
    name: Battery setpoint
    min: -50
    max: 50
    step: 0.1
    initial: 0
    unit_of_measurement: kW
    mode: box
    icon: mdi:battery-charging
  demo_pv_power_limit:
    name: PV power limit
    min: 0
    max: 60
    step: 0.1
    initial: 60
    unit_of_measurement: kW
    mode: box
    icon: mdi:solar-power
"""


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


async def start_hass(settings: DemoSettings, log: IO[bytes]) -> asyncio.subprocess.Process:
    """Home Assistant on the demo's configuration, installing nothing."""
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "homeassistant", "-c", str(settings.config_dir), "--skip-pip"),
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
        cwd=ROOT,
        env=os.environ | {"PYTHONUNBUFFERED": "1"} | _python_path(settings),
    )


# The packages Home Assistant OS and Container cannot install (no musllinux wheels).
NOT_ON_ALPINE = ("cvxpy", "osqp", "clarabel", "ecos", "scs")


def _python_path(settings: DemoSettings) -> dict[str, str]:
    """With ``--engine built-in``, a path entry whose packages shadow cvxpy and its solvers with an
    ImportError, so Home Assistant runs with the packages Home Assistant OS has."""
    if settings.engine != "built-in":
        return {}
    blocked = settings.config_dir / ".not-on-alpine"
    for package in NOT_ON_ALPINE:
        (blocked / package).mkdir(parents=True, exist_ok=True)
        (blocked / package / "__init__.py").write_text(
            f"raise ImportError('{package} is not installed (the demo runs as Home Assistant OS does)')\n"
        )
    return {"PYTHONPATH": os.pathsep.join(filter(None, (str(blocked), os.environ.get("PYTHONPATH"))))}


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
    tokens = await onboard_tokens(session, settings, password)
    return str(tokens["access_token"])


async def onboard_tokens(
    session: aiohttp.ClientSession, settings: DemoSettings, password: str
) -> dict[str, str | int]:
    """Like :func:`onboard`, returning the whole token answer (a browser session needs the refresh token)."""
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
        tokens: dict[str, str | int] = await response.json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    for step, body in (
        ("analytics", {}),
        ("integration", {"client_id": client_id, "redirect_uri": f"{client_id}?auth_callback=1"}),
    ):
        async with session.post(
            f"{settings.url}/api/onboarding/{step}", json=body, headers=headers
        ) as response:
            response.raise_for_status()
    return tokens


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
