"""Flexibility a hub committed to a grid operator or aggregator, and what delivering it earned.

A request asks the site to move its net grid power (import minus export) during a window:
"up" means consuming more or exporting less, "down" consuming less or exporting more. The hub commits
the smallest of the request and the current plan's flexibility envelope over the window, and remembers
the planned net power of every step of the window as the baseline. The plan then keeps the net power
at or below baseline - committed (down) or at or above baseline + committed (up).

Delivery is measured from the realised net grid power against that baseline, capped at the committed
kW, and paid at the request's price per kWh delivered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import math
from typing import Any
import uuid

from .model import FlexCommitment, Plan

# Missing a commitment costs the plan about as much as missing a car's target (the QP caps the price
# there), so it is kept whenever the site can, and the problem stays feasible when it cannot.
BREACH_PRICE_PER_KWH = 1000.0
# Delivery is integrated between measurements; across a longer gap (a restart) nothing is counted.
MAX_MEASUREMENT_GAP = timedelta(minutes=1)


class FlexDirection(StrEnum):
    """Which way the site's net grid power moves."""

    UP = "up"
    DOWN = "down"

    @property
    def sign(self) -> float:
        """+1 when the net power rises, -1 when it falls."""
        return 1.0 if self is FlexDirection.UP else -1.0


@dataclass(frozen=True, slots=True)
class BaselineStep:
    """The planned net grid power during [start, end) when the commitment was made."""

    start: datetime
    end: datetime
    net_kw: float


