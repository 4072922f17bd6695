"""An in-memory broker: topic wildcards, retained messages and delivery in publish order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from custom_components.ssch.vpp.aggregator import Aggregator, AggregatorSettings
from custom_components.ssch.vpp.member import MemberProtocol
from custom_components.ssch.vpp.simulated import SimulatedHub
from custom_components.ssch.vpp.topics import CommunitySettings, member_id_for

KEY = b"a-community-key-of-some-length"
COMMUNITY = "harbour"
PREFIX = "test/community"

type Handler = Callable[[str, str], Awaitable[None]]


def matches(pattern: str, topic: str) -> bool:
    """MQTT topic matching with ``+`` (one level) and a trailing ``#``."""
    want, have = pattern.split("/"), topic.split("/")
    for index, level in enumerate(want):
        if level == "#":
            return True
        if index >= len(have) or level not in ("+", have[index]):
            return False
    return len(want) == len(have)


@dataclass
class Bus:
    """Delivers every publish to each matching subscriber, as a task (like a broker would)."""

    subscribers: list[tuple[str, Handler]] = field(default_factory=list)
    retained: dict[str, str] = field(default_factory=dict)
    published: list[tuple[str, str, bool]] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def subscribe(self, topics: tuple[str, ...], handler: Handler) -> None:
        """Subscribe and get the retained messages."""
        for topic in topics:
            self.subscribers.append((topic, handler))
            for name, payload in list(self.retained.items()):
                if matches(topic, name):
                    self._deliver(handler, name, payload)

    def unsubscribe(self, handler: Handler) -> None:
        """A client goes away."""
        self.subscribers = [(t, h) for t, h in self.subscribers if h != handler]

    async def publish(self, topic: str, payload: str, retain: bool) -> None:
        """Store retained, deliver to every match."""
        self.published.append((topic, payload, retain))
        if retain:
            self.retained[topic] = payload
        for pattern, handler in list(self.subscribers):
            if matches(pattern, topic):
                self._deliver(handler, topic, payload)

    def _deliver(self, handler: Handler, topic: str, payload: str) -> None:
        task = asyncio.get_running_loop().create_task(handler(topic, payload))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def settle(self) -> None:
        """Until every delivery (and what it published) is handled."""
        for _ in range(100):
            if not self.tasks:
                await asyncio.sleep(0)
                if not self.tasks:
                    return
            await asyncio.gather(*list(self.tasks))


def member_settings(name: str, **overrides: object) -> CommunitySettings:
    """A member of the test community that accepts anything up to 50 kW."""
    values: dict[str, object] = {
        "community_id": COMMUNITY,
        "topic_prefix": PREFIX,
        "key": KEY,
        "member_id": member_id_for(COMMUNITY, name),
        "price_floor_eur_per_kwh": 0.0,
        "max_kw": 50.0,
    } | overrides
    return CommunitySettings(**values)  # type: ignore[arg-type]


def aggregator_settings(**overrides: object) -> AggregatorSettings:
    """The test community's aggregator, with a short answer timeout."""
    values: dict[str, object] = {
        "community_id": COMMUNITY,
        "topic_prefix": PREFIX,
        "key": KEY,
        "answer_timeout_s": 0.5,
    } | overrides
    return AggregatorSettings(**values)  # type: ignore[arg-type]


@dataclass
class Member:
    """A simulated hub behind the real member protocol, on the bus."""

    hub: SimulatedHub
    protocol: MemberProtocol

    @property
    def member_id(self) -> str:
        """The hub's pseudonym."""
        return self.protocol.settings.member_id


async def join(
    bus: Bus, name: str, hub: SimulatedHub, clock: Callable[[], float], **overrides: object
) -> Member:
    """Subscribe a simulated member and announce it."""
    protocol = MemberProtocol(member_settings(name, **overrides), hub, bus.publish, clock)
    bus.subscribe(protocol.subscriptions, protocol.handle)
    await protocol.announce()
    return Member(hub, protocol)


def aggregator_on(bus: Bus, clock: Callable[[], float], **overrides: object) -> Aggregator:
    """An aggregator subscribed to the bus."""
    aggregator = Aggregator(aggregator_settings(**overrides), bus.publish, clock)
    bus.subscribe(aggregator.subscriptions, aggregator.handle)
    return aggregator
