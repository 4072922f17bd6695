"""Recorded charging sessions teach the arrival profile only whole past days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.ssch.core.session_forecast import SessionForecastConfig, SessionForecaster
from custom_components.ssch.ems.history_restore import learn_arrivals
from custom_components.ssch.ems.recorder_history import RecordedHistory

NOW = datetime(2026, 11, 25, 18, tzinfo=UTC)


def _recorded(since: datetime) -> RecordedHistory:
    arrival = NOW - timedelta(days=1)
    return RecordedHistory(
        sessions=[(arrival.timestamp(), (arrival + timedelta(hours=5)).timestamp(), 10.0, 11.0)],
        sessions_since=since,
    )


def test_a_sensor_recorded_only_since_yesterday_teaches_nothing() -> None:
    arrivals = SessionForecaster(SessionForecastConfig())
    learn_arrivals(arrivals, _recorded(NOW - timedelta(days=1, hours=2)), NOW)
    assert arrivals.days_seen_before(NOW.date()) == 0


def test_a_profile_with_days_learned_is_left_alone() -> None:
    arrivals = SessionForecaster(SessionForecastConfig())
    learn_arrivals(arrivals, _recorded(NOW - timedelta(days=5)), NOW)
    assert arrivals.days_seen_before(NOW.date()) == 4
    learned = arrivals.to_dict()
    learn_arrivals(arrivals, _recorded(NOW - timedelta(days=9)), NOW)
    assert arrivals.to_dict() == learned
