"""The site's grid energy counters integrate measured power and never invent energy over gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ssch.ems import GridMeter

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_import_and_export_are_counted_separately() -> None:
    """36 kW for 10 s is 0.1 kWh imported; -18 kW for 20 s is 0.1 kWh exported."""
    meter = GridMeter()
    meter.add(T0, 36.0)
    meter.add(T0 + timedelta(seconds=10), -18.0)
    meter.add(T0 + timedelta(seconds=30), 0.0)
    assert meter.import_kwh == pytest.approx(0.1)
    assert meter.export_kwh == pytest.approx(0.1)
    assert meter.power_kw == 0.0


def test_gaps_are_not_integrated() -> None:
    """After a stall of five minutes, nothing is added for the gap."""
    meter = GridMeter()
    meter.add(T0, 100.0)
    meter.add(T0 + timedelta(minutes=5), 100.0)
    assert meter.import_kwh == 0.0
    meter.add(T0 + timedelta(minutes=5, seconds=36), 0.0)
    assert meter.import_kwh == pytest.approx(1.0)
