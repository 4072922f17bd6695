"""The hub's energy management loop in Home Assistant: plan on a cadence and on events, apply the plan."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
import logging
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event, async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
import numpy as np

from custom_components.ssch.core.battery_pool import split_series_kw
from custom_components.ssch.core.billed_peak import BilledPeak
from custom_components.ssch.core.dispatch import EvseBounds, LiveSite, changed_setpoints, correct_setpoints
from custom_components.ssch.core.evse_control import ChargeMode, EvseControls, EvseGoal, ManualOverride
from custom_components.ssch.core.evse_key import EvseKey, evse_key, session_id
from custom_components.ssch.core.expected_plan import plan_with_expected
from custom_components.ssch.core.flexibility_book import Commitment, FlexDirection, FlexibilityBook
from custom_components.ssch.core.flow_meter import FlowMeter
from custom_components.ssch.core.grid_signals import GridSignal
from custom_components.ssch.core.kpi_tracker import HubKpis, KpiTracker
from custom_components.ssch.core.minimum_power import consolidated_setpoints
from custom_components.ssch.core.model import EvSession, FloatArray, Plan, SiteSnapshot, rounded_list
from custom_components.ssch.core.planner import PlanMaker, Planner
from custom_components.ssch.core.session_end import LastSeen, energy_at_departure
from custom_components.ssch.core.session_forecast import SessionForecastConfig, SessionForecaster
from custom_components.ssch.csms.ac import charge_limits_kw
from custom_components.ssch.csms.events import (
    CsmsEvent,
    EvNeedsReceived,
    StationConnected,
    StationDisconnected,
    TransactionEnded,
    TransactionStarted,
)
from custom_components.ssch.csms.server import CsmsServer
from custom_components.ssch.hub_config import HubConfig

from .asset_control import AssetController
from .events import EmsEventEmitter
from .evse_control_migration import controls_from_restored_entities
from .history_restore import async_restore_history
from .setpoints import SetpointLink
from .snapshot import LiveReadings, SnapshotBuilder
from .source_tracker import SourceTracker
from .store import EmsStore, ems_data

_LOGGER = logging.getLogger(__name__)
PLAN_INTERVAL = timedelta(minutes=5)
DISPATCH_INTERVAL = timedelta(seconds=5)
KPI_REFRESH = timedelta(seconds=30)
# Events that change what the plan must do: re-plan at once.
REPLAN_EVENTS = (TransactionStarted, TransactionEnded, EvNeedsReceived, StationConnected, StationDisconnected)


class EmsMode(StrEnum):
    """What the hub does with its plans."""

    AUTOMATIC = "automatic"
    ADVISORY = "advisory"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class EmsResult:
    """One planning round; ``expected`` are the cars the plan kept room for (not plugged in yet)."""

    snapshot: SiteSnapshot
    plan: Plan
    expected: tuple[EvSession, ...] = ()
    # Each configured battery's part of the plan's battery series, split as the dispatcher splits.
    battery_parts_kw: tuple[FloatArray, ...] = ()


class EmsCoordinator(DataUpdateCoordinator[EmsResult]):
    """Plans every few minutes and at once on events; a fast loop applies and corrects the plan."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        config: HubConfig,
        server: CsmsServer,
        planner: PlanMaker | None = None,
    ) -> None:
        """One coordinator per hub; the planner may be kept from before a reload (it is costly to build)."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{config.name} energy management",
            update_interval=PLAN_INTERVAL,
        )
        self.config = config
        self.server = server
        self.tracker = SourceTracker(hass, config.entry_id)
        self.controls = EvseControls()
        self.billed_peak = BilledPeak(hass.config.time_zone)
        self.builder = SnapshotBuilder(
            hass, config, server, self.tracker, self.controls, billed_peak_kw=lambda: self.billed_peak.peak_kw
        )
        self.planner: PlanMaker = planner or Planner()
        self.assets = AssetController(hass, config)
        self.events = EmsEventEmitter(hass, config)
        self.store = EmsStore(hass, config.entry_id)
        self._active_signals: list[GridSignal] = []
        self.flexibility = FlexibilityBook()
        self.arrivals = SessionForecaster(SessionForecastConfig(time_zone=hass.config.time_zone))
        self.grid_meter = FlowMeter()
        self.battery_meters = {battery.subentry_id: FlowMeter() for battery in config.batteries}
        self.kpis = KpiTracker(
            timezone=hass.config.time_zone,
            battery_capacity_kwh=sum(b.capacity_kwh for b in config.batteries),
        )
        self._last_seen: dict[str, LastSeen] = {}
        self._kpi_cache: tuple[datetime, HubKpis] | None = None
        self._plan_attributes: tuple[EmsResult, dict[str, Any]] | None = None
        self.mode = EmsMode.AUTOMATIC
        self.last_latency_s: float | None = None
        self._solve_lock = asyncio.Lock()
        self._request_lock = asyncio.Lock()
        self._replan_pending = False
        self.setpoints = SetpointLink(server, self.controls, lambda: self.mode is EmsMode.AUTOMATIC)

    async def async_request_refresh(self) -> None:
        """Re-plan soon; returns once a plan made after this request exists.

        Requests are coalesced rather than debounced: HA's debouncer drops a request that arrives
        while a refresh runs, which would leave a plug-in or a goal change unplanned for minutes.
        However many arrive during a solve, one more solve follows it.
        """
        self._replan_pending = True
        async with self._request_lock:
            if not self._replan_pending:
                return  # a plan started after this request has been made meanwhile
            self._replan_pending = False
            await self.async_refresh()

    async def _async_update_data(self) -> EmsResult:
        async with self._solve_lock:
            now = dt_util.utcnow()
            snapshot = replace(self.builder.build(now), commitments=self.flexibility.for_planner(now))
            self.arrivals.observe(snapshot)
            expected = self.arrivals.expected_sessions(snapshot)
            plan = await self.hass.async_add_executor_job(
                plan_with_expected, self.planner, snapshot, expected
            )
        parts = split_series_kw(
            plan.battery_power_kw, self.builder.last_batteries, self.config.step_minutes / 60.0
        )
        result = EmsResult(snapshot, plan, tuple(expected), tuple(parts))
        self.events.planned(snapshot, plan)
        self._track_sessions(snapshot)
        self.store.schedule_save(self._persisted)
        self.hass.async_create_task(self.async_dispatch(result), eager_start=True)
        return result

    async def async_restore(self) -> None:
        """Continue from the plan, grid signals and KPI accumulators saved before a restart."""
        saved = await self.store.async_load(self.arrivals.config)
        # Before the first plan: an EVSE the user took out of control must never get a setpoint.
        self.controls.replace_with(
            saved.controls
            if saved.controls is not None
            else controls_from_restored_entities(self.hass, self.config)
        )
        if saved.plan is not None:
            self.planner.restore(saved.plan)
        self.builder.signals = saved.signals
        if saved.flexibility is not None:
            self.flexibility = saved.flexibility
        if saved.arrivals is not None:
            self.arrivals = saved.arrivals
        self.builder.seed_history(saved.pv_history, saved.building_history, dt_util.utcnow())
        await async_restore_history(self.hass, self.config, self.builder, self.arrivals, dt_util.utcnow())
        if saved.billed_peak is not None:
            self.billed_peak = BilledPeak.from_dict(saved.billed_peak, self.hass.config.time_zone)
        if saved.kpis is not None:
            self.kpis = KpiTracker.from_dict(
                saved.kpis,
                timezone=self.hass.config.time_zone,
                battery_capacity_kwh=sum(b.capacity_kwh for b in self.config.batteries),
            )
        now = dt_util.utcnow()
        for charger in self.config.chargers:
            self.kpis.station_online(charger.station_id, self.server.state(charger.station_id).connected, now)

    def kpi_report(self) -> HubKpis:
        """The KPIs, computed at most every 30 seconds (every sensor reads them)."""
        now = dt_util.utcnow()
        if self._kpi_cache is None or now - self._kpi_cache[0] >= KPI_REFRESH:
            self._kpi_cache = (now, self.kpis.snapshot(now))
        return self._kpi_cache[1]

    def _persisted(self) -> dict[str, Any]:
        return ems_data(
            self.data.plan if self.data else None,
            self.builder.signals,
            self.kpis.to_dict(),
            self.flexibility.to_dict(),
            self.arrivals.to_dict(),
            history=self.builder.kept_history(),
            controls=self.controls.to_dict(),
            billed_peak=self.billed_peak.to_dict(),
        )

    async def async_shutdown(self) -> None:
        """Save the plan, signals and KPIs, then stop like every coordinator."""
        await self.store.async_save(self._persisted())
        await super().async_shutdown()

    @callback
    def handle_station_event(self, event: CsmsEvent) -> None:
        """Plug-ins, unplugs, new car needs and stations coming and going re-plan at once."""
        now = dt_util.utcnow()
        if isinstance(event, StationConnected | StationDisconnected):
            self.kpis.station_online(event.station_id, isinstance(event, StationConnected), now)
            # A station that comes back may have dropped its profiles: every setpoint is sent afresh.
            self.setpoints.forget_station(event.station_id)
        elif isinstance(event, TransactionStarted):
            self.setpoints.session_started(evse_key(event.station_id, event.evse_id))
        elif isinstance(event, TransactionEnded):
            self.setpoints.session_ended(evse_key(event.station_id, event.evse_id))
            ended = session_id(evse_key(event.station_id, event.evse_id), event.transaction_id)
            if (seen := self._last_seen.pop(ended, None)) is not None:
                energy = energy_at_departure(seen, event.session_energy_kwh, event.ev_soc_pct)
                self.kpis.session_ended(ended, now, energy)
            self.arrivals.departed(ended, now, event.session_energy_kwh)
        if isinstance(event, REPLAN_EVENTS):
            self.hass.async_create_task(self.async_request_refresh(), eager_start=True)

    @callback
    def follow_prices(self) -> CALLBACK_TYPE:
        """Re-plan when a price entity announces new prices (e.g. tomorrow's day-ahead prices)."""
        entities = [
            source.entity_id
            for source in (self.config.import_price, self.config.export_price)
            if source.entity_id
        ]

        @callback
        def changed(event: Event[EventStateChangedData]) -> None:
            old, new = event.data["old_state"], event.data["new_state"]
            if old is None or new is None or old.state != new.state or old.attributes != new.attributes:
                self.hass.async_create_task(self.async_request_refresh(), eager_start=True)

        return async_track_state_change_event(self.hass, entities, changed)

    @callback
    def start_dispatching(self) -> CALLBACK_TYPE:
        """Run the fast loop until the returned callback is called."""

        async def tick(_: datetime) -> None:
            await self.async_dispatch(self.data)

        return async_track_time_interval(self.hass, tick, DISPATCH_INTERVAL, cancel_on_shutdown=True)

    async def async_set_mode(self, mode: EmsMode) -> None:
        """Switch between applying, only publishing, and releasing the chargers."""
        self.mode = mode
        if mode is EmsMode.OFF:
            await self.setpoints.async_release_all()
        elif mode is EmsMode.AUTOMATIC:
            await self.async_dispatch(self.data)
        self.async_update_listeners()

    async def async_dispatch(self, result: EmsResult) -> None:
        """Measure the site, then send the current step, corrected by live measurements, to the stations
        that need a change (in automatic mode)."""
        started = time.perf_counter()
        now = dt_util.utcnow()
        try:
            setpoints = result.plan.setpoints_at(now)
        except ValueError:
            return
        readings = self.builder.live(now)
        import_limit_kw, export_limit_kw = self.builder.limits_now(now)
        # Commitments are held like limits between plans: a building spike is taken from the cars during a
        # committed reduction, a PV surge goes into them during a committed increase.
        import_limit_kw = min(import_limit_kw, self.flexibility.net_max_kw(now))
        self._announce_signals(now)
        measured = self._measured_evse_power()
        grid_kw = self._grid_power(readings, measured)
        self._observe(now, result, readings, grid_kw, measured)
        if self.mode is not EmsMode.AUTOMATIC:
            return
        bounds = self._bounds(now)
        # EVSEs the hub does not steer (no car, excluded, ignoring setpoints) stay in the rest of the site.
        live = LiveSite(
            grid_power_kw=grid_kw,
            evse_power_kw={key: power for key, power in measured.items() if key in bounds},
            import_limit_kw=import_limit_kw,
            export_limit_kw=export_limit_kw,
            net_floor_kw=self.flexibility.net_min_kw(now),
            # A car rounded up to its minimum current must not raise the peak the plan holds to.
            billed_peak_kw=max(_planned_peak_kw(result.plan), self.billed_peak.peak_kw),
        )
        # Each car's setpoint from its series in blocks of at least its minimum (core/minimum_power.py).
        wanted = correct_setpoints(consolidated_setpoints(result.plan, now, bounds), live, bounds)
        changes = changed_setpoints(wanted, self.setpoints.sent_kw, bounds=bounds)
        if changes:
            await self.setpoints.async_send(changes)
            self.last_latency_s = time.perf_counter() - started
            self.async_update_listeners()
        await self.assets.async_apply(
            setpoints.battery_power_kw,
            setpoints.pv_curtailment_kw,
            readings.pv_kw,
            self.builder.batteries(now),
        )

    async def async_apply_grid_signal(self, signal: GridSignal | None) -> None:
        """A grid operator's signal (None clears them all): correct the chargers now, then re-plan."""
        if signal is None:
            self.builder.signals.clear()
            for commitment in self.flexibility.clear():
                self.events.flexibility(commitment, "ended")
        else:
            self.builder.signals.append(signal)
        self._announce_signals(dt_util.utcnow())
        self.store.schedule_save(self._persisted)
        await self.async_dispatch(self.data)
        self.async_update_listeners()
        self.hass.async_create_task(self.async_request_refresh(), eager_start=True)

    async def async_request_flexibility(
        self, direction: FlexDirection, start: datetime, end: datetime, power_kw: float, price_per_kwh: float
    ) -> Commitment:
        """Commit what the current plan can move in the window (at most ``power_kw``), then re-plan."""
        commitment = self.flexibility.add(
            self.data.plan,
            direction=direction,
            start=start,
            end=end,
            requested_kw=power_kw,
            price_per_kwh=price_per_kwh,
        )
        if commitment.committed_kw > 0.0:
            self.events.flexibility(commitment, "committed")
            self.store.schedule_save(self._persisted)
            await self.async_request_refresh()
        return commitment

    def _observe(
        self,
        now: datetime,
        result: EmsResult,
        readings: LiveReadings,
        grid_kw: float,
        measured: dict[str, float],
    ) -> None:
        """Feed the grid counters and the KPI tracker with what the site does right now."""
        self.grid_meter.add(now, grid_kw)
        self.billed_peak.observe(now, grid_kw)
        started, ended = self.flexibility.observe(now, grid_kw)
        for commitment, state in [(c, "started") for c in started] + [(c, "ended") for c in ended]:
            self.events.flexibility(commitment, state)
        if started or ended:
            self.store.schedule_save(self._persisted)
            self.async_update_listeners()
        for subentry_id, power in readings.battery_kw_by_asset.items():
            self.battery_meters[subentry_id].add(now, power)
        plan, snapshot = result.plan, result.snapshot
        k = min(max(0, int(plan.grid.offset_steps(now))), plan.grid.steps - 1)
        battery = snapshot.battery
        self.kpis.record(
            now,
            grid_import_kw=max(0.0, grid_kw),
            grid_export_kw=max(0.0, -grid_kw),
            pv_kw=readings.pv_kw,
            building_kw=readings.building_kw,
            battery_kw=readings.battery_kw,
            evse_power_kw=measured,
            price_import_eur_per_kwh=float(snapshot.prices.import_eur_per_kwh[k]),
            price_export_eur_per_kwh=float(snapshot.prices.export_eur_per_kwh[k]),
            flex_up_kw=float(plan.flexibility.up_kw[k]),
            flex_down_kw=float(plan.flexibility.down_kw[k]),
            battery_energy_kwh=battery.energy_kwh if battery is not None else None,
        )

    def _track_sessions(self, snapshot: SiteSnapshot) -> None:
        """Tell the KPI tracker about every session the planner saw (repeats are harmless).

        A session whose transaction is gone without an end is forgotten rather than kept forever.
        """
        self._last_seen = {sid: seen for sid, seen in self._last_seen.items() if self._transaction_open(sid)}
        for session in snapshot.sessions:
            metered_kwh, measured = self.builder.session_meters.get(session.session_id, (0.0, True))
            self._last_seen[session.session_id] = LastSeen(
                energy_kwh=session.energy_kwh,
                capacity_kwh=session.capacity_kwh,
                metered_kwh=metered_kwh,
                charge_efficiency=session.charge_efficiency,
            )
            self.kpis.session_started(
                session.session_id,
                session.evse_id,
                arrival=session.arrival,
                departure=session.departure,
                energy_kwh=session.energy_kwh,
                target_energy_kwh=session.target_energy_kwh,
                capacity_kwh=session.capacity_kwh,
                max_charge_kw=session.max_charge_kw,
                energy_measured=measured,
            )

    def _transaction_open(self, session_id: str) -> bool:
        station_id, evse_id, transaction_id = session_id.split(":", 2)
        if station_id not in self.server.registry:
            return False
        return self.server.state(station_id).evse(int(evse_id)).transaction_id == transaction_id

    def _announce_signals(self, now: datetime) -> None:
        active = [signal for signal in self.builder.signals if signal.active_at(now)]
        for signal in active:
            if signal not in self._active_signals:
                self.events.grid_signal(signal, "started")
        for signal in self._active_signals:
            if signal not in active:
                self.events.grid_signal(signal, "ended")
        self._active_signals = active

    @staticmethod
    def _grid_power(readings: LiveReadings, evse_power_kw: dict[str, float]) -> float:
        """The grid meter if there is one, else the sum of what the site's meters say."""
        if readings.grid_kw is not None:
            return readings.grid_kw
        return readings.building_kw + readings.battery_kw - readings.pv_kw + sum(evse_power_kw.values())

    def _measured_evse_power(self) -> dict[str, float]:
        measured: dict[str, float] = {}
        for charger in self.config.chargers:
            station = self.server.state(charger.station_id)
            for evse_id in range(1, charger.evse_count + 1):
                measured[evse_key(charger.station_id, evse_id)] = station.evse(evse_id).power_kw
        return measured

    def set_manual(self, key: EvseKey, until: datetime | None) -> None:
        """A person or automation steers this EVSE until ``until`` (None: until cleared)."""
        self.controls[key].manual = ManualOverride(until)
        self.setpoints.forget(key)
        self._control_changed()

    async def async_clear_manual(self, key: EvseKey) -> None:
        """Hand the EVSE back to the plan."""
        self.controls[key].manual = None
        self._control_changed()
        await self.async_request_refresh()

    async def async_set_excluded(self, key: EvseKey, excluded: bool) -> None:
        """Take the EVSE out of the hub's control (released to the station's own limits), or back in."""
        self.controls[key].excluded = excluded
        self._control_changed()
        if excluded:
            await self.setpoints.async_release(key)
        await self.async_request_refresh()

    async def async_set_cap(self, key: EvseKey, cap_kw: float) -> None:
        """The most the EVSE may charge with; the next plan keeps to it."""
        self.controls[key].cap_kw = cap_kw
        self._control_changed()
        await self.async_request_refresh()

    async def async_set_goal(self, key: EvseKey, goal: EvseGoal) -> None:
        """The user's new goal for the EVSE's session; the hub plans it at once."""
        self.controls[key].goal = goal
        self._control_changed()
        await self.async_request_refresh()

    def _control_changed(self) -> None:
        self.store.schedule_save(self._persisted)
        self.async_update_listeners()

    def _bounds(self, now: datetime) -> dict[str, EvseBounds]:
        """EVSEs with a car that the hub may steer now."""
        bounds: dict[str, EvseBounds] = {}
        for charger in self.config.chargers:
            station = self.server.state(charger.station_id)
            if not station.connected:
                continue
            for evse_id in range(1, charger.evse_count + 1):
                key = evse_key(charger.station_id, evse_id)
                evse = station.evse(evse_id)
                if (
                    evse.transaction_id is None
                    or self.controls.held_by_user(key, now)
                    or not self.setpoints.follows(key, evse.power_kw, now)
                ):
                    continue
                goal = self.controls[key].goal
                config = self.server.registry.get(charger.station_id)
                least_kw, most_kw = (
                    charge_limits_kw(config, evse) if config is not None else (0.0, charger.max_charge_kw)
                )
                cap = self.controls.cap_kw(key, most_kw)
                may_discharge = (
                    charger.bidirectional
                    and station.ocpp_version == "2.1"
                    and evse.v2g_allowed
                    and goal.v2g_allowed
                )
                discharge = (
                    charger.max_discharge_kw if may_discharge and goal.mode is ChargeMode.SMART else 0.0
                )
                bounds[key] = EvseBounds(
                    0.0 if goal.mode is ChargeMode.OFF else cap,
                    discharge,
                    min_charge_kw=least_kw,
                    min_discharge_kw=evse.ev_limits.min_discharge_kw or 0.0,
                )
        return bounds

    def status(self) -> tuple[str, str | None]:
        """ok, or degraded with the reason."""
        reasons: list[str] = []
        if self.data.plan.diagnostics.fallback_used:
            reasons.append(self.data.plan.diagnostics.reason or "fallback planner in use")
        if self.tracker.problems:
            reasons.append("unusable sources: " + ", ".join(self.tracker.problems))
        if self.builder.solar.problems:
            reasons.append("solar forecast estimated: " + ", ".join(self.builder.solar.problems))
        if not self.last_update_success:
            reasons.append("planning failed")
        return ("degraded", "; ".join(reasons)) if reasons else ("ok", None)

    def plan_attributes(self) -> dict[str, Any]:
        """The plan as series for dashboards; made once per plan (sensors read them on every write)."""
        if self._plan_attributes is not None and self._plan_attributes[0] is self.data:
            return self._plan_attributes[1]
        plan = self.data.plan
        ev_total = (
            np.sum(list(plan.evse_power_kw.values()), axis=0)
            if plan.evse_power_kw
            else plan.grid_import_kw * 0.0
        )
        attributes = {
            "times": [t.isoformat() for t in plan.grid.times()],
            "grid_import_kw": rounded_list(plan.grid_import_kw),
            "grid_export_kw": rounded_list(plan.grid_export_kw),
            "ev_power_kw": rounded_list(ev_total),
            "battery_power_kw": rounded_list(plan.battery_power_kw),
            "pv_curtailment_kw": rounded_list(plan.pv_curtailment_kw),
            "sessions_at_risk": [key for key, outcome in plan.session_outcomes.items() if outcome.at_risk],
            "expected_arrivals_kwh": round(sum(s.energy_needed_kwh for s in self.data.expected), 1),
            # Steps after this have no announced price: they repeat the day before's (see price_source).
            "prices_known_until": _isoformat(self.builder.prices.known_until),
        }
        self._plan_attributes = (self.data, attributes)
        return attributes


def _planned_peak_kw(plan: Plan) -> float:
    return float(np.max(plan.grid_import_kw)) if plan.grid_import_kw.size else float("inf")


def _isoformat(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
