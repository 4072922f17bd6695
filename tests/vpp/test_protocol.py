"""The wire format: sealing, refusing what cannot be trusted, and the message bodies."""

from __future__ import annotations

import json
import math
import time
from typing import Any

import pytest

from custom_components.ssch.vpp.messages import (
    MAX_STEPS,
    Answer,
    Commitment,
    CommunityRequest,
    Direction,
    Envelope,
    Request,
    Signal,
    State,
)
from custom_components.ssch.vpp.protocol import (
    MAX_LIFETIME_S,
    MAX_PAYLOAD_BYTES,
    Reason,
    Refused,
    ReplayGuard,
    canonical,
    open_sealed,
    seal,
    signature,
)
from custom_components.ssch.vpp.topics import CommunitySettings, Topics, member_id_for, prefix_is_valid

KEY = b"0123456789abcdef-key"
NOW = time.time()


def _request(**overrides: Any) -> dict[str, Any]:
    values = {
        "request_id": "r1",
        "to": "m1",
        "direction": Direction.UP,
        "power_kw": 3.0,
        "start": NOW,
        "end": NOW + 900,
        "price_per_kwh": 0.2,
        "expires": NOW + 60,
    } | overrides
    return Request(**values).body("c", "aggregator", NOW)


def _refusal(payload: str | bytes, key: bytes = KEY) -> Reason:
    with pytest.raises(Refused) as caught:
        open_sealed(payload, key, "c")
    return caught.value.reason


def test_a_sealed_message_opens_and_the_signature_covers_every_field() -> None:
    body = _request()
    payload = seal(body, KEY)
    assert open_sealed(payload, KEY, "c") == body
    assert open_sealed(payload.encode(), KEY, "c") == body
    assert json.loads(payload)["sig"] == signature(body, KEY)
    # The canonical form does not depend on key order.
    assert canonical(dict(reversed(list(body.items())))) == canonical(body)
    for field, value in (("power_kw", 30.0), ("to", "m2"), ("expires", NOW + 600), ("sender", "other")):
        tampered = json.loads(payload) | {field: value}
        assert _refusal(json.dumps(tampered)) is Reason.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("x" * (MAX_PAYLOAD_BYTES + 1), Reason.OVERSIZED),
        ("{not json", Reason.MALFORMED),
        (b"\xff\xfe", Reason.MALFORMED),
        ("[1, 2]", Reason.MALFORMED),
        ('{"v": 2}', Reason.UNSUPPORTED_VERSION),
        ('{"v": 1, "kind": "request"}', Reason.BAD_SIGNATURE),
        ('{"v": 1, "kind": "request", "power_kw": NaN, "sig": "00"}', Reason.MALFORMED),
    ],
)
def test_junk_is_refused_with_its_reason(payload: str | bytes, reason: Reason) -> None:
    assert _refusal(payload) is reason


def test_wrong_key_wrong_community_unknown_kind_and_missing_header_are_refused() -> None:
    assert _refusal(seal(_request(), b"another-key-entirely")) is Reason.BAD_SIGNATURE
    assert _refusal(seal(_request() | {"community": "d"}, KEY)) is Reason.WRONG_COMMUNITY
    assert _refusal(seal(_request() | {"kind": "gossip"}, KEY)) is Reason.MALFORMED
    assert _refusal(seal(_request() | {"sender": ""}, KEY)) is Reason.MALFORMED
    assert _refusal(seal(_request() | {"ts": "yesterday"}, KEY)) is Reason.MALFORMED
    assert str(Refused(Reason.MALFORMED, "ts")) == "malformed: ts"


def test_request_lifetime_rules() -> None:
    assert Request.parse(_request(), NOW).power_kw == 3.0
    cases = {
        Reason.EXPIRED: _request(expires=NOW - 1),
        Reason.LIFETIME_TOO_LONG: _request(expires=NOW + MAX_LIFETIME_S + 5),
        Reason.FROM_FUTURE: _request() | {"ts": NOW + 3600},
        Reason.MALFORMED: _request(end=NOW - 10),
    }
    for reason, body in cases.items():
        with pytest.raises(Refused) as caught:
            Request.parse(body, NOW)
        assert caught.value.reason is reason, reason
    for bad in ({"direction": "sideways"}, {"power_kw": -1}, {"power_kw": True}, {"id": 5}, {"id": "x" * 65}):
        with pytest.raises(Refused):
            Request.parse(_request() | bad, NOW)


def test_replay_guard_remembers_ids_until_they_expire() -> None:
    guard = ReplayGuard()
    guard.check("a", NOW + 60, NOW)
    with pytest.raises(Refused) as caught:
        guard.check("a", NOW + 60, NOW + 1)
    assert caught.value.reason is Reason.REPLAYED
    guard.check("b", NOW + 200, NOW + 2)
    assert len(guard) == 2
    guard.check("c", NOW + 400, NOW + 120)  # pruning drops "a" (expired)
    assert len(guard) == 2


