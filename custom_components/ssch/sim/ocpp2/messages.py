"""Builders of the OCPP 2.1 and 2.0.1 requests a station sends.

Nested structures are snake_case dictionaries: the ``ocpp`` library camel-cases them on the wire.
"""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import Any

from custom_components.ssch.sim.battery import EvBattery
from custom_components.ssch.sim.clock import ocpp_timestamp
from custom_components.ssch.sim.config import OcppVersion, StationConfig

EVSE_ID = 1
CONNECTOR_ID = 1


def boot_notification(calls: ModuleType, config: StationConfig) -> Any:
    station = {
        "model": config.model,
        "vendor_name": config.vendor,
        "firmware_version": config.firmware_version,
    }
    return calls.BootNotification(charging_station=station, reason="PowerUp")


def heartbeat(calls: ModuleType) -> Any:
    return calls.Heartbeat()


def status_notification(calls: ModuleType, connector_status: str, now: datetime) -> Any:
    return calls.StatusNotification(
        timestamp=ocpp_timestamp(now),
        connector_status=connector_status,
        evse_id=EVSE_ID,
        connector_id=CONNECTOR_ID,
    )


def authorize(calls: ModuleType, id_token: str) -> Any:
    return calls.Authorize(id_token={"id_token": id_token, "type": "ISO14443"})


def meter_value(
    now: datetime,
    *,
    context: str,
    import_wh: float,
    export_wh: float,
    power_w: float,
    soc_percent: float | None,
) -> dict[str, Any]:
    """One sample set: energy registers (Wh), signed active power (W) and the EV's SoC."""

    def sample(value: float, measurand: str, unit: str, location: str = "Outlet") -> dict[str, Any]:
        return {
            "value": round(value, 3),
            "measurand": measurand,
            "context": context,
            "location": location,
            "unit_of_measure": {"unit": unit},
        }

    samples = [
        sample(import_wh, "Energy.Active.Import.Register", "Wh"),
        sample(export_wh, "Energy.Active.Export.Register", "Wh"),
        sample(power_w, "Power.Active.Import", "W"),
    ]
    if soc_percent is not None:
        samples.append(sample(soc_percent, "SoC", "Percent", location="EV"))
    return {"timestamp": ocpp_timestamp(now), "sampled_value": samples}


def transaction_event(
    calls: ModuleType,
    *,
    event_type: str,
    trigger_reason: str,
    seq_no: int,
    transaction_info: dict[str, Any],
    now: datetime,
    meter_values: list[dict[str, Any]] | None = None,
    id_token: str | None = None,
    offline: bool = False,
    phases: int | None = None,
) -> Any:
    return calls.TransactionEvent(
        event_type=event_type,
        timestamp=ocpp_timestamp(now),
        trigger_reason=trigger_reason,
        seq_no=seq_no,
        transaction_info=transaction_info,
        meter_value=meter_values,
        offline=True if offline else None,
        number_of_phases_used=phases,
        evse={"id": EVSE_ID, "connector_id": CONNECTOR_ID} if event_type == "Started" else None,
        id_token={"id_token": id_token, "type": "ISO14443"} if id_token else None,
    )


def ev_charging_needs(
    calls: ModuleType,
    config: StationConfig,
    battery: EvBattery,
    departure: datetime,
    now: datetime,
) -> Any:
    """What the car asks for: AC parameters always, V2X parameters (in W and Wh) on 2.1."""
    visit = battery.visit
    to_target_kwh = max(0.0, visit.capacity_kwh * visit.target_soc_percent / 100 - battery.energy_kwh)
    to_full_wh = max(0.0, visit.capacity_kwh - battery.energy_kwh) * 1000
    max_current_a = visit.max_charge_power_kw * 1000 / (config.nominal_voltage_v * config.phases)
    ac_parameters = {
        "energy_amount": round(to_target_kwh * 1000),
        "ev_min_current": round(config.min_current_a),
        "ev_max_current": max(round(config.min_current_a), round(max_current_a)),
        "ev_max_voltage": 400 if config.phases == 3 else 230,
    }
    ac_mode = "AC_three_phase" if config.phases == 3 else "AC_single_phase"
    needs: dict[str, Any] = {
        "requested_energy_transfer": ac_mode,
        "departure_time": ocpp_timestamp(departure),
        "ac_charging_parameters": ac_parameters,
    }
    if config.ocpp_version is OcppVersion.V21:
        v2x = visit.v2x
        floor_kwh = visit.capacity_kwh * (v2x.min_soc_percent if v2x else 0.0) / 100
        needs["control_mode"] = config.control_mode
        needs["available_energy_transfer"] = [ac_mode, "AC_BPT"] if v2x else [ac_mode]
        needs["v2x_charging_parameters"] = {
            "min_charge_power": visit.min_charge_power_kw * 1000,
            "max_charge_power": visit.max_charge_power_kw * 1000,
            "min_discharge_power": (v2x.min_discharge_power_kw * 1000) if v2x else 0.0,
            "max_discharge_power": (v2x.max_discharge_power_kw * 1000) if v2x else 0.0,
            "ev_target_energy_request": round(to_target_kwh * 1000),
            "ev_min_energy_request": 0,
            "ev_max_energy_request": round(to_full_wh),
            "ev_min_v2x_energy_request": round((floor_kwh - battery.energy_kwh) * 1000),
            "ev_max_v2x_energy_request": round(to_full_wh),
            "target_soc": round(visit.target_soc_percent),
        }
        if v2x:
            needs["requested_energy_transfer"] = "AC_BPT"
        return calls.NotifyEVChargingNeeds(
            evse_id=EVSE_ID, charging_needs=needs, timestamp=ocpp_timestamp(now)
        )
    return calls.NotifyEVChargingNeeds(evse_id=EVSE_ID, charging_needs=needs)
