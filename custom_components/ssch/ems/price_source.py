"""Price series from Home Assistant entities: the present price and the forecast in their attributes.

Nord Pool (``raw_today``/``raw_tomorrow``), ENTSO-e (``prices``/``prices_today``/``prices_tomorrow``),
EPEX Spot (``data``) and Tibber-style (``today``/``tomorrow``) attributes are read; the price is
converted to EUR/kWh from the entity's unit (per MWh, or cents). Integrations that give tomorrow's
prices only through an action (the core Nord Pool and Tibber integrations) are fetched by
``price_fetch`` and passed in as ``announced`` points.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import State
from homeassistant.util import dt as dt_util
import numpy as np

from custom_components.ssch.core.model import FloatArray, StepGrid

FORECAST_ATTRIBUTES = (
    "raw_today",
    "raw_tomorrow",
    "prices_today",
    "prices_tomorrow",
    "prices",
    "data",
    "today",
    "tomorrow",
    "forecast",
)
_TIME_KEYS = ("start", "start_time", "startsAt", "time", "from", "datetime")
# Value keys in the entity's own unit, then keys that name their unit.
_PLAIN_VALUE_KEYS = ("value", "price", "total", "price_per_kwh")
_UNIT_VALUE_KEYS = {
    "price_eur_per_kwh": 1.0,
    "price_eur_per_mwh": 1.0 / 1000.0,
    "price_ct_per_kwh": 1.0 / 100.0,
}


@dataclass(frozen=True, slots=True)
class PricePoint:
    """A price valid from ``start`` until the next announced price, in EUR/kWh."""

    start: datetime
    eur_per_kwh: float


def unit_factor(unit: str | None) -> float:
    """Factor from the entity's unit to EUR/kWh (or the same currency per kWh)."""
    text = (unit or "").replace(" ", "").lower()
    factor = 1.0
    if text.endswith("/mwh"):
        factor /= 1000.0
    elif text.endswith("/wh"):
        factor *= 1000.0
    if text.startswith(("ct", "c/", "cent", "øre", "ore", "öre")):
        factor /= 100.0
    return factor


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment: datetime | None = value
    elif isinstance(value, str):
        moment = dt_util.parse_datetime(value)
    else:
        return None
    if moment is None:
        return None
    return dt_util.as_utc(moment if moment.tzinfo else moment.replace(tzinfo=dt_util.get_default_time_zone()))


def _point(item: Mapping[str, Any], state_factor: float) -> PricePoint | None:
    start = next((t for key in _TIME_KEYS if (t := _parse_time(item.get(key))) is not None), None)
    if start is None:
        return None
    factors = dict.fromkeys(_PLAIN_VALUE_KEYS, state_factor) | _UNIT_VALUE_KEYS
    for key, factor in factors.items():
        value = item.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value):
            return PricePoint(start, float(value) * factor)
    return None


def forecast_points(state: State) -> list[PricePoint]:
    """Every price the entity's attributes announce, sorted by start, one per start."""
    factor = unit_factor(state.attributes.get("unit_of_measurement"))
    by_start: dict[datetime, PricePoint] = {}
    for attribute in FORECAST_ATTRIBUTES:
        items = state.attributes.get(attribute)
        if isinstance(items, Sequence) and not isinstance(items, str):
            for item in items:
                if isinstance(item, Mapping) and (point := _point(item, factor)) is not None:
                    by_start.setdefault(point.start, point)
    return [by_start[start] for start in sorted(by_start)]


def current_price(state: State | None) -> float | None:
    """The entity's present price in EUR/kWh, or None when it has none."""
    if state is None:
        return None
    try:
        value = float(state.state)
    except ValueError:
        return None
    if not np.isfinite(value):
        return None
    return value * unit_factor(state.attributes.get("unit_of_measurement"))


@dataclass(frozen=True, slots=True)
class Tariff:
    """What a household pays on top of a spot price: import = (spot + fee) x (1 + VAT)."""

    fee_eur_per_kwh: float = 0.0
    vat_fraction: float = 0.0

    def billed(self, spot: FloatArray) -> FloatArray:
        """The billed price of ``spot`` prices."""
        return (spot + self.fee_eur_per_kwh) * (1.0 + self.vat_fraction)


NO_TARIFF = Tariff()


def merged_points(state: State | None, announced: Sequence[PricePoint]) -> list[PricePoint]:
    """The entity's announced prices and those fetched for it, sorted, one per start (fetched win)."""
    by_start = {point.start: point for point in (forecast_points(state) if state is not None else [])}
    by_start.update({point.start: point for point in announced})
    return [by_start[start] for start in sorted(by_start)]


def announced_until(points: Sequence[PricePoint]) -> datetime | None:
    """When the last announced price ends (its length taken from the spacing of the prices)."""
    if not points:
        return None
    period = points[-1].start - points[-2].start if len(points) > 1 else timedelta(hours=1)
    return points[-1].start + min(period, timedelta(hours=1))


def _price_at(points: Sequence[PricePoint], moment: datetime) -> float | None:
    """The price in force at ``moment``; ``points`` are sorted by start."""
    index = bisect_right(points, moment, key=lambda point: point.start)
    return points[index - 1].eur_per_kwh if index else None


def price_series(
    state: State | None,
    grid: StepGrid,
    fallback_eur_per_kwh: float,
    *,
    announced: Sequence[PricePoint] = (),
    tariff: Tariff = NO_TARIFF,
) -> tuple[FloatArray, bool]:
    """A price per plan step, and whether any of it came from the entity.

    A step takes the last announced price that started at or before it. A step after the last announced
    price takes the price of the same time a day earlier where that is known (day-ahead prices repeat
    their daily shape far better than they stay flat), else the last one. Steps before the first
    announced price take the present price. The entity's prices are billed with ``tariff``;
    ``fallback_eur_per_kwh`` (used when the entity gives nothing) is taken as billed already.
    """
    points = merged_points(state, announced)
    now_price = current_price(state)
    until = announced_until(points)
    spot = np.full(grid.steps, np.nan if now_price is None else now_price, dtype=np.float64)
    for k, step_start in enumerate(grid.times()):
        moment = step_start
        if until is not None and moment >= until:
            moment = _same_time_known(moment, points[0].start, until)
        price = _price_at(points, moment)
        if price is not None:
            spot[k] = price
    from_entity = not np.isnan(spot).all()
    series = tariff.billed(spot)
    series[np.isnan(series)] = fallback_eur_per_kwh
    return series, from_entity


def _same_time_known(moment: datetime, first: datetime, until: datetime) -> datetime:
    """The latest time of day equal to ``moment``'s inside the announced prices, or the last one."""
    while moment >= until:
        moment -= timedelta(days=1)
    return moment if moment >= first else until - timedelta(seconds=1)
