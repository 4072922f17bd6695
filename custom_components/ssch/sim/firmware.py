"""The seam between the shared part of a station (car, battery, clock, link) and its OCPP firmware.

:class:`SimulatedStation` runs the physics and the connection for every version; a firmware object
of the station's version decides what goes over the wire and how much power the EVSE offers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from .battery import EvBattery
from .clock import SimClock
from .config import StationConfig
from .link import StationChargePoint, WebsocketConnection
from .outbox import Outbox
from .stats import LinkStats


class StationCore(Protocol):
    """What a firmware sees of, and may do to, the station that runs it."""

    @property
    def config(self) -> StationConfig: ...

    @property
    def clock(self) -> SimClock: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def stats(self) -> LinkStats: ...

    @property
    def battery(self) -> EvBattery | None: ...

    @property
    def power_kw(self) -> float: ...

    @property
    def energy_import_wh(self) -> float: ...

    @property
    def energy_export_wh(self) -> float: ...

    @property
    def charging_state(self) -> str | None: ...

    @property
    def connected(self) -> bool: ...

    def settle(self, now: datetime) -> None:
        """Account the energy moved up to ``now`` at the current power."""

    def refresh_power(self, now: datetime, *, report: bool = True) -> None:
        """Decide the power again (``report``: tell the firmware if the charging state changed)."""

    def stop_charging(self) -> None:
        """Cut the power because the transaction ended."""

    def apply_command(self, action: str, payload: dict[str, Any], change: Callable[[datetime], str]) -> str:
        """Settle, apply a CSMS command, remember it if accepted, and decide the power at once."""

    def offline_seconds(self, now: datetime) -> float | None:
        """Return how long the station has been offline, or None while it is online."""

    def wake(self) -> None:
        """Make the physics loop look at the station now (a deadline moved)."""

    def set_heartbeat_interval(self, seconds: float) -> None:
        """Use a new heartbeat interval from the next beat on."""

    def reboot(self, *, graceful: bool) -> None:
        """Drop the connection (``graceful``: after the queued requests went out) and boot again."""


class Firmware(Protocol):
    """The OCPP behaviour of one version, as the shared part of the station drives it."""

    @property
    def transaction_id(self) -> str | int | None:
        """Return the id of the running transaction (a 1.6 one may still wait for its id)."""

    @property
    def transaction_active(self) -> bool:
        """Tell whether a transaction runs, so the EVSE may deliver power."""

    @property
    def connector_status(self) -> str:
        """Return the status of the (single) connector as this version names it."""

    @property
    def meter_interval_s(self) -> float:
        """Return the period of the meter values sent during a transaction (0: none)."""

    def charge_point(self, connection: WebsocketConnection) -> StationChargePoint:
        """Return the charge point that answers the CSMS on a new connection."""

    def boot_notification(self) -> Any:
        """Return the BootNotification request of this version."""

    def heartbeat(self) -> Any:
        """Return the Heartbeat request of this version."""

    def on_online(self, now: datetime, heartbeat_interval_s: float) -> None:
        """The CSMS accepted the boot: report the current state first."""

    def on_car_arrived(self, now: datetime) -> None:
        """A car was plugged in (``station.battery`` is set)."""

    def on_car_leaving(self, now: datetime) -> None:
        """The car is being unplugged (``station.battery`` is still set)."""

    def offered_power_kw(self, now: datetime, offline_s: float | None) -> float:
        """Return the power the EVSE offers the car now (negative: discharge), before car limits."""

    def on_charging_state_changed(self, now: datetime) -> None:
        """``station.charging_state`` changed during a transaction."""

    def on_tick(self, now: datetime) -> datetime | None:
        """Do the periodic work due now; return when there is more to do (None: nothing planned)."""
