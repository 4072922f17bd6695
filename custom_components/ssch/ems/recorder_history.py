"""What Home Assistant's recorder remembers of a hub's mapped entities, read when the hub loads.

PV and building power come from the long-term statistics (hourly means, kept for good), the
short-term ones (5-minute means, about ten days) and, where an entity has no statistics, its recorded
states; each entity is reduced to one mean per plan step at once, day by day, so memory stays bounded
however often a sensor reports. Charging sessions come from the states of the hub's own session energy
sensors. Everything runs in the recorder's executor; the recorder is optional.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import logging
from typing import Any

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util.unit_conversion import PowerConverter

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.history_bins import (
    Sample,
    SessionScanner,
    StepBins,
    first_known,
    samples,
    summed,
)
from custom_components.ssch.entities.devices import evse_unique_id
from custom_components.ssch.hub_config import HubConfig

_LOGGER = logging.getLogger(__name__)
RECORDER = "recorder"
MAX_WINDOW = timedelta(days=28)
CHUNK = timedelta(days=1)
PERIOD_S = {"5minute": 300.0, "hour": 3600.0}
_POWER_UNITS: dict[str, str] = {SensorDeviceClass.POWER.value: UnitOfPower.KILO_WATT.value}


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    """What to read: power entities with their unit now, session sensors, the window and the step."""

    pv: dict[str, str | None]
    building: dict[str, str | None]
    session_entities: dict[str, float]  # entity id -> the charger's power limit, kW
    start: datetime
    end: datetime
    step: timedelta


@dataclass(slots=True)
class RecordedHistory:
    """Means per plan step of PV and building power, and the charging sessions seen."""

    pv: list[Sample] = field(default_factory=list)
    building: list[Sample] = field(default_factory=list)
    # (arrival, departure, energy kWh, charger limit kW), times in POSIX seconds, and since when the
    # session sensors were recorded.
    sessions: list[tuple[float, float, float, float]] = field(default_factory=list)
    sessions_since: datetime | None = None


def history_request(
    hass: HomeAssistant,
    config: HubConfig,
    now: datetime,
    window: timedelta,
    step: timedelta,
    *,
    sessions: bool = True,
) -> HistoryRequest:
    """The entities of ``config`` and their units as they are now, over at most ``MAX_WINDOW``;
    without ``sessions``, the EVSEs' session meters are left out."""

    def units(entity_ids: Sequence[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for entity_id in entity_ids:
            state = hass.states.get(entity_id)
            found[entity_id] = state.attributes.get("unit_of_measurement") if state else None
        return found

    registry = er.async_get(hass)
    meters: dict[str, float] = {}
    for charger in config.chargers if sessions else ():
        for evse in range(1, charger.evse_count + 1):
            unique_id = evse_unique_id(config.entry_id, charger.subentry_id, evse, "session_energy")
            if entity_id := registry.async_get_entity_id("sensor", DOMAIN, unique_id):
                meters[entity_id] = charger.max_charge_kw
    step_s = step.total_seconds()
    start = datetime.fromtimestamp((now - min(window, MAX_WINDOW)).timestamp() // step_s * step_s, UTC)
    return HistoryRequest(
        pv=units([pv.power_entity for pv in config.pv]),
        building=units([building.power_entity for building in config.buildings]),
        session_entities=meters,
        start=start,
        end=now,
        step=step,
    )


async def async_read_history(hass: HomeAssistant, request: HistoryRequest) -> RecordedHistory | None:
    """The recorded history, or None without a recorder or when it cannot be read."""
    if RECORDER not in hass.config.components:
        return None
    # The recorder's public entry point in every version (its home module has moved).
    from homeassistant.components.recorder import get_instance  # type: ignore[attr-defined]

    try:
        return await get_instance(hass).async_add_executor_job(read_history, hass, request)
    except Exception:  # a database problem must not keep the hub from loading
        _LOGGER.warning("The recorder's history could not be read; the hub starts without it", exc_info=True)
        return None


def read_history(hass: HomeAssistant, request: HistoryRequest) -> RecordedHistory:
    """Read everything ``request`` names (blocking: in the recorder's executor)."""
    history = RecordedHistory()
    history.pv = _power_history(hass, request, request.pv)
    history.building = _power_history(hass, request, request.building)
    window_start = request.start.timestamp()
    first_seen: float | None = None
    for entity_id, limit_kw in request.session_entities.items():
        scanner = SessionScanner()
        for moment, state in _states(hass, entity_id, window_start, request.end.timestamp()):
            first_seen = moment if first_seen is None else min(first_seen, moment)
            scanner.feed(moment, state)
        # A session already running when the window opens has no known arrival.
        history.sessions += [
            (*session, limit_kw) for session in scanner.sessions if session[0] > window_start
        ]
    if first_seen is not None:
        history.sessions_since = datetime.fromtimestamp(first_seen, UTC)
    return history


def _power_history(
    hass: HomeAssistant, request: HistoryRequest, units: dict[str, str | None]
) -> list[Sample]:
    """Summed means per step of the entities' power, kW."""
    if not units:
        return []
    from homeassistant.components.recorder.statistics import get_metadata, statistics_during_period

    step_s = request.step.total_seconds()
    origin = request.start.timestamp()
    end = request.end.timestamp()
    count = max(1, int((end - origin) // step_s) + 1)
    metadata = get_metadata(hass, statistic_ids=set(units))
    with_statistics = {
        entity_id
        for entity_id, (_, meta) in metadata.items()
        if meta.get("unit_of_measurement") in PowerConverter.VALID_UNITS
    }
    layers: dict[str, list[StepBins]] = {entity_id: [] for entity_id in units}
    covered: dict[str, tuple[float, float]] = {}
    for period in ("5minute", "hour"):
        rows = (
            statistics_during_period(
                hass, request.start, request.end, with_statistics, period, _POWER_UNITS, {"mean"}
            )
            if with_statistics
            else {}
        )
        for entity_id, entity_rows in rows.items():
            bins = StepBins(origin, step_s, count)
            for row in entity_rows:
                start = _timestamp(row["start"])
                stop = _timestamp(row.get("end", start + PERIOD_S[period]))
                if (mean := row.get("mean")) is not None:
                    bins.add(start, stop, mean)
                    first, last = covered.get(entity_id, (start, stop))
                    covered[entity_id] = (min(first, start), max(last, stop))
            layers[entity_id].append(bins)
    series: list[list[float | None]] = []
    for entity_id, unit in units.items():
        if unit in PowerConverter.VALID_UNITS:
            # States only where the statistics do not reach (no statistics at all, or not compiled yet).
            states = StepBins(origin, step_s, count)
            factor = PowerConverter.convert(1.0, unit, UnitOfPower.KILO_WATT)
            windows = [(origin, end)]
            if entity_id in covered:
                first, last = covered[entity_id]
                windows = [(origin, min(first, end)), (max(last, origin), end)]
            for since, until in windows:
                if until > since:
                    _add_states(hass, states, entity_id, (since, until), factor)
            layers[entity_id].insert(0, states)
        series.append(first_known([bins.means() for bins in layers[entity_id]]))
    return samples(origin, step_s, summed(series))


def _add_states(
    hass: HomeAssistant, bins: StepBins, entity_id: str, window: tuple[float, float], factor: float
) -> None:
    """Recorded states held until the next one, read a day at a time."""
    since, until = window
    points: list[tuple[float, float | None]] = []
    for moment, state in _states(hass, entity_id, since, until):
        try:
            points.append((moment, float(state) * factor))
        except ValueError:
            points.append((moment, None))
        if len(points) > 1 and moment - points[0][0] >= CHUNK.total_seconds():
            bins.add_held(points[:-1], moment)
            points = points[-1:]
    bins.add_held(points, until)


def _states(hass: HomeAssistant, entity_id: str, since: float, until: float) -> Iterator[tuple[float, str]]:
    """(POSIX time, state) of the entity from ``since`` until ``until``, a day's query at a time."""
    from homeassistant.components.recorder.history import state_changes_during_period

    chunk_start = since
    while chunk_start < until:
        chunk_end = min(chunk_start + CHUNK.total_seconds(), until)
        # The recorder returns states strictly after the start and the one in force before it: a state
        # written exactly at a chunk's start is only found from a moment earlier.
        found = state_changes_during_period(
            hass,
            datetime.fromtimestamp(chunk_start - 0.001, UTC),
            datetime.fromtimestamp(chunk_end, UTC),
            entity_id,
            no_attributes=True,
            include_start_time_state=True,
        )
        for state in found.get(entity_id, []):
            yield max(state.last_updated_timestamp, chunk_start), state.state
        chunk_start = chunk_end


def _timestamp(value: Any) -> float:
    """Statistics rows give POSIX seconds; older versions gave datetimes."""
    return value.timestamp() if isinstance(value, datetime) else float(value)
