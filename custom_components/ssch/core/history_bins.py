"""Measured history on the plan's step: time-weighted means per step, and the compact form the hub
stores. Whatever the source (recorder statistics, recorded states, the hub's own readings), a day of
history is at most one value per step, so what is kept stays small however often a sensor reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
import math
from typing import Any

type Sample = tuple[datetime, float]


class StepBins:
    """Means per step of ``step_s`` seconds from ``origin_ts`` (POSIX seconds), weighted by time."""

    def __init__(self, origin_ts: float, step_s: float, count: int) -> None:
        """``count`` steps from ``origin_ts``; values outside them are ignored."""
        self.origin_ts = origin_ts
        self.step_s = step_s
        self.count = count
        self._sum = [0.0] * count
        self._weight = [0.0] * count

    def add(self, start_ts: float, end_ts: float, value: float) -> None:
        """``value`` held from ``start_ts`` until ``end_ts``."""
        start_ts = max(start_ts, self.origin_ts)
        end_ts = min(end_ts, self.origin_ts + self.count * self.step_s)
        if end_ts <= start_ts or not math.isfinite(value):
            return
        index = int((start_ts - self.origin_ts) // self.step_s)
        while index < self.count:
            bin_start = self.origin_ts + index * self.step_s
            if bin_start >= end_ts:
                break
            overlap = min(end_ts, bin_start + self.step_s) - max(start_ts, bin_start)
            if overlap > 0:
                self._sum[index] += value * overlap
                self._weight[index] += overlap
            index += 1

    def add_held(self, points: Sequence[tuple[float, float | None]], end_ts: float) -> None:
        """Readings in time order, each held until the next one (or ``end_ts``); None is a gap."""
        for index, (moment, value) in enumerate(points):
            until = points[index + 1][0] if index + 1 < len(points) else end_ts
            if value is not None:
                self.add(moment, until, value)

    def means(self) -> list[float | None]:
        """The mean of each step, None where nothing was added."""
        return [
            total / weight if weight > 0 else None
            for total, weight in zip(self._sum, self._weight, strict=True)
        ]


def first_known(layers: Sequence[Sequence[float | None]]) -> list[float | None]:
    """Per step, the value of the first layer that has one (the finest source first)."""
    if not layers:
        return []
    return [
        next((value for value in column if value is not None), None) for column in zip(*layers, strict=True)
    ]


def summed(series: Iterable[Sequence[float | None]]) -> list[float | None]:
    """Per step, the sum of the series that have a value there (None where none has)."""
    total: list[float | None] = []
    for column in zip(*series, strict=True):
        known = [max(0.0, value) for value in column if value is not None]
        total.append(sum(known) if known else None)
    return total


def samples(origin_ts: float, step_s: float, values: Sequence[float | None]) -> list[Sample]:
    """The known steps as (step start, mean) samples."""
    return [
        (datetime.fromtimestamp(origin_ts + index * step_s, UTC), value)
        for index, value in enumerate(values)
        if value is not None
    ]


def to_compact(history: Sequence[Sample], step: timedelta) -> dict[str, Any] | None:
    """Samples as means per step (aligned to the clock) for the store; None without samples."""
    if not history:
        return None
    step_s = step.total_seconds()
    first = min(moment for moment, _ in history).timestamp()
    last = max(moment for moment, _ in history).timestamp()
    origin = first // step_s * step_s
    count = int((last - origin) // step_s) + 1
    sums, counts = [0.0] * count, [0] * count
    for moment, value in history:
        index = int((moment.timestamp() - origin) // step_s)
        sums[index] += value
        counts[index] += 1
    values = [round(total / n, 3) if n else None for total, n in zip(sums, counts, strict=True)]
    return {"start": origin, "step_s": step_s, "values": values}


def from_compact(data: Mapping[str, Any]) -> list[Sample]:
    """Samples from ``to_compact``; KeyError, TypeError or ValueError when ``data`` is not one."""
    step_s = float(data["step_s"])
    if step_s <= 0:
        raise ValueError("step_s must be positive")
    values = [None if value is None else float(value) for value in data["values"]]
    return samples(float(data["start"]), step_s, values)


def merged(*histories: Iterable[Sample]) -> list[Sample]:
    """Several histories in time order; at a moment present in more than one, the last one's value."""
    by_moment: dict[datetime, float] = {}
    for history in histories:
        for moment, value in history:
            by_moment[moment] = value
    return sorted(by_moment.items())


class SessionScanner:
    """Charging sessions from the states of an EVSE's session energy sensor: a number while a
    transaction runs, ``unknown`` between transactions, ``unavailable`` while the station is offline
    (which neither ends nor starts a session)."""

    def __init__(self) -> None:
        """No session seen yet."""
        self.sessions: list[tuple[float, float, float]] = []
        self._open: tuple[float, float] | None = None  # arrival, most energy so far
        self._last_ts = 0.0

    def feed(self, moment_ts: float, state: str) -> None:
        """One recorded state, in time order."""
        if moment_ts < self._last_ts:
            return
        self._last_ts = moment_ts
        if state == "unavailable":
            return
        try:
            energy = float(state)
        except ValueError:
            self._close(moment_ts)
            return
        if self._open is not None and energy < self._open[1] - 0.01:
            self._close(moment_ts)  # a new transaction started without a gap in between
        if self._open is None:
            self._open = (moment_ts, energy)
        elif energy > self._open[1]:
            self._open = (self._open[0], energy)

    def _close(self, moment_ts: float) -> None:
        if self._open is not None:
            self.sessions.append((self._open[0], moment_ts, self._open[1]))
            self._open = None
