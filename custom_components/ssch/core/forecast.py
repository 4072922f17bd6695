"""Forecasts of PV production and building load on a plan's step grid.

PV comes from an external forecast series when one is given; steps it does not cover follow a
clear-sky profile scaled by how clear the recent past was (persistence of the clearness).
Building load is the average of the most recent similar days (same kind of day, same clock time).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import math
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from .model import FloatArray, StepGrid

Sample = tuple[datetime, float]

SOLAR_CONSTANT_W_PER_M2 = 1361.0
# Irradiance a PV module is rated at; a clear sky delivers about this at noon in summer.
RATED_IRRADIANCE_W_PER_M2 = 1000.0
# Ratios measured over less clear-sky energy than this (kWh per kWp) are too noisy to trust.
MIN_CLEAR_SKY_KWH_PER_KWP = 0.2
SHORT_WINDOW = timedelta(hours=2)
LONG_WINDOW = timedelta(hours=24)
BLEND_HORIZON = timedelta(hours=6)
SATURDAY, SUNDAY = 6, 7


@dataclass(frozen=True, slots=True)
class SunPosition:
    """Sun position in degrees (zenith 90 = horizon, azimuth 180 = south)."""

    zenith_deg: float
    azimuth_deg: float
    extraterrestrial_w_per_m2: float


def sun_position(moment: datetime, latitude_deg: float, longitude_deg: float) -> SunPosition:
    """Sun position from Spencer's declination and equation of time (about 0.5 deg accuracy)."""
    moment = moment.astimezone(UTC)
    day_angle = 2 * math.pi * (moment.timetuple().tm_yday - 1) / 365.0
    declination = (
        0.006918
        - 0.399912 * math.cos(day_angle)
        + 0.070257 * math.sin(day_angle)
        - 0.006758 * math.cos(2 * day_angle)
        + 0.000907 * math.sin(2 * day_angle)
        - 0.002697 * math.cos(3 * day_angle)
        + 0.00148 * math.sin(3 * day_angle)
    )
    equation_of_time_min = 229.18 * (
        0.000075
        + 0.001868 * math.cos(day_angle)
        - 0.032077 * math.sin(day_angle)
        - 0.014615 * math.cos(2 * day_angle)
        - 0.040849 * math.sin(2 * day_angle)
    )
    utc_minutes = moment.hour * 60 + moment.minute + moment.second / 60
    hour_angle = math.radians((utc_minutes + 4 * longitude_deg + equation_of_time_min) / 4 - 180)
    latitude = math.radians(latitude_deg)
    cos_zenith = math.sin(latitude) * math.sin(declination) + math.cos(latitude) * math.cos(
        declination
    ) * math.cos(hour_angle)
    zenith = math.acos(max(-1.0, min(1.0, cos_zenith)))
    azimuth = math.atan2(
        math.sin(hour_angle),
        math.cos(hour_angle) * math.sin(latitude) - math.tan(declination) * math.cos(latitude),
    )
    eccentricity = 1.00011 + 0.034221 * math.cos(day_angle) + 0.00128 * math.sin(day_angle)
    return SunPosition(
        zenith_deg=math.degrees(zenith),
        azimuth_deg=(math.degrees(azimuth) + 180.0) % 360.0,
        extraterrestrial_w_per_m2=SOLAR_CONSTANT_W_PER_M2 * eccentricity,
    )


def clear_sky_irradiance(moment: datetime, latitude_deg: float, longitude_deg: float) -> float:
    """Clear-sky global horizontal irradiance (Haurwitz model), W/m2."""
    cos_zenith = math.cos(math.radians(sun_position(moment, latitude_deg, longitude_deg).zenith_deg))
    if cos_zenith <= 0.0:
        return 0.0
    return 1098.0 * cos_zenith * math.exp(-0.057 / cos_zenith)


