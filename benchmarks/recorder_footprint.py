"""Recorder footprint of a re-plan: bytes a hub's re-plan adds to Home Assistant's SQLite database.

A real Home Assistant (``demo.launcher``, with ``recorder`` on SQLite) runs a hub with PV, battery,
building and N single-EVSE V2G chargers, each a simulated OCPP 2.1 station with a car charging. Each
round changes the PV and building readings, waits until the recorder has written them, asks the hub
to re-plan (``homeassistant.update_entity`` on its plan sensor), waits for the dispatch and the
recorder, and reads how many bytes the ``states`` and ``state_attributes`` tables and their indexes
grew by (SQLite's ``dbstat``). ``--source`` runs another copy of the integration, e.g. the last commit:

    git archive HEAD custom_components/ssch | tar -x -C /tmp/ssch-head
    python -m benchmarks.recorder_footprint --source /tmp/ssch-head/custom_components/ssch
    python -m benchmarks.recorder_footprint [--chargers 14] [--replans 12] [--import-limit 150]
        [--grid-signals] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta
import json
import os
from pathlib import Path
import random
import re
import secrets
import sqlite3
import statistics
import sys
import tempfile
from typing import IO, Any

import aiohttp

from benchmarks.ems_latency import recorder_settled
from custom_components.ssch.sim.clock import SimClock
from custom_components.ssch.sim.config import CarVisit, StationConfig, V2xLimits
from custom_components.ssch.sim.fleet import SimulatedFleet, fleet_configs
from demo import flows as demo_flows, launcher as demo_launcher
from demo.ha_ws import HomeAssistantWebsocket
from demo.ports import free_port
from demo.settings import ROOT, DemoSettings
from demo.site_entities import (
    BATTERY_POWER,
    BATTERY_SOC,
    BUILDING_POWER,
    EXPORT_PRICE,
    IMPORT_PRICE,
    PV_POWER,
    power_attributes,
)

TABLES = ("states", "state_attributes")
# Quiet stations: between two rounds only the re-plan and what follows from it is written.
STATION_TEMPLATE = StationConfig(station_id="", url="", meter_interval_s=3600.0)


def table_bytes(database: Path) -> dict[str, int]:
    """Bytes of row data per table and index of the recorder's tables (``dbstat`` payload)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT d.name, m.tbl_name, SUM(d.payload) FROM dbstat d "
            "JOIN sqlite_master m ON m.name = d.name GROUP BY d.name"
        ).fetchall()
    sizes: dict[str, int] = Counter()
    for _, table, payload in rows:
        if table in TABLES:
            sizes[table] += int(payload or 0)
    return dict(sizes)


def written_since(database: Path, state_id: int) -> tuple[int, Counter[str]]:
    """The highest state id, and how many rows each entity (numbers masked) wrote after ``state_id``."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT s.state_id, m.entity_id FROM states s "
            "JOIN states_meta m ON m.metadata_id = s.metadata_id WHERE s.state_id > ?",
            (state_id,),
        ).fetchall()
    writers: Counter[str] = Counter(re.sub(r"\d+", "N", entity_id) for _, entity_id in rows)
    return max([state_id, *(row[0] for row in rows)]), writers


async def _start_hass(settings: DemoSettings, log: IO[bytes], cwd: Path) -> asyncio.subprocess.Process:
    # Not from the checkout: its own custom_components package would shadow the one under test.
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "homeassistant", "-c", str(settings.config_dir), "--skip-pip"),
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
        cwd=cwd,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )


def _prepare_config(settings: DemoSettings, source: Path) -> None:
    demo_launcher.write_config(settings)
    configuration = settings.config_dir / "configuration.yaml"
    # The recorder commits every second, so a round can wait for its rows.
    configuration.write_text(
        configuration.read_text().replace("purge_keep_days: 2", "purge_keep_days: 2\n  commit_interval: 1")
    )
    link = settings.config_dir / "custom_components" / "ssch"
    link.unlink()
    link.symlink_to(source.resolve())


@dataclass(frozen=True, slots=True)
class Api:
    """Home Assistant's REST and websocket APIs, logged in."""

    session: aiohttp.ClientSession
    url: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def set_state(self, entity_id: str, state: float, attributes: dict[str, Any]) -> None:
        async with self.session.post(
            f"{self.url}/api/states/{entity_id}",
            json={"state": str(state), "attributes": attributes},
            headers=self.headers,
        ) as response:
            response.raise_for_status()

    async def call(self, domain: str, service: str, data: dict[str, Any]) -> None:
        """An action, e.g. ``homeassistant.update_entity`` on the plan sensor: a re-plan."""
        async with self.session.post(
            f"{self.url}/api/services/{domain}/{service}", json=data, headers=self.headers
        ) as response:
            response.raise_for_status()

    async def registry(self) -> tuple[list[Any], list[Any]]:
        async with HomeAssistantWebsocket(self.session, self.url, self.token) as ws:
            entities = await ws.call("config/entity_registry/list")
            devices = await ws.call("config/device_registry/list")
        return entities, devices

    async def settled(self) -> None:
        """The recorder has written everything so far."""
        await recorder_settled(self.session, self.url, self.token, 120.0)
        await asyncio.sleep(2.0)  # one commit interval and a margin

    async def publish_site(self, rng: random.Random) -> None:
        """New PV and building readings: the next plan starts from another present."""
        await self.set_state(
            PV_POWER, round(rng.uniform(5, 45), 2), power_attributes("PV", "mdi:solar-power")
        )
        office = power_attributes("Office", "mdi:office-building")
        await self.set_state(BUILDING_POWER, round(rng.uniform(15, 40), 2), office)

    async def publish_fixed_sources(self) -> None:
        """The battery's readings and the prices, which stay the same."""
        await self.set_state(BATTERY_POWER, 0.0, power_attributes("Battery", "mdi:battery"))
        soc = {"unit_of_measurement": "%", "device_class": "battery", "state_class": "measurement"}
        await self.set_state(BATTERY_SOC, 55.0, soc)
        for price in (IMPORT_PRICE, EXPORT_PRICE):
            await self.set_state(price, 0.25, {"unit_of_measurement": "EUR/kWh"})


