"""Sampled values -> signed power, monotonic energy and SoC for one EVSE."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import math
from typing import Any

from .clock import parse_timestamp
from .state import EvseState

_DEFAULT_MEASURAND = "Energy.Active.Import.Register"
_KILO_UNITS = {"kWh": 1.0, "kW": 1.0, "Wh": 0.001, "W": 0.001}
_TOTAL_LOCATIONS = {None, "Outlet", "EV"}


@dataclass(slots=True)
class Readings:
    """The newest whole-EVSE readings from one message (kW / kWh / %)."""

    import_power_kw: float | None = None
    export_power_kw: float | None = None
    import_register_kwh: float | None = None
    export_register_kwh: float | None = None
    soc_pct: float | None = None
    sampled_at: datetime | None = None

    @property
    def power_kw(self) -> float | None:
        """Signed power into the EV; stations that sign the import value are accepted as is."""
        if self.import_power_kw is None and self.export_power_kw is None:
            return None
        return (self.import_power_kw or 0.0) - (self.export_power_kw or 0.0)


def _scaled(sample: dict[str, Any], default_unit: str) -> float | None:
    value = sample.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    unit_of_measure = sample.get("unitOfMeasure") or {}
    unit = unit_of_measure.get("unit", default_unit)
    multiplier = unit_of_measure.get("multiplier", 0)
    factor = _KILO_UNITS.get(unit)
    if factor is None or not isinstance(multiplier, int):
        return None
    try:
        scaled = float(value) * factor * 10.0**multiplier
    except OverflowError:
        return None
    return scaled if math.isfinite(scaled) else None  # a huge multiplier is no reading either


def read_meter_values(meter_values: list[dict[str, Any]]) -> Readings:
    """Extract whole-EVSE readings; per-phase values and unknown units are skipped."""
    readings = Readings()
    for meter_value in meter_values:
        sampled_at = parse_timestamp(meter_value.get("timestamp"))
        if sampled_at is not None and (readings.sampled_at is None or sampled_at > readings.sampled_at):
            readings.sampled_at = sampled_at
        for sample in meter_value.get("sampledValue", []):
            if sample.get("phase") is not None or sample.get("location") not in _TOTAL_LOCATIONS:
                continue
            measurand = sample.get("measurand", _DEFAULT_MEASURAND)
            if measurand == "SoC":
                value = sample.get("value")
                if isinstance(value, int | float):
                    readings.soc_pct = float(value)
                continue
            unit = "Wh" if measurand.startswith("Energy") else "W"
            scaled = _scaled(sample, unit)
            if scaled is None:
                continue
            if measurand == "Power.Active.Import":
                readings.import_power_kw = scaled
            elif measurand == "Power.Active.Export":
                readings.export_power_kw = scaled
            elif measurand == "Energy.Active.Import.Register":
                readings.import_register_kwh = scaled
            elif measurand == "Energy.Active.Export.Register":
                readings.export_register_kwh = scaled
    return readings


def _rises(register_kwh: float | None, last_kwh: float | None) -> bool:
    return register_kwh is not None and last_kwh is not None and register_kwh > last_kwh


def apply_readings(evse: EvseState, readings: Readings) -> None:
    """Update the EVSE from readings.

    Readings older than the newest one seen (queued while offline, replayed) must not look
    like a meter reset: a lower register with an older timestamp is ignored, and old power or
    SoC values do not replace newer ones. An older timestamp with a rising register means the
    station clock jumped back (e.g. after a reboot): the reading is current.
    """
    stale = (
        readings.sampled_at is not None
        and evse.last_sampled_at is not None
        and readings.sampled_at < evse.last_sampled_at
        and not _rises(readings.import_register_kwh, evse.charged.last_register_kwh)
        and not _rises(readings.export_register_kwh, evse.discharged.last_register_kwh)
    )
    if readings.import_register_kwh is not None:
        evse.charged.add_reading(readings.import_register_kwh, stale=stale)
    if readings.export_register_kwh is not None:
        evse.discharged.add_reading(readings.export_register_kwh, stale=stale)
    if stale:
        return
    if readings.sampled_at is not None:
        evse.last_sampled_at = readings.sampled_at
    power_kw = readings.power_kw
    if power_kw is not None:
        evse.power_kw = round(power_kw, 4)
    if readings.soc_pct is not None:
        evse.ev_soc_pct = readings.soc_pct
