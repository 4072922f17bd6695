"""A member hub's side: what it publishes and how it answers requests and signals."""

from __future__ import annotations

import json
import logging
import time

import pytest

from custom_components.ssch.vpp.member import MemberProtocol
from custom_components.ssch.vpp.messages import Direction, Request, Signal
from custom_components.ssch.vpp.protocol import Reason, Refused, seal
from custom_components.ssch.vpp.refusals import QUIET_S, RefusalLog
from custom_components.ssch.vpp.simulated import SimulatedHub

from .bus import COMMUNITY, KEY, member_settings


class Wire:
    """Collects what the member publishes."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, object], bool]] = []

    async def publish(self, topic: str, payload: str, retain: bool) -> None:
        self.sent.append(
            (topic, json.loads(payload) if payload.startswith("{") else {"raw": payload}, retain)
        )

    def on(self, leaf: str) -> list[dict[str, object]]:
        return [body for topic, body, _ in self.sent if topic.endswith("/" + leaf)]


def _member(
    hub: SimulatedHub | None = None, **overrides: object
) -> tuple[MemberProtocol, SimulatedHub, Wire]:
    hub = hub or SimulatedHub(up_kw=8.0, down_kw=6.0)
    wire = Wire()
    return MemberProtocol(member_settings("hub", **overrides), hub, wire.publish), hub, wire


def _request(member: MemberProtocol, request_id: str = "r1", **overrides: object) -> str:
    now = time.time()
    values: dict[str, object] = {
        "request_id": request_id,
        "to": member.settings.member_id,
        "direction": Direction.UP,
        "power_kw": 5.0,
        "start": now,
        "end": now + 1800,
        "price_per_kwh": 0.2,
        "expires": now + 60,
    } | overrides
    return seal(Request(**values).body(COMMUNITY, "aggregator", now), KEY)  # type: ignore[arg-type]


async def test_announce_publishes_retained_availability_envelope_and_state() -> None:
    member, _, wire = _member(max_kw=5.0, price_floor_eur_per_kwh=0.12)
    await member.announce()
    assert [(topic.rsplit("/", 1)[1], retain) for topic, _, retain in wire.sent] == [
        ("availability", True),
        ("envelope", True),
        ("state", True),
    ]
    envelope = wire.on("envelope")[0]
    assert set(envelope["up_kw"]) == {5.0}  # type: ignore[arg-type]  # capped at the automatic maximum
    assert set(envelope["down_kw"]) == {5.0}  # type: ignore[arg-type]
    assert set(envelope["price_per_kwh"]) == {0.12}  # type: ignore[arg-type]
    await member.go_offline()
    assert wire.on("availability")[-1]["state"] == "offline"
    for _, body, _ in wire.sent:
        assert body["sender"] == member.settings.member_id


async def test_a_request_is_answered_with_what_the_hub_commits() -> None:
    member, hub, wire = _member()
    await member.handle(member.topics.member(member.settings.member_id, "request"), _request(member))
    (answer,) = wire.on("commitment")
    assert answer["request_id"] == "r1"
    assert answer["committed_kw"] == 5.0
    assert answer["answer"] == "committed"
    assert [c.kw for c in hub.commitments] == [5.0]
    (state,) = wire.on("state")
    assert state["committed_up_kw"] == 5.0
    assert state["commitments"][0]["request_id"] == "r1"  # type: ignore[index]


async def test_price_floor_and_automatic_maximum_limit_what_is_accepted() -> None:
    member, hub, wire = _member(price_floor_eur_per_kwh=0.25, max_kw=7.0)
    topic = member.topics.member(member.settings.member_id, "request")
    await member.handle(topic, _request(member, "cheap", price_per_kwh=0.2))
    await member.handle(topic, _request(member, "first", price_per_kwh=0.3))
    await member.handle(topic, _request(member, "second", price_per_kwh=0.3))
    await member.handle(topic, _request(member, "third", price_per_kwh=0.3))
    answers = {a["request_id"]: (a["committed_kw"], a["answer"]) for a in wire.on("commitment")}
    assert answers == {
        "cheap": (0.0, "price_below_floor"),
        "first": (5.0, "committed"),
        "second": (2.0, "partial"),  # 7 kW at most through the community
        "third": (0.0, "no_flexibility"),
    }
    assert sum(c.kw for c in hub.commitments) == 7.0


async def test_a_community_wide_request_and_signals_reach_the_hub() -> None:
    member, hub, wire = _member()
    now = time.time()
    everyone = member.topics.everyone("request")
    await member.handle(everyone, _request(member, "all", to="*", direction=Direction.DOWN, power_kw=9.0))
    assert wire.on("commitment")[0]["committed_kw"] == 6.0
    signal = Signal("s1", "*", now, now + 600, 12.0, None, now + 60)
    await member.handle(
        member.topics.everyone("signal"), seal(signal.body(COMMUNITY, "aggregator", now), KEY)
    )
    assert hub.signals == [signal]
    clear = Signal("s2", member.settings.member_id, now, None, None, None, now + 60, clear=True)
    own = member.topics.member(member.settings.member_id, "signal")
    await member.handle(own, seal(clear.body(COMMUNITY, "aggregator", now), KEY))
    assert hub.signals == []


async def test_what_cannot_be_trusted_is_refused_once_with_a_reason(caplog: pytest.LogCaptureFixture) -> None:
    member, hub, wire = _member()
    mine = member.topics.member(member.settings.member_id, "request")
    now = time.time()
    not_for_members = seal(
        Signal("x", "*", now, None, 1.0, None, now + 60).body(COMMUNITY, "aggregator", now)
        | {"kind": "state"},
        KEY,
    )
    cases = [
        (mine, _request(member, "forged").replace('"power_kw":5.0', '"power_kw":50.0')),
        (
            mine,
            seal(
                {k: v for k, v in json.loads(_request(member, "x")).items() if k != "sig"}
                | {"sender": "impostor"},
                KEY,
            ),
        ),
        (mine, _request(member, "old", expires=now - 1)),
        (mine, _request(member, "elsewhere", to="another-member")),
        (member.topics.everyone("request"), _request(member, "own-on-community")),
        (mine, "[" * 70_000),
        (mine, not_for_members),
    ]
    with caplog.at_level(logging.WARNING):
        for topic, payload in cases:
            await member.handle(topic, payload)
        await member.handle(mine, _request(member, "good"))
        await member.handle(mine, _request(member, "good"))  # replayed
    assert [a["request_id"] for a in wire.on("commitment")] == ["good"]
    assert [c.kw for c in hub.commitments] == [5.0]
    counts = member.refusals.counts
    assert counts[Reason.BAD_SIGNATURE] == 1
    assert counts[Reason.UNTRUSTED_SENDER] == 1
    assert counts[Reason.EXPIRED] == 1
    assert counts[Reason.NOT_ADDRESSED] == 2
    assert counts[Reason.OVERSIZED] == 1
    assert counts[Reason.REPLAYED] == 1
    assert counts[Reason.MALFORMED] == 1
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == sum(counts.values()) - 1


async def test_the_echo_is_heard_and_nothing_else_happens() -> None:
    member, hub, wire = _member()
    await member.send_echo()
    topic, body, retain = wire.sent[0]
    assert not retain
    await member.handle(topic, body["raw"])  # type: ignore[arg-type]
    assert member.echoed.is_set()
    assert hub.commitments == []
    assert sum(member.refusals.counts.values()) == 0


def test_the_same_refusal_is_logged_at_warning_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    clock = [0.0]
    log = RefusalLog(logging.getLogger("test.refusals"), lambda: clock[0])
    with caplog.at_level(logging.DEBUG, logger="test.refusals"):
        for _ in range(5):
            log.refused(Refused(Reason.BAD_SIGNATURE), "t")
        clock[0] += QUIET_S
        log.refused(Refused(Reason.BAD_SIGNATURE), "t")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "Refused a community message on t: bad_signature",
        "Refused a community message on t: bad_signature (4 more refused for the same reason since)",
    ]
    assert log.counts[Reason.BAD_SIGNATURE] == 6
