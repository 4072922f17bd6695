"""The aggregator over an in-memory broker with simulated members running the real member protocol."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from custom_components.ssch.vpp.messages import (
    Answer,
    Commitment,
    CommunityRequest,
    Direction,
    availability_body,
)
from custom_components.ssch.vpp.orders import Status
from custom_components.ssch.vpp.protocol import Reason, seal
from custom_components.ssch.vpp.simulated import SimulatedHub

from .bus import COMMUNITY, KEY, Bus, aggregator_on, join


class Clock:
    """Wall time the test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def _community(bus: Bus, clock: Clock, *hubs: tuple[str, SimulatedHub, float]) -> list:  # type: ignore[type-arg]
    members = [await join(bus, name, hub, clock, price_floor_eur_per_kwh=price) for name, hub, price in hubs]
    await bus.settle()
    return members


async def test_split_is_cheapest_first_and_each_member_commits_its_share() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock)
    cheap, mid, dear = await _community(
        bus,
        clock,
        ("cheap", SimulatedHub(up_kw=5.0, down_kw=4.0), 0.05),
        ("mid", SimulatedHub(up_kw=5.0, down_kw=10.0), 0.10),
        ("dear", SimulatedHub(up_kw=5.0, down_kw=10.0), 0.30),
    )
    assert aggregator.flexibility().members_online == 3
    assert aggregator.flexibility().down_kw == pytest.approx(24.0)
    assert aggregator.flexibility().up_kwh_4h == pytest.approx(60.0, rel=0.1)

    order = await aggregator.request(Direction.DOWN, 9.0, clock.now, clock.now + 1800, 0.20)

    shares = {a.member_id: (a.committed_kw, a.price_per_kwh) for a in order.allocations}
    assert shares == {cheap.member_id: (4.0, 0.05), mid.member_id: (5.0, 0.10)}
    assert order.committed_kw == pytest.approx(9.0)
    assert [c.kw for c in cheap.hub.commitments] == [4.0]
    assert [c.kw for c in mid.hub.commitments] == [5.0]
    assert dear.hub.commitments == []
    assert aggregator.committed_kw(Direction.DOWN) == pytest.approx(9.0)


async def test_price_cap_leaves_the_request_short_rather_than_paying_more() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock)
    await _community(bus, clock, ("a", SimulatedHub(3.0, 3.0), 0.1), ("b", SimulatedHub(3.0, 3.0), 0.5))
    order = await aggregator.request(Direction.UP, 5.0, clock.now, clock.now + 900, 0.2)
    assert order.committed_kw == pytest.approx(3.0)


async def test_a_member_that_commits_less_is_topped_up_by_the_next() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock)
    # "small" announces 8 kW but accepts at most 2 kW automatically: the envelope is capped, so the
    # aggregator asks 2 kW; then the hub's book fills and a second order needs the others.
    small, big = await _community(
        bus, clock, ("small", SimulatedHub(8.0, 8.0), 0.0), ("big", SimulatedHub(8.0, 8.0), 0.1)
    )
    small.protocol.settings = small.protocol.settings.__class__(
        **{
            **{f: getattr(small.protocol.settings, f) for f in small.protocol.settings.__slots__},
            "max_kw": 50.0,
        }
    )
    small.hub.up_kw = 1.5  # the hub's plan changed since its envelope: it can give less than announced
    order = await aggregator.request(Direction.UP, 6.0, clock.now, clock.now + 900, 1.0)
    by_member = {a.member_id: a for a in order.allocations}
    assert by_member[small.member_id].committed_kw == pytest.approx(1.5)
    assert sum(a.committed_kw for a in order.allocations if a.member_id == big.member_id) == pytest.approx(
        4.5
    )
    assert order.committed_kw == pytest.approx(6.0)


async def test_a_member_going_offline_mid_commitment_is_re_split() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock)
    first, _second, third = await _community(
        bus,
        clock,
        ("first", SimulatedHub(4.0, 4.0), 0.0),
        ("second", SimulatedHub(4.0, 4.0), 0.1),
        ("third", SimulatedHub(4.0, 4.0), 0.2),
    )
    order = await aggregator.request(Direction.DOWN, 6.0, clock.now, clock.now + 3600, 1.0)
    assert order.committed_kw == pytest.approx(6.0)
    assert third.hub.commitments == []

    clock.now += 100
    await first.protocol.go_offline()  # what a hub that unloads publishes
    await bus.settle()
    await aggregator.drain()
    await bus.settle()

    assert order.resplits == 1
    assert order.committed_kw == pytest.approx(6.0)
    dropped = [a for a in order.allocations if a.status is Status.DROPPED]
    assert [a.member_id for a in dropped] == [first.member_id]
    assert [c.kw for c in third.hub.commitments] == [2.0]
    assert third.hub.commitments[0].start == pytest.approx(clock.now)
    assert aggregator.flexibility().members_online == 2


