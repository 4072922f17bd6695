"""A hub's plan and flexibility book as the community protocol sees them (the :class:`HubPort`)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from custom_components.ssch.core.flexibility_book import FlexDirection
from custom_components.ssch.core.grid_signals import GridSignal
from custom_components.ssch.ems.coordinator import EmsCoordinator

from .messages import Delivery, Direction, Envelope, Signal, State

# The KPIs a member shares: site-level figures only, nothing about sessions, cars or people.
SHARED_KPIS = (
    "peak_import_kw",
    "self_sufficiency_pct",
    "pv_self_consumption_pct",
    "flex_up_kw",
    "flex_down_kw",
)


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class EmsPort:
    """Reads the EMS's plan and book; commits through the same call as ``ssch.request_flexibility``."""

    def __init__(self, ems: EmsCoordinator) -> None:
        """Bind to one hub's EMS."""
        self._ems = ems
        # What each commitment delivered when last seen: the book forgets a commitment when it ends.
        self._delivered: dict[str, tuple[float, float, float]] = {}

    def envelope(self, now: float) -> Envelope:
        """The plan's envelope per step; a fallback plan offers nothing (the hub would commit nothing)."""
        plan = self._ems.data.plan
        grid = plan.grid
        fallback = plan.diagnostics.fallback_used
        up = tuple(0.0 if fallback else max(0.0, float(kw)) for kw in plan.flexibility.up_kw)
        down = tuple(0.0 if fallback else max(0.0, float(kw)) for kw in plan.flexibility.down_kw)
        return Envelope(grid.start.timestamp(), grid.step_minutes * 60.0, up, down, tuple(0.0 for _ in up))

    async def commit(
        self, direction: Direction, start: float, end: float, power_kw: float, price_per_kwh: float
    ) -> tuple[float, str | None]:
        """The hub's own rule: the smallest of the request and the envelope over the window."""
        commitment = await self._ems.async_request_flexibility(
            FlexDirection(direction.value), _moment(start), _moment(end), power_kw, price_per_kwh
        )
        if commitment.committed_kw <= 0.0:
            return 0.0, None
        return commitment.committed_kw, commitment.commitment_id

    async def apply_signal(self, signal: Signal) -> None:
        """Apply (or clear) a grid operator's limit, as ``ssch.apply_grid_signal`` does."""
        if signal.clear:
            await self._ems.async_apply_grid_signal(None)
            return
        await self._ems.async_apply_grid_signal(
            GridSignal(
                start=_moment(signal.start),
                end=None if signal.end is None else _moment(signal.end),
                import_limit_kw=signal.import_limit_kw,
                export_limit_kw=signal.export_limit_kw,
            )
        )

    def state(self, now: float, requests: dict[str, str]) -> State:
        """Committed kW now, every community commitment's delivery, and the site's KPIs."""
        book = self._ems.flexibility
        moment = _moment(now)
        for commitment in book.commitments:
            self._delivered[commitment.commitment_id] = (
                commitment.committed_kw,
                commitment.delivered_kwh,
                commitment.revenue,
            )
        deliveries = tuple(
            Delivery(request_id, *self._delivered[commitment_id])
            for request_id, commitment_id in requests.items()
            if commitment_id in self._delivered
        )
        kpis = self._ems.kpi_report()
        shared = {f.name: getattr(kpis, f.name) for f in fields(kpis) if f.name in SHARED_KPIS}
        return State(
            committed_up_kw=book.committed_kw(moment, FlexDirection.UP),
            committed_down_kw=book.committed_kw(moment, FlexDirection.DOWN),
            delivered_kwh=book.delivered_kwh,
            revenue=book.revenue,
            deliveries=deliveries,
            kpis={name: float(value) for name, value in shared.items() if value is not None},
        )
