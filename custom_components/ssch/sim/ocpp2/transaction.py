"""The running OCPP 2.x transaction and the TransactionEvent requests that report it."""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import Any
import uuid

from custom_components.ssch.sim.firmware import StationCore

from . import messages


class TransactionEvents:
    """The EVSE's transaction (the station makes up its id) and the numbered events about it."""

    def __init__(self, calls: ModuleType) -> None:
        self._calls = calls
        self.transaction_id: str | None = None
        self.started_at: datetime | None = None
        self._seq_no = 0

    def begin(self, now: datetime) -> str:
        """Start a transaction now and return its id."""
        self.transaction_id = str(uuid.uuid4())
        self.started_at = now
        self._seq_no = 0
        return self.transaction_id

    def end(self) -> None:
        """Forget the transaction once its Ended event is queued."""
        self.transaction_id = None
        self.started_at = None

    def event(
        self,
        station: StationCore,
        event_type: str,
        trigger: str,
        now: datetime,
        context: str,
        *,
        id_token: str | None = None,
        stopped_reason: str | None = None,
    ) -> Any | None:
        """Return the next TransactionEvent with the station's readings (None: no transaction)."""
        if self.transaction_id is None:
            return None
        info: dict[str, Any] = {"transaction_id": self.transaction_id}
        if station.charging_state is not None:
            info["charging_state"] = station.charging_state
        if stopped_reason is not None:
            info["stopped_reason"] = stopped_reason
        sample = messages.meter_value(
            now,
            context=context,
            import_wh=station.energy_import_wh,
            export_wh=station.energy_export_wh,
            power_w=station.power_kw * 1000.0,
            soc_percent=station.battery.soc_percent if station.battery else None,
        )
        payload = messages.transaction_event(
            self._calls,
            event_type=event_type,
            trigger_reason=trigger,
            seq_no=self._seq_no,
            transaction_info=info,
            now=now,
            meter_values=[sample],
            id_token=id_token,
            offline=not station.connected,
            phases=station.config.phases,
        )
        self._seq_no += 1
        return payload
