"""What the demo enters into the hub's forms."""

from __future__ import annotations

from pathlib import Path

from demo.cli import parse_args
from demo.flows import ENTITY_PRICES, FIXED_PRICES, charger_inputs, hub_steps, station_ids
from demo.settings import DemoSettings


def test_defaults_are_twelve_v2g_stations_two_on_ocpp_201_and_two_on_16(tmp_path: Path) -> None:
    settings = parse_args(["--config", str(tmp_path), "--speed", "30"])
    assert (settings.stations, settings.legacy_stations, settings.ocpp16_stations) == (12, 2, 2)
    assert (settings.station_count, settings.speed) == (16, 30.0)
    assert settings.site
    assert settings.dashboard
    inputs = charger_inputs(settings, "secret-password")
    assert [item["station_id"] for item in inputs] == [*station_ids(12), "AC01", "AC02", "WB01", "WB02"]
    assert [item["name"] for item in inputs][-4:] == ["Bay 13", "Bay 14", "Wallbox 01", "Wallbox 02"]
    assert all(item["bidirectional"] and item["max_discharge_kw"] == 11 for item in inputs[:12])
    assert not any(item["bidirectional"] or item["max_discharge_kw"] for item in inputs[12:])
    assert [item.get("ocpp_version") for item in inputs[12:]] == [None, None, "ocpp16", "ocpp16"]
    assert hub_steps(settings, 150, ENTITY_PRICES)[1]["import_price_entity"] == "sensor.demo_import_price"


def test_the_benchmark_launcher_keeps_fixed_prices_and_v2g_stations_only(tmp_path: Path) -> None:
    settings = DemoSettings(tmp_path, 8123, 9000, exit_after_setup=True, stations=3, speed=1.0)
    assert [item["station_id"] for item in charger_inputs(settings, "secret-password")] == station_ids(3)
    assert hub_steps(settings, 66, FIXED_PRICES)[0]["import_limit_kw"] == 66
    assert settings.url == "http://127.0.0.1:8123"
    assert station_ids(120)[0] == "SIM001"