def test_envelope_round_trip_and_capacity_over_a_window() -> None:
    envelope = Envelope(1000.0, 900.0, (5.0, 3.0, 4.0), (1.0, 2.0, 0.0), (0.1, 0.3, 0.2), seq=7)
    body = envelope.body("c", "m1", 1000.0)
    assert body["up_kwh"] == [1.25, 0.75, 1.0]
    parsed = Envelope.parse(body)
    assert parsed.up_kw == envelope.up_kw
    assert parsed.seq == 7
    assert parsed.issued == 1000.0
    assert parsed.end == 3700.0
    assert parsed.capacity(Direction.UP, 1000.0, 1900.0) == (5.0, 0.1)
    assert parsed.capacity(Direction.UP, 1500.0, 2000.0) == (3.0, 0.3)
    assert parsed.capacity(Direction.DOWN, 1000.0, 3700.0) == (0.0, 0.3)
    assert parsed.capacity(Direction.UP, 500.0, 1900.0) == (0.0, 0.0)
    assert parsed.capacity(Direction.UP, 1000.0, 9000.0) == (0.0, 0.0)
    for bad in (
        {"up_kw": []},
        {"up_kw": [1.0] * (MAX_STEPS + 1)},
        {"seq": -1},
        {"seq": True},
        {"down_kw": [1.0]},
        {"price_per_kwh": [1.0, -1.0, 1.0]},
        {"step_s": 1.0},
    ):
        with pytest.raises(Refused):
            Envelope.parse(body | bad)


def test_commitment_signal_state_and_community_request_round_trip() -> None:
    commitment = Commitment("r1", 2.5, Answer.PARTIAL, NOW, NOW + 60, "c1")
    assert Commitment.parse(commitment.body("c", "m1", NOW)) == commitment
    for bad in ({"answer": "maybe"}, {"commitment_id": 3}, {"committed_kw": -1}):
        with pytest.raises(Refused):
            Commitment.parse(commitment.body("c", "m1", NOW) | bad)

    signal = Signal("s1", "*", NOW, None, 10.0, None, NOW + 60)
    assert Signal.parse(signal.body("c", "aggregator", NOW), NOW) == signal
    with pytest.raises(Refused):
        Signal.parse(signal.body("c", "aggregator", NOW) | {"end": NOW - 5}, NOW)

    state = State(1.0, 2.0, 3.0, 0.5, kpis={"peak_import_kw": 40.0})
    parsed = State.parse(state.body("c", "m1", NOW))
    assert parsed.committed_down_kw == 2.0
    assert parsed.kpis == {"peak_import_kw": 40.0}
    for bad in ({"commitments": {}}, {"commitments": [1]}, {"kpis": []}):
        with pytest.raises(Refused):
            State.parse(state.body("c", "m1", NOW) | bad)

    request = CommunityRequest("g1", Direction.DOWN, 50.0, NOW, NOW + 900, 0.3, NOW + 60)
    assert CommunityRequest.parse(request.body("c", "dso", NOW), NOW) == request
    with pytest.raises(Refused):
        CommunityRequest.parse(request.body("c", "dso", NOW) | {"end": NOW - 1}, NOW)


def test_topics_and_settings() -> None:
    topics = Topics("ssch/community", "harbour")
    assert topics.member("m1", "envelope") == "ssch/community/harbour/member/m1/envelope"
    assert topics.member_of("ssch/community/harbour/member/m1/envelope") == ("m1", "envelope")
    assert topics.member_of("ssch/community/harbour/member/m1") is None
    assert topics.member_of("elsewhere/m1/envelope") is None
    assert topics.aggregator_requests == "ssch/community/harbour/aggregator/request"
    assert prefix_is_valid("a/b")
    assert not prefix_is_valid("a/+")
    assert not prefix_is_valid("/a")
    assert member_id_for("harbour", "hub") == member_id_for("harbour", "hub") != member_id_for("mill", "hub")
    assert CommunitySettings.from_options({}, "hub") is None
    assert CommunitySettings.from_options({"community": {"enabled": False}}, "hub") is None
    settings = CommunitySettings.from_options(
        {"community": {"enabled": True, "community_id": "harbour", "community_key": "k" * 16, "max_kw": 5}},
        "hub",
    )
    assert settings is not None
    assert settings.key == b"k" * 16
    assert settings.max_kw == 5.0
    assert settings.topics.base == "ssch/community/harbour"
    assert not math.isnan(settings.price_floor_eur_per_kwh)