@dataclass(slots=True)
class Commitment:
    """One accepted flexibility request."""

    commitment_id: str
    direction: FlexDirection
    start: datetime
    end: datetime
    requested_kw: float
    committed_kw: float
    price_per_kwh: float
    baseline: tuple[BaselineStep, ...]
    delivered_kwh: float = 0.0
    revenue: float = 0.0
    started: bool = False

    def active_at(self, moment: datetime) -> bool:
        """Whether the window covers ``moment``."""
        return self.start <= moment < self.end

    def baseline_at(self, moment: datetime) -> float | None:
        """The planned net power at ``moment`` before the commitment."""
        return next((step.net_kw for step in self.baseline if step.start <= moment < step.end), None)

    def target_kw(self, step: BaselineStep) -> float:
        """The net power the plan must reach during ``step``."""
        return step.net_kw + self.direction.sign * self.committed_kw

    def for_planner(self) -> tuple[FlexCommitment, ...]:
        """One planner commitment per baseline step (the baseline varies from step to step)."""
        return tuple(
            FlexCommitment(
                commitment_id=f"{self.commitment_id}:{index}",
                start=step.start,
                end=step.end,
                requested_kw=self.direction.sign * self.committed_kw,
                reference_kw=step.net_kw,
                breach_price_eur_per_kwh=BREACH_PRICE_PER_KWH,
            )
            for index, step in enumerate(self.baseline)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "commitment_id": self.commitment_id,
            "direction": self.direction.value,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "requested_kw": self.requested_kw,
            "committed_kw": self.committed_kw,
            "price_per_kwh": self.price_per_kwh,
            "baseline": [[s.start.isoformat(), s.end.isoformat(), s.net_kw] for s in self.baseline],
            "delivered_kwh": self.delivered_kwh,
            "revenue": self.revenue,
            "started": self.started,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Commitment:
        """Inverse of :meth:`to_dict`."""
        return cls(
            commitment_id=str(data["commitment_id"]),
            direction=FlexDirection(data["direction"]),
            start=_utc(data["start"]),
            end=_utc(data["end"]),
            requested_kw=float(data["requested_kw"]),
            committed_kw=float(data["committed_kw"]),
            price_per_kwh=float(data["price_per_kwh"]),
            baseline=tuple(BaselineStep(_utc(s), _utc(e), float(kw)) for s, e, kw in data["baseline"]),
            delivered_kwh=float(data["delivered_kwh"]),
            revenue=float(data["revenue"]),
            started=bool(data["started"]),
        )

    def summary(self) -> dict[str, Any]:
        """What automations and dashboards see of the commitment."""
        data = self.to_dict()
        del data["baseline"], data["started"]
        data["delivered_kwh"] = round(self.delivered_kwh, 4)
        data["revenue"] = round(self.revenue, 4)
        return data


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def offer(
    plan: Plan, direction: FlexDirection, start: datetime, end: datetime, requested_kw: float
) -> tuple[float, tuple[BaselineStep, ...]]:
    """kW the hub can commit for [start, end) and the plan's net power there.

    The commitment is the smallest of the request and the envelope of every step the window touches;
    a window reaching outside the plan's horizon gets nothing, as the hub cannot vouch for it. Nor does
    a plan of the fallback scheduler, which has no notion of commitments.
    """
    grid = plan.grid
    envelope = plan.flexibility.up_kw if direction is FlexDirection.UP else plan.flexibility.down_kw
    net = plan.grid_import_kw - plan.grid_export_kw
    covered = grid.start <= start and end <= grid.end
    available = requested_kw if covered and not plan.diagnostics.fallback_used else 0.0
    steps: list[BaselineStep] = []
    for k, step_start in enumerate(grid.times()):
        segment_start, segment_end = max(start, step_start), min(end, step_start + grid.step_delta)
        if segment_start < segment_end:
            available = min(available, float(envelope[k]))
            steps.append(BaselineStep(segment_start, segment_end, float(net[k])))
    # Rounded down to 10 W: never more than the envelope allows.
    return max(0.0, math.floor(available * 100.0 + 1e-6) / 100.0), tuple(steps)


@dataclass(slots=True)
class FlexibilityBook:
    """The commitments of one hub and the revenue delivered so far (kept across restarts)."""

    commitments: list[Commitment] = field(default_factory=list)
    revenue: float = 0.0
    delivered_kwh: float = 0.0
    _last_measured: datetime | None = None

    def add(
        self,
        plan: Plan,
        *,
        direction: FlexDirection,
        start: datetime,
        end: datetime,
        requested_kw: float,
        price_per_kwh: float,
    ) -> Commitment:
        """Commit what the plan allows; a commitment of 0 kW is returned but not kept."""
        committed, baseline = offer(plan, direction, start, end, requested_kw)
        commitment = Commitment(
            commitment_id=uuid.uuid4().hex[:12],
            direction=direction,
            start=start,
            end=end,
            requested_kw=requested_kw,
            committed_kw=committed,
            price_per_kwh=price_per_kwh,
            baseline=baseline,
        )
        if committed > 0.0:
            self.commitments.append(commitment)
        return commitment

    def clear(self) -> list[Commitment]:
        """Drop every commitment; those that had started are returned (they end now)."""
        started = [c for c in self.commitments if c.started]
        self.commitments.clear()
        return started

    def for_planner(self, now: datetime) -> tuple[FlexCommitment, ...]:
        """The commitments the plan must honour from ``now`` on."""
        return tuple(
            part for c in self.commitments if c.end > now for part in c.for_planner() if part.end > now
        )

    def committed_kw(self, now: datetime, direction: FlexDirection | None = None) -> float:
        """kW committed at ``now`` (in one direction, or both)."""
        return sum(
            c.committed_kw for c in self.commitments if c.active_at(now) and direction in (None, c.direction)
        )

    def net_max_kw(self, now: datetime) -> float:
        """The highest net grid power the down commitments allow at ``now`` (infinite without any)."""
        return min(self._promised_net_kw(now, FlexDirection.DOWN), default=math.inf)

    def net_min_kw(self, now: datetime) -> float:
        """The lowest net grid power the up commitments allow at ``now`` (minus infinity without any)."""
        return max(self._promised_net_kw(now, FlexDirection.UP), default=-math.inf)

    def _promised_net_kw(self, now: datetime, direction: FlexDirection) -> list[float]:
        """Baseline moved by the committed kW, for each commitment in ``direction`` covering ``now``."""
        return [
            baseline + direction.sign * commitment.committed_kw
            for commitment in self.commitments
            if commitment.direction is direction and (baseline := commitment.baseline_at(now)) is not None
        ]

    def observe(self, now: datetime, net_kw: float) -> tuple[list[Commitment], list[Commitment]]:
        """Count what the site delivered since the last measurement; return the commitments that
        started and those that ended."""
        started: list[Commitment] = []
        ended: list[Commitment] = []
        last, self._last_measured = self._last_measured, now
        for commitment in list(self.commitments):
            if commitment.end <= now:
                self.commitments.remove(commitment)
                if commitment.started:
                    ended.append(commitment)
                continue
            if not commitment.active_at(now):
                continue
            if not commitment.started:
                commitment.started = True
                started.append(commitment)
            baseline = commitment.baseline_at(now)
            if last is None or now - last > MAX_MEASUREMENT_GAP or baseline is None:
                continue
            hours = (now - max(last, commitment.start)).total_seconds() / 3600.0
            delivered_kw = min(
                max(commitment.direction.sign * (net_kw - baseline), 0.0), commitment.committed_kw
            )
            energy = delivered_kw * hours
            commitment.delivered_kwh += energy
            commitment.revenue += energy * commitment.price_per_kwh
            self.delivered_kwh += energy
            self.revenue += energy * commitment.price_per_kwh
        return started, ended

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "commitments": [c.to_dict() for c in self.commitments],
            "revenue": self.revenue,
            "delivered_kwh": self.delivered_kwh,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlexibilityBook:
        """Inverse of :meth:`to_dict`."""
        return cls(
            commitments=[Commitment.from_dict(item) for item in data.get("commitments", [])],
            revenue=float(data.get("revenue", 0.0)),
            delivered_kwh=float(data.get("delivered_kwh", 0.0)),
        )
