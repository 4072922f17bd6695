"""Flexibility envelope: laxity, floors, charger and grid limits."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.ssch.core.flexibility import flexibility_envelope
from custom_components.ssch.core.model import FloatArray
from tests.core.conftest import SiteFactory

ZERO = np.zeros(8)


def _power(*values: float) -> FloatArray:
    out = np.zeros(8)
    out[: len(values)] = values
    return out


def test_car_with_laxity_can_pause_and_speed_up(site: SiteFactory) -> None:
    snapshot = site.snapshot(sessions=(site.session(energy_kwh=10.0, target_kwh=20.0),))
    plan_power = _power(0.0, 0.0, 10.0 / 0.95)
    envelope = flexibility_envelope(snapshot, {"e1": plan_power}, ZERO, ZERO)
    assert envelope.down_kw[2] == pytest.approx(10.0 / 0.95)
    assert envelope.up_kw[0] == pytest.approx(11.0)
    assert envelope.up_kw[2] == pytest.approx(11.0 - 10.0 / 0.95)


def test_car_without_laxity_cannot_give_way(site: SiteFactory) -> None:
    session = site.session(departure_h=2.0, energy_kwh=10.0, target_kwh=10.0 + 2 * 11 * 0.95)
    snapshot = site.snapshot(sessions=(session,))
    envelope = flexibility_envelope(snapshot, {"e1": _power(11.0, 11.0)}, ZERO, ZERO)
    assert envelope.down_kw[0] == pytest.approx(0.0, abs=1e-9)
    assert envelope.up_kw[0] == pytest.approx(0.0, abs=1e-9)
    assert envelope.up_kw[3] == 0.0


def test_v2g_down_stops_at_the_floor(site: SiteFactory) -> None:
    session = site.session(energy_kwh=30.0, target_kwh=20.0, min_energy_kwh=25.0, v2g=True)
    envelope = flexibility_envelope(site.snapshot(sessions=(session,)), {"e1": ZERO}, ZERO, ZERO)
    # 5 kWh above the floor, delivered at 0.95 discharge efficiency in one hour.
    assert envelope.down_kw[0] == pytest.approx(5.0 * 0.95)


def test_full_car_cannot_take_more(site: SiteFactory) -> None:
    session = site.session(energy_kwh=60.0, target_kwh=60.0)
    envelope = flexibility_envelope(site.snapshot(sessions=(session,)), {"e1": ZERO}, ZERO, ZERO)
    assert envelope.up_kw.max() == 0.0


def test_grid_limits_cap_the_envelope(site: SiteFactory) -> None:
    snapshot = site.snapshot(
        building_kw=95.0,
        import_limit_kw=100.0,
        export_limit_kw=0.0,
        pv_kw=0.0,
        battery=site.battery(),
        sessions=(site.session(v2g=True),),
    )
    envelope = flexibility_envelope(snapshot, {"e1": ZERO}, ZERO, ZERO)
    np.testing.assert_allclose(envelope.up_kw, 5.0)
    # battery: 40 kWh above its floor; the car: 10 kWh above empty, both at 0.95 in one hour
    assert envelope.down_kw[0] == pytest.approx(40.0 * 0.95 + 10.0 * 0.95)


def test_battery_and_curtailment_add_flexibility(site: SiteFactory) -> None:
    snapshot = site.snapshot(
        battery=site.battery(energy_kwh=50.0),
        pv_kw=10.0,
        pv_curtailable=True,
        evses=(site.evse(),),
    )
    curtail = np.full(8, 4.0)
    envelope = flexibility_envelope(snapshot, {"e1": ZERO}, ZERO, curtail)
    assert envelope.up_kw[0] == pytest.approx(40.0 / 0.95 + 6.0)
    assert envelope.down_kw[0] == pytest.approx(min(50.0, 40.0 * 0.95) + 4.0)
