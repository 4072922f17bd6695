"""When a charging profile's schedule applies, and which of its periods is active at a moment.

OCPP 1.6 and 2.x name the fields read here alike (snake_case, as the ``ocpp`` library hands them to
handlers): ``charging_profile_kind``, ``recurrency_kind``, ``valid_from``/``valid_to`` on the profile;
``start_schedule``, ``duration`` and ``charging_schedule_period`` on the schedule.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import math
from typing import Any

from .clock import parse_ocpp_timestamp

RECURRENCE_SECONDS = {"Daily": 86400.0, "Weekly": 7 * 86400.0}


def active_period(
    profile: dict[str, Any],
    schedule: dict[str, Any],
    received_at: datetime,
    relative_start: datetime,
    now: datetime,
) -> dict[str, Any] | None:
    """Return the schedule period in force at ``now``, or None when the profile does not apply.

    ``relative_start`` anchors a Relative profile (the transaction's start); ``received_at`` anchors
    an Absolute one that gives no ``start_schedule``.
    """
    if not _within_validity(profile, now):
        return None
    elapsed = (now - _schedule_start(profile, schedule, received_at, relative_start)).total_seconds()
    recurrence_s = _recurrence_seconds(profile)
    if recurrence_s:
        elapsed %= recurrence_s
    duration = schedule.get("duration")
    if elapsed < 0 or (duration is not None and elapsed >= float(duration)):
        return None
    active = [p for p in _sorted_periods(schedule) if float(p["start_period"]) <= elapsed]
    return active[-1] if active else None


def change_times(
    profile: dict[str, Any],
    schedule: dict[str, Any],
    received_at: datetime,
    relative_start: datetime,
    window: tuple[datetime, datetime],
) -> set[datetime]:
    """Return the moments strictly inside ``window`` at which the profile's active period may change."""
    first, last = window
    moments = {parse_ocpp_timestamp(profile[key]) for key in ("valid_from", "valid_to") if profile.get(key)}
    start = _schedule_start(profile, schedule, received_at, relative_start)
    offsets = [float(p["start_period"]) for p in _sorted_periods(schedule)]
    if schedule.get("duration") is not None:
        offsets.append(float(schedule["duration"]))
    recurrence_s = _recurrence_seconds(profile)
    repetitions = [0]
    if recurrence_s:
        from_index = math.floor((first - start).total_seconds() / recurrence_s)
        to_index = math.ceil((last - start).total_seconds() / recurrence_s)
        repetitions = list(range(from_index, to_index + 1))
    for repetition in repetitions:
        base = start + timedelta(seconds=repetition * (recurrence_s or 0.0))
        moments.update(base + timedelta(seconds=offset) for offset in offsets)
    return {moment for moment in moments if first < moment < last}


def _sorted_periods(schedule: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(schedule["charging_schedule_period"], key=lambda p: float(p["start_period"]))


def _recurrence_seconds(profile: dict[str, Any]) -> float | None:
    if profile.get("charging_profile_kind") != "Recurring":
        return None
    return RECURRENCE_SECONDS.get(str(profile.get("recurrency_kind")))


def _within_validity(profile: dict[str, Any], now: datetime) -> bool:
    valid_from = profile.get("valid_from")
    valid_to = profile.get("valid_to")
    if valid_from is not None and now < parse_ocpp_timestamp(valid_from):
        return False
    return valid_to is None or now < parse_ocpp_timestamp(valid_to)


def _schedule_start(
    profile: dict[str, Any], schedule: dict[str, Any], received_at: datetime, relative_start: datetime
) -> datetime:
    if profile.get("charging_profile_kind") == "Relative":
        return relative_start
    start_text = schedule.get("start_schedule")
    if start_text is not None:
        return parse_ocpp_timestamp(start_text)
    # Absolute (or 2.1 Dynamic) profiles without a start apply from the moment they arrived.
    return received_at
