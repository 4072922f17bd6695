"""Hubs in one Home Assistant join their energy community through a real Mosquitto and HA's MQTT client."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging
from pathlib import Path
import sys
import time
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.diagnostics import async_get_config_entry_diagnostics
from custom_components.ssch.vpp.community_data import community_runtime
from custom_components.ssch.vpp.messages import Direction, Request, Signal
from custom_components.ssch.vpp.orders import Status
from custom_components.ssch.vpp.paho_link import BrokerAddress, PahoLink
from custom_components.ssch.vpp.protocol import seal
from tests.mqtt_broker import Broker, mqtt_broker

from .common import hub_entry, load_hub, set_flexible_site_sources
from .community import COMMUNITY, KEY, PREFIX, community_options, load_member, mqtt_entry, spy, until

__all__ = ["mqtt_broker", "mqtt_entry"]


def _value(hass: HomeAssistant, entry_id: str, key: str) -> float:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry_id}_{key}")
    assert entity_id is not None, key
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


async def test_hubs_share_envelopes_and_a_community_request_is_committed(
    hass: HomeAssistant, mqtt_broker: Broker, mqtt_entry: MockConfigEntry
) -> None:
    """Two hubs publish through HA's MQTT client; the aggregator in one splits a request between them."""
    set_flexible_site_sources(hass)
    async with spy(mqtt_broker) as seen:
        host, host_rt = await load_member(hass, "Harbour hub", run_aggregator=True, price_floor=0.05)
        other, other_rt = await load_member(hass, "Mill hub", price_floor=0.02)
        aggregator = host_rt.aggregator
        assert aggregator is not None
        assert other_rt.aggregator is None
        await until(lambda: aggregator.flexibility().members_online == 2)
        flex = aggregator.flexibility()
        assert flex.down_kw > 0.0
        assert flex.down_kwh_4h > 0.0

        now = time.time()
        order = await aggregator.request(Direction.DOWN, 25.0, now + 600, now + 4200, 1.0)
        await hass.async_block_till_done()

        # Cheapest first: the Mill hub (2 ct) is asked before the Harbour hub (5 ct), each at most 20 kW.
        parts = {a.member_id: a for a in order.allocations}
        assert parts[other_rt.settings.member_id].requested_kw == 20.0
        assert parts[other_rt.settings.member_id].price_per_kwh == pytest.approx(0.02)
        assert order.committed_kw == pytest.approx(25.0)
        committed = {
            entry.title: sum(c.committed_kw for c in entry.runtime_data.ems.flexibility.commitments)
            for entry in (host, other)
        }
        assert committed == {"Harbour hub": pytest.approx(5.0), "Mill hub": pytest.approx(20.0)}

        # The community's sensors on the aggregator's hub.
        aggregator._changed()  # as the 30 s refresh would
        await hass.async_block_till_done()
        assert _value(hass, host.entry_id, "community_members_online") == 2
        assert _value(hass, host.entry_id, "community_flexibility_down") > 0.0
        assert _value(hass, host.entry_id, "community_flexibility_energy_down") > 0.0
        assert _value(hass, host.entry_id, "community_delivered") == 0.0
        delivered = hass.states.get(
            er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{host.entry_id}_community_delivered")
            or ""
        )
        assert delivered is not None
        assert delivered.attributes["members"] == {
            host_rt.settings.member_id: 0.0,
            other_rt.settings.member_id: 0.0,
        }
        assert _value(hass, host.entry_id, "community_committed") == 0.0  # the window starts in 10 minutes
        await asyncio.sleep(0.3)

    # Nothing on the broker names a site, a station or a card.
    assert seen
    for topic, payload in seen:
        assert topic.startswith(f"{PREFIX}/{COMMUNITY}/")
        for private in ("Harbour", "Mill", "CS01", host.entry_id, other.entry_id):
            assert private not in topic
            assert private.encode() not in payload


