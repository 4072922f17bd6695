"""The energy a car left with, as the share of sessions that met their target sees it."""

from __future__ import annotations

import pytest

from custom_components.ssch.session_end import LastSeen, energy_at_departure

SEEN = LastSeen(energy_kwh=40.0, capacity_kwh=60.0, metered_kwh=10.0, charge_efficiency=0.9)


def test_the_cars_own_last_soc_wins() -> None:
    assert energy_at_departure(SEEN, metered_kwh=99.0, soc_pct=80.0) == pytest.approx(48.0)
    assert energy_at_departure(SEEN, metered_kwh=99.0, soc_pct=130.0) == pytest.approx(60.0)


def test_without_soc_the_metered_energy_since_the_last_plan_is_added_minus_losses() -> None:
    assert energy_at_departure(SEEN, metered_kwh=15.0, soc_pct=None) == pytest.approx(44.5)
    # V2G since the last plan: the car gave more than the meter saw.
    assert energy_at_departure(SEEN, metered_kwh=7.3, soc_pct=None) == pytest.approx(37.0)
    assert energy_at_departure(SEEN, metered_kwh=100.0, soc_pct=None) == pytest.approx(60.0)
