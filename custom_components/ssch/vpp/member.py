"""A member hub's side of the community protocol: what it publishes, and how it answers requests.

The same code runs in Home Assistant (``link``, over HA's MQTT integration) and in the benchmark's
simulated hubs (over paho); only the :class:`HubPort` (the hub's plan and book) and the publish
function differ.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
import time
from typing import Protocol
import uuid

from .messages import Answer, Commitment, Direction, Envelope, Request, Signal, State, availability_body
from .protocol import Kind, Reason, Refused, ReplayGuard, open_sealed, seal
from .refusals import RefusalLog
from .topics import CommunitySettings

_LOGGER = logging.getLogger(__name__)
# Committed within 10 W of the request (the hub rounds its commitments down to 10 W) counts as full.
FULL_TOLERANCE_KW = 0.011

type Publish = Callable[[str, str, bool], Awaitable[None]]


class HubPort(Protocol):
    """What the protocol needs from a hub."""

    def envelope(self, now: float) -> Envelope:
        """The flexibility per step over the plan's horizon (the protocol adds the asking price)."""

    async def commit(
        self, direction: Direction, start: float, end: float, power_kw: float, price_per_kwh: float
    ) -> tuple[float, str | None]:
        """Commit what the plan allows, at most ``power_kw``: (kW committed, the hub's commitment id)."""

    async def apply_signal(self, signal: Signal) -> None:
        """Apply a grid operator's limit (or clear them all)."""

    def state(self, now: float, requests: dict[str, str]) -> State:
        """Committed and delivered flexibility; ``requests`` maps request ids to commitment ids."""


@dataclass(slots=True)
class _Accepted:
    direction: Direction
    start: float
    end: float
    kw: float


