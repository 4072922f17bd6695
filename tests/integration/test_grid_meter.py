"""Energy counters integrate a signed power and never invent energy over gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ssch.core.flow_meter import FlowMeter

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_import_and_export_are_counted_separately() -> None:
    """36 kW for 10 s is 0.1 kWh imported; -18 kW for 20 s is 0.1 kWh exported."""
    meter = FlowMeter()
    meter.add(T0, 36.0)
    meter.add(T0 + timedelta(seconds=10), -18.0)
    meter.add(T0 + timedelta(seconds=30), 0.0)
    assert meter.in_kwh == pytest.approx(0.1)
    assert meter.out_kwh == pytest.approx(0.1)
    assert meter.power_kw == 0.0


def test_gaps_are_not_integrated() -> None:
    """After a stall of five minutes, nothing is added for the gap."""
    meter = FlowMeter()
    meter.add(T0, 100.0)
    meter.add(T0 + timedelta(minutes=5), 100.0)
    assert meter.in_kwh == 0.0
    meter.add(T0 + timedelta(minutes=5, seconds=36), 0.0)
    assert meter.in_kwh == pytest.approx(1.0)


def test_restore_never_goes_backwards() -> None:
    """Saved counters are taken only when they are ahead of what was counted since start."""
    meter = FlowMeter()
    meter.restore(12.5, None)
    assert (meter.in_kwh, meter.out_kwh) == (12.5, 0.0)
    meter.restore(3.0, 4.0)
    assert (meter.in_kwh, meter.out_kwh) == (12.5, 4.0)
