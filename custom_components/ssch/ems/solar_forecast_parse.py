"""Solar forecasts as Home Assistant integrations publish them, read into periods of average PV power.

Sensor shapes understood:

- Solcast: ``detailedForecast`` / ``detailedHourly`` / ``forecast`` attributes, lists of
  ``{period_start, pv_estimate}`` with ``pv_estimate`` in kW;
- Forecast.Solar and Open-Meteo Solar Forecast: ``watts`` (time -> W) or ``wh_period``
  (time -> Wh over the period starting then);
- a plain state holding the power expected now (W, kW or MW from its unit).

The Energy dashboard's platform gives ``{"wh_hours": {time: Wh}}``. A time is the start of its period;
a period lasts until the next time, at most an hour. What cannot be read comes back as a
``ForecastProblem`` instead of a series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import math
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, UnitOfPower
from homeassistant.core import State
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import PowerConverter

SOLCAST_ATTRIBUTES = ("detailedForecast", "detailedHourly", "forecast")
MAX_PERIOD = timedelta(hours=1)
# A plain "power now" state stands for the hour after it is read.
PLAIN_STATE_SPAN = timedelta(hours=1)
# A forecast entity that has not been written for this long is no longer kept up to date.
MAX_STATE_AGE = timedelta(hours=6)


class ForecastProblem(StrEnum):
    """Why a source gave no usable forecast."""

    UNAVAILABLE = "unavailable"
    GARBAGE = "garbage"
    WRONG_UNIT = "wrong_unit"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class ForecastPeriod:
    """Average PV power (kW) from ``start`` until ``end``."""

    start: datetime
    end: datetime
    kw: float


@dataclass(frozen=True, slots=True)
class SolarForecast:
    """A forecast: periods in time order, none overlapping."""

    periods: tuple[ForecastPeriod, ...]

    @property
    def ends(self) -> datetime:
        """When the last period ends."""
        return self.periods[-1].end

    @property
    def peak_kw(self) -> float:
        """The highest power in the forecast."""
        return max(period.kw for period in self.periods)

    def scaled(self, factor: float) -> SolarForecast:
        """The same forecast times ``factor``."""
        return SolarForecast(tuple(ForecastPeriod(p.start, p.end, p.kw * factor) for p in self.periods))

    def samples(self, start: datetime, end: datetime, step: timedelta) -> list[tuple[datetime, float]]:
        """Points every ``step`` inside each period between ``start`` and ``end``, each carrying the
        period's power: a plan step then takes the power of the period it lies in. A last point just
        before the end makes the step in which the forecast ends still count as covered."""
        points: list[tuple[datetime, float]] = []
        for period in self.periods:
            if period.end <= start or period.start >= end:
                continue
            moment = period.start
            while moment < period.end:
                if start - step < moment < end:
                    points.append((moment, period.kw))
                moment += step
        last = self.periods[-1]
        if start < last.end <= end + step:
            points.append((last.end - timedelta(seconds=1), last.kw))
        return points


def parse_state(state: State | None, now: datetime) -> SolarForecast | ForecastProblem:
    """The forecast a sensor holds in its attributes or its state."""
    if state is None or (state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN) and not _series_attribute(state)):
        return ForecastProblem.UNAVAILABLE
    written = getattr(state, "last_reported", state.last_updated)
    if now - written > MAX_STATE_AGE:
        return ForecastProblem.STALE
    attributes = state.attributes
    for name in SOLCAST_ATTRIBUTES:
        if name in attributes:
            return _fresh(_solcast(attributes[name]), now)
    if "watts" in attributes:
        return _fresh(_timed(attributes["watts"], per_hour=False), now)
    if "wh_period" in attributes:
        return _fresh(_timed(attributes["wh_period"], per_hour=True), now)
    return _plain(state, now)


def parse_energy_platform(result: Mapping[str, Any] | None, now: datetime) -> SolarForecast | ForecastProblem:
    """The answer of an ``async_get_solar_forecast`` of the Energy dashboard's platform."""
    if result is None:
        return ForecastProblem.UNAVAILABLE
    if not isinstance(result, Mapping) or "wh_hours" not in result:
        return ForecastProblem.GARBAGE
    return _fresh(_timed(result["wh_hours"], per_hour=True), now)


def _series_attribute(state: State) -> bool:
    return any(name in state.attributes for name in (*SOLCAST_ATTRIBUTES, "watts", "wh_period"))


def _fresh(forecast: SolarForecast | ForecastProblem, now: datetime) -> SolarForecast | ForecastProblem:
    if isinstance(forecast, SolarForecast) and forecast.ends <= now:
        return ForecastProblem.STALE
    return forecast


def _solcast(items: Any) -> SolarForecast | ForecastProblem:
    if not isinstance(items, list | tuple):
        return ForecastProblem.GARBAGE
    points: list[tuple[datetime, float]] = []
    for item in items:
        if not isinstance(item, Mapping):
            return ForecastProblem.GARBAGE
        moment, value = _moment(item.get("period_start")), _number(item.get("pv_estimate"))
        if moment is None or value is None:
            return ForecastProblem.GARBAGE
        points.append((moment, value))
    return _periods(points)


def _timed(values: Any, *, per_hour: bool) -> SolarForecast | ForecastProblem:
    """A mapping of period start to W (``per_hour`` False) or to Wh over the period."""
    if not isinstance(values, Mapping):
        return ForecastProblem.GARBAGE
    points: list[tuple[datetime, float]] = []
    for key, raw in values.items():
        moment, value = _moment(key), _number(raw)
        if moment is None or value is None:
            return ForecastProblem.GARBAGE
        points.append((moment, value / 1000.0))
    forecast = _periods(points)
    if per_hour and isinstance(forecast, SolarForecast):
        # kWh over a period shorter than an hour is a higher average power.
        forecast = SolarForecast(
            tuple(
                ForecastPeriod(p.start, p.end, p.kw * (timedelta(hours=1) / (p.end - p.start)))
                for p in forecast.periods
            )
        )
    return forecast


def _plain(state: State, now: datetime) -> SolarForecast | ForecastProblem:
    try:
        value = float(state.state)
    except ValueError:
        return ForecastProblem.GARBAGE
    if not math.isfinite(value) or value < 0:
        return ForecastProblem.GARBAGE
    unit = state.attributes.get("unit_of_measurement")
    if unit not in PowerConverter.VALID_UNITS:
        return ForecastProblem.WRONG_UNIT
    kw = PowerConverter.convert(value, unit, UnitOfPower.KILO_WATT)
    return SolarForecast((ForecastPeriod(now, now + PLAIN_STATE_SPAN, kw),))


def _periods(points: Iterable[tuple[datetime, float]]) -> SolarForecast | ForecastProblem:
    """Each point lasts until the next one (at most an hour); the last one as long as the one before."""
    ordered = sorted(points, key=lambda point: point[0])
    if not ordered:
        return ForecastProblem.GARBAGE
    periods: list[ForecastPeriod] = []
    length = MAX_PERIOD
    for index, (start, kw) in enumerate(ordered):
        if index + 1 < len(ordered):
            gap = ordered[index + 1][0] - start
            if gap <= timedelta(0):
                return ForecastProblem.GARBAGE
            length = min(gap, MAX_PERIOD)
        periods.append(ForecastPeriod(start, start + length, kw))
    return SolarForecast(tuple(periods))


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return dt_util.as_utc(value)
    if isinstance(value, str) and (parsed := dt_util.parse_datetime(value)) is not None:
        return dt_util.as_utc(parsed)
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None