def charger_entities(entities: list[Any], devices: list[Any], name: str) -> tuple[int, int]:
    """(entities, enabled entities) of one single-EVSE charger: its station and EVSE devices."""
    ids = {d["id"] for d in devices if d.get("name") in (name, f"{name} EVSE 1")}
    mine = [e for e in entities if e.get("device_id") in ids and e.get("platform") == "ssch"]
    return len(mine), sum(1 for e in mine if not e.get("disabled_by"))


def plug_in_cars(fleet: SimulatedFleet, clock: SimClock) -> None:
    """A car at every station, each with its own state of charge and departure."""
    now = clock.now()
    for number, station in enumerate(fleet.stations):
        station.plug_in(
            CarVisit(
                now,
                now + timedelta(hours=4 + number % 6),
                10.0 + 2 * number,
                60.0,
                target_soc_percent=90.0,
                v2x=V2xLimits(max_discharge_power_kw=10.0),
            )
        )


@dataclass(frozen=True, slots=True)
class Scenario:
    """What runs: which integration, how many chargers, and what starts each re-plan."""

    source: Path
    chargers: int = 14
    replans: int = 12
    import_limit_kw: float = 150.0
    # Each round a grid operator's import limit (set_grid_limit) instead of a plain re-plan: the limit
    # moves every car's setpoint, so the per-EVSE entities that follow setpoints write too.
    grid_signals: bool = False
    keep: bool = False


async def measure(
    api: Api, database: Path, plan_entity: str, scenario: Scenario
) -> tuple[list[dict[str, int]], Counter[str]]:
    """Bytes and rows each round adds; the first round, still settling after the set-up, is left out."""
    rng = random.Random(7)
    rounds: list[dict[str, int]] = []
    writers: Counter[str] = Counter()
    last_id, _ = written_since(database, 0)
    for number in range(scenario.replans + 1):
        if scenario.grid_signals:
            await api.call("ssch", "clear_grid_signal", {})
        await api.publish_site(rng)
        await api.settled()
        before = table_bytes(database)
        last_id, _ = written_since(database, last_id)
        if scenario.grid_signals:
            await api.call("ssch", "set_grid_limit", {"import_limit_kw": round(rng.uniform(40, 90), 1)})
        else:
            await api.call("homeassistant", "update_entity", {"entity_id": plan_entity})
        await asyncio.sleep(3.0)  # the re-plan, the dispatch after it and the stations' answers
        await api.settled()
        after = table_bytes(database)
        last_id, round_writers = written_since(database, last_id)
        if number == 0:
            continue
        writers.update(round_writers)
        rounds.append(
            {table: after.get(table, 0) - before.get(table, 0) for table in TABLES}
            | {"rows": sum(round_writers.values())}
        )
    return rounds, writers


