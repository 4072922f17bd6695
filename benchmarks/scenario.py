"""The benchmark scenario: one JSON file (format in README.md), loaded and validated here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
import itertools
import json
import math
from pathlib import Path
from typing import Any

SERIES_NAMES = ("price_import_eur_per_kwh", "price_export_eur_per_kwh", "pv_kw", "building_kw")


class ScenarioError(ValueError):
    """The scenario file is malformed or inconsistent."""


@dataclass(frozen=True)
class SiteSpec:
    """Grid connection and the demand charge."""

    import_limit_kw: float
    export_limit_kw: float
    peak_price_eur_per_kw: float


@dataclass(frozen=True)
class ChargerSpec:
    """One bidirectional charge point."""

    id: str
    max_charge_kw: float
    max_discharge_kw: float
    efficiency: float


@dataclass(frozen=True)
class BatterySpec:
    """The stationary battery; SoC bounds are fractions of capacity."""

    capacity_kwh: float
    max_charge_kw: float
    max_discharge_kw: float
    soc_min: float
    soc_max: float
    soc_initial: float
    efficiency: float


@dataclass(frozen=True)
class SessionSpec:
    """One EV visit: energies are the EV battery's stored energy in kWh."""

    charger: str
    arrival: datetime
    departure: datetime
    energy_initial_kwh: float
    capacity_kwh: float
    target_energy_kwh: float
    min_energy_kwh: float
    v2g: bool

    @property
    def requested_kwh(self) -> float:
        """Energy the driver asked for."""
        return max(0.0, self.target_energy_kwh - self.energy_initial_kwh)


@dataclass(frozen=True)
class Series:
    """Per-step inputs; every list has ``steps`` values."""

    price_import_eur_per_kwh: list[float]
    price_export_eur_per_kwh: list[float]
    pv_kw: list[float]
    building_kw: list[float]


@dataclass(frozen=True)
class Scenario:
    """A complete benchmark case."""

    name: str
    start: datetime
    step_minutes: int
    steps: int
    site: SiteSpec
    chargers: list[ChargerSpec]
    series: Series
    sessions: list[SessionSpec]
    battery: BatterySpec | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def step(self) -> timedelta:
        """Length of one step."""
        return timedelta(minutes=self.step_minutes)

    @property
    def step_hours(self) -> float:
        """Length of one step in hours."""
        return self.step_minutes / 60.0

    def time_of(self, index: int) -> datetime:
        """Start of step ``index``."""
        return self.start + index * self.step

    def step_index(self, moment: datetime) -> int:
        """Index of the step a moment falls in (may lie outside the horizon)."""
        return math.floor((moment - self.start) / self.step)

    def charger(self, charger_id: str) -> ChargerSpec:
        """The charger with this id."""
        return next(c for c in self.chargers if c.id == charger_id)


