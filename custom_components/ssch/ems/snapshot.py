"""Build the planner's view of the site from the OCPP server and the mapped Home Assistant entities."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
import math
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.core import HomeAssistant, State
from homeassistant.util import dt as dt_util
import numpy as np

from custom_components.ssch.core.battery_pool import pooled
from custom_components.ssch.core.evse_control import ChargeMode, EvseControls
from custom_components.ssch.core.evse_key import EvseKey, evse_key, session_id
from custom_components.ssch.core.forecast import forecast_building_kw
from custom_components.ssch.core.grid_signals import GridSignal, limit_series, limits_at
from custom_components.ssch.core.history_bins import Sample, merged, to_compact
from custom_components.ssch.core.model import (
    Evse,
    EvSession,
    FloatArray,
    Forecasts,
    SiteLimits,
    SiteSnapshot,
    StationaryBattery,
    StepGrid,
)
from custom_components.ssch.csms.ac import charge_limits_kw
from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.csms.state import EvseState
from custom_components.ssch.hub_config import ChargerConfig, HubConfig

from .site_prices import SitePrices
from .solar_forecasts import SolarForecasts
from .source_tracker import SourceTracker

# What the hub assumes about a car that does not say (ISO 15118-2 and older cars report little).
DEFAULT_EV_CAPACITY_KWH = 60.0
DEFAULT_STAY = timedelta(hours=8)
ASSUMED_ARRIVAL_SOC = 0.5
DEFAULT_TARGET_SOC = 0.8
FAST_SLACK = timedelta(minutes=5)
HISTORY_LENGTH = timedelta(days=22)


@dataclass(frozen=True, slots=True)
class LiveReadings:
    """What the mapped sensors say now (kW, positive into the site/battery)."""

    pv_kw: float
    building_kw: float
    battery_kw: float
    grid_kw: float | None
    battery_kw_by_asset: dict[str, float] = field(default_factory=dict)


class SnapshotBuilder:
    """Keeps the measurement history the forecasts need and assembles snapshots."""

    def __init__(
        self,
        hass: HomeAssistant,
        config: HubConfig,
        server: CsmsServer,
        tracker: SourceTracker,
        controls: EvseControls,
        *,
        billed_peak_kw: Callable[[], float],
    ) -> None:
        """Build snapshots for one hub; ``controls`` are the EMS's per-EVSE choices, read, never written."""
        self._hass = hass
        self._config = config
        self._server = server
        self._tracker = tracker
        self.prices = SitePrices(hass, config)
        self.solar = SolarForecasts(hass, config)
        self._pv_history: deque[tuple[datetime, float]] = deque()
        self._building_history: deque[tuple[datetime, float]] = deque()
        self._controls = controls
        # The batteries as the last snapshot saw them; the plan's pool series is split between them.
        self.last_batteries: list[StationaryBattery] = []
        self._billed_peak_kw = billed_peak_kw
        self.signals: list[GridSignal] = []
        # Per session of the last snapshot: the EVSE's session meter (kWh) and whether the car's
        # energy came from its SoC (False: assumed), as they were when the snapshot was taken.
        self.session_meters: dict[str, tuple[float, bool]] = {}

    def grid(self, now: datetime) -> StepGrid:
        """The plan grid: steps of the configured length from ``now``.

        Anchored at now, not at a clock boundary: the first step's power is then a rate the chargers can
        follow from this moment, not an average over a step that is partly past.
        """
        steps = max(1, round(self._config.horizon_hours * 60 / self._config.step_minutes))
        return StepGrid(dt_util.as_utc(now).replace(microsecond=0), self._config.step_minutes, steps)

    def limits_now(self, now: datetime) -> tuple[float, float]:
        """Import and export limits in force at ``now``, after expired signals are dropped."""
        self.signals = [signal for signal in self.signals if not signal.expired_at(now)]
        return limits_at(now, self._config.import_limit_kw, self._config.export_limit_kw, self.signals)

    def live(self, now: datetime) -> LiveReadings:
        """Read every mapped power sensor once, falling back as the tracker decides."""
        power = SensorDeviceClass.POWER
        pv = sum(max(0.0, self._tracker.read(p.power_entity, power, 0.0, now)) for p in self._config.pv)
        building = sum(
            max(0.0, self._tracker.read(b.power_entity, power, 0.0, now)) for b in self._config.buildings
        )
        batteries = {
            b.subentry_id: self._tracker.read(b.power_entity, power, 0.0, now) for b in self._config.batteries
        }
        grid: float | None = None
        meter = self._config.grid_meter
        if meter is not None:
            grid = self._tracker.read(meter.import_power_entity, power, math.nan, now)
            if meter.export_power_entity is not None:
                grid -= self._tracker.read(meter.export_power_entity, power, 0.0, now)
            if math.isnan(grid):
                grid = None
        return LiveReadings(pv, building, sum(batteries.values()), grid, batteries)

    def record(self, now: datetime, readings: LiveReadings) -> None:
        """Remember PV and building power for the forecasts (a site without PV has no PV history:
        zeros would read as a clouded sky once PV is added)."""
        for history, value, mapped in (
            (self._pv_history, readings.pv_kw, self._config.pv),
            (self._building_history, readings.building_kw, self._config.buildings),
        ):
            if not mapped:
                continue
            history.append((now, value))
            while history and now - history[0][0] > HISTORY_LENGTH:
                history.popleft()

    def seed_history(self, pv: Sequence[Sample], building: Sequence[Sample], now: datetime) -> None:
        """Add history from before the hub started (its store, the recorder); what the hub measured
        itself wins at the same moment."""
        for history, seeded in ((self._pv_history, pv), (self._building_history, building)):
            combined = [(at, value) for at, value in merged(seeded, history) if now - at <= HISTORY_LENGTH]
            history.clear()
            history.extend(combined)

    def kept_history(self) -> dict[str, Any]:
        """PV and building history per plan step, for the store."""
        step = timedelta(minutes=self._config.step_minutes)
        return {
            "pv": to_compact(list(self._pv_history), step),
            "building": to_compact(list(self._building_history), step),
        }

    def build(self, now: datetime) -> SiteSnapshot:
        """Everything the planner needs, as of ``now``."""
        self.session_meters = {}
        grid = self.grid(now)
        self.record(now, self.live(now))
        prices = replace(
            self.prices.series(grid, now),
            peak_eur_per_kw=self._config.peak_charge_eur_per_kw,
            peak_already_kw=self._billed_peak_kw(),
        )
        evses: list[Evse] = []
        sessions: list[EvSession] = []
        for charger in self._config.chargers:
            station = self._server.state(charger.station_id)
            for evse_id in range(1, charger.evse_count + 1):
                key = evse_key(charger.station_id, evse_id)
                cap = self._controls.cap_kw(key, charger.max_charge_kw)
                controllable = station.connected and self._controls.steerable(key, now)
                evses.append(Evse(key, cap, charger.max_discharge_kw, controllable))
                state = station.evse(evse_id)
                if state.transaction_id is not None and controllable:
                    sessions.append(self._session(now, charger, key, cap, state))
        return SiteSnapshot(
            grid=grid,
            limits=SiteLimits(
                *limit_series(grid, self._config.import_limit_kw, self._config.export_limit_kw, self.signals)
            ),
            prices=prices,
            forecasts=Forecasts(self._pv_forecast(grid), self._building_forecast(grid)),
            battery=self._battery(now),
            evses=tuple(evses),
            sessions=tuple(sessions),
            pv_curtailable=any(p.curtailment_entity for p in self._config.pv),
        )

    def _state(self, entity_id: str | None) -> State | None:
        return self._hass.states.get(entity_id) if entity_id else None

    def _pv_forecast(self, grid: StepGrid) -> FloatArray:
        return self.solar.pv_forecast_kw(
            grid, list(self._pv_history), self._hass.config.latitude, self._hass.config.longitude
        )

    def _building_forecast(self, grid: StepGrid) -> FloatArray:
        if not self._config.buildings:
            return np.zeros(grid.steps)
        return forecast_building_kw(grid, list(self._building_history), time_zone=self._hass.config.time_zone)

    def batteries(self, now: datetime) -> list[StationaryBattery]:
        """Each configured battery as it is now, in the order of the hub's configuration."""
        batteries: list[StationaryBattery] = []
        for battery in self._config.batteries:
            # Unknown SoC: assume the battery sits at its floor, so nothing is planned out of it.
            soc_pct = self._tracker.read(
                battery.soc_entity, SensorDeviceClass.BATTERY, battery.soc_min_pct, now
            )
            batteries.append(
                StationaryBattery(
                    capacity_kwh=battery.capacity_kwh,
                    max_charge_kw=battery.max_charge_kw,
                    max_discharge_kw=battery.max_discharge_kw,
                    soc_min=battery.soc_min_pct / 100.0,
                    soc_max=battery.soc_max_pct / 100.0,
                    efficiency=battery.efficiency,
                    energy_kwh=min(max(soc_pct, 0.0), 100.0) / 100.0 * battery.capacity_kwh,
                )
            )
        return batteries

    def _battery(self, now: datetime) -> StationaryBattery | None:
        """All batteries as one pool (``core.battery_pool``): the plan is the pool's, split at dispatch."""
        self.last_batteries = self.batteries(now)
        return pooled(self.last_batteries)

    def _session(
        self, now: datetime, charger: ChargerConfig, key: EvseKey, cap_kw: float, evse: EvseState
    ) -> EvSession:
        goal = self._controls[key].goal
        capacity = self._controls.car_capacity_kwh(key, DEFAULT_EV_CAPACITY_KWH)
        soc = evse.ev_soc_pct
        session = session_id(key, str(evse.transaction_id))
        self.session_meters[session] = (evse.session_energy_kwh, soc is not None)
        if soc is not None:
            energy = min(capacity, capacity * soc / 100.0)
        else:
            # No SoC from the car (no ISO 15118): assume it came half full, plus what it got since.
            energy = min(max(capacity * ASSUMED_ARRIVAL_SOC + evse.session_energy_kwh, 0.0), capacity)
        if goal.target_soc_pct is not None:
            target = capacity * goal.target_soc_pct / 100.0
        elif evse.energy_request_kwh is not None:
            # The request counts from the start of the session; what was charged since is deducted.
            target = energy - evse.session_energy_kwh + evse.energy_request_kwh
        else:
            target = capacity * DEFAULT_TARGET_SOC
        target = min(max(target, 0.0), capacity)
        reported = evse.departure_time if evse.departure_time and evse.departure_time > now else None
        departure = (
            goal.departure if goal.departure and goal.departure > now else reported or now + DEFAULT_STAY
        )
        ev_discharge = evse.ev_limits.max_discharge_kw
        config = self._server.registry.get(charger.station_id)
        # The car's own limits (power, or current per phase on AC) bound the plan too.
        max_charge = min(cap_kw, charge_limits_kw(config, evse)[1]) if config is not None else cap_kw
        v2g = (
            charger.bidirectional
            and evse.v2g_allowed
            and goal.v2g_allowed
            and goal.mode is ChargeMode.SMART
            and (ev_discharge or 0.0) > 0.0
        )
        if goal.mode is ChargeMode.FAST and max_charge > 0:
            # Due as soon as full power gets there: the plan has no room but to charge now.
            departure = min(
                departure, now + timedelta(hours=max(target - energy, 0.0) / max_charge) + FAST_SLACK
            )
        elif goal.mode in (ChargeMode.SOLAR_ONLY, ChargeMode.OFF):
            target = energy
        if goal.mode is ChargeMode.OFF:
            max_charge = 0.0
        return EvSession(
            session_id=session,
            evse_id=key,
            max_charge_kw=max_charge,
            max_discharge_kw=min(charger.max_discharge_kw, ev_discharge or 0.0) if v2g else 0.0,
            arrival=min(evse.session_started_at or now, now),
            departure=departure,
            energy_kwh=energy,
            capacity_kwh=capacity,
            target_energy_kwh=target,
            min_energy_kwh=min(capacity * goal.min_soc_pct / 100.0, capacity),
            v2g_allowed=v2g,
        )