async def _set_up_site(api: Api, settings: DemoSettings, scenario: Scenario) -> tuple[str, str]:
    """The hub, its site assets and chargers through the flows; returns the entry id and a password."""
    await api.publish_site(random.Random(1))
    await api.publish_fixed_sources()
    entry_id = await demo_flows.set_up_hub(api.session, settings, api.token, scenario.import_limit_kw)
    await demo_flows.add_site_assets(api.session, settings, api.token, entry_id)
    password = secrets.token_urlsafe(18)
    await demo_flows.add_chargers(api.session, settings, api.token, entry_id, password)
    return entry_id, password


async def run(scenario: Scenario) -> dict[str, Any]:
    """Start Home Assistant, the hub and its stations, measure the rounds, stop everything."""
    with tempfile.TemporaryDirectory(delete=not scenario.keep) as folder:
        settings = DemoSettings(
            config_dir=Path(folder) / "config",
            port=free_port(),
            ocpp_port=free_port(),
            exit_after_setup=True,
            stations=scenario.chargers,
            speed=1.0,
            site=True,
        )
        _prepare_config(settings, scenario.source)
        database = settings.config_dir / "home-assistant_v2.db"
        log = (settings.config_dir / "ha.log").open("wb")
        hass = await _start_hass(settings, log, Path(folder))
        fleet: SimulatedFleet | None = None
        try:
            async with aiohttp.ClientSession() as session:
                await demo_launcher.wait_until_up(session, settings, hass)
                token = await demo_launcher.onboard(session, settings, secrets.token_urlsafe(12))
                api = Api(session, settings.url, token)
                entry_id, password = await _set_up_site(api, settings, scenario)
                ocpp_url = f"ws://127.0.0.1:{settings.ocpp_port}/ocpp"
                template = replace(STATION_TEMPLATE, url=ocpp_url)
                clock = SimClock()
                configs = fleet_configs(ocpp_url, scenario.chargers, password=password, template=template)
                fleet = SimulatedFleet(configs, clock)
                await fleet.start()
                await fleet.wait_connected(60)
                plug_in_cars(fleet, clock)
                entities, devices = await api.registry()
                total, enabled = charger_entities(entities, devices, "Bay 01")
                plan_entity = next(
                    e["entity_id"] for e in entities if e["unique_id"] == f"{entry_id}_next_plan"
                )
                await asyncio.sleep(10.0)  # plug-ins, first plans and setpoints
                await api.settled()
                rounds, writers = await measure(api, database, plan_entity, scenario)
        finally:
            if fleet is not None:
                await fleet.stop()
            await demo_launcher.stop(hass)
            log.close()
    per_replan = {key: statistics.mean(r[key] for r in rounds) for key in (*TABLES, "rows")}
    return {
        "source": str(scenario.source),
        "chargers": scenario.chargers,
        "replans": scenario.replans,
        "import_limit_kw": scenario.import_limit_kw,
        "trigger": "set_grid_limit" if scenario.grid_signals else "update_entity",
        "charger_entities": total,
        "charger_entities_enabled": enabled,
        "bytes_per_replan": round(per_replan["states"] + per_replan["state_attributes"]),
        "states_bytes_per_replan": round(per_replan["states"]),
        "attributes_bytes_per_replan": round(per_replan["state_attributes"]),
        "rows_per_replan": round(per_replan["rows"], 1),
        "rounds": rounds,
        "writers_per_replan": {
            entity: round(count / len(rounds), 2) for entity, count in writers.most_common()
        },
    }


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "custom_components" / "ssch")
    parser.add_argument("--chargers", type=int, default=14)
    parser.add_argument("--replans", type=int, default=12)
    parser.add_argument(
        "--import-limit",
        type=float,
        default=150.0,
        help="the site's grid connection in kW; below the chargers' total, the cars share what is left",
    )
    parser.add_argument(
        "--grid-signals",
        action="store_true",
        help="start each re-plan with a new import limit (ssch.set_grid_limit): every setpoint moves",
    )
    parser.add_argument("--keep", action="store_true", help="keep the Home Assistant folder")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    scenario = Scenario(
        args.source, args.chargers, args.replans, args.import_limit, args.grid_signals, args.keep
    )
    result = asyncio.run(run(scenario))
    print(
        f"{result['chargers']} chargers, {result['import_limit_kw']:g} kW grid connection, "
        f"{result['replans']} re-plans by {result['trigger']}: "
        f"{result['bytes_per_replan']} bytes per re-plan "
        f"(states {result['states_bytes_per_replan']}, attributes {result['attributes_bytes_per_replan']}, "
        f"{result['rows_per_replan']} rows); a single-EVSE charger has "
        f"{result['charger_entities']} entities, {result['charger_entities_enabled']} enabled"
    )
    for entity, count in result["writers_per_replan"].items():
        print(f"  {count:5.2f} rows per re-plan  {entity}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