async def test_a_silent_member_counts_as_offline_after_three_intervals() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock)
    quiet, other = await _community(
        bus, clock, ("quiet", SimulatedHub(4.0, 4.0), 0.0), ("other", SimulatedHub(4.0, 4.0), 0.1)
    )
    order = await aggregator.request(Direction.UP, 3.0, clock.now, clock.now + 3600, 1.0)
    assert {a.member_id for a in order.allocations} == {quiet.member_id}

    clock.now += 2 * 60
    await other.protocol.publish_envelope()
    await bus.settle()
    assert aggregator.check() == 0
    clock.now += 2 * 60  # quiet has said nothing for 4 minutes (3 intervals of 60 s)
    await other.protocol.publish_envelope()
    await bus.settle()
    assert aggregator.check() == 1
    await aggregator.drain()
    assert order.committed_kw == pytest.approx(3.0)
    assert [c.kw for c in other.hub.commitments] == [3.0]


async def test_a_member_that_does_not_answer_times_out_and_the_rest_is_re_split() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock, answer_timeout_s=0.05)
    mute, other = await _community(
        bus, clock, ("mute", SimulatedHub(4.0, 4.0), 0.0), ("other", SimulatedHub(4.0, 4.0), 0.1)
    )
    bus.unsubscribe(mute.protocol.handle)
    order = await aggregator.request(Direction.UP, 3.0, clock.now, clock.now + 900, 1.0)
    statuses = {a.member_id: a.status for a in order.allocations}
    assert statuses == {mute.member_id: Status.TIMED_OUT, other.member_id: Status.COMMITTED}
    assert order.committed_kw == pytest.approx(3.0)


async def test_deliveries_and_revenue_are_reported_per_member() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock)
    (member,) = await _community(bus, clock, ("only", SimulatedHub(4.0, 4.0), 0.2))
    await aggregator.request(Direction.DOWN, 2.0, clock.now, clock.now + 3600, 1.0)
    clock.now += 1800
    await member.protocol.publish_state()
    await bus.settle()
    report = aggregator.members_report()[member.member_id]
    assert report.committed_kw == pytest.approx(2.0)
    assert report.delivered_kwh == pytest.approx(1.0, abs=0.01)
    assert report.revenue == pytest.approx(0.2, abs=0.01)


async def test_a_grid_operator_request_on_the_aggregator_topic_is_split(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock)
    (member,) = await _community(bus, clock, ("only", SimulatedHub(4.0, 4.0), 0.0))
    request = CommunityRequest("grid-1", Direction.UP, 2.5, clock.now, clock.now + 900, 0.5, clock.now + 60)
    payload = seal(request.body(COMMUNITY, "dso", clock.now), KEY)
    await bus.publish(aggregator.topics.aggregator_requests, payload, False)
    await bus.settle()
    await aggregator.drain()
    assert aggregator.orders["grid-1"].committed_kw == pytest.approx(2.5)
    # The same request again is a replay: refused, no second order.
    with caplog.at_level(logging.WARNING):
        await bus.publish(aggregator.topics.aggregator_requests, payload, False)
        await bus.settle()
    assert aggregator.refusals.counts[Reason.REPLAYED] == 1
    assert "replayed" in caplog.text
    assert [c.kw for c in member.hub.commitments] == [2.5]


async def test_forged_envelopes_and_answers_change_nothing() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock)
    (member,) = await _community(bus, clock, ("only", SimulatedHub(4.0, 4.0), 0.0))
    envelope_topic = aggregator.topics.member(member.member_id, "envelope")
    genuine = bus.retained[envelope_topic]
    forged = genuine.replace('"up_kw":[4.0', '"up_kw":[400.0')
    assert forged != genuine
    await bus.publish(envelope_topic, forged, True)
    # A genuine envelope of one member replayed on another member's topic.
    await bus.publish(aggregator.topics.member("someone-else", "envelope"), genuine, True)
    await asyncio.sleep(0)
    await bus.settle()
    assert aggregator.flexibility().up_kw == pytest.approx(4.0)
    assert aggregator.refusals.counts[Reason.BAD_SIGNATURE] == 1
    assert aggregator.refusals.counts[Reason.NOT_ADDRESSED] == 1
    # The genuine envelope again, on its own topic: out of order (not newer than the one held).
    await bus.publish(envelope_topic, genuine, True)
    await bus.settle()
    assert aggregator.refusals.counts[Reason.OUT_OF_ORDER] == 1


