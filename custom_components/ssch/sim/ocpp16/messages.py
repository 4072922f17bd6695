"""Builders of the OCPP 1.6 requests a station sends.

Nested structures are snake_case dictionaries: the ``ocpp`` library camel-cases them on the wire.
1.6 sends every sampled value as a string.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ocpp.v16 import call
from ocpp.v16.enums import ChargePointErrorCode, DiagnosticsStatus, FirmwareStatus

from custom_components.ssch.sim.clock import ocpp_timestamp
from custom_components.ssch.sim.config import StationConfig

CONNECTOR_ID = 1
ID_TAG_LENGTH = 20
ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
VOLTAGE = "Voltage"
SOC = "SoC"
CURRENT_OFFERED = "Current.Offered"
POWER_OFFERED = "Power.Offered"
MEASURANDS = (ENERGY, POWER, CURRENT, VOLTAGE, SOC, CURRENT_OFFERED, POWER_OFFERED)
DEFAULT_MEASURANDS = (ENERGY, POWER, CURRENT, VOLTAGE, SOC)


@dataclass(frozen=True, slots=True)
class MeterReading:
    """What the meter and the car show at one moment."""

    energy_wh: float
    power_w: float
    current_a: float  # on each phase in use
    phases_in_use: int
    supply_phases: int
    voltage_v: float
    soc_percent: float | None
    offered_current_a: float
    offered_power_w: float


def id_tag(token: str) -> str:
    """Cut an id token to the 20 characters an idTag holds."""
    return token[:ID_TAG_LENGTH]


def boot_notification(config: StationConfig) -> Any:
    return call.BootNotification(
        charge_point_vendor=config.vendor[:20],
        charge_point_model=config.model[:20],
        charge_point_serial_number=config.station_id[:25],
        firmware_version=config.firmware_version[:50],
    )


def heartbeat() -> Any:
    return call.Heartbeat()


def status_notification(connector_id: int, status: str, now: datetime) -> Any:
    return call.StatusNotification(
        connector_id=connector_id,
        error_code=ChargePointErrorCode.no_error,
        status=status,
        timestamp=ocpp_timestamp(now),
    )


def authorize(token: str) -> Any:
    return call.Authorize(id_tag=id_tag(token))


def start_transaction(token: str, meter_start_wh: int, now: datetime) -> Any:
    return call.StartTransaction(
        connector_id=CONNECTOR_ID,
        id_tag=id_tag(token),
        meter_start=meter_start_wh,
        timestamp=ocpp_timestamp(now),
    )


def stop_transaction(
    transaction_id: int,
    meter_stop_wh: int,
    now: datetime,
    *,
    reason: str,
    token: str,
    last_values: dict[str, Any],
) -> Any:
    return call.StopTransaction(
        transaction_id=transaction_id,
        meter_stop=meter_stop_wh,
        timestamp=ocpp_timestamp(now),
        reason=reason,
        id_tag=id_tag(token),
        transaction_data=[last_values],
    )


def meter_values(transaction_id: int | None, values: dict[str, Any]) -> Any:
    return call.MeterValues(connector_id=CONNECTOR_ID, meter_value=[values], transaction_id=transaction_id)


def diagnostics_status() -> Any:
    return call.DiagnosticsStatusNotification(status=DiagnosticsStatus.idle)


def firmware_status() -> Any:
    return call.FirmwareStatusNotification(status=FirmwareStatus.idle)


def meter_value(
    now: datetime, reading: MeterReading, measurands: Iterable[str], context: str
) -> dict[str, Any]:
    """One ``MeterValue``: the wanted measurands of ``reading``, in the order they are listed."""
    samples: list[dict[str, Any]] = []

    def sample(value: float, measurand: str, unit: str, **where: str) -> None:
        samples.append(
            {"value": _text(value), "context": context, "measurand": measurand, "unit": unit, **where}
        )

    phases = range(1, reading.supply_phases + 1)
    for measurand in measurands:
        if measurand == ENERGY:
            sample(reading.energy_wh, ENERGY, "Wh", location="Outlet")
        elif measurand == POWER:
            sample(reading.power_w, POWER, "W", location="Outlet")
        elif measurand == CURRENT:
            for phase in phases:
                amperes = reading.current_a if phase <= reading.phases_in_use else 0.0
                sample(amperes, CURRENT, "A", location="Outlet", phase=f"L{phase}")
        elif measurand == VOLTAGE:
            for phase in phases:
                sample(reading.voltage_v, VOLTAGE, "V", location="Outlet", phase=f"L{phase}-N")
        elif measurand == SOC and reading.soc_percent is not None:
            sample(reading.soc_percent, SOC, "Percent", location="EV")
        elif measurand == CURRENT_OFFERED:
            sample(reading.offered_current_a, CURRENT_OFFERED, "A", location="Outlet")
        elif measurand == POWER_OFFERED:
            sample(reading.offered_power_w, POWER_OFFERED, "W", location="Outlet")
    return {"timestamp": ocpp_timestamp(now), "sampled_value": samples}


def _text(value: float) -> str:
    """Format a reading with up to three decimals and no trailing zeros ("11040", "6.5")."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
