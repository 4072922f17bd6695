"""Several batteries as one pool: the pool adds them up, the split gives each its part."""

from __future__ import annotations

import numpy as np
import pytest

from custom_components.ssch.core.battery_pool import pooled, split_kw, split_series_kw
from custom_components.ssch.core.model import StationaryBattery


def _battery(capacity_kwh: float, soc: float, power_kw: float, efficiency: float = 0.95) -> StationaryBattery:
    return StationaryBattery(
        capacity_kwh=capacity_kwh,
        max_charge_kw=power_kw,
        max_discharge_kw=power_kw,
        soc_min=0.1,
        soc_max=0.9,
        efficiency=efficiency,
        energy_kwh=capacity_kwh * soc,
    )


BIG = _battery(100.0, 0.5, 50.0)
SMALL = _battery(20.0, 0.85, 10.0, efficiency=0.9)


def test_the_pool_adds_up_the_members() -> None:
    pool = pooled([BIG, SMALL])
    assert pool is not None
    assert pool.capacity_kwh == 120.0
    assert (pool.max_charge_kw, pool.max_discharge_kw) == (60.0, 60.0)
    assert pool.energy_kwh == pytest.approx(67.0)
    assert pool.energy_min_kwh == pytest.approx(12.0)
    assert pool.energy_max_kwh == pytest.approx(108.0)
    assert pool.efficiency == pytest.approx((100 * 0.95 + 20 * 0.9) / 120)


def test_one_battery_is_its_own_pool_and_takes_everything() -> None:
    assert pooled([BIG]) is BIG
    assert pooled([]) is None
    assert split_kw(-12.3, [BIG], 0.25) == [-12.3]
    assert split_kw(5.0, [], 0.25) == []


def test_charging_goes_mostly_to_the_battery_with_room() -> None:
    # The small battery is nearly full: 1 kWh of room; the big one has 40 kWh.
    parts = split_kw(20.0, [BIG, SMALL], 0.25)
    assert sum(parts) == pytest.approx(20.0)
    assert parts[0] > 10 * parts[1]
    room_small_kw = (0.9 - 0.85) * 20.0 / 0.9 / 0.25
    assert parts[1] <= room_small_kw


def test_discharging_follows_what_each_can_give() -> None:
    parts = split_kw(-30.0, [BIG, SMALL], 0.25)
    assert sum(parts) == pytest.approx(-30.0)
    # Both can give their full power in a quarter hour: in proportion to their power.
    assert parts[0] / parts[1] == pytest.approx(50.0 / 10.0)


def test_members_that_can_move_nothing_share_by_capacity() -> None:
    empty = [_battery(100.0, 0.1, 50.0), _battery(20.0, 0.1, 10.0)]
    assert split_kw(-12.0, empty, 0.25) == pytest.approx([-10.0, -2.0])
    assert split_kw(0.0, empty, 0.25) == [0.0, 0.0]


def test_a_series_split_follows_each_members_energy() -> None:
    series = np.full(8, 20.0)
    parts = split_series_kw(series, [BIG, SMALL], 0.25)
    assert np.allclose(parts[0] + parts[1], series)
    # The small, nearly full battery takes less and less and never more than its 1 kWh of room.
    assert 0 < parts[1][-1] < parts[1][0]
    assert float(parts[1].sum()) * 0.25 * 0.9 <= 1.0 + 1e-9
