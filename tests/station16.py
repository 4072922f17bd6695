"""An OCPP 1.6 station built from the ``ocpp`` package (an implementation independent of the hub)."""

from __future__ import annotations

import asyncio
from typing import Any

from ocpp.v16 import ChargePoint as ChargePoint16, call, call_result

from tests.ocpp_clients import AiohttpConnection, handles

CONFIGURATION = {
    "NumberOfConnectors": "2",
    "SupportedFeatureProfiles": "Core,SmartCharging,RemoteTrigger,FirmwareManagement",
    "ChargingScheduleAllowedChargingRateUnit": "Current",
    "ChargeProfileMaxStackLevel": "3",
    "MeterValuesSampledData": "Energy.Active.Import.Register",
    "MeterValueSampleInterval": "300",
}


class Station16(ChargePoint16):  # type: ignore[misc]
    """Records every request of the hub and answers with configurable statuses."""

    def __init__(self, station_id: str, connection: AiohttpConnection) -> None:
        super().__init__(station_id, connection, response_timeout=3)
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.statuses: dict[str, str] = {}
        self.configuration = dict(CONFIGURATION)
        self.arrived = asyncio.Event()

    def _record(self, action: str, payload: dict[str, Any], default: str = "Accepted") -> str:
        self.received.append((action, payload))
        self.arrived.set()
        return self.statuses.get(action, default)

    def actions(self) -> list[str]:
        return [action for action, _ in self.received]

    def last(self, action: str) -> dict[str, Any]:
        return [payload for name, payload in self.received if name == action][-1]

    async def wait_for(self, action: str, count: int = 1) -> None:
        async with asyncio.timeout(3):
            while self.actions().count(action) < count:
                self.arrived.clear()
                await self.arrived.wait()

    @handles("GetConfiguration")
    def on_get_configuration(self, key: list[str] | None = None) -> Any:
        self._record("GetConfiguration", {"key": key})
        wanted = key or list(self.configuration)
        known = [
            {"key": name, "readonly": False, "value": self.configuration[name]}
            for name in wanted
            if name in self.configuration
        ]
        unknown = [name for name in wanted if name not in self.configuration]
        return call_result.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @handles("ChangeConfiguration")
    def on_change_configuration(self, key: str, value: str) -> Any:
        status = self._record("ChangeConfiguration", {"key": key, "value": value})
        if status == "Accepted":
            self.configuration[key] = value
        return call_result.ChangeConfiguration(status=status)

    @handles("SetChargingProfile")
    def on_set_charging_profile(self, **payload: Any) -> Any:
        return call_result.SetChargingProfile(status=self._record("SetChargingProfile", payload))

    @handles("ClearChargingProfile")
    def on_clear_charging_profile(self, **payload: Any) -> Any:
        return call_result.ClearChargingProfile(status=self._record("ClearChargingProfile", payload))

    @handles("GetCompositeSchedule")
    def on_get_composite_schedule(self, **payload: Any) -> Any:
        status = self._record("GetCompositeSchedule", payload)
        schedule = {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10.0}]}
        return call_result.GetCompositeSchedule(
            status=status, connector_id=payload["connector_id"], charging_schedule=schedule
        )

    @handles("RemoteStartTransaction")
    def on_remote_start(self, **payload: Any) -> Any:
        return call_result.RemoteStartTransaction(status=self._record("RemoteStartTransaction", payload))

    @handles("RemoteStopTransaction")
    def on_remote_stop(self, **payload: Any) -> Any:
        return call_result.RemoteStopTransaction(status=self._record("RemoteStopTransaction", payload))

    @handles("ChangeAvailability")
    def on_change_availability(self, **payload: Any) -> Any:
        return call_result.ChangeAvailability(status=self._record("ChangeAvailability", payload))

    @handles("Reset")
    def on_reset(self, **payload: Any) -> Any:
        return call_result.Reset(status=self._record("Reset", payload))

    @handles("UnlockConnector")
    def on_unlock(self, **payload: Any) -> Any:
        return call_result.UnlockConnector(status=self._record("UnlockConnector", payload, "Unlocked"))

    @handles("TriggerMessage")
    def on_trigger(self, **payload: Any) -> Any:
        return call_result.TriggerMessage(status=self._record("TriggerMessage", payload))

    @handles("CertificateSigned")
    def on_certificate_signed(self, **payload: Any) -> Any:
        return call_result.CertificateSigned(status=self._record("CertificateSigned", payload))

    @handles("UpdateFirmware")
    def on_update_firmware(self, **payload: Any) -> Any:
        self._record("UpdateFirmware", payload)
        return call_result.UpdateFirmware()

    @handles("GetDiagnostics")
    def on_get_diagnostics(self, **payload: Any) -> Any:
        self._record("GetDiagnostics", payload)
        return call_result.GetDiagnostics(file_name="diagnostics-1.zip")

    @handles("GetLog")
    def on_get_log(self, **payload: Any) -> Any:
        return call_result.GetLog(status=self._record("GetLog", payload), filename="security-1.log")

    @handles("DataTransfer")
    def on_data_transfer(self, **payload: Any) -> Any:
        status = self._record("DataTransfer", payload)
        return call_result.DataTransfer(status=status, data=payload.get("data"))

    async def boot(self) -> Any:
        return await self.call(
            call.BootNotification(
                charge_point_vendor="Wallbox Maker",
                charge_point_model="Home 11",
                charge_point_serial_number="SN-1234",
                firmware_version="4.2.0",
            )
        )