class MemberProtocol:
    """Publishes a hub's availability, envelope and state; answers the requests of the trusted aggregator."""

    def __init__(
        self,
        settings: CommunitySettings,
        port: HubPort,
        publish: Publish,
        clock: Callable[[], float] = time.time,
        logger: logging.Logger = _LOGGER,
    ) -> None:
        """Bind the hub's settings, its plan and book, and the transport."""
        self.settings = settings
        self.topics = settings.topics
        self._port = port
        self._publish = publish
        self._clock = clock
        self._replays = ReplayGuard()
        self.refusals = RefusalLog(logger)
        self._accepted: dict[str, _Accepted] = {}
        self._commitment_ids: dict[str, str] = {}
        self.answered = 0
        # Set when the hub hears its own echo on its request topic: its subscriptions are in place.
        self.echoed = asyncio.Event()
        self._echo = f"echo:{uuid.uuid4().hex}"

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """The topics the hub listens on."""
        me = self.settings.member_id
        return (
            self.topics.member(me, "request"),
            self.topics.member(me, "signal"),
            self.topics.everyone("request"),
            self.topics.everyone("signal"),
        )

    def _seal(self, body: dict[str, object]) -> str:
        return seal(body, self.settings.key)

    def offline_message(self) -> tuple[str, str]:
        """(topic, payload) of the retained ``offline`` availability, for an unload or a last will."""
        now = self._clock()
        body = availability_body(
            self.settings.community_id,
            self.settings.member_id,
            now,
            online=False,
            interval_s=self.settings.interval_s,
        )
        return self.topics.member(self.settings.member_id, "availability"), self._seal(body)

    async def announce(self) -> None:
        """Availability, envelope and state, all retained: on start and after every reconnect."""
        now = self._clock()
        body = availability_body(
            self.settings.community_id,
            self.settings.member_id,
            now,
            online=True,
            interval_s=self.settings.interval_s,
        )
        await self._publish(
            self.topics.member(self.settings.member_id, "availability"), self._seal(body), True
        )
        await self.publish_envelope()
        await self.publish_state()

    async def send_echo(self) -> None:
        """A message to the hub itself: hearing it back means its subscriptions are in place (a broker
        may accept a subscription a little after it was asked for). Not signed, and acts on nothing."""
        await self._publish(self.topics.member(self.settings.member_id, "request"), self._echo, False)

    async def go_offline(self) -> None:
        """Say (retained) that the hub is gone."""
        topic, payload = self.offline_message()
        await self._publish(topic, payload, True)

    async def publish_envelope(self) -> None:
        """The envelope, capped at what the hub accepts automatically, at its asking price."""
        now = self._clock()
        raw = self._port.envelope(now)
        cap = max(self.settings.max_kw, 0.0)
        envelope = Envelope(
            start=raw.start,
            step_s=raw.step_s,
            up_kw=tuple(round(min(kw, cap), 3) for kw in raw.up_kw),
            down_kw=tuple(round(min(kw, cap), 3) for kw in raw.down_kw),
            price_per_kwh=tuple(self.settings.price_floor_eur_per_kwh for _ in raw.up_kw),
            seq=int(now * 1000),
        )
        body = envelope.body(self.settings.community_id, self.settings.member_id, now)
        await self._publish(self.topics.member(self.settings.member_id, "envelope"), self._seal(body), True)

    async def publish_state(self) -> None:
        """Committed, delivered and earned so far, and the KPIs."""
        now = self._clock()
        self._forget_ended(now)
        state = self._port.state(now, dict(self._commitment_ids))
        body = state.body(self.settings.community_id, self.settings.member_id, now)
        await self._publish(self.topics.member(self.settings.member_id, "state"), self._seal(body), True)

    async def handle(self, topic: str, payload: str | bytes) -> None:
        """A message on one of :attr:`subscriptions`: act on it if it can be trusted, else log why not."""
        if payload in (self._echo, self._echo.encode()):
            self.echoed.set()
            return
        try:
            body = open_sealed(payload, self.settings.key, self.settings.community_id)
            if body["sender"] != self.settings.aggregator_id:
                raise Refused(Reason.UNTRUSTED_SENDER)
            now = self._clock()
            if body["kind"] == Kind.REQUEST:
                request = Request.parse(body, now)
                self._check_addressed(topic, request.to, "request")
                self._replays.check(request.request_id, request.expires, now)
                await self._answer(request, now)
            elif body["kind"] == Kind.SIGNAL:
                signal = Signal.parse(body, now)
                self._check_addressed(topic, signal.to, "signal")
                self._replays.check(signal.signal_id, signal.expires, now)
                await self._port.apply_signal(signal)
            else:
                raise Refused(Reason.MALFORMED, f"{body['kind']} is not for members")
        except Refused as error:
            self.refusals.refused(error, topic)

    def _check_addressed(self, topic: str, to: str, leaf: str) -> None:
        """The signed ``to`` must name this hub on its own topic, or everyone on the community's."""
        me = self.settings.member_id
        if (to, topic) not in ((me, self.topics.member(me, leaf)), ("*", self.topics.everyone(leaf))):
            raise Refused(Reason.NOT_ADDRESSED)

    async def _answer(self, request: Request, now: float) -> None:
        start = max(request.start, now)
        if request.price_per_kwh < self.settings.price_floor_eur_per_kwh:
            committed, commitment_id, answer = 0.0, None, Answer.PRICE_BELOW_FLOOR
        else:
            room = self.settings.max_kw - self._accepted_kw(request.direction, start, request.end, now)
            wanted = min(request.power_kw, max(room, 0.0))
            committed, commitment_id = 0.0, None
            if wanted > 0.0:
                committed, commitment_id = await self._port.commit(
                    request.direction, start, request.end, wanted, request.price_per_kwh
                )
            if committed <= 0.0:
                answer = Answer.NO_FLEXIBILITY
            elif committed >= request.power_kw - FULL_TOLERANCE_KW:
                answer = Answer.COMMITTED
            else:
                answer = Answer.PARTIAL
        if committed > 0.0:
            self._accepted[request.request_id] = _Accepted(request.direction, start, request.end, committed)
            if commitment_id is not None:
                self._commitment_ids[request.request_id] = commitment_id
        reply = Commitment(request.request_id, committed, answer, start, request.end, commitment_id)
        body = reply.body(self.settings.community_id, self.settings.member_id, self._clock())
        self.answered += 1
        await self._publish(
            self.topics.member(self.settings.member_id, "commitment"), self._seal(body), False
        )
        if committed > 0.0:
            await self.publish_state()

    def _accepted_kw(self, direction: Direction, start: float, end: float, now: float) -> float:
        """kW this hub already accepted through the community in a window overlapping [start, end)."""
        self._forget_ended(now)
        return sum(
            a.kw
            for a in self._accepted.values()
            if a.direction is direction and a.start < end and start < a.end
        )

    def _forget_ended(self, now: float) -> None:
        for request_id in [k for k, a in self._accepted.items() if a.end <= now - 3600.0]:
            del self._accepted[request_id]
            self._commitment_ids.pop(request_id, None)
