"""Sampled values -> signed power, monotonic energy, per-phase current and voltage, and SoC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import math
from typing import Any

from .clock import parse_timestamp
from .state import EnergyMeter, EvseState

_DEFAULT_MEASURAND = "Energy.Active.Import.Register"
# Factor to kW / kWh, A, V or % for each measurand family and the units OCPP allows for it.
_UNITS = {
    "Energy": {"kWh": 1.0, "Wh": 0.001},
    "Power": {"kW": 1.0, "W": 0.001},
    "Current": {"A": 1.0},
    "Voltage": {"V": 1.0},
    "SoC": {"Percent": 1.0},
}
_DEFAULT_UNITS = {"Energy": "Wh", "Power": "W", "Current": "A", "Voltage": "V", "SoC": "Percent"}
_TOTAL_LOCATIONS = {None, "Outlet", "EV"}
_PHASES = ("L1", "L2", "L3")
# A phase carrying less than this is not in use (measurement noise, the car's standby).
_PHASE_IN_USE_A = 1.0


@dataclass(slots=True)
class Readings:
    """The newest whole-EVSE readings from one message (kW / kWh / A / V / %)."""

    import_power_kw: float | None = None
    export_power_kw: float | None = None
    import_register_kwh: float | None = None
    export_register_kwh: float | None = None
    soc_pct: float | None = None
    sampled_at: datetime | None = None
    phase_import_kw: dict[str, float] = field(default_factory=dict)
    phase_current_a: dict[str, float] = field(default_factory=dict)
    phase_voltage_v: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # values that were not readings

    @property
    def power_kw(self) -> float | None:
        """Signed power into the EV; stations that sign the import value are accepted as is."""
        import_kw = self.import_power_kw
        if import_kw is None and self.phase_import_kw:
            import_kw = sum(self.phase_import_kw.values())
        if import_kw is None and self.export_power_kw is None:
            return None
        return (import_kw or 0.0) - (self.export_power_kw or 0.0)

    @property
    def phases_in_use(self) -> int | None:
        """How many phases carry current, when the station reports current per phase."""
        if not self.phase_current_a:
            return None
        return sum(1 for current in self.phase_current_a.values() if current >= _PHASE_IN_USE_A)

    @property
    def voltage_v(self) -> float | None:
        """The mean phase-to-neutral voltage reported."""
        values = list(self.phase_voltage_v.values())
        return sum(values) / len(values) if values else None


def _scaled(sample: dict[str, Any], family: str, readings: Readings) -> float | None:
    value = sample.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    unit_of_measure = sample.get("unitOfMeasure") or {}
    unit = unit_of_measure.get("unit", _DEFAULT_UNITS[family])
    multiplier = unit_of_measure.get("multiplier", 0)
    factor = _UNITS[family].get(unit)
    measurand = sample.get("measurand", _DEFAULT_MEASURAND)
    if factor is None:
        readings.problems.append(f"{measurand} in unknown unit {str(unit)[:20]!r}")
        return None
    if not isinstance(multiplier, int):
        readings.problems.append(f"{measurand} multiplier {str(multiplier)[:20]!r} is not an integer")
        return None
    try:
        scaled = float(value) * factor * 10.0**multiplier
    except OverflowError:
        scaled = math.inf
    if not math.isfinite(scaled):
        readings.problems.append(f"{measurand} multiplier overflows")
        return None
    return scaled


def _phase(sample: dict[str, Any]) -> str | None:
    """``L1`` for ``L1``, ``L1-N``; None for totals and line-to-line values."""
    phase = sample.get("phase")
    if phase is None:
        return None
    name = str(phase).removesuffix("-N")
    return name if name in _PHASES else "other"


def read_meter_values(meter_values: list[dict[str, Any]]) -> Readings:
    """Extract the readings the hub uses; other measurands are skipped, bad values are listed."""
    readings = Readings()
    for meter_value in meter_values:
        sampled_at = parse_timestamp(meter_value.get("timestamp"))
        if sampled_at is not None and (readings.sampled_at is None or sampled_at > readings.sampled_at):
            readings.sampled_at = sampled_at
        for sample in meter_value.get("sampledValue", []):
            if sample.get("location") in _TOTAL_LOCATIONS:
                _read_sample(sample, readings)
    return readings


def _read_sample(sample: dict[str, Any], readings: Readings) -> None:
    measurand = sample.get("measurand", _DEFAULT_MEASURAND)
    family = measurand.split(".", 1)[0]
    if family not in _UNITS or measurand.startswith(("Power.Reactive", "Energy.Reactive")):
        return
    phase = _phase(sample)
    if phase == "other":
        return
    value = _scaled(sample, family, readings)
    if value is None:
        return
    if phase is not None:
        if measurand == "Current.Import":
            readings.phase_current_a[phase] = value
        elif measurand == "Voltage":
            readings.phase_voltage_v[phase] = value
        elif measurand == "Power.Active.Import":
            readings.phase_import_kw[phase] = value
        return
    if measurand == "SoC":
        readings.soc_pct = value
    elif measurand == "Power.Active.Import":
        readings.import_power_kw = value
    elif measurand == "Power.Active.Export":
        readings.export_power_kw = value
    elif measurand == "Energy.Active.Import.Register":
        readings.import_register_kwh = value
    elif measurand == "Energy.Active.Export.Register":
        readings.export_register_kwh = value


def _rises(register_kwh: float | None, meter: EnergyMeter) -> bool:
    """Whether a reading goes on from the register (or from a low reading held as a likely reset)."""
    reference = meter.held_kwh if meter.held_kwh is not None else meter.last_register_kwh
    return register_kwh is not None and reference is not None and register_kwh > reference


def apply_readings(evse: EvseState, readings: Readings) -> list[str]:
    """Update the EVSE from readings; returns what was not applied and why.

    Readings older than the newest one seen (queued while offline, replayed) must not look
    like a meter reset: a lower register with an older timestamp is ignored, and old power or
    SoC values do not replace newer ones. An older timestamp with a rising register means the
    station clock jumped back (e.g. after a reboot): the reading is current.
    """
    problems = list(readings.problems)
    stale = (
        readings.sampled_at is not None
        and evse.last_sampled_at is not None
        and readings.sampled_at < evse.last_sampled_at
        and not _rises(readings.import_register_kwh, evse.charged)
        and not _rises(readings.export_register_kwh, evse.discharged)
    )
    registers = (
        (readings.import_register_kwh, evse.charged, "import"),
        (readings.export_register_kwh, evse.discharged, "export"),
    )
    for register_kwh, meter, name in registers:
        if register_kwh is not None and meter.add_reading(register_kwh, stale=stale):
            problems.append(f"{name} register went backwards to {register_kwh:g} kWh; held until confirmed")
    if stale:
        return problems
    if readings.sampled_at is not None:
        evse.last_sampled_at = readings.sampled_at
    power_kw = readings.power_kw
    if power_kw is not None:
        evse.power_kw = round(power_kw, 4)
    if readings.soc_pct is not None:
        evse.ev_soc_pct = readings.soc_pct
    if readings.phases_in_use:
        evse.phases_in_use = readings.phases_in_use
    if readings.voltage_v is not None:
        evse.voltage_v = round(readings.voltage_v, 1)
    return problems
