"""Numbers: the most power each EVSE may charge with."""

from __future__ import annotations

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .core.evse_key import evse_key
from .csms.server import CsmsServer
from .ems.coordinator import EmsCoordinator, EmsMode
from .entities.goals import MIN_SOC, TARGET_SOC, SocGoal
from .entities.station import StationEntity
from .hub_config import ChargerConfig
from .runtime import SschConfigEntry
from .stations.commands import async_run_command

PARALLEL_UPDATES = 1

MAX_POWER = NumberEntityDescription(
    key="max_power",
    translation_key="max_power",
    device_class=NumberDeviceClass.POWER,
    native_unit_of_measurement=UnitOfPower.KILO_WATT,
    native_min_value=0.0,
    native_step=0.1,
    mode=NumberMode.BOX,
    entity_category=EntityCategory.CONFIG,
)


async def async_setup_entry(
    hass: HomeAssistant, entry: SschConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """A power cap per EVSE."""
    server = entry.runtime_data.server
    for charger in entry.runtime_data.config.chargers:
        async_add_entities(
            [
                entity
                for evse_id in range(1, charger.evse_count + 1)
                for entity in (
                    EvseMaxPowerNumber(entry.entry_id, server, charger, evse_id, entry.runtime_data.ems),
                    SocGoal(entry.runtime_data.ems, entry.entry_id, charger, evse_id, TARGET_SOC),
                    SocGoal(entry.runtime_data.ems, entry.entry_id, charger, evse_id, MIN_SOC),
                )
            ],
            config_subentry_id=charger.subentry_id,
        )


class EvseMaxPowerNumber(StationEntity, NumberEntity):
    """A user's cap on the EVSE's charging power (the EMS keeps it across restarts).

    The EMS plans within it; while the EMS is not applying plans, a running session gets it directly.
    """

    def __init__(
        self, entry_id: str, server: CsmsServer, charger: ChargerConfig, evse_id: int, ems: EmsCoordinator
    ) -> None:
        """Start at the charger's configured maximum."""
        super().__init__(entry_id, server, charger, MAX_POWER, evse_id)
        self._ems = ems
        self._key = evse_key(charger.station_id, evse_id)
        self._attr_native_max_value = charger.max_charge_kw

    @property
    def native_value(self) -> float:
        """The cap in force; the charger's maximum until the user sets one."""
        return self._ems.controls.cap_kw(self._key, self._charger.max_charge_kw)

    async def async_set_native_value(self, value: float) -> None:
        """Store the cap, re-plan with it, and apply it at once when the EMS is not in control."""
        assert self._evse_id is not None
        if self._ems.mode is not EmsMode.AUTOMATIC and self.evse.transaction_id is not None:
            handle = self._server.station(self._charger.station_id)
            await async_run_command(
                self._charger.station_id, "SetChargingProfile", handle.set_setpoint(self._evse_id, value)
            )
        await self._ems.async_set_cap(self._key, value)
        self.async_write_ha_state()
