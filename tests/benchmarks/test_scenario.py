"""Scenario loading and validation."""

from __future__ import annotations

from datetime import UTC, datetime
import json
from pathlib import Path
import re
from typing import Any

import pytest

from benchmarks.scenario import (
    ScenarioError,
    load_scenario,
    parse_time,
    save_scenario,
    scenario_from_dict,
    scenario_to_dict,
)
from tests.benchmarks.tiny import tiny_scenario_dict


def test_tiny_scenario_loads() -> None:
    scenario = scenario_from_dict(tiny_scenario_dict())
    assert scenario.steps == 8
    assert scenario.step_hours == 0.25
    assert scenario.start == datetime(2023, 7, 3, tzinfo=UTC)
    assert scenario.time_of(4) == datetime(2023, 7, 3, 1, 0, tzinfo=UTC)
    assert scenario.step_index(datetime(2023, 7, 3, 0, 20, tzinfo=UTC)) == 1
    assert scenario.charger("c2").max_discharge_kw == 11.0
    assert scenario.battery is not None
    assert scenario.battery.soc_initial == 0.5
    assert [s.charger for s in scenario.sessions] == ["c1", "c2"]
    assert scenario.sessions[0].requested_kwh == pytest.approx(7.0)
    assert scenario.extra == {"comment": "extra keys are kept and ignored"}


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    scenario = scenario_from_dict(tiny_scenario_dict())
    path = tmp_path / "sub" / "tiny.json"
    save_scenario(scenario, path)
    again = load_scenario(path)
    assert scenario_to_dict(again) == scenario_to_dict(scenario)


def test_battery_is_optional() -> None:
    data = tiny_scenario_dict()
    del data["battery"]
    scenario = scenario_from_dict(data)
    assert scenario.battery is None
    assert "battery" not in scenario_to_dict(scenario)


def test_timestamps_without_zone_are_utc() -> None:
    assert parse_time("2023-07-03T02:00:00", "t") == datetime(2023, 7, 3, 2, tzinfo=UTC)
    assert parse_time("2023-07-03T02:00:00+02:00", "t") == datetime(2023, 7, 3, tzinfo=UTC)
    with pytest.raises(ScenarioError, match="t:"):
        parse_time("yesterday", "t")
    with pytest.raises(ScenarioError, match="ISO"):
        parse_time(5, "t")


def _broken(change: Any) -> dict[str, Any]:
    data = tiny_scenario_dict()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("name"), "name"),
        (lambda d: d.update(steps="8"), "steps"),
        (lambda d: d.update(steps=True), "steps"),
        (lambda d: d.update(step_minutes=0), "step_minutes"),
        (lambda d: d.update(site=[]), "site"),
        (lambda d: d["site"].update(import_limit_kw=-1), "import_limit_kw"),
        (lambda d: d.update(chargers={}), "chargers"),
        (lambda d: d["chargers"].append({"id": 3}), "string id"),
        (lambda d: d["chargers"].append(dict(d["chargers"][0])), "unique"),
        (lambda d: d["chargers"][0].update(efficiency=0), "efficiency"),
        (lambda d: d["chargers"][0].update(efficiency=1.5), "efficiency"),
        (lambda d: d.update(battery=3), "battery"),
        (lambda d: d["battery"].update(soc_initial=0.05), "soc_min"),
        (lambda d: d["battery"].update(efficiency=0.0), "battery.efficiency"),
        (lambda d: d["series"].update(pv_kw=[0.0]), "pv_kw"),
        (lambda d: d["series"]["pv_kw"].__setitem__(0, float("nan")), "finite"),
        (lambda d: d["series"]["building_kw"].__setitem__(0, -1.0), ">= 0"),
        (lambda d: d.update(sessions=None), "sessions"),
        (lambda d: d["sessions"].append(7), "object"),
        (lambda d: d["sessions"][0].update(charger="c9"), "known charger"),
        (lambda d: d["sessions"][0].update(departure="2023-07-02T00:00:00Z"), "departs"),
        (lambda d: d["sessions"][0].update(target_energy_kwh=61.0), "capacity"),
        (lambda d: d["sessions"][1].update(charger="c1"), "overlap"),
    ],
)
def test_invalid_scenarios_are_rejected(change: Any, message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        scenario_from_dict(_broken(change))


def test_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.json"):
        load_scenario(path)
    path.write_text(json.dumps([1, 2]), encoding="utf-8")
    with pytest.raises(ScenarioError, match="top level"):
        load_scenario(path)
