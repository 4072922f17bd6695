"""Per-step energy totals of the running site, kept for a bounded number of days.

A ``SiteSample`` is what the meters said at one moment; it is held until the next sample and
integrated into the totals of the steps it covers, next to the counterfactual site in which every
car charges uncontrolled and the stationary battery stays idle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
import logging
import math
from typing import Any

import numpy as np

_LOGGER = logging.getLogger(__name__)
_STORED_DECIMALS = 6
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def finite(value: object) -> float:
    """``value`` as a finite float; ``ValueError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not finite: {number}")
    return number


class InputGuard:
    """Turns readings into finite numbers; a bad reading counts as 0, logged once per input."""

    def __init__(self) -> None:
        self._reported: set[str] = set()

    def number(self, name: str, value: float) -> float:
        try:
            return finite(value)
        except ValueError:
            if name not in self._reported:
                self._reported.add(name)
                _LOGGER.warning("KPI input %s is not a finite number (%r); counted as 0", name, value)
            return 0.0

    def magnitude(self, name: str, value: float) -> float:
        return max(0.0, self.number(name, value))


@dataclass(frozen=True, slots=True)
class SiteSample:
    """Site flows at one moment: magnitudes except ``battery_kw`` (signed, + = charging)."""

    grid_import_kw: float
    grid_export_kw: float
    pv_kw: float
    building_kw: float
    battery_kw: float
    ev_charge_kw: float
    ev_discharge_kw: float
    price_import_eur_per_kwh: float
    price_export_eur_per_kwh: float

    @property
    def cost_eur_per_h(self) -> float:
        return self.grid_import_kw * self.price_import_eur_per_kwh - (
            self.grid_export_kw * self.price_export_eur_per_kwh
        )

    def uncontrolled_net_kw(self, uncontrolled_ev_kw: float) -> float:
        """Net grid power with the realised EV and battery flows swapped for uncontrolled charging."""
        ev_net_kw = self.ev_charge_kw - self.ev_discharge_kw
        return self.grid_import_kw - self.grid_export_kw - self.battery_kw - ev_net_kw + uncontrolled_ev_kw

    def uncontrolled_cost_eur_per_h(self, uncontrolled_ev_kw: float) -> float:
        net = self.uncontrolled_net_kw(uncontrolled_ev_kw)
        return max(net, 0.0) * self.price_import_eur_per_kwh - max(-net, 0.0) * self.price_export_eur_per_kwh


@dataclass(slots=True)
class StepTotals:
    """Energies of one step (kWh) over the ``hours`` of it that were observed."""

    start: datetime
    hours: float = 0.0
    import_kwh: float = 0.0
    export_kwh: float = 0.0
    pv_kwh: float = 0.0
    pv_exported_kwh: float = 0.0
    building_kwh: float = 0.0
    ev_charge_kwh: float = 0.0
    ev_discharge_kwh: float = 0.0
    battery_charge_kwh: float = 0.0
    battery_discharge_kwh: float = 0.0
    uncontrolled_import_kwh: float = 0.0
    uncontrolled_export_kwh: float = 0.0
    battery_start_kwh: float | None = None
    battery_end_kwh: float | None = None

    def add(self, sample: SiteSample, hours: float, uncontrolled_ev_kw: float) -> None:
        self.hours += hours
        self.import_kwh += sample.grid_import_kw * hours
        self.export_kwh += sample.grid_export_kw * hours
        self.pv_kwh += sample.pv_kw * hours
        self.pv_exported_kwh += min(sample.grid_export_kw, sample.pv_kw) * hours
        self.building_kwh += sample.building_kw * hours
        self.ev_charge_kwh += sample.ev_charge_kw * hours
        self.ev_discharge_kwh += sample.ev_discharge_kw * hours
        self.battery_charge_kwh += max(sample.battery_kw, 0.0) * hours
        self.battery_discharge_kwh += max(-sample.battery_kw, 0.0) * hours
        net = sample.uncontrolled_net_kw(uncontrolled_ev_kw)
        self.uncontrolled_import_kwh += max(net, 0.0) * hours
        self.uncontrolled_export_kwh += max(-net, 0.0) * hours

    @classmethod
    def from_list(cls, values: list[Any]) -> StepTotals:
        if len(values) != len(_STORED_FIELDS) + 1:
            raise ValueError("step row has the wrong length")
        start = datetime.fromisoformat(values[0]).astimezone(UTC)
        numbers = [finite(v) for v in values[1:-2]]
        battery = [None if v is None else finite(v) for v in values[-2:]]
        return cls(start, *numbers, *battery)