def parse_time(value: object, what: str) -> datetime:
    """Parse an ISO timestamp; naive values are taken as UTC."""
    if not isinstance(value, str):
        raise ScenarioError(f"{what} must be an ISO timestamp string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as err:
        raise ScenarioError(f"{what}: {err}") from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _number(data: dict[str, Any], key: str, what: str, minimum: float | None = None) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{what}.{key} must be a finite number")
    if minimum is not None and value < minimum:
        raise ScenarioError(f"{what}.{key} must be >= {minimum}")
    return float(value)


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ScenarioError(f"{key} must be an object")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise ScenarioError(f"{key} must be a list")
    return value


def _fraction(data: dict[str, Any], key: str, what: str) -> float:
    value = _number(data, key, what, 0.0)
    if value > 1.0:
        raise ScenarioError(f"{what}.{key} must be <= 1")
    return value


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    """Validate a decoded scenario; unknown keys are kept in ``extra`` and otherwise ignored."""
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ScenarioError("name must be a non-empty string")
    step_minutes = int(_number(data, "step_minutes", "scenario", 1))
    steps = int(_number(data, "steps", "scenario", 1))
    site_data = _object(data, "site")
    site = SiteSpec(
        import_limit_kw=_number(site_data, "import_limit_kw", "site", 0),
        export_limit_kw=_number(site_data, "export_limit_kw", "site", 0),
        peak_price_eur_per_kw=_number(site_data, "peak_price_eur_per_kw", "site", 0),
    )
    chargers = [_charger(item) for item in _list(data, "chargers")]
    if len({c.id for c in chargers}) != len(chargers):
        raise ScenarioError("charger ids must be unique")
    battery_data = data.get("battery")
    battery = None if battery_data is None else _battery(battery_data)
    series = _series(_object(data, "series"), steps)
    scenario = Scenario(
        name=name,
        start=parse_time(data.get("start"), "start"),
        step_minutes=step_minutes,
        steps=steps,
        site=site,
        chargers=chargers,
        series=series,
        sessions=[],
        battery=battery,
        extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
    )
    sessions = [_session(item, index, scenario) for index, item in enumerate(_list(data, "sessions"))]
    _check_no_overlap(sessions)
    scenario.sessions.extend(sorted(sessions, key=lambda s: (s.arrival, s.charger)))
    return scenario


_KNOWN_KEYS = frozenset(
    ("name", "start", "step_minutes", "steps", "site", "chargers", "battery", "series", "sessions")
)


def _charger(item: object) -> ChargerSpec:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise ScenarioError("each charger needs a string id")
    efficiency = _fraction(item, "efficiency", "charger")
    if efficiency <= 0:
        raise ScenarioError("charger.efficiency must be > 0")
    return ChargerSpec(
        id=item["id"],
        max_charge_kw=_number(item, "max_charge_kw", "charger", 0),
        max_discharge_kw=_number(item, "max_discharge_kw", "charger", 0),
        efficiency=efficiency,
    )


def _battery(item: object) -> BatterySpec:
    if not isinstance(item, dict):
        raise ScenarioError("battery must be an object")
    battery = BatterySpec(
        capacity_kwh=_number(item, "capacity_kwh", "battery", 0),
        max_charge_kw=_number(item, "max_charge_kw", "battery", 0),
        max_discharge_kw=_number(item, "max_discharge_kw", "battery", 0),
        soc_min=_fraction(item, "soc_min", "battery"),
        soc_max=_fraction(item, "soc_max", "battery"),
        soc_initial=_fraction(item, "soc_initial", "battery"),
        efficiency=_fraction(item, "efficiency", "battery"),
    )
    if not battery.soc_min <= battery.soc_initial <= battery.soc_max:
        raise ScenarioError("battery needs soc_min <= soc_initial <= soc_max")
    if battery.efficiency <= 0:
        raise ScenarioError("battery.efficiency must be > 0")
    return battery


def _series(data: dict[str, Any], steps: int) -> Series:
    columns: dict[str, list[float]] = {}
    for key in SERIES_NAMES:
        values = data.get(key)
        if not isinstance(values, list) or len(values) != steps:
            raise ScenarioError(f"series.{key} must be a list of {steps} numbers")
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise ScenarioError(f"series.{key} must hold finite numbers")
        columns[key] = [float(v) for v in values]
    if min(columns["pv_kw"]) < 0 or min(columns["building_kw"]) < 0:
        raise ScenarioError("series.pv_kw and series.building_kw must be >= 0")
    return Series(**columns)


def _session(item: object, index: int, scenario: Scenario) -> SessionSpec:
    what = f"sessions[{index}]"
    if not isinstance(item, dict):
        raise ScenarioError(f"{what} must be an object")
    charger_id = item.get("charger")
    if charger_id not in {c.id for c in scenario.chargers}:
        raise ScenarioError(f"{what}.charger {charger_id!r} is not a known charger")
    session = SessionSpec(
        charger=str(charger_id),
        arrival=parse_time(item.get("arrival"), f"{what}.arrival"),
        departure=parse_time(item.get("departure"), f"{what}.departure"),
        energy_initial_kwh=_number(item, "energy_initial_kwh", what, 0),
        capacity_kwh=_number(item, "capacity_kwh", what, 0),
        target_energy_kwh=_number(item, "target_energy_kwh", what, 0),
        min_energy_kwh=_number(item, "min_energy_kwh", what, 0),
        v2g=bool(item.get("v2g", False)),
    )
    if session.departure <= session.arrival:
        raise ScenarioError(f"{what} departs before it arrives")
    if max(session.energy_initial_kwh, session.target_energy_kwh) > session.capacity_kwh:
        raise ScenarioError(f"{what} energies exceed the capacity")
    return session


def _check_no_overlap(sessions: list[SessionSpec]) -> None:
    by_charger: dict[str, list[SessionSpec]] = {}
    for session in sessions:
        by_charger.setdefault(session.charger, []).append(session)
    for charger_id, visits in by_charger.items():
        visits.sort(key=lambda s: s.arrival)
        for earlier, later in itertools.pairwise(visits):
            if later.arrival < earlier.departure:
                raise ScenarioError(f"sessions overlap on charger {charger_id}")


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The JSON form of a scenario (inverse of :func:`scenario_from_dict`)."""
    data: dict[str, Any] = {
        **scenario.extra,
        "name": scenario.name,
        "start": scenario.start.isoformat(),
        "step_minutes": scenario.step_minutes,
        "steps": scenario.steps,
        "site": asdict(scenario.site),
        "chargers": [asdict(c) for c in scenario.chargers],
        "series": asdict(scenario.series),
        "sessions": [
            {
                **asdict(s),
                "arrival": s.arrival.isoformat(),
                "departure": s.departure.isoformat(),
            }
            for s in scenario.sessions
        ],
    }
    if scenario.battery is not None:
        data["battery"] = asdict(scenario.battery)
    return data


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ScenarioError(f"{path}: {err}") from err
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: the top level must be an object")
    return scenario_from_dict(data)


def save_scenario(scenario: Scenario, path: Path) -> None:
    """Write a scenario file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(scenario_to_dict(scenario)), encoding="utf-8")
