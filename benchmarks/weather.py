"""The DWD test reference year for Bremerhaven (shipped with demandlib) turned into PV power."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import functools

from benchmarks.solar import PvArray, plane_of_array_w_per_m2, pv_power_kw
from benchmarks.wheels import read_member
from custom_components.ssch.core.forecast import sun_position

WEATHER_MEMBER = "demandlib/vdi/resources_weather/TRY2010_01_Jahr.dat"
BREMERHAVEN_LATITUDE_DEG = 53.53
BREMERHAVEN_LONGITUDE_DEG = 8.58
HOURS_PER_YEAR = 8760
DATA_MARKER = "***"


@dataclass(frozen=True)
class WeatherHour:
    """One hour of the reference year (irradiance on the horizontal plane, W/m2)."""

    direct_horizontal: float
    diffuse_horizontal: float
    air_temperature_c: float


def parse_reference_year(text: str) -> list[WeatherHour]:
    """Parse the fixed-width TRY file into 8,760 hours (CET, hour ending)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == DATA_MARKER) + 1
    hours: list[WeatherHour] = []
    for line in lines[start:]:
        fields = line.split()
        if len(fields) < 15:
            continue
        hours.append(
            WeatherHour(
                direct_horizontal=float(fields[13]),
                diffuse_horizontal=float(fields[14]),
                air_temperature_c=float(fields[8]),
            )
        )
    return hours


@functools.cache
def load_reference_year() -> list[WeatherHour]:
    """Return the Bremerhaven reference year."""
    return parse_reference_year(read_member("demandlib", WEATHER_MEMBER).decode("latin-1"))


def hourly_pv_kw(array: PvArray, year: int, weather: list[WeatherHour]) -> list[float]:
    """Mean PV power per UTC hour of ``year`` (hour 0 = Jan 1st 00:00 UTC).

    The reference year has no calendar year; its CET hours are laid onto ``year`` and the
    irradiance of each hour is evaluated at the sun position in the middle of that hour.
    """
    first_hour_utc = datetime(year, 1, 1, tzinfo=UTC)
    # Row 0 is the hour ending 01:00 CET = 00:00 UTC on Jan 1st, i.e. the hour starting 23:00 UTC.
    powers: list[float] = []
    hours_in_year = (datetime(year + 1, 1, 1, tzinfo=UTC) - first_hour_utc) // timedelta(hours=1)
    for index in range(hours_in_year):
        start = first_hour_utc + timedelta(hours=index)
        row = weather[(index + 1) % len(weather)]
        sun = sun_position(start + timedelta(minutes=30), array.latitude_deg, array.longitude_deg)
        irradiance = plane_of_array_w_per_m2(array, sun, row.direct_horizontal, row.diffuse_horizontal)
        powers.append(pv_power_kw(array, irradiance, row.air_temperature_c))
    return powers


def reference_array(peak_kw: float) -> PvArray:
    """The reference site's array: 35 degrees, facing south, in Bremerhaven."""
    return PvArray(
        latitude_deg=BREMERHAVEN_LATITUDE_DEG,
        longitude_deg=BREMERHAVEN_LONGITUDE_DEG,
        tilt_deg=35.0,
        azimuth_deg=180.0,
        peak_kw=peak_kw,
    )
