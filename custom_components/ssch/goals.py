"""What the user wants from one EVSE's session: departure, target, V2G floor and consent, charge mode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

DEFAULT_MIN_SOC_PCT = 30.0


class ChargeMode(StrEnum):
    """How a session is charged."""

    SMART = "smart"  # the plan decides, within the user's goal
    FAST = "fast"  # full power now until the target
    SOLAR_ONLY = "solar_only"  # only when it costs nothing: no energy is promised
    OFF = "off"  # no charging at all


@dataclass(slots=True)
class EvseGoal:
    """The user's goal; None fields fall back to what the car reports."""

    departure: datetime | None = None
    target_soc_pct: float | None = None
    min_soc_pct: float = DEFAULT_MIN_SOC_PCT
    v2g_allowed: bool = True
    mode: ChargeMode = ChargeMode.SMART
