"""Per-EVSE goal entities: departure time, target and floor SoC, V2G consent, charge mode, target status.

Each entity is a view of the EVSE's control record, which the EMS keeps across restarts; a change
goes to the EMS, which plans with it at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from homeassistant.components.datetime import DateTimeEntity, DateTimeEntityDescription
from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription
from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import PERCENTAGE
from homeassistant.helpers.entity import EntityDescription
from homeassistant.util import dt as dt_util

from custom_components.ssch.core.evse_control import ChargeMode, EvseGoal
from custom_components.ssch.core.evse_key import evse_key
from custom_components.ssch.ems.coordinator import EmsCoordinator
from custom_components.ssch.hub_config import ChargerConfig

from .base import SschCoordinatorEntity
from .station import evse_anchor

DEPARTURE = DateTimeEntityDescription(key="goal_departure", translation_key="goal_departure")


def _soc_slider(key: str) -> NumberEntityDescription:
    return NumberEntityDescription(
        key=key,
        translation_key=key,
        native_unit_of_measurement=PERCENTAGE,
        native_min_value=0,
        native_max_value=100,
        native_step=1,
        mode=NumberMode.SLIDER,
    )


TARGET_SOC = _soc_slider("goal_target_soc")
MIN_SOC = _soc_slider("goal_min_soc")
V2G_ALLOWED = SwitchEntityDescription(key="goal_v2g_allowed", translation_key="goal_v2g_allowed")
MODE = SelectEntityDescription(
    key="goal_charge_mode", translation_key="goal_charge_mode", options=[m.value for m in ChargeMode]
)
TARGET_STATUS = SensorEntityDescription(
    key="target_status",
    translation_key="target_status",
    device_class=SensorDeviceClass.ENUM,
    options=["no_car", "on_track", "at_risk"],
)


class GoalEntity(SschCoordinatorEntity):
    """An entity of one EVSE's goal."""

    def __init__(
        self,
        ems: EmsCoordinator,
        entry_id: str,
        charger: ChargerConfig,
        evse_id: int,
        description: EntityDescription,
    ) -> None:
        """Bind to the EVSE's device and goal."""
        super().__init__(ems, evse_anchor(entry_id, charger, evse_id), description)
        self._key = evse_key(charger.station_id, evse_id)

    @property
    def goal(self) -> EvseGoal:
        """This EVSE's goal."""
        return self.coordinator.controls[self._key].goal

    async def _change(self, **changes: Any) -> None:
        await self.coordinator.async_set_goal(self._key, replace(self.goal, **changes))


class DepartureGoal(GoalEntity, DateTimeEntity):
    """When the car must be ready; without a choice, the car's own departure time (ISO 15118)."""

    @property
    def native_value(self) -> datetime | None:
        """The chosen departure."""
        return self.goal.departure

    async def async_set_value(self, value: datetime) -> None:
        """Choose a departure."""
        await self._change(departure=dt_util.as_utc(value))


class SocGoal(GoalEntity, NumberEntity):
    """A target or floor state of charge in %."""

    @property
    def native_value(self) -> float | None:
        """The chosen value; the target is unknown until chosen (the car's request applies)."""
        if self.entity_description.key == TARGET_SOC.key:
            return self.goal.target_soc_pct
        return self.goal.min_soc_pct

    async def async_set_native_value(self, value: float) -> None:
        """Choose a value."""
        if self.entity_description.key == TARGET_SOC.key:
            await self._change(target_soc_pct=value)
        else:
            await self._change(min_soc_pct=value)


class V2gConsent(GoalEntity, SwitchEntity):
    """Whether the hub may discharge this car (never below the floor)."""

    @property
    def is_on(self) -> bool:
        """Discharging allowed."""
        return self.goal.v2g_allowed

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Allow discharging."""
        await self._change(v2g_allowed=True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Forbid discharging."""
        await self._change(v2g_allowed=False)


class ChargeModeSelect(GoalEntity, SelectEntity):
    """Smart, fast, solar only or off."""

    @property
    def current_option(self) -> str:
        """The mode now."""
        return self.goal.mode.value

    async def async_select_option(self, option: str) -> None:
        """Change the mode."""
        await self._change(mode=ChargeMode(option))


class TargetStatus(GoalEntity, SensorEntity):
    """Whether the plan meets this EVSE's target, and if not why."""

    def _outcome(self) -> Any:
        sessions = [s for s in self.coordinator.data.snapshot.sessions if s.evse_id == self._key]
        if not sessions:
            return None
        return self.coordinator.data.plan.session_outcomes.get(sessions[0].session_id)

    @property
    def native_value(self) -> str:
        """no_car, on_track or at_risk."""
        outcome = self._outcome()
        if outcome is None:
            return "no_car"
        return "at_risk" if outcome.at_risk else "on_track"

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Expected and target energy at departure, and the reason when at risk."""
        outcome = self._outcome()
        if outcome is None:
            return None
        return {
            "expected_energy_kwh": round(outcome.expected_energy_kwh, 2),
            "target_energy_kwh": round(outcome.target_energy_kwh, 2),
            "reason": outcome.reason,
        }
