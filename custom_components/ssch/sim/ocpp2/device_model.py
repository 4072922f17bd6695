"""The few OCPP 2.x device-model variables a CSMS reads or writes on a simulated station."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from custom_components.ssch.sim.config import OcppVersion

_Key = tuple[str, str]


class DeviceModel:
    """Variables keyed by (component name, variable name); some are writable."""

    def __init__(
        self,
        version: OcppVersion,
        meter_interval_s: float,
        evse_max_power_kw: float,
        on_meter_interval: Callable[[float], None],
    ) -> None:
        self._values: dict[_Key, str] = {
            ("SmartChargingCtrlr", "Enabled"): "true",
            ("SmartChargingCtrlr", "RateUnit"): "A,W",
            ("SampledDataCtrlr", "TxUpdatedInterval"): str(round(meter_interval_s)),
            ("OCPPCommCtrlr", "HeartbeatInterval"): "300",
            ("EVSE", "Power"): str(round(evse_max_power_kw * 1000)),
        }
        if version is OcppVersion.V21:
            self._values.update(
                {
                    ("V2XChargingCtrlr", "Enabled"): "true",
                    ("V2XChargingCtrlr", "SupportedEnergyTransferModes"): (
                        "AC_single_phase,AC_three_phase,AC_BPT"
                    ),
                    ("V2XChargingCtrlr", "SupportedOperationModes"): ("Idle,ChargingOnly,CentralSetpoint"),
                }
            )
        self._on_meter_interval = on_meter_interval

    def value(self, component: str, variable: str) -> str | None:
        """Return the value of a variable, or None if the station does not know it."""
        return self._values.get((component, variable))

    def get(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Answer ``GetVariables`` entries (snake_case) with ``GetVariableResult`` entries."""
        results = []
        for request in requests:
            key = (request["component"]["name"], request["variable"]["name"])
            value = self._values.get(key)
            result = {
                "attribute_status": "Accepted" if value is not None else "UnknownVariable",
                "component": request["component"],
                "variable": request["variable"],
            }
            if value is not None:
                result["attribute_value"] = value
            results.append(result)
        return results

    def set(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Apply ``SetVariables`` entries; only the meter and heartbeat intervals are writable."""
        results = []
        for request in requests:
            key = (request["component"]["name"], request["variable"]["name"])
            status = "Rejected"
            if key not in self._values:
                status = "UnknownVariable"
            elif key[1] in ("TxUpdatedInterval", "HeartbeatInterval"):
                status = self._set_interval(key, str(request["attribute_value"]))
            results.append(
                {
                    "attribute_status": status,
                    "component": request["component"],
                    "variable": request["variable"],
                }
            )
        return results

    def _set_interval(self, key: _Key, text: str) -> str:
        try:
            seconds = float(text)
        except ValueError:
            return "Rejected"
        if seconds <= 0:
            return "Rejected"
        self._values[key] = text
        if key[1] == "TxUpdatedInterval":
            self._on_meter_interval(seconds)
        return "Accepted"
