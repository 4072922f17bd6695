"""The standalone aggregator and simulated member hubs over a real Mosquitto, with paho."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
import io
import json
from pathlib import Path

import pytest

from benchmarks.vpp_mqtt import COMMUNITY, KEY, PREFIX, HubGroup, _members
from custom_components.ssch.vpp import cli
from custom_components.ssch.vpp.aggregator import Aggregator, AggregatorSettings
from custom_components.ssch.vpp.paho_link import BrokerAddress, PahoLink
from tests.mqtt_broker import Broker


async def _until(predicate: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _hubs(broker: Broker, count: int) -> HubGroup:
    group = HubGroup(BrokerAddress.parse(broker.url), 0, _members(count, 60.0, seed=3))
    for member in group.members.values():
        member.protocol._publish = group._publish
    await group.link.start(group.subscriptions())
    await group.announce()
    return group


def _args(broker: Broker, key_file: Path, *extra: str) -> argparse.Namespace:
    return cli.parser().parse_args(
        [
            "--broker",
            broker.url,
            "--community",
            COMMUNITY,
            "--prefix",
            PREFIX,
            "--key-file",
            str(key_file),
            *extra,
        ]
    )


async def test_the_command_line_aggregator_splits_a_request_among_members(
    mqtt_broker: Broker, tmp_path: Path
) -> None:
    group = await _hubs(mqtt_broker, 5)
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY)
    out = io.StringIO()
    try:
        args = _args(
            mqtt_broker,
            key_file,
            "--request",
            "up:12:30:1",
            "--settle",
            "0.5",
            "--run-for",
            "1.5",
            "--report-every",
            "1",
        )
        assert await cli.run(args, out) == 0
    finally:
        await group.link.stop()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    order = lines[0]["order"]
    assert order["committed_kw"] == 12.0
    held = {
        m.protocol.settings.member_id: sum(c.kw for c in m.hub.commitments) for m in group.members.values()
    }
    assert {m["member"]: m["committed_kw"] for m in order["members"]} == {k: v for k, v in held.items() if v}
    # Cheapest first: every member asked asks no more than any member left out.
    floors = {
        m.protocol.settings.member_id: m.protocol.settings.price_floor_eur_per_kwh
        for m in group.members.values()
    }
    asked = {m["member"] for m in order["members"]}
    assert max(floors[m] for m in asked) <= min((floors[m] for m in floors if m not in asked), default=1.0)
    assert lines[-1]["members_online"] == 5
    assert lines[-1]["committed_kw"] == 12.0


async def test_after_a_broker_restart_members_republish_and_the_aggregator_rebuilds(
    mqtt_broker: Broker,
) -> None:
    group = await _hubs(mqtt_broker, 3)
    link: PahoLink | None = None

    async def publish(topic: str, payload: str, retain: bool) -> None:
        assert link is not None
        await link.publish(topic, payload, retain)

    aggregator = Aggregator(AggregatorSettings(COMMUNITY, PREFIX, KEY), publish)
    link = PahoLink(BrokerAddress.parse(mqtt_broker.url), "test-aggregator", aggregator.handle)
    await link.start(aggregator.subscriptions)
    try:
        await _until(lambda: aggregator.flexibility().members_online == 3)
        aggregator.book.members.clear()  # as a restarted aggregator: nothing known
        mqtt_broker.restart()
        await _until(lambda: aggregator.flexibility().members_online == 3)
        assert group.link.connections == 2
        assert link.connections == 2
    finally:
        await group.link.stop()
        await link.stop()


def test_command_line_refuses_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSCH_COMMUNITY_KEY", raising=False)
    with pytest.raises(SystemExit):
        cli.community_key(None)
    monkeypatch.setenv("SSCH_COMMUNITY_KEY", "x" * 20)
    assert cli.community_key(None) == b"x" * 20
    for bad in ("up:5", "sideways:5:10", "up:-5:10", "up:five:10"):
        with pytest.raises(SystemExit):
            cli.parse_request(bad)
    assert cli.parse_request("down:5:10:0.3")[1:] == (5.0, 10.0, 0.3)
    for bad_url in ("http://host:1", "mqtt://user:pw@host:1", "mqtt://:1"):
        with pytest.raises(ValueError, match="broker"):
            BrokerAddress.parse(bad_url)
    assert BrokerAddress.parse("mqtts://broker") == BrokerAddress("broker", 8883, True)
    assert BrokerAddress.parse("127.0.0.1:1884") == BrokerAddress("127.0.0.1", 1884, False)
    args = cli.parser().parse_args(["--broker", "mqtt://h:1", "--community", "a/b"])
    with pytest.raises(SystemExit):
        asyncio.run(cli.run(args))
    with pytest.raises(SystemExit):
        cli.main(["--community", "c"])
