"""KPI accumulators of the running hub, fed every dispatch tick and persisted across restarts.

Each ``record`` holds its sample until the next one (at most ``max_gap``, so a stall or a restart
never invents energy). Load shape and energy shares cover the retained days, throughput and session
counts everything since the tracker started, costs the local day and month. The uncontrolled
counterfactual is the same site with every reported session charged at full power from arrival
until its target, the stationary battery idle and PV as produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import logging
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .kpi_tracker_costs import PeriodCost, day_key, month_key
from .kpi_tracker_report import (
    battery_degradation_increase,
    compare_load,
    pv_self_consumption,
    self_sufficiency,
)
from .kpi_tracker_sessions import SessionLedger, TrackedSession
from .kpi_tracker_steps import (
    BatteryLevel,
    InputGuard,
    SiteSample,
    StepLedger,
    finite,
    split_by_step,
    utc,
)
from .kpi_tracker_uptime import UptimeLedger

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
DEFAULT_MAX_GAP = timedelta(minutes=2)
_THROUGHPUT = ("ev_charge_kwh", "ev_discharge_kwh", "battery_charge_kwh", "battery_discharge_kwh")


@dataclass(frozen=True, slots=True)
class HubKpis:
    """Indicators for sensors; percentages are 0-100, None where not defined yet.

    Peaks, reductions and shares cover the retained days (steps observed for at least half their
    length); sessions, throughput and uptime everything since the tracker started; costs the local
    day and month. Reductions and savings are positive when the hub did better than uncontrolled
    charging; ``battery_degradation_increase_pct`` is the extra ageing of the stationary battery
    over leaving it idle (positive = more wear).
    """

    peak_import_kw: float | None
    uncontrolled_peak_import_kw: float | None
    peak_reduction_pct: float | None
    variance_reduction_pct: float | None
    pv_self_consumption_pct: float | None
    self_sufficiency_pct: float | None
    sessions_completed: int
    sessions_met_pct: float | None
    unmet_energy_kwh: float
    ev_throughput_kwh: float
    battery_throughput_kwh: float
    battery_degradation_increase_pct: float | None
    energy_cost_today_eur: float
    energy_cost_month_eur: float
    savings_today_eur: float
    savings_month_eur: float
    flex_up_kw: float | None
    flex_down_kw: float | None
    charger_uptime_pct: float | None


def _pct(share: float | None) -> float | None:
    return None if share is None else 100.0 * share


class KpiTracker:
    """Accumulates what really happened on the site and turns it into ``HubKpis``."""

    def __init__(
        self,
        step_minutes: int = 15,
        timezone: str = "UTC",
        *,
        retention_days: int = 7,
        battery_capacity_kwh: float = 0.0,
        max_gap: timedelta = DEFAULT_MAX_GAP,
    ) -> None:
        try:
            self._zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {timezone!r}") from err
        self._steps = StepLedger(step_minutes, retention_days)
        self._sessions = SessionLedger()
        self._uptime = UptimeLedger()
        self._battery = BatteryLevel(max(0.0, battery_capacity_kwh))
        self._max_gap = max_gap
        self._throughput = dict.fromkeys(_THROUGHPUT, 0.0)
        self._day = PeriodCost()
        self._month = PeriodCost()
        self._flex: tuple[float, float] | None = None
        self._last: tuple[datetime, SiteSample] | None = None
        self._inputs = InputGuard()

    def record(
        self,
        now: datetime,
        *,
        grid_import_kw: float,
        grid_export_kw: float,
        pv_kw: float,
        building_kw: float,
        battery_kw: float,
        evse_power_kw: Mapping[str, float],
        price_import_eur_per_kwh: float,
        price_export_eur_per_kwh: float,
        flex_up_kw: float,
        flex_down_kw: float,
        battery_energy_kwh: float | None = None,
    ) -> None:
        """One reading of the site; powers in kW, battery and chargers signed (+ = charging)."""
        now = utc(now, "now")
        number, magnitude = self._inputs.number, self._inputs.magnitude
        ev_kw = [number(f"evse_power_kw[{key}]", value) for key, value in evse_power_kw.items()]
        sample = SiteSample(
            grid_import_kw=magnitude("grid_import_kw", grid_import_kw),
            grid_export_kw=magnitude("grid_export_kw", grid_export_kw),
            pv_kw=magnitude("pv_kw", pv_kw),
            building_kw=magnitude("building_kw", building_kw),
            battery_kw=number("battery_kw", battery_kw),
            ev_charge_kw=sum(max(power, 0.0) for power in ev_kw),
            ev_discharge_kw=sum(max(-power, 0.0) for power in ev_kw),
            price_import_eur_per_kwh=number("price_import_eur_per_kwh", price_import_eur_per_kwh),
            price_export_eur_per_kwh=number("price_export_eur_per_kwh", price_export_eur_per_kwh),
        )
        if self._last is not None:
            then, held = self._last
            self._integrate(held, then, min(now, then + self._max_gap))
        self._last = (now, sample)
        self._flex = (magnitude("flex_up_kw", flex_up_kw), magnitude("flex_down_kw", flex_down_kw))
        if battery_energy_kwh is not None:
            self._battery.measured(magnitude("battery_energy_kwh", battery_energy_kwh))
        self._uptime.resume(now)
        self._sessions.prune(now)

    def session_started(
        self,
        session_id: str,
        evse_id: str,
        *,
        arrival: datetime,
        departure: datetime,
        energy_kwh: float,
        target_energy_kwh: float,
        capacity_kwh: float,
        max_charge_kw: float,
        charge_efficiency: float = 0.95,
        energy_measured: bool = True,
    ) -> None:
        """A car plugged in (or its needs changed); energies are stored in the car, ``max_charge_kw``
        is the charger limit. Every session must be reported: its counterfactual replaces it.
        ``energy_measured`` is False while the car's energy is only assumed (no SoC reported yet)."""
        if not 0.0 < charge_efficiency <= 1.0:
            raise ValueError("charge_efficiency must be in (0, 1]")
        session = TrackedSession(
            session_id=session_id,
            evse_id=evse_id,
            arrival=utc(arrival, "arrival"),
            departure=utc(departure, "departure"),
            energy_kwh=finite(energy_kwh),
            target_energy_kwh=finite(target_energy_kwh),
            capacity_kwh=finite(capacity_kwh),
            max_charge_kw=max(0.0, finite(max_charge_kw)),
            charge_efficiency=charge_efficiency,
            reported_at=None if self._last is None else self._last[0],
            energy_measured=energy_measured,
        )
        self._sessions.start(session)

    def session_ended(self, session_id: str, at: datetime, energy_kwh: float) -> None:
        """The car left with ``energy_kwh`` stored."""
        self._sessions.end(session_id, at, finite(energy_kwh))

    def station_online(self, station_id: str, online: bool, at: datetime) -> None:
        self._uptime.update(station_id, online, utc(at, "at"))

    def snapshot(self, now: datetime) -> HubKpis:
        local = utc(now, "now").astimezone(self._zone)
        load = compare_load(self._steps)
        rows = self._steps.rows
        day_cost, day_savings = self._day.cost_and_savings(day_key(local))
        month_cost, month_savings = self._month.cost_and_savings(month_key(local))
        degradation = battery_degradation_increase(rows, self._battery.capacity_kwh, self._steps.step_hours)
        throughput = self._throughput
        return HubKpis(
            peak_import_kw=load.peak_import_kw,
            uncontrolled_peak_import_kw=load.uncontrolled_peak_import_kw,
            peak_reduction_pct=_pct(load.peak_reduction),
            variance_reduction_pct=_pct(load.variance_reduction),
            pv_self_consumption_pct=_pct(pv_self_consumption(rows)),
            self_sufficiency_pct=_pct(self_sufficiency(rows)),
            sessions_completed=self._sessions.completed,
            sessions_met_pct=_pct(self._sessions.met_share),
            unmet_energy_kwh=self._sessions.unmet_kwh,
            ev_throughput_kwh=throughput["ev_charge_kwh"] + throughput["ev_discharge_kwh"],
            battery_throughput_kwh=throughput["battery_charge_kwh"] + throughput["battery_discharge_kwh"],
            battery_degradation_increase_pct=_pct(degradation),
            energy_cost_today_eur=day_cost,
            energy_cost_month_eur=month_cost,
            savings_today_eur=day_savings,
            savings_month_eur=month_savings,
            flex_up_kw=None if self._flex is None else self._flex[0],
            flex_down_kw=None if self._flex is None else self._flex[1],
            charger_uptime_pct=_pct(self._uptime.share(utc(now, "now"))),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready accumulators (the held sample is left out: after a restart it is stale)."""
        return {
            "version": STORAGE_VERSION,
            "step_minutes": int(self._steps.step.total_seconds() // 60),
            "rows": self._steps.to_list(),
            "sessions": self._sessions.to_dict(),
            "uptime": self._uptime.to_dict(None if self._last is None else self._last[0]),
            "day": self._day.to_list(),
            "month": self._month.to_list(),
            "throughput": dict(self._throughput),
            "battery_energy_kwh": self._battery.energy_kwh,
            "flex": None if self._flex is None else list(self._flex),
        }

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any] | None,
        step_minutes: int = 15,
        timezone: str = "UTC",
        *,
        retention_days: int = 7,
        battery_capacity_kwh: float = 0.0,
        max_gap: timedelta = DEFAULT_MAX_GAP,
    ) -> KpiTracker:
        """A tracker restored from ``to_dict``; a fresh one when ``data`` is missing or unusable."""

        def fresh() -> KpiTracker:
            return cls(
                step_minutes,
                timezone,
                retention_days=retention_days,
                battery_capacity_kwh=battery_capacity_kwh,
                max_gap=max_gap,
            )

        tracker = fresh()
        if data is None:
            return tracker
        try:
            tracker._load(data)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            _LOGGER.warning("Stored KPI accumulators are unusable (%s); starting afresh", err)
            return fresh()
        return tracker

    def _load(self, data: Mapping[str, Any]) -> None:
        if data["version"] != STORAGE_VERSION:
            raise ValueError(f"storage version {data['version']!r} is not {STORAGE_VERSION}")
        if int(data["step_minutes"]) * 60 == self._steps.step.total_seconds():
            self._steps.load(data["rows"])
        else:
            _LOGGER.info("KPI step length changed; the per-step history starts afresh")
        self._sessions.load(data["sessions"])
        self._uptime.load(data["uptime"])
        self._day = PeriodCost.from_list(data["day"])
        self._month = PeriodCost.from_list(data["month"])
        self._throughput = {name: finite(data["throughput"][name]) for name in _THROUGHPUT}
        battery = data["battery_energy_kwh"]
        self._battery.energy_kwh = None if battery is None else finite(battery)
        flex = data["flex"]
        self._flex = None if flex is None else (finite(flex[0]), finite(flex[1]))

    def _integrate(self, sample: SiteSample, start: datetime, end: datetime) -> None:
        for piece_start, piece_end in split_by_step(start, end, self._steps.step):
            hours = (piece_end - piece_start).total_seconds() / 3600.0
            ev_kw = self._sessions.uncontrolled_kw(piece_start, piece_end)
            row = self._steps.row_at(piece_start)
            if row is not None:
                self._battery.advance(row, sample.battery_kw, hours)
                row.add(sample, hours, ev_kw)
            self._throughput["ev_charge_kwh"] += sample.ev_charge_kw * hours
            self._throughput["ev_discharge_kwh"] += sample.ev_discharge_kw * hours
            self._throughput["battery_charge_kwh"] += max(sample.battery_kw, 0.0) * hours
            self._throughput["battery_discharge_kwh"] += max(-sample.battery_kw, 0.0) * hours
            local = piece_start.astimezone(self._zone)
            cost = sample.cost_eur_per_h * hours
            uncontrolled_cost = sample.uncontrolled_cost_eur_per_h(ev_kw) * hours
            self._day.add(day_key(local), cost, uncontrolled_cost)
            self._month.add(month_key(local), cost, uncontrolled_cost)
