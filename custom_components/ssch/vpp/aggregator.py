"""The community aggregator: adds up envelopes, splits requests among members, re-splits what is lost.

HA-free: Home Assistant runs it over its MQTT integration (``community_host``), the command line over
paho (``python -m custom_components.ssch.vpp``). Only the publish function differs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
import logging
import time
from typing import Any

from .envelope_book import CommunityFlex, EnvelopeBook
from .member import Publish
from .messages import Commitment, CommunityRequest, Direction, Envelope, Request, State, new_id
from .orders import HOLDING, Allocation, Order, Status
from .protocol import MAX_LIFETIME_S, Kind, Reason, Refused, ReplayGuard, number, open_sealed, seal
from .refusals import RefusalLog
from .split import RESOLUTION_KW, Offer, merit_order_split
from .topics import Topics

_LOGGER = logging.getLogger(__name__)
# A split is retried this often at most when members refuse or commit less than asked.
MAX_ROUNDS = 6
# Orders are forgotten this long after their window ended (their deliveries are reported by then).
KEEP_ENDED_S = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class AggregatorSettings:
    """Which community, under which key, and how long members get to answer."""

    community_id: str
    topic_prefix: str
    key: bytes
    aggregator_id: str = "aggregator"
    answer_timeout_s: float = 10.0
    request_lifetime_s: float = 60.0
    # What a member that announced it is offline held is re-split after this long, unless it is back.
    offline_grace_s: float = 0.0


@dataclass(frozen=True, slots=True)
class MemberReport:
    """What one member delivered on the community's requests, and earned."""

    committed_kw: float
    delivered_kwh: float
    revenue: float


