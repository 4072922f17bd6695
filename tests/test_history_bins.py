"""History on the plan step: time-weighted means, the stored form, sessions from recorded states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ssch.core.history_bins import (
    SessionScanner,
    StepBins,
    first_known,
    from_compact,
    merged,
    samples,
    summed,
    to_compact,
)

T0 = datetime(2026, 6, 1, tzinfo=UTC)
STEP = timedelta(minutes=15)


def test_step_bins_weigh_by_time() -> None:
    bins = StepBins(0.0, 900.0, 4)
    bins.add(0.0, 3600.0, 2.0)  # an hourly mean covers four steps
    bins.add(0.0, 300.0, 8.0)  # a reading held for five minutes of the first step
    bins.add(-100.0, -50.0, 5.0)  # before the bins
    bins.add(100.0, 200.0, float("nan"))
    assert bins.means() == pytest.approx([3.5, 2.0, 2.0, 2.0])
    held = StepBins(0.0, 900.0, 3)
    held.add_held([(0.0, 1.0), (900.0, None), (1800.0, 3.0)], 2700.0)
    assert held.means() == [1.0, None, 3.0]


def test_layers_and_sums() -> None:
    assert first_known([[None, 2.0, None], [1.0, 5.0, None]]) == [1.0, 2.0, None]
    assert first_known([]) == []
    assert summed([[1.0, None, None], [2.0, -1.0, None]]) == [3.0, 0.0, None]
    assert samples(T0.timestamp(), 900.0, [None, 4.0]) == [(T0 + STEP, 4.0)]


def test_compact_form_round_trip() -> None:
    history = [(T0 + timedelta(minutes=m), float(m)) for m in (1, 5, 40)]
    compact = to_compact(history, STEP)
    assert compact == {"start": T0.timestamp(), "step_s": 900.0, "values": [3.0, None, 40.0]}
    assert from_compact(compact) == [(T0, 3.0), (T0 + 2 * STEP, 40.0)]
    assert to_compact([], STEP) is None
    with pytest.raises(ValueError, match="positive"):
        from_compact({"start": 0, "step_s": 0, "values": []})


def test_merged_prefers_the_later_history() -> None:
    assert merged([(T0, 1.0), (T0 + STEP, 2.0)], [(T0, 5.0)]) == [(T0, 5.0), (T0 + STEP, 2.0)]


def test_sessions_from_session_energy_states() -> None:
    scanner = SessionScanner()
    for moment, state in [
        (0, "unknown"),
        (10, "0.0"),
        (20, "unavailable"),  # the station was offline: the session goes on
        (30, "4.5"),
        (25, "9.9"),  # out of order: ignored
        (40, "unknown"),
        (50, "1.0"),
        (60, "0.2"),  # the next transaction started at once
        (70, "unknown"),
        (80, "3.0"),  # still running at the end
    ]:
        scanner.feed(float(moment), state)
    assert scanner.sessions == [(10.0, 40.0, 4.5), (50.0, 60.0, 1.0), (60.0, 70.0, 0.2)]