class BatteryLevel:
    """Stored energy of the stationary battery: measured when given, else integrated from its
    (grid-side) power; half full until first known."""

    def __init__(self, capacity_kwh: float) -> None:
        self.capacity_kwh = capacity_kwh
        self.energy_kwh: float | None = None

    def measured(self, energy_kwh: float) -> None:
        if self.capacity_kwh > 0.0:
            self.energy_kwh = min(energy_kwh, self.capacity_kwh)

    def advance(self, row: StepTotals, battery_kw: float, hours: float) -> None:
        if self.capacity_kwh <= 0.0:
            return
        energy = self.capacity_kwh / 2.0 if self.energy_kwh is None else self.energy_kwh
        if row.battery_start_kwh is None:
            row.battery_start_kwh = energy
        self.energy_kwh = min(self.capacity_kwh, max(0.0, energy + battery_kw * hours))
        row.battery_end_kwh = self.energy_kwh


_STORED_FIELDS = tuple(f.name for f in fields(StepTotals)[1:])


def step_floor(moment: datetime, step: timedelta) -> datetime:
    return _EPOCH + ((moment - _EPOCH) // step) * step


def split_by_step(start: datetime, end: datetime, step: timedelta) -> Iterator[tuple[datetime, datetime]]:
    """The pieces of [start, end) that lie in one step each."""
    piece_start = start
    while piece_start < end:
        piece_end = min(end, step_floor(piece_start, step) + step)
        yield piece_start, piece_end
        piece_start = piece_end


class StepLedger:
    """The last ``retention_days`` of step totals, oldest first (memory is bounded by maxlen)."""

    def __init__(self, step_minutes: int, retention_days: int) -> None:
        if step_minutes <= 0 or retention_days <= 0:
            raise ValueError("step_minutes and retention_days must be positive")
        self.step = timedelta(minutes=step_minutes)
        self.rows: deque[StepTotals] = deque(maxlen=retention_days * 24 * 60 // step_minutes)

    @property
    def step_hours(self) -> float:
        return self.step.total_seconds() / 3600.0

    def row_at(self, moment: datetime) -> StepTotals | None:
        """The row of the step containing ``moment``, created when it is the newest; None for a
        step older than the newest row that was never observed."""
        start = step_floor(moment, self.step)
        if not self.rows or self.rows[-1].start < start:
            self.rows.append(StepTotals(start))
            return self.rows[-1]
        return next((row for row in reversed(self.rows) if row.start == start), None)

    def observed(self, min_coverage: float) -> list[StepTotals]:
        """Rows observed for at least ``min_coverage`` of their step."""
        return [row for row in self.rows if row.hours >= min_coverage * self.step_hours]

    def to_list(self) -> list[list[Any]]:
        """Compact and JSON-ready rows; micro-kWh rounding keeps a week of them small."""
        values = np.array(
            [[getattr(row, name) for name in _STORED_FIELDS] for row in self.rows], dtype=np.float64
        )
        rounded: list[list[float]] = np.round(values, _STORED_DECIMALS).tolist()  # type: ignore[assignment]
        return [
            [row.start.isoformat(), *numbers[:-2], *(None if math.isnan(v) else v for v in numbers[-2:])]
            for row, numbers in zip(self.rows, rounded, strict=True)
        ]

    def load(self, rows: list[list[Any]]) -> None:
        loaded = sorted((StepTotals.from_list(values) for values in rows), key=lambda row: row.start)
        self.rows.clear()
        self.rows.extend(loaded)
