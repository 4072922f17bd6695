"""The month's billed peak, measured as the grid operator does: quarter-hour averages of import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ssch.core.billed_peak import BilledPeak

START = datetime(2026, 3, 31, 21, 0, tzinfo=UTC)  # 23:00 in Amsterdam (summer time)


def _feed(peak: BilledPeak, start: datetime, minutes: int, power_kw: float) -> datetime:
    moment = start
    for _ in range(minutes * 6):
        peak.observe(moment, power_kw)
        moment += timedelta(seconds=10)
    return moment


def test_a_short_spike_inside_a_quarter_hour_is_averaged() -> None:
    peak = BilledPeak("Europe/Amsterdam")
    moment = _feed(peak, START, 5, 60.0)
    moment = _feed(peak, moment, 10, 0.0)
    peak.observe(moment, 0.0)  # the next quarter hour closes this one
    assert peak.peak_kw == pytest.approx(20.0, rel=0.02)


def test_export_is_no_import_and_a_barely_seen_interval_sets_nothing() -> None:
    peak = BilledPeak("Europe/Amsterdam")
    moment = _feed(peak, START, 15, -30.0)
    moment = _feed(peak, moment + timedelta(minutes=12), 3, 90.0)  # hub down for most of it
    peak.observe(moment + timedelta(minutes=15), 0.0)
    assert peak.peak_kw == 0.0


def test_the_peak_starts_afresh_with_the_local_month() -> None:
    peak = BilledPeak("Europe/Amsterdam")
    moment = _feed(peak, START + timedelta(minutes=30), 15, 40.0)  # 23:30-23:45 on 31 March
    assert peak.month == "2026-03"
    moment = _feed(peak, moment, 15, 10.0)  # 23:45-00:00 closes March's 40 kW
    assert peak.peak_kw == pytest.approx(40.0, rel=0.02)
    moment = _feed(peak, moment, 15, 12.0)  # April's first quarter hour, still running
    assert peak.month == "2026-04"
    assert peak.peak_kw == 0.0
    peak.observe(moment, 0.0)
    assert peak.peak_kw == pytest.approx(12.0, rel=0.02)


def test_the_month_and_its_peak_survive_a_restart() -> None:
    peak = BilledPeak("Europe/Amsterdam", month="2026-03", peak_kw=33.0)
    restored = BilledPeak.from_dict(peak.to_dict(), "Europe/Amsterdam")
    assert (restored.month, restored.peak_kw) == ("2026-03", 33.0)
    restored.observe(START, 5.0)
    assert restored.peak_kw == 33.0
    assert BilledPeak.from_dict({}, "UTC").peak_kw == 0.0
