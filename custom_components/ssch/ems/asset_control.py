"""Apply the plan to the stationary batteries and to PV curtailment through their mapped number entities."""

from __future__ import annotations

from collections.abc import Sequence
import logging

from homeassistant.const import PERCENTAGE, UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util.unit_conversion import PowerConverter

from custom_components.ssch.core.battery_pool import split_kw
from custom_components.ssch.core.model import StationaryBattery
from custom_components.ssch.hub_config import HubConfig, PvConfig

_LOGGER = logging.getLogger(__name__)
DEADBAND_KW = 0.5
_NO_CURTAILMENT_KW = 0.05


def control_value(hass: HomeAssistant, entity_id: str, power_kw: float) -> float | None:
    """``power_kw`` in the control entity's unit, within its range; None when the entity is missing."""
    state = hass.states.get(entity_id)
    if state is None:
        return None
    unit = state.attributes.get("unit_of_measurement") or UnitOfPower.KILO_WATT
    try:
        value = PowerConverter.convert(power_kw, UnitOfPower.KILO_WATT, unit)
    except (KeyError, ValueError, HomeAssistantError):
        value = power_kw
    low, high = state.attributes.get("min"), state.attributes.get("max")
    if isinstance(low, int | float):
        value = max(float(low), value)
    if isinstance(high, int | float):
        value = min(float(high), value)
    return value


def curtailment_power_kw(pv: PvConfig, available_kw: float, curtail_kw: float) -> float:
    """The output limit that curtails ``curtail_kw`` of what the array makes now; no curtailment: its peak."""
    if curtail_kw <= _NO_CURTAILMENT_KW:
        return pv.peak_kwp
    return max(0.0, available_kw - curtail_kw)


class AssetController:
    """Sends battery and curtailment setpoints only when they change beyond a deadband."""

    def __init__(self, hass: HomeAssistant, config: HubConfig) -> None:
        """Control the assets of one hub."""
        self._hass = hass
        self._config = config
        self._sent: dict[str, float] = {}
        self._failed: set[str] = set()

    async def async_apply(
        self,
        battery_kw: float,
        curtail_kw: float,
        pv_available_kw: float,
        batteries: Sequence[StationaryBattery],
    ) -> None:
        """The batteries' power (positive = charging) and PV curtailment for the current step.

        ``battery_kw`` is the pool's; ``batteries`` are the configured batteries as they are now, which
        decide each one's share.
        """
        step_hours = self._config.step_minutes / 60.0
        shares = split_kw(battery_kw, batteries, step_hours)
        for battery, share in zip(self._config.batteries, shares, strict=True):
            await self._set(battery.control_entity, share, percent_of_kw=None)
        total_peak = sum(p.peak_kwp for p in self._config.pv) or 1.0
        for pv in self._config.pv:
            if pv.curtailment_entity is None:
                continue
            share = pv.peak_kwp / total_peak
            limit_kw = curtailment_power_kw(pv, pv_available_kw * share, curtail_kw * share)
            await self._set(pv.curtailment_entity, limit_kw, percent_of_kw=pv.peak_kwp)

    async def _set(self, entity_id: str, power_kw: float, percent_of_kw: float | None) -> None:
        previous = self._sent.get(entity_id)
        if previous is not None and abs(previous - power_kw) < DEADBAND_KW:
            return
        state = self._hass.states.get(entity_id)
        if state is not None and percent_of_kw and state.attributes.get("unit_of_measurement") == PERCENTAGE:
            value: float | None = min(100.0, max(0.0, 100.0 * power_kw / percent_of_kw))
        else:
            value = control_value(self._hass, entity_id, power_kw)
        if value is None:
            self._log_once(entity_id, "the entity does not exist")
            return
        domain = entity_id.split(".", 1)[0]
        try:
            await self._hass.services.async_call(
                domain, "set_value", {"entity_id": entity_id, "value": round(value, 3)}, blocking=True
            )
        except HomeAssistantError as err:
            self._log_once(entity_id, str(err))
            return
        self._failed.discard(entity_id)
        self._sent[entity_id] = power_kw

    def _log_once(self, entity_id: str, reason: str) -> None:
        if entity_id not in self._failed:
            self._failed.add(entity_id)
            _LOGGER.warning("Cannot apply the plan to %s: %s", entity_id, reason)
