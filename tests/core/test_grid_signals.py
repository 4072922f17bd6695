"""Grid signals lower the connection limits for their window only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.ssch.core.grid_signals import GridSignal, limit_series, limits_at
from custom_components.ssch.core.model import StepGrid

T0 = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def test_tightest_active_signal_wins() -> None:
    """Overlapping signals: the lowest limit applies while each is active."""
    signals = [
        GridSignal(T0, T0 + timedelta(hours=1), import_limit_kw=40.0),
        GridSignal(T0 + timedelta(minutes=30), None, import_limit_kw=60.0, export_limit_kw=5.0),
    ]
    assert limits_at(T0 - timedelta(seconds=1), 150.0, 100.0, signals) == (150.0, 100.0)
    assert limits_at(T0, 150.0, 100.0, signals) == (40.0, 100.0)
    assert limits_at(T0 + timedelta(minutes=45), 150.0, 100.0, signals) == (40.0, 5.0)
    assert limits_at(T0 + timedelta(hours=2), 150.0, 100.0, signals) == (60.0, 5.0)
    assert signals[0].expired_at(T0 + timedelta(hours=1))
    assert not signals[1].expired_at(T0 + timedelta(days=9))


def test_series_cover_every_step_the_window_touches() -> None:
    """A window from 12:20 to 12:40 limits the 12:15 and 12:30 steps."""
    grid = StepGrid(T0, 15, 4)
    imports, exports = limit_series(
        grid, 150.0, 100.0, [GridSignal(T0 + timedelta(minutes=20), T0 + timedelta(minutes=40), 30.0)]
    )
    assert imports.tolist() == [150.0, 30.0, 30.0, 150.0]
    assert exports.tolist() == [100.0] * 4


def test_round_trip_and_validation() -> None:
    """Signals persist as JSON and refuse nonsense."""
    signal = GridSignal(T0, T0 + timedelta(hours=2), 11.0, None)
    assert GridSignal.from_dict(signal.to_dict()) == signal
    assert GridSignal.from_dict(GridSignal(T0, None, None, 3.0).to_dict()).end is None
    with pytest.raises(ValueError, match="end after"):
        GridSignal(T0, T0)
    with pytest.raises(ValueError, match="negative"):
        GridSignal(T0, None, -1.0)
