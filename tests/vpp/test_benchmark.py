"""The VPP-over-MQTT benchmark runs end to end on a small community (1,000 hubs: see BENCHMARKS.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import vpp_mqtt
from tests.mqtt_broker import Broker


def test_a_small_community_commits_every_request_and_loses_nothing_when_hubs_drop(
    mqtt_broker: Broker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(vpp_mqtt, "OUT", tmp_path / "vpp_mqtt.json")
    args = ["--hubs", "30", "--window", "4", "--interval", "2", "--requests", "4"]
    args += ["--broker", mqtt_broker.url]
    assert vpp_mqtt.main(args) == 0
    result = json.loads((tmp_path / "vpp_mqtt.json").read_text())
    assert json.loads(capsys.readouterr().out) == result
    assert result["fully_committed_orders"] == 4
    assert result["envelopes_per_s"] > 5.0
    assert result["drop"]["hubs_dropped"] == 3
    assert result["drop"]["kw_they_held"] > 0.0
    assert result["drop"]["kw_lost"] == 0
    assert result["refused_messages"] == 0
    assert result["request_to_commitments_p99_s"] < 2.0