class Aggregator:
    """The members' envelopes and the community's orders."""

    def __init__(
        self,
        settings: AggregatorSettings,
        publish: Publish,
        clock: Callable[[], float] = time.time,
        logger: logging.Logger = _LOGGER,
    ) -> None:
        """Bind the settings and the transport."""
        self.settings = settings
        self.topics = Topics(settings.topic_prefix, settings.community_id)
        self.book = EnvelopeBook()
        self.orders: dict[str, Order] = {}
        self.refusals = RefusalLog(logger)
        self._publish = publish
        self._clock = clock
        self._logger = logger
        self._pending: dict[str, tuple[Allocation, asyncio.Future[Commitment | None]]] = {}
        self._allocations: dict[str, Allocation] = {}
        # Each member's allocations with their order: what it holds is looked up without a full scan.
        self._by_member: dict[str, list[tuple[Order, Allocation]]] = {}
        self._replays = ReplayGuard()
        self._listeners: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Task[object]] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self.envelopes_received = 0
        # Deliveries of orders already forgotten, so that the community's totals never go down.
        self._forgotten = (0.0, 0.0)

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """The topics the aggregator listens on."""
        return (
            *(self.topics.all_members(leaf) for leaf in ("availability", "envelope", "state", "commitment")),
            self.topics.aggregator_requests,
        )

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when members come or go and when orders change; returns the stop."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # Incoming messages -------------------------------------------------------------------------

    async def handle(self, topic: str, payload: str | bytes) -> None:
        """A message on one of :attr:`subscriptions`: use it if it can be trusted, else log why not."""
        try:
            body = open_sealed(payload, self.settings.key, self.settings.community_id)
            now = self._clock()
            if topic == self.topics.aggregator_requests and body["kind"] == Kind.COMMUNITY_REQUEST:
                request = CommunityRequest.parse(body, now)
                self._replays.check(request.request_id, request.expires, now)
                self._spawn(self._order_from(request))
                return
            where = self.topics.member_of(topic)
            if where is None or where[0] != body["sender"] or where[1] != body["kind"]:
                raise Refused(Reason.NOT_ADDRESSED)
            await self._member_message(where[0], body, now)
        except Refused as error:
            self.refusals.refused(error, topic)

    async def _member_message(self, member_id: str, body: dict[str, object], now: float) -> None:
        kind = body["kind"]
        if kind == Kind.ENVELOPE:
            self.book.envelope(member_id, Envelope.parse(body), now)
            self.envelopes_received += 1
        elif kind == Kind.AVAILABILITY:
            state = body.get("state")
            if state not in ("online", "offline"):
                raise Refused(Reason.MALFORMED, "state")
            interval = number(body, "interval_s", minimum=1.0)
            if self.book.availability(
                member_id, number(body, "ts"), now, online=state == "online", interval_s=interval
            ):
                self._changed()
                if state == "offline":
                    self._check_after(self.settings.offline_grace_s)
        elif kind == Kind.STATE:
            report = State.parse(body)
            self.book.state(member_id, report, number(body, "ts"))
            self._record_deliveries(member_id, report)
        else:
            self._answered(member_id, Commitment.parse(body))

    def _answered(self, member_id: str, commitment: Commitment) -> None:
        pending = self._pending.pop(commitment.request_id, None)
        if pending is None:
            allocation = self._allocations.get(commitment.request_id)
            if allocation is None or allocation.member_id != member_id:
                raise Refused(Reason.NOT_ADDRESSED, "no such request")
            if allocation.status is Status.TIMED_OUT and commitment.committed_kw > 0.0:
                # Answered after its time: the member holds it, so the order counts it (it may exceed).
                allocation.status, allocation.committed_kw = Status.COMMITTED, commitment.committed_kw
                self._changed()
            return
        allocation, future = pending
        if allocation.member_id != member_id:
            self._pending[commitment.request_id] = pending
            raise Refused(Reason.NOT_ADDRESSED, "answer from another member")
        if not future.done():
            future.set_result(commitment)

    def _record_deliveries(self, member_id: str, report: State) -> None:
        for delivery in report.deliveries:
            allocation = self._allocations.get(delivery.request_id)
            if allocation is not None and allocation.member_id == member_id:
                allocation.delivered_kwh, allocation.revenue = delivery.delivered_kwh, delivery.revenue

    # Orders ------------------------------------------------------------------------------------

    async def _order_from(self, request: CommunityRequest) -> Order:
        return await self.request(
            request.direction,
            request.power_kw,
            request.start,
            request.end,
            request.max_price_per_kwh,
            order_id=request.request_id,
        )

    async def request(
        self,
        direction: Direction,
        power_kw: float,
        start: float,
        end: float,
        max_price_per_kwh: float,
        *,
        order_id: str | None = None,
    ) -> Order:
        """Split a community request among the online members and wait for their commitments."""
        order = Order(
            order_id=order_id or new_id(),
            direction=direction,
            power_kw=power_kw,
            start=start,
            end=end,
            max_price_per_kwh=max_price_per_kwh,
            received=time.monotonic(),
        )
        self.orders[order.order_id] = order
        await self._fill(order)
        order.completed = time.monotonic()
        self._changed()
        return order

    async def _fill(self, order: Order) -> None:
        """Ask members for what is open, cheapest first, until it is held or nobody can take more."""
        async with order.lock:
            for _ in range(MAX_ROUNDS):
                now = self._clock()
                start = max(order.start, now)
                open_kw = order.open_kw
                if order.end <= now or open_kw < RESOLUTION_KW:
                    return
                shares = merit_order_split(open_kw, self._offers(order, start), order.max_price_per_kwh)
                if not shares:
                    return
                waits = [self._send(order, member, kw, start) for member, kw in shares.items()]
                await asyncio.gather(*waits)

    def _offers(self, order: Order, start: float) -> list[Offer]:
        now = self._clock()
        offers = []
        for view in self.book.online(now):
            if view.member_id in order.excluded:
                continue
            capacity, price = self.book.capacity(view.member_id, order.direction, start, order.end)
            assert view.envelope is not None
            capacity -= self._held_since(
                view.member_id, view.envelope.issued, order.direction, start, order.end
            )
            offers.append(Offer(view.member_id, capacity, price))
        return offers

    def _held_since(
        self, member_id: str, issued: float, direction: Direction, start: float, end: float
    ) -> float:
        """kW a member holds for orders overlapping the window, placed after its envelope was made."""
        return sum(
            a.holding_kw
            for order, a in self._by_member.get(member_id, ())
            if order.direction is direction and a.start < end and start < a.end and a.sent_at >= issued
        )

    async def _send(self, order: Order, member_id: str, kw: float, start: float) -> None:
        now = self._clock()
        _, price = self.book.capacity(member_id, order.direction, start, order.end)
        request = Request(
            request_id=new_id(),
            to=member_id,
            direction=order.direction,
            power_kw=kw,
            start=start,
            end=order.end,
            price_per_kwh=price,
            expires=now + min(self.settings.request_lifetime_s, MAX_LIFETIME_S),
        )
        allocation = Allocation(request.request_id, member_id, kw, start, order.end, price, now)
        order.allocations.append(allocation)
        self._allocations[request.request_id] = allocation
        self._by_member.setdefault(member_id, []).append((order, allocation))
        future: asyncio.Future[Commitment | None] = asyncio.get_running_loop().create_future()
        self._pending[request.request_id] = (allocation, future)
        body = request.body(self.settings.community_id, self.settings.aggregator_id, now)
        await self._publish(self.topics.member(member_id, "request"), seal(body, self.settings.key), False)
        try:
            answer = await asyncio.wait_for(future, self.settings.answer_timeout_s)
        except TimeoutError:
            answer = None
            allocation.status = Status.TIMED_OUT
            self._pending.pop(request.request_id, None)
            self._logger.debug("Member %s did not answer request %s in time", member_id, request.request_id)
        if answer is None:
            if allocation.status is Status.PENDING:
                allocation.status = Status.DROPPED
            order.excluded.add(member_id)
            return
        allocation.answered_at = self._clock()
        allocation.committed_kw = answer.committed_kw
        allocation.status = Status.COMMITTED if answer.committed_kw > 0.0 else Status.REFUSED
        if answer.committed_kw < kw - RESOLUTION_KW:
            order.excluded.add(member_id)  # it gave what it could: ask the others for the rest

    def check(self, now: float | None = None) -> int:
        """Re-split what members that went offline held in orders still running; returns how many."""
        now = self._clock() if now is None else now
        grace = self.settings.offline_grace_s
        gone = {m for m, view in self.book.members.items() if view.gone(now, grace)}
        resplit = 0
        for order in list(self.orders.values()):
            if order.end <= now - KEEP_ENDED_S:
                self._forget(order)
                continue
            if order.end <= now:
                continue
            lost = [a for a in order.allocations if a.status in HOLDING and a.member_id in gone]
            for allocation in lost:
                order.excluded.add(allocation.member_id)
                pending = self._pending.pop(allocation.request_id, None)
                allocation.status = Status.DROPPED
                if pending is not None and not pending[1].done():
                    pending[1].set_result(None)
            if lost:
                resplit += 1
                order.resplits += 1
                self._spawn(self._fill(order))
        if resplit:
            self._changed()
        return resplit

    def _check_after(self, delay_s: float) -> None:
        if delay_s <= 0.0:
            self.check()
            return
        loop = asyncio.get_running_loop()
        self._timers = {t for t in self._timers if t.when() > loop.time()}
        self._timers.add(loop.call_later(delay_s, self.check))

    def stop(self) -> None:
        """Cancel the checks still scheduled (when the aggregator is shut down)."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()

    def _forget(self, order: Order) -> None:
        del self.orders[order.order_id]
        delivered, revenue = self._forgotten
        self._forgotten = (
            delivered + sum(a.delivered_kwh for a in order.allocations),
            revenue + sum(a.revenue for a in order.allocations),
        )
        for allocation in order.allocations:
            self._allocations.pop(allocation.request_id, None)
            held = self._by_member.get(allocation.member_id, [])
            held[:] = [(o, a) for o, a in held if o is not order]

    def _spawn(self, work: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[object] = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the re-splits and requests under way (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # Reports -----------------------------------------------------------------------------------

    def flexibility(self) -> CommunityFlex:
        """The online members' flexibility now and over 4 h."""
        return self.book.flexibility(self._clock())

    def spare_kw(self, order: Order) -> float:
        """kW the online members not yet excluded from ``order`` could still take for its window."""
        start = max(order.start, self._clock())
        return sum(
            max(0.0, o.capacity_kw)
            for o in self._offers(order, start)
            if o.price_per_kwh <= order.max_price_per_kwh
        )

    def committed_kw(self, direction: Direction | None = None) -> float:
        """kW members hold now for running orders."""
        now = self._clock()
        return sum(
            a.committed_kw
            for order in self.orders.values()
            if direction in (None, order.direction)
            for a in order.allocations
            if a.status is Status.COMMITTED and a.start <= now < a.end
        )

    def members_report(self) -> dict[str, MemberReport]:
        """Per member: kW held now, kWh delivered and revenue on the community's orders."""
        now = self._clock()
        report: dict[str, list[float]] = {}
        for order in self.orders.values():
            for a in order.allocations:
                row = report.setdefault(a.member_id, [0.0, 0.0, 0.0])
                if a.status is Status.COMMITTED and a.start <= now < a.end:
                    row[0] += a.committed_kw
                row[1] += a.delivered_kwh
                row[2] += a.revenue
        return {member: MemberReport(*row) for member, row in report.items()}

    def totals(self) -> tuple[float, float]:
        """(kWh delivered, revenue) on every order since the aggregator started."""
        delivered, revenue = self._forgotten
        for order in self.orders.values():
            delivered += sum(a.delivered_kwh for a in order.allocations)
            revenue += sum(a.revenue for a in order.allocations)
        return delivered, revenue
