"""Reading mapped entities robustly: unit conversion, last good value for a while, then a safe value.

A mapped sensor that is unavailable, unknown, non-numeric or in the wrong unit does not stop the hub.
Its last good value is used for ``hold_for``; after that the caller's safe assumption is used and a
repair issue names the entity. The issue clears as soon as the entity reports a usable value again.
Each outage of a source is logged once when it starts and once when it ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import logging

from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.core import HomeAssistant

from .raised_issues import RaisedIssues
from .units import mirrored_value

_LOGGER = logging.getLogger(__name__)
ISSUE_SOURCE_UNAVAILABLE = "source_unavailable"
DEFAULT_HOLD = timedelta(minutes=15)


@dataclass(slots=True)
class _LastGood:
    value: float
    at: datetime


class SourceTracker:
    """Per-hub memory of the mapped entities' last usable values."""

    def __init__(self, hass: HomeAssistant, entry_id: str, hold_for: timedelta = DEFAULT_HOLD) -> None:
        """Track the sources of one hub."""
        self._hass = hass
        self._entry_id = entry_id
        self._hold_for = hold_for
        self._last_good: dict[str, _LastGood] = {}
        self._issues = RaisedIssues(hass, entry_id, ISSUE_SOURCE_UNAVAILABLE)
        self._unusable: set[str] = set()

    def read(
        self, entity_id: str, device_class: SensorDeviceClass | None, safe_value: float, now: datetime
    ) -> float:
        """The entity's value in kW, kWh or %, its recent last good value, or ``safe_value``."""
        value = mirrored_value(self._hass.states.get(entity_id), device_class)
        if value is not None:
            self._last_good[entity_id] = _LastGood(value, now)
            self._issues.clear(entity_id)
            if entity_id in self._unusable:
                self._unusable.discard(entity_id)
                _LOGGER.info("%s has a usable value again", entity_id)
            return value
        if entity_id not in self._unusable:
            self._unusable.add(entity_id)
            _LOGGER.info(
                "%s has no usable value (%s); its last value is held up to %d minutes, then %g is assumed",
                entity_id,
                state.state if (state := self._hass.states.get(entity_id)) else "missing",
                self._hold_for.total_seconds() // 60,
                safe_value,
            )
        last = self._last_good.get(entity_id)
        if last is not None and now - last.at <= self._hold_for:
            return last.value
        self._issues.raise_once(
            entity_id,
            {
                "entity_id": entity_id,
                "minutes": str(int(self._hold_for.total_seconds() // 60)),
                "safe_value": f"{safe_value:g}",
            },
        )
        return safe_value

    @property
    def problems(self) -> list[str]:
        """Entities currently replaced by a safe assumption."""
        return self._issues.keys

    def clear_all(self) -> None:
        """Drop every issue this tracker raised (the hub is unloading)."""
        self._issues.clear_all()
