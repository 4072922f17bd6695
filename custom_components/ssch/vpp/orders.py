"""A community request as the aggregator tracks it: the per-member requests it sent and their answers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum

from .messages import Direction


class Status(StrEnum):
    """Where a per-member request stands."""

    PENDING = "pending"
    COMMITTED = "committed"
    REFUSED = "refused"
    TIMED_OUT = "timed_out"
    DROPPED = "dropped"  # the member went offline while holding it: re-split


HOLDING = (Status.PENDING, Status.COMMITTED)


@dataclass(slots=True)
class Allocation:
    """One per-member request of an order."""

    request_id: str
    member_id: str
    requested_kw: float
    start: float
    end: float
    price_per_kwh: float
    sent_at: float
    status: Status = Status.PENDING
    committed_kw: float = 0.0
    answered_at: float | None = None
    delivered_kwh: float = 0.0
    revenue: float = 0.0

    @property
    def holding_kw(self) -> float:
        """What the member holds for the order: the request while unanswered, then its commitment."""
        if self.status is Status.PENDING:
            return self.requested_kw
        return self.committed_kw if self.status is Status.COMMITTED else 0.0


@dataclass(slots=True)
class Order:
    """A community-level request: a kW change in one direction over a window, at most a price."""

    order_id: str
    direction: Direction
    power_kw: float
    start: float
    end: float
    max_price_per_kwh: float
    received: float
    allocations: list[Allocation] = field(default_factory=list)
    excluded: set[str] = field(default_factory=set)
    completed: float | None = None
    resplits: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def committed_kw(self) -> float:
        """kW the members hold now (dropped commitments no longer count)."""
        return sum(a.committed_kw for a in self.allocations if a.status is Status.COMMITTED)

    @property
    def open_kw(self) -> float:
        """kW nobody holds or is asked for yet."""
        return self.power_kw - sum(a.holding_kw for a in self.allocations)

    def summary(self) -> dict[str, object]:
        """JSON-ready: the order and every member's part (pseudonymous ids only)."""
        return {
            "order_id": self.order_id,
            "direction": self.direction.value,
            "power_kw": self.power_kw,
            "start": self.start,
            "end": self.end,
            "committed_kw": round(self.committed_kw, 3),
            "resplits": self.resplits,
            "members": [
                {
                    "member": a.member_id,
                    "requested_kw": a.requested_kw,
                    "committed_kw": a.committed_kw,
                    "status": a.status.value,
                    "price_per_kwh": a.price_per_kwh,
                    "delivered_kwh": round(a.delivered_kwh, 4),
                    "revenue": round(a.revenue, 4),
                }
                for a in self.allocations
            ],
        }
