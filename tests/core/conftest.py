"""Builders for small sites with a known optimum."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import ArrayLike
import pytest

from custom_components.ssch.core.model import (
    Evse,
    EvSession,
    FlexCommitment,
    Forecasts,
    Prices,
    SiteLimits,
    SiteSnapshot,
    StationaryBattery,
    StepGrid,
)

NOW = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


class SiteFactory:
    """Builds snapshots: hourly steps by default, times given in hours from ``NOW``."""

    now = NOW

    @staticmethod
    def at(hours: float) -> datetime:
        return NOW + timedelta(hours=hours)

    @staticmethod
    def evse(
        evse_id: str = "e1", *, charge_kw: float = 11.0, discharge_kw: float = 11.0, controllable: bool = True
    ) -> Evse:
        return Evse(evse_id, charge_kw, discharge_kw, controllable)

    def session(
        self,
        session_id: str = "s1",
        evse_id: str = "e1",
        *,
        arrival_h: float = 0.0,
        departure_h: float = 8.0,
        energy_kwh: float = 10.0,
        capacity_kwh: float = 60.0,
        target_kwh: float = 30.0,
        min_energy_kwh: float = 0.0,
        v2g: bool = False,
        charge_kw: float = 11.0,
        discharge_kw: float = 11.0,
        efficiency: float = 0.95,
        hard: bool = False,
        plugged_in: bool = True,
    ) -> EvSession:
        return EvSession(
            session_id=session_id,
            evse_id=evse_id,
            max_charge_kw=charge_kw,
            max_discharge_kw=discharge_kw,
            arrival=self.at(arrival_h),
            departure=self.at(departure_h),
            energy_kwh=energy_kwh,
            capacity_kwh=capacity_kwh,
            target_energy_kwh=target_kwh,
            min_energy_kwh=min_energy_kwh,
            v2g_allowed=v2g,
            charge_efficiency=efficiency,
            discharge_efficiency=efficiency,
            hard_target=hard,
            plugged_in=plugged_in,
        )

    @staticmethod
    def battery(
        *,
        energy_kwh: float = 50.0,
        capacity_kwh: float = 100.0,
        power_kw: float = 50.0,
        efficiency: float = 0.95,
    ) -> StationaryBattery:
        return StationaryBattery(capacity_kwh, power_kw, power_kw, 0.1, 0.9, efficiency, energy_kwh)

    @staticmethod
    def commitment(
        start_h: float, end_h: float, requested_kw: float, reference_kw: float = 0.0, price: float = 5.0
    ) -> FlexCommitment:
        return FlexCommitment(
            "c1", SiteFactory.at(start_h), SiteFactory.at(end_h), requested_kw, reference_kw, price
        )

    def snapshot(
        self,
        *,
        steps: int = 8,
        step_minutes: int = 60,
        import_price: ArrayLike = 0.3,
        export_price: ArrayLike = 0.05,
        import_limit_kw: ArrayLike = 100.0,
        export_limit_kw: ArrayLike = 100.0,
        pv_kw: ArrayLike = 0.0,
        building_kw: ArrayLike = 0.0,
        peak_price: float = 0.0,
        peak_already_kw: float = 0.0,
        battery: StationaryBattery | None = None,
        evses: tuple[Evse, ...] | None = None,
        sessions: tuple[EvSession, ...] = (),
        pv_curtailable: bool = False,
        commitments: tuple[FlexCommitment, ...] = (),
        start: datetime = NOW,
    ) -> SiteSnapshot:
        if evses is None:
            evse_ids = sorted({s.evse_id for s in sessions} or {"e1"})
            evses = tuple(self.evse(evse_id) for evse_id in evse_ids)
        return SiteSnapshot(
            grid=StepGrid(start, step_minutes, steps),
            limits=SiteLimits(
                np.broadcast_to(import_limit_kw, steps), np.broadcast_to(export_limit_kw, steps)
            ),
            prices=Prices(
                np.broadcast_to(import_price, steps),
                np.broadcast_to(export_price, steps),
                peak_price,
                peak_already_kw,
            ),
            forecasts=Forecasts(np.broadcast_to(pv_kw, steps), np.broadcast_to(building_kw, steps)),
            battery=battery,
            evses=evses,
            sessions=sessions,
            pv_curtailable=pv_curtailable,
            commitments=commitments,
        )


@pytest.fixture
def site() -> SiteFactory:
    return SiteFactory()