async def test_odd_answers_and_availability_are_refused_or_counted() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock, answer_timeout_s=0.05)
    slow, other = await _community(
        bus, clock, ("slow", SimulatedHub(4.0, 4.0), 0.0), ("other", SimulatedHub(4.0, 4.0), 0.1)
    )
    bus.unsubscribe(slow.protocol.handle)
    order = await aggregator.request(Direction.UP, 3.0, clock.now, clock.now + 900, 1.0)
    late = next(a for a in order.allocations if a.member_id == slow.member_id)
    assert late.status is Status.TIMED_OUT
    # The slow member answers after all: it holds the kW, so the order counts them.
    answer = Commitment(late.request_id, 3.0, Answer.COMMITTED, clock.now, clock.now + 900, "c1")
    topic = aggregator.topics.member(slow.member_id, "commitment")
    await bus.publish(topic, seal(answer.body(COMMUNITY, slow.member_id, clock.now), KEY), False)
    await bus.settle()
    assert late.status is Status.COMMITTED
    assert order.committed_kw == pytest.approx(6.0)
    # An answer to a request nobody sent, or from a member it was not sent to.
    stray = Commitment("nobody-asked", 1.0, Answer.COMMITTED, clock.now, clock.now + 900)
    await bus.publish(topic, seal(stray.body(COMMUNITY, slow.member_id, clock.now), KEY), False)
    other_topic = aggregator.topics.member(other.member_id, "commitment")
    await bus.publish(other_topic, seal(answer.body(COMMUNITY, other.member_id, clock.now), KEY), False)
    bad_state = availability_body(COMMUNITY, other.member_id, clock.now, online=True, interval_s=60) | {
        "state": "?"
    }
    await bus.publish(aggregator.topics.member(other.member_id, "availability"), seal(bad_state, KEY), True)
    await bus.settle()
    assert aggregator.refusals.counts[Reason.NOT_ADDRESSED] == 2
    assert aggregator.refusals.counts[Reason.MALFORMED] == 1


async def test_an_answer_from_the_wrong_member_leaves_the_request_waiting() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock, answer_timeout_s=0.3)
    mute, other = await _community(
        bus, clock, ("mute", SimulatedHub(4.0, 4.0), 0.0), ("other", SimulatedHub(4.0, 4.0), 0.1)
    )
    bus.unsubscribe(mute.protocol.handle)
    task = asyncio.create_task(aggregator.request(Direction.UP, 2.0, clock.now, clock.now + 900, 1.0))
    await asyncio.sleep(0.05)
    (pending,) = aggregator.orders.values()
    request_id = pending.allocations[0].request_id
    forged = Commitment(request_id, 2.0, Answer.COMMITTED, clock.now, clock.now + 900)
    topic = aggregator.topics.member(other.member_id, "commitment")
    await bus.publish(topic, seal(forged.body(COMMUNITY, other.member_id, clock.now), KEY), False)
    order = await task
    assert aggregator.refusals.counts[Reason.NOT_ADDRESSED] == 1
    assert {a.member_id: a.status for a in order.allocations}[mute.member_id] is Status.TIMED_OUT


async def test_ended_orders_are_forgotten_but_their_deliveries_still_count() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock)
    (member,) = await _community(bus, clock, ("only", SimulatedHub(4.0, 4.0), 0.5))
    await aggregator.request(Direction.UP, 2.0, clock.now, clock.now + 3600, 1.0)
    clock.now += 3600
    await member.protocol.publish_state()
    await bus.settle()
    assert aggregator.totals() == pytest.approx((2.0, 1.0))
    assert aggregator.check() == 0  # ended, kept for its report
    assert len(aggregator.orders) == 1
    clock.now += 24 * 3600 + 1
    aggregator.check()
    assert aggregator.orders == {}
    assert aggregator.totals() == pytest.approx((2.0, 1.0))
    assert aggregator.members_report() == {}
    stop = aggregator.listen(lambda: None)
    stop()


async def test_a_member_back_within_the_grace_keeps_what_it_holds() -> None:
    bus, clock = Bus(), Clock()
    aggregator = aggregator_on(bus, clock, offline_grace_s=0.2)
    reloading, spare = await _community(
        bus, clock, ("reloading", SimulatedHub(4.0, 4.0), 0.0), ("spare", SimulatedHub(4.0, 4.0), 0.1)
    )
    order = await aggregator.request(Direction.UP, 3.0, clock.now, clock.now + 3600, 1.0)
    await reloading.protocol.go_offline()
    await bus.settle()
    assert aggregator.flexibility().members_online == 1  # no new requests for it meanwhile
    assert aggregator.check() == 0
    clock.now += 1.0
    await reloading.protocol.announce()
    await bus.settle()
    await asyncio.sleep(0.3)  # the delayed check finds it back
    assert order.resplits == 0
    assert spare.hub.commitments == []

    await reloading.protocol.go_offline()
    await bus.settle()
    clock.now += 1.0
    await asyncio.sleep(0.3)  # still gone after the grace: re-split
    await aggregator.drain()
    assert order.resplits == 1
    assert [c.kw for c in spare.hub.commitments] == [3.0]
    aggregator.stop()