async def test_a_hub_that_reloads_keeps_its_commitment_and_nothing_is_re_split(
    hass: HomeAssistant, mqtt_broker: Broker, mqtt_entry: MockConfigEntry
) -> None:
    """A reload says offline and online again within the grace: the hub still holds what it committed."""
    set_flexible_site_sources(hass)
    _, host_rt = await load_member(hass, "Harbour hub", run_aggregator=True, price_floor=0.05)
    member, member_rt = await load_member(hass, "Mill hub", price_floor=0.01)
    aggregator = host_rt.aggregator
    assert aggregator is not None
    await until(lambda: aggregator.flexibility().members_online == 2)
    now = time.time()
    order = await aggregator.request(Direction.DOWN, 6.0, now, now + 3600, 1.0)
    assert order.committed_kw == pytest.approx(6.0)

    assert await hass.config_entries.async_reload(member.entry_id)
    await hass.async_block_till_done()
    await until(lambda: aggregator.book.members[member_rt.settings.member_id].announced_online)
    aggregator.check()
    await aggregator.drain()
    assert order.resplits == 0
    assert [a.status for a in order.allocations] == [Status.COMMITTED]
    assert [c.committed_kw for c in member.runtime_data.ems.flexibility.commitments] == [6.0]


async def test_a_hub_that_unloads_mid_commitment_is_re_split(
    hass: HomeAssistant, mqtt_broker: Broker, mqtt_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unloading hub says ``offline`` (retained); after the grace what it held goes to the other hub."""
    monkeypatch.setattr("custom_components.ssch.vpp.community_host.OFFLINE_GRACE_S", 0.5)
    set_flexible_site_sources(hass)
    host, host_rt = await load_member(hass, "Harbour hub", run_aggregator=True, price_floor=0.05)
    leaving, leaving_rt = await load_member(hass, "Mill hub", price_floor=0.01)
    aggregator = host_rt.aggregator
    assert aggregator is not None
    await until(lambda: aggregator.flexibility().members_online == 2)
    now = time.time()
    order = await aggregator.request(Direction.DOWN, 8.0, now, now + 3600, 1.0)
    assert {a.member_id for a in order.allocations} == {leaving_rt.settings.member_id}

    assert await hass.config_entries.async_unload(leaving.entry_id)
    assert leaving.state is ConfigEntryState.NOT_LOADED
    await until(lambda: order.resplits == 1 and order.committed_kw >= 7.99)
    await hass.async_block_till_done()
    statuses = {a.member_id: a.status for a in order.allocations}
    assert statuses == {
        leaving_rt.settings.member_id: Status.DROPPED,
        host_rt.settings.member_id: Status.COMMITTED,
    }
    assert sum(c.committed_kw for c in host.runtime_data.ems.flexibility.commitments) == pytest.approx(8.0)


async def test_forged_replayed_and_expired_requests_change_no_plan(
    hass: HomeAssistant, mqtt_broker: Broker, mqtt_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Only a fresh request signed with the community key by the trusted aggregator commits anything."""
    set_flexible_site_sources(hass)
    entry, runtime = await load_member(hass, "Harbour hub")
    book = entry.runtime_data.ems.flexibility
    member = runtime.settings.member_id
    topic = runtime.member.topics.member(member, "request")
    answers: list[dict[str, object]] = []

    async def keep(_: str, payload: bytes) -> None:
        answers.append(json.loads(payload))

    link = PahoLink(BrokerAddress.parse(mqtt_broker.url), "test-aggregator", keep)
    await link.start([runtime.member.topics.member(member, "commitment")])
    try:
        now = time.time()

        def request(
            request_id: str,
            *,
            expires: float = now + 60,
            sender: str = "aggregator",
            key: bytes = KEY.encode(),
        ) -> str:
            body = Request(request_id, member, Direction.DOWN, 3.0, now + 600, now + 2400, 0.3, expires)
            return seal(body.body(COMMUNITY, sender, now), key)

        with caplog.at_level(logging.WARNING):
            await link.publish(topic, request("forged", key=b"not-the-community-key-at-all"), False)
            await link.publish(topic, request("impostor", sender="someone"), False)
            await link.publish(topic, request("stale", expires=now - 1), False)
            await link.publish(topic, "{" * 70000, False)
            good = request("good")
            await link.publish(topic, good, False)
            await until(lambda: len(answers) == 1)
            await link.publish(topic, good, False)  # replayed
            await until(lambda: runtime.member.refusals.counts.total() == 5)
            await hass.async_block_till_done()
        assert [a["request_id"] for a in answers] == ["good"]
        assert answers[0]["committed_kw"] == 3.0
        assert [c.committed_kw for c in book.commitments] == [3.0]
        reasons = [r.getMessage() for r in caplog.records if "Refused a community message" in r.getMessage()]
        assert len(reasons) == 5
        for reason in ("bad_signature", "untrusted_sender", "expired", "oversized", "replayed"):
            assert sum(reason in line for line in reasons) == 1, reason
    finally:
        await link.stop()


async def test_the_standalone_aggregator_commits_home_assistant_hubs(
    hass: HomeAssistant, mqtt_broker: Broker, mqtt_entry: MockConfigEntry, tmp_path: Path
) -> None:
    """``python -m custom_components.ssch.vpp`` against the same broker as HA's hubs."""
    set_flexible_site_sources(hass)
    entry, _ = await load_member(hass, "Harbour hub")
    key_file = tmp_path / "key"
    await hass.async_add_executor_job(key_file.write_text, KEY)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "custom_components.ssch.vpp",
        "--broker", mqtt_broker.url, "--community", COMMUNITY, "--prefix", PREFIX,
        "--key-file", str(key_file), "--request", "down:4:30:0.5", "--settle", "1.5",
        "--answer-timeout", "20", "--run-for", "1", "--report-every", "60",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    lines = [json.loads(line) for line in stdout.decode().splitlines()]
    order = lines[0]["order"]
    assert order["committed_kw"] == 4.0
    assert [m["status"] for m in order["members"]] == ["committed"]
    assert lines[-1]["members_online"] == 1
    assert [c.committed_kw for c in entry.runtime_data.ems.flexibility.commitments] == [4.0]


async def test_after_a_broker_restart_hubs_republish_and_the_aggregator_rebuilds(
    hass: HomeAssistant, mqtt_broker: Broker, mqtt_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The broker forgets every retained message; HA reconnects and the hubs announce themselves again."""
    monkeypatch.setattr("homeassistant.components.mqtt.client.RECONNECT_INTERVAL_SECONDS", 0.5)
    set_flexible_site_sources(hass)
    _, host_rt = await load_member(hass, "Harbour hub", run_aggregator=True)
    await load_member(hass, "Mill hub")
    aggregator = host_rt.aggregator
    assert aggregator is not None
    await until(lambda: aggregator.flexibility().members_online == 2)
    # A fresh aggregator (as after its own restart) that only learns what the broker holds from now on.
    aggregator.book.members.clear()
    mqtt_broker.restart()
    await until(lambda: aggregator.flexibility().members_online == 2, timeout_s=40)
    assert {v.envelope is not None for v in aggregator.book.members.values()} == {True}
    async with spy(mqtt_broker) as seen:
        await asyncio.sleep(0.5)
    retained = {topic for topic, _ in seen}
    assert sum(topic.endswith("/availability") for topic in retained) == 2
    assert sum(topic.endswith("/envelope") for topic in retained) == 2


async def test_grid_signals_reach_the_hub_and_the_envelope_is_republished(
    hass: HomeAssistant, mqtt_broker: Broker, mqtt_entry: MockConfigEntry
) -> None:
    """A signed signal to the community limits the hub's grid; every interval the envelope goes out again."""
    set_flexible_site_sources(hass)
    entry, runtime = await load_member(hass, "Harbour hub")
    ems = entry.runtime_data.ems
    member = runtime.settings.member_id
    topics = runtime.member.topics
    heard: list[tuple[str, dict[str, object]]] = []

    async def keep(topic: str, payload: bytes) -> None:
        heard.append((topic, json.loads(payload)))

    link = PahoLink(BrokerAddress.parse(mqtt_broker.url), "test-operator", keep)
    await link.start([topics.member(member, "envelope"), topics.member(member, "commitment")])
    try:
        await until(lambda: len(heard) == 1)  # the retained envelope
        now = time.time()
        cap = Signal("cap", "*", now, now + 1800, 5.0, None, now + 60)
        await link.publish(
            topics.everyone("signal"), seal(cap.body(COMMUNITY, "aggregator", now), KEY.encode()), False
        )
        await until(lambda: len(ems.builder.signals) == 1)
        assert ems.builder.signals[0].import_limit_kw == 5.0
        lift = Signal("lift", member, now, None, None, None, now + 60, clear=True)
        await link.publish(
            topics.member(member, "signal"),
            seal(lift.body(COMMUNITY, "aggregator", now), KEY.encode()),
            False,
        )
        await until(lambda: not ems.builder.signals)

        # Beyond the plan's horizon the hub commits nothing, and says so.
        beyond = Request(
            "far", member, Direction.UP, 2.0, now + 3 * 86400, now + 3 * 86400 + 900, 0.5, now + 60
        )
        await link.publish(
            topics.member(member, "request"),
            seal(beyond.body(COMMUNITY, "aggregator", now), KEY.encode()),
            False,
        )
        await until(lambda: any(topic.endswith("/commitment") for topic, _ in heard))
        answer = next(body for topic, body in heard if topic.endswith("/commitment"))
        assert (answer["committed_kw"], answer["answer"]) == (0.0, "no_flexibility")
        assert ems.flexibility.commitments == []

        envelopes = sum(topic.endswith("/envelope") for topic, _ in heard)
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
        await until(lambda: sum(topic.endswith("/envelope") for topic, _ in heard) == envelopes + 1)
    finally:
        await link.stop()


async def test_without_the_mqtt_integration_the_hub_runs_alone(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Joining a community is not a reason to fail: the hub loads and says why it is not linked."""
    set_flexible_site_sources(hass)
    entry = hub_entry(options={"community": community_options(run_aggregator=True)})
    await load_hub(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert community_runtime(hass, entry.entry_id) is None
    assert "MQTT integration is not set up" in caplog.text
    assert (
        er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_community_committed")
        is None
    )
    # The community key never shows in diagnostics.
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["entry"]["options"]["community"]["community_key"] == "**REDACTED**"
    assert KEY not in json.dumps(diagnostics, default=str)


async def test_the_community_action_splits_a_request_and_refuses_bad_ones(
    hass: HomeAssistant, mqtt_broker: Broker, mqtt_entry: MockConfigEntry
) -> None:
    """``ssch.request_community_flexibility`` goes to the aggregator this Home Assistant runs."""
    set_flexible_site_sources(hass)
    member, member_rt = await load_member(hass, "Mill hub", price_floor=0.02)

    async def call(**data: Any) -> dict[str, Any]:
        response = await hass.services.async_call(
            DOMAIN, "request_community_flexibility", data, blocking=True, return_response=True
        )
        assert response is not None
        return dict(response)

    now = dt_util.utcnow()
    window = {
        "start": (now + timedelta(minutes=5)).isoformat(),
        "end": (now + timedelta(hours=1)).isoformat(),
    }
    with pytest.raises(ServiceValidationError) as refused:
        await call(direction="up", power_kw=3, **window)
    assert refused.value.translation_key == "community_aggregator_not_running"

    host, host_rt = await load_member(hass, "Harbour hub", run_aggregator=True, price_floor=0.05)
    aggregator = host_rt.aggregator
    assert aggregator is not None
    await until(lambda: aggregator.flexibility().members_online == 2)
    for bad, key in (
        ({"start": window["end"], "end": window["start"]}, "flexibility_window_order"),
        (
            {
                "start": (now - timedelta(hours=2)).isoformat(),
                "end": (now - timedelta(minutes=1)).isoformat(),
            },
            "flexibility_window_in_past",
        ),
        ({"power_kw": 0}, "flexibility_power_not_positive"),
        ({"max_price_per_kwh": -1}, "flexibility_price_negative"),
    ):
        with pytest.raises(ServiceValidationError) as refused:
            await call(**({"direction": "up", "power_kw": 3} | window | bad))
        assert refused.value.translation_key == key

    response = await call(
        config_entry_id=host.entry_id, direction="up", power_kw=3, max_price_per_kwh=0.03, **window
    )
    assert response["committed_kw"] == 3.0
    assert [(m["member"], m["committed_kw"]) for m in response["members"]] == [
        (member_rt.settings.member_id, 3.0)
    ]
    assert [c.committed_kw for c in member.runtime_data.ems.flexibility.commitments] == [3.0]
    assert host.runtime_data.ems.flexibility.commitments == []  # dearer than the price cap
