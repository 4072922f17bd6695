"""A lightweight simulated member hub: a fixed flexibility envelope and a book of commitments.

The benchmark and the tests run many of these behind the real :class:`~.member.MemberProtocol`, so the
protocol they exercise is the one Home Assistant hubs run; only the plan is a stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
import uuid

from .messages import Delivery, Direction, Envelope, Signal, State


@dataclass(slots=True)
class SimulatedCommitment:
    """One accepted request."""

    commitment_id: str
    direction: Direction
    start: float
    end: float
    kw: float
    price_per_kwh: float


@dataclass(slots=True)
class SimulatedHub:
    """A hub that can move ``up_kw`` / ``down_kw`` at every step of a ``horizon_steps`` horizon."""

    up_kw: float
    down_kw: float
    step_s: float = 900.0
    horizon_steps: int = 96
    commitments: list[SimulatedCommitment] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)

    def _grid_start(self, now: float) -> float:
        return math.floor(now / self.step_s) * self.step_s

    def _held(self, direction: Direction, start: float, end: float) -> float:
        return sum(
            c.kw for c in self.commitments if c.direction is direction and c.start < end and start < c.end
        )

    def envelope(self, now: float) -> Envelope:
        """The constant envelope less what is already committed at each step."""
        start = self._grid_start(now)
        up, down = [], []
        for k in range(self.horizon_steps):
            s = start + k * self.step_s
            up.append(max(0.0, self.up_kw - self._held(Direction.UP, s, s + self.step_s)))
            down.append(max(0.0, self.down_kw - self._held(Direction.DOWN, s, s + self.step_s)))
        zero = tuple(0.0 for _ in up)
        return Envelope(start, self.step_s, tuple(up), tuple(down), zero)

    async def commit(
        self, direction: Direction, start: float, end: float, power_kw: float, price_per_kwh: float
    ) -> tuple[float, str | None]:
        """The same rule as a real hub: the smallest of the request and the envelope over the window,
        rounded down to 10 W; nothing for a window outside the horizon."""
        envelope = self.envelope(start)
        available, _ = envelope.capacity(direction, start, end)
        committed = max(0.0, math.floor(min(power_kw, available) * 100.0 + 1e-6) / 100.0)
        if committed <= 0.0:
            return 0.0, None
        commitment_id = uuid.uuid4().hex[:12]
        commitment = SimulatedCommitment(commitment_id, direction, start, end, committed, price_per_kwh)
        self.commitments.append(commitment)
        return committed, commitment.commitment_id

    async def apply_signal(self, signal: Signal) -> None:
        """Keep the signal (the simulated hub has no plan to change)."""
        if signal.clear:
            self.signals.clear()
        else:
            self.signals.append(signal)

    def state(self, now: float, requests: dict[str, str]) -> State:
        """Committed kW now; delivery as if every commitment were kept exactly."""
        by_id = {c.commitment_id: c for c in self.commitments}
        deliveries = []
        delivered = revenue = 0.0
        for request_id, commitment_id in requests.items():
            c = by_id.get(commitment_id)
            if c is None:
                continue
            energy = c.kw * max(0.0, min(now, c.end) - c.start) / 3600.0
            deliveries.append(Delivery(request_id, c.kw, energy, energy * c.price_per_kwh))
            delivered += energy
            revenue += energy * c.price_per_kwh
        active = [c for c in self.commitments if c.start <= now < c.end]
        return State(
            committed_up_kw=sum(c.kw for c in active if c.direction is Direction.UP),
            committed_down_kw=sum(c.kw for c in active if c.direction is Direction.DOWN),
            delivered_kwh=delivered,
            revenue=revenue,
            deliveries=tuple(deliveries),
            kpis={"flex_up_kw": self.up_kw, "flex_down_kw": self.down_kw},
        )
