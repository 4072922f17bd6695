"""A hub that loads (after a restart or a reload) continues with the history Home Assistant already
has: PV and building power for the forecasts and, while the hub has learned no arrivals yet, the
charging sessions of the past days for the arrival profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant

from custom_components.ssch.core.model import EvSession
from custom_components.ssch.core.session_forecast import SessionForecaster
from custom_components.ssch.hub_config import HubConfig

from .recorder_history import RecordedHistory, async_read_history, history_request
from .snapshot import HISTORY_LENGTH, SnapshotBuilder

RECORDED_PREFIX = "recorded:"


async def async_restore_history(
    hass: HomeAssistant,
    config: HubConfig,
    builder: SnapshotBuilder,
    arrivals: SessionForecaster,
    now: datetime,
) -> None:
    """Seed ``builder`` and, when it knows no past day, ``arrivals`` from the recorder."""
    # Once the arrival profile knows a past day, the recorded sessions would not be learned: not read.
    today = now.astimezone(ZoneInfo(arrivals.config.time_zone)).date()
    request = history_request(
        hass,
        config,
        now,
        HISTORY_LENGTH,
        timedelta(minutes=config.step_minutes),
        sessions=not arrivals.days_seen_before(today),
    )
    recorded = await async_read_history(hass, request)
    if recorded is None:
        return
    builder.seed_history(recorded.pv, recorded.building, now)
    learn_arrivals(arrivals, recorded, now)


def learn_arrivals(arrivals: SessionForecaster, recorded: RecordedHistory, now: datetime) -> None:
    """Learn the recorded sessions of the whole days before today, if the profile has none yet."""
    zone = ZoneInfo(arrivals.config.time_zone)
    local_now = now.astimezone(zone)
    if recorded.sessions_since is None or arrivals.days_seen_before(local_now.date()):
        return
    today = _midnight(local_now)
    # Only whole days count as seen: the first recorded day may have started before the sensor did.
    first = _midnight(recorded.sessions_since.astimezone(zone) + timedelta(days=1))
    if first >= today:
        return
    efficiency = arrivals.config.charge_efficiency
    sessions = [
        EvSession(
            session_id=f"{RECORDED_PREFIX}{arrival}",
            evse_id=RECORDED_PREFIX,
            max_charge_kw=limit_kw,
            max_discharge_kw=0.0,
            arrival=datetime.fromtimestamp(arrival, UTC),
            departure=datetime.fromtimestamp(departure, UTC),
            energy_kwh=0.0,
            capacity_kwh=energy_kwh * efficiency,
            target_energy_kwh=energy_kwh * efficiency,
        )
        for arrival, departure, energy_kwh, limit_kw in recorded.sessions
        if first.timestamp() <= arrival < today.timestamp()
    ]
    arrivals.learn_history(sessions, first, today)


def _midnight(local: datetime) -> datetime:
    """The start of ``local``'s day in its time zone (a day may be 23 or 25 hours long)."""
    zone = local.tzinfo
    return datetime(local.year, local.month, local.day, tzinfo=zone)
