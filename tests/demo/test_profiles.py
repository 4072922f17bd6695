"""The demo lays the reference site's real-data profile onto its simulated clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from demo.profiles import ProfileClock, SiteProfile, profile_day


def _profile() -> SiteProfile:
    steps = 2 * 96
    return SiteProfile(
        start=datetime(2023, 7, 2, 22, tzinfo=UTC),  # local midnight in Amsterdam (CEST)
        pv_kw=[float(i) for i in range(steps)],
        building_kw=[0.0] * steps,
        import_eur_per_kwh=[0.0] * steps,
        export_eur_per_kwh=[0.0] * steps,
    )


def test_the_profile_plays_the_same_local_time_of_day_and_wraps_around() -> None:
    anchor = datetime(2026, 7, 2, 22, tzinfo=UTC)
    clock = ProfileClock(_profile(), anchor)
    assert clock.at(anchor) == 0
    assert clock.at(anchor + timedelta(hours=12, minutes=20)) == 49
    assert clock.at(anchor + timedelta(days=2, minutes=15)) == 1


def test_the_profile_day_is_the_same_calendar_day_in_2023() -> None:
    assert profile_day(datetime(2026, 7, 2, 23, tzinfo=UTC)) == date(2023, 7, 3)
    assert profile_day(datetime(2028, 2, 29, 12, tzinfo=UTC)) == date(2023, 2, 28)
