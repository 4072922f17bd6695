"""Carry the per-EVSE settings of a hub from before the EMS kept them into its store, once.

Those hubs kept each setting in its entity's last state (Home Assistant's restore cache). The first time
such a hub loads, the settings are read from there, so the user's choices survive the upgrade.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
import logging

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.restore_state import StoredState, async_get as async_get_restore_data
from homeassistant.util import dt as dt_util

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.evse_control import ChargeMode, EvseControl, EvseControls
from custom_components.ssch.core.evse_key import evse_key
from custom_components.ssch.entities.devices import evse_unique_id
from custom_components.ssch.hub_config import HubConfig

_LOGGER = logging.getLogger(__name__)


def _number(stored: StoredState) -> float | None:
    if stored.extra_data is not None:
        value = stored.extra_data.as_dict().get("native_value")
        if isinstance(value, int | float):
            return float(value)
    try:
        return float(stored.state.state)
    except ValueError:
        return None


def _departure(stored: StoredState) -> datetime | None:
    moment = dt_util.parse_datetime(stored.state.state)
    return dt_util.as_utc(moment) if moment is not None and moment > dt_util.utcnow() else None


def _apply_excluded(record: EvseControl, stored: StoredState) -> None:
    record.excluded = stored.state.state == "off"


def _apply_cap(record: EvseControl, stored: StoredState) -> None:
    record.cap_kw = _number(stored)


def _apply_departure(record: EvseControl, stored: StoredState) -> None:
    record.goal.departure = _departure(stored)


def _apply_target(record: EvseControl, stored: StoredState) -> None:
    record.goal.target_soc_pct = _number(stored)


def _apply_floor(record: EvseControl, stored: StoredState) -> None:
    if (value := _number(stored)) is not None:
        record.goal.min_soc_pct = value


def _apply_v2g(record: EvseControl, stored: StoredState) -> None:
    if stored.state.state in ("on", "off"):
        record.goal.v2g_allowed = stored.state.state == "on"


def _apply_mode(record: EvseControl, stored: StoredState) -> None:
    if stored.state.state in {mode.value for mode in ChargeMode}:
        record.goal.mode = ChargeMode(stored.state.state)


# Entity description key -> its platform, and how its last state becomes part of the EVSE's record.
_RESTORED: dict[str, tuple[str, Callable[[EvseControl, StoredState], None]]] = {
    "controlled": ("switch", _apply_excluded),
    "max_power": ("number", _apply_cap),
    "goal_departure": ("datetime", _apply_departure),
    "goal_target_soc": ("number", _apply_target),
    "goal_min_soc": ("number", _apply_floor),
    "goal_v2g_allowed": ("switch", _apply_v2g),
    "goal_charge_mode": ("select", _apply_mode),
}


def controls_from_restored_entities(hass: HomeAssistant, config: HubConfig) -> EvseControls:
    """The settings the hub's entities last showed; an EVSE without any keeps the defaults."""
    last_states = async_get_restore_data(hass).last_states
    registry = er.async_get(hass)
    controls = EvseControls()
    found = 0
    for charger in config.chargers:
        for evse_id in range(1, charger.evse_count + 1):
            for key, (platform, apply) in _RESTORED.items():
                unique_id = evse_unique_id(config.entry_id, charger.subentry_id, evse_id, key)
                entity_id = registry.async_get_entity_id(platform, DOMAIN, unique_id)
                if entity_id is None or (stored := last_states.get(entity_id)) is None:
                    continue
                apply(controls[evse_key(charger.station_id, evse_id)], stored)
                found += 1
    if found:
        _LOGGER.info("Took over %d EVSE settings of %s from its entities", found, config.name)
    return controls
