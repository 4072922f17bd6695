"""What a car had stored when it left, for the share of sessions that met their target."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LastSeen:
    """A session as the last plan saw it, with the EVSE's session meter at that moment."""

    energy_kwh: float
    capacity_kwh: float
    metered_kwh: float
    charge_efficiency: float


def energy_at_departure(seen: LastSeen, metered_kwh: float, soc_pct: float | None) -> float:
    """The car's stored energy at the end of its session.

    The car's own last SoC is best; without it, what the EVSE metered since the last plan is added
    to that plan's estimate (which can be a planning round old), with the charging losses taken off.
    """
    if soc_pct is not None and seen.capacity_kwh > 0:
        return seen.capacity_kwh * min(max(soc_pct, 0.0), 100.0) / 100.0
    since = metered_kwh - seen.metered_kwh
    stored = since * seen.charge_efficiency if since > 0 else since / seen.charge_efficiency
    return min(max(seen.energy_kwh + stored, 0.0), seen.capacity_kwh)