def resample(points: Sequence[Sample], grid: StepGrid) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Mean of the points inside each step, else the latest earlier point.

    Returns the values and a mask of the steps that got a value at all.
    """
    ordered = sorted(points, key=lambda point: point[0])
    times = [moment.astimezone(UTC) for moment, _ in ordered]
    values = np.zeros(grid.steps)
    known = np.zeros(grid.steps, dtype=bool)
    for index, start in enumerate(grid.times()):
        first = bisect.bisect_left(times, start)
        last = bisect.bisect_left(times, start + grid.step_delta)
        if last > first:
            values[index] = float(np.mean([value for _, value in ordered[first:last]]))
            known[index] = True
        elif first > 0:
            values[index] = ordered[first - 1][1]
            known[index] = True
    return values, known


def forecast_pv_kw(
    grid: StepGrid,
    peak_kw: float,
    latitude_deg: float,
    longitude_deg: float,
    *,
    forecast: Sequence[Sample] = (),
    history: Sequence[Sample] = (),
) -> FloatArray:
    """PV power per step, between 0 and ``peak_kw``.

    Steps up to the last point of ``forecast`` take that series. The others follow the clear-sky
    shape times a clearness ratio: the last two hours of ``history`` decide the next hours, the
    last day the hours after that (a blend over six hours). Without usable history the sky is
    taken as clear.
    """
    middles = [start + grid.step_delta / 2 for start in grid.times()]
    clear_sky = np.array([clear_sky_irradiance(m, latitude_deg, longitude_deg) for m in middles])
    kw_per_irradiance = peak_kw / RATED_IRRADIANCE_W_PER_M2
    short_ratio = _clearness(history, grid.start - SHORT_WINDOW, grid, peak_kw, (latitude_deg, longitude_deg))
    long_ratio = _clearness(history, grid.start - LONG_WINDOW, grid, peak_kw, (latitude_deg, longitude_deg))
    if long_ratio is None:
        long_ratio = 1.0
    if short_ratio is None:
        short_ratio = long_ratio
    lead = np.array([(m - grid.start) / BLEND_HORIZON for m in middles])
    weight = np.clip(lead, 0.0, 1.0)
    ratio = (1.0 - weight) * short_ratio + weight * long_ratio
    result = ratio * clear_sky * kw_per_irradiance
    if forecast:
        external, known = resample(forecast, grid)
        last_point = max(moment for moment, _ in forecast).astimezone(UTC)
        covered = known & np.array([start <= last_point for start in grid.times()])
        result = np.where(covered, external, result)
    clipped: FloatArray = np.clip(result, 0.0, peak_kw)
    return clipped


def _clearness(
    history: Sequence[Sample],
    since: datetime,
    grid: StepGrid,
    peak_kw: float,
    location: tuple[float, float],
) -> float | None:
    """Observed PV energy per kWp over the clear-sky energy per kWp of the same steps."""
    observed = 0.0
    clear = 0.0
    hours = grid.step_hours
    for moment, value in history:
        if since <= moment < grid.start:
            middle = moment + grid.step_delta / 2
            observed += max(0.0, value) * hours
            clear += clear_sky_irradiance(middle, *location) * hours
    clear_kwh_per_kwp = clear / RATED_IRRADIANCE_W_PER_M2
    if clear_kwh_per_kwp < MIN_CLEAR_SKY_KWH_PER_KWP or peak_kw <= 0:
        return None
    return observed / peak_kw / clear_kwh_per_kwp


def day_kind(local_day: datetime) -> int:
    """1 for working days, 6 for Saturdays, 7 for Sundays."""
    weekday = local_day.isoweekday()
    return weekday if weekday in (SATURDAY, SUNDAY) else 1


def forecast_building_kw(
    grid: StepGrid,
    history: Sequence[Sample],
    *,
    time_zone: str = "UTC",
    similar_days: int = 4,
    search_days: int = 21,
) -> FloatArray:
    """Building load per step: the mean of the ``similar_days`` most recent days of the same kind.

    Days are compared at the same local clock time. A step with no similar day in the history
    takes the mean of the last day of history; without any history the forecast is zero.
    """
    ordered = sorted(history, key=lambda point: point[0])
    times = [moment.astimezone(UTC) for moment, _ in ordered]
    values = [value for _, value in ordered]
    zone = ZoneInfo(time_zone)
    forecast = np.zeros(grid.steps)
    fallback = _recent_mean(times, values, grid.start)
    for index, start in enumerate(grid.times()):
        local = start.astimezone(zone)
        samples: list[float] = []
        for back in range(1, search_days + 1):
            earlier = (local.replace(tzinfo=None) - timedelta(days=back)).replace(tzinfo=zone)
            if day_kind(earlier) != day_kind(local):
                continue
            value = _value_at(times, values, earlier.astimezone(UTC), grid)
            if value is not None:
                samples.append(value)
            if len(samples) == similar_days:
                break
        forecast[index] = float(np.mean(samples)) if samples else fallback
    return np.clip(forecast, 0.0, None)


def _value_at(times: list[datetime], values: list[float], moment: datetime, grid: StepGrid) -> float | None:
    """The latest history value at or before ``moment``, if it is recent and before ``now``."""
    if moment >= grid.start:
        return None
    position = bisect.bisect_right(times, moment)
    if position == 0 or moment - times[position - 1] >= grid.step_delta:
        return None
    return values[position - 1]


def _recent_mean(times: list[datetime], values: list[float], now: datetime) -> float:
    """Mean of the recent history, the reading taken now included (right after a start it is all)."""
    first = bisect.bisect_left(times, now - LONG_WINDOW)
    last = bisect.bisect_right(times, now)
    window = values[first:last]
    return float(np.mean(window)) if window else 0.0
