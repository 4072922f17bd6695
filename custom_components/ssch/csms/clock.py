"""Wire timestamps: RFC 3339, millisecond precision, ``Z`` suffix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """Format ``moment`` as e.g. ``2025-01-02T03:04:05.678Z`` (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(value: object) -> datetime | None:
    """Parse a station timestamp leniently; ``None`` when it is missing or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def station_time_or_now(
    moment: datetime | None, now: datetime, *, lead: timedelta, lag: timedelta
) -> tuple[datetime, bool]:
    """``moment`` as reported by a station when its clock is plausible, else ``now``.

    A station may report an event late (queued while offline), so a moment up to ``lag`` ago is
    believed; one up to ``lead`` ahead is a clock a little fast and counts as ``now``. The flag is
    False when the station's time was missing or implausible.
    """
    if moment is None or not now - lag <= moment <= now + lead:
        return now, False
    return min(moment, now), True
