"""The community wire format: versioned JSON messages, sealed with an HMAC-SHA256 of the community key.

Every message is a JSON object with ``v`` (the version), ``kind``, ``community``, ``sender``, ``ts``
(Unix seconds, UTC) and ``sig``: the lower-case hex HMAC-SHA256, keyed with the shared community key, of
the canonical form of every other field (keys sorted, no spaces, UTF-8). See ``docs/community-mqtt.md``.

A message that cannot be trusted raises :class:`Refused` with one reason; callers log it and drop the
message, so nothing that reached the broker unsigned, stale or twice changes a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
import hashlib
import hmac
import json
import math
from typing import Any

VERSION = 1
# Large enough for a 24 h envelope in 5 min steps (288 steps of five numbers), small enough to bound
# what a flood of junk costs to parse.
MAX_PAYLOAD_BYTES = 64 * 1024
# A request may live at most this long: the replay guard remembers ids until they expire.
MAX_LIFETIME_S = 15 * 60.0
# How far a sender's clock may run ahead of ours.
CLOCK_SKEW_S = 30.0
MIN_KEY_LENGTH = 16


class Kind(StrEnum):
    """What a message is."""

    AVAILABILITY = "availability"
    ENVELOPE = "envelope"
    STATE = "state"
    REQUEST = "request"
    COMMITMENT = "commitment"
    SIGNAL = "signal"
    COMMUNITY_REQUEST = "community_request"


class Reason(StrEnum):
    """Why a message was refused (logged, never answered)."""

    OVERSIZED = "oversized"
    MALFORMED = "malformed"
    UNSUPPORTED_VERSION = "unsupported_version"
    BAD_SIGNATURE = "bad_signature"
    WRONG_COMMUNITY = "wrong_community"
    UNTRUSTED_SENDER = "untrusted_sender"
    NOT_ADDRESSED = "not_addressed"
    EXPIRED = "expired"
    FROM_FUTURE = "from_future"
    LIFETIME_TOO_LONG = "lifetime_too_long"
    REPLAYED = "replayed"
    OUT_OF_ORDER = "out_of_order"


class Refused(Exception):
    """A message that must not be acted on."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        """Keep the reason (an enum, safe to log) and a short detail without secrets."""
        super().__init__(reason.value if not detail else f"{reason.value}: {detail}")
        self.reason = reason


def canonical(body: Mapping[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, compact separators, UTF-8, no NaN."""
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def signature(body: Mapping[str, Any], key: bytes) -> str:
    """HMAC-SHA256 of the canonical body (without ``sig``)."""
    return hmac.new(key, canonical(body), hashlib.sha256).hexdigest()


def seal(body: Mapping[str, Any], key: bytes) -> str:
    """The message as published: the body and its signature."""
    return json.dumps({**body, "sig": signature(body, key)}, separators=(",", ":"), allow_nan=False)


def header(kind: Kind, community: str, sender: str, now: float) -> dict[str, Any]:
    """The fields every message starts with."""
    return {"v": VERSION, "kind": kind.value, "community": community, "sender": sender, "ts": round(now, 3)}


def open_sealed(payload: str | bytes, key: bytes, community: str) -> dict[str, Any]:
    """Check size, JSON, version, signature and community; return the body (without ``sig``)."""
    raw = payload.encode() if isinstance(payload, str) else payload
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise Refused(Reason.OVERSIZED, f"{len(raw)} bytes")
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise Refused(Reason.MALFORMED, "not JSON") from err
    if not isinstance(message, dict):
        raise Refused(Reason.MALFORMED, "not an object")
    if message.get("v") != VERSION:
        raise Refused(Reason.UNSUPPORTED_VERSION, str(message.get("v"))[:16])
    sig = message.pop("sig", None)
    if not isinstance(sig, str):
        raise Refused(Reason.BAD_SIGNATURE, "unsigned")
    try:
        expected = signature(message, key)
    except ValueError as err:  # NaN or infinity smuggled in as a number
        raise Refused(Reason.MALFORMED, "not finite") from err
    if not hmac.compare_digest(sig, expected):
        raise Refused(Reason.BAD_SIGNATURE)
    if message.get("community") != community:
        raise Refused(Reason.WRONG_COMMUNITY)
    try:
        Kind(str(message.get("kind")))
    except ValueError as err:
        raise Refused(Reason.MALFORMED, "unknown kind") from err
    text(message, "sender")
    number(message, "ts")
    return message


def text(body: Mapping[str, Any], name: str, *, limit: int = 64) -> str:
    """A required short string field."""
    value = body.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise Refused(Reason.MALFORMED, name)
    return value


def number(body: Mapping[str, Any], name: str, *, minimum: float = -math.inf) -> float:
    """A required finite number field at or above ``minimum``."""
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Refused(Reason.MALFORMED, name)
    if value < minimum:
        raise Refused(Reason.MALFORMED, f"{name} below {minimum}")
    return float(value)


def optional_number(body: Mapping[str, Any], name: str) -> float | None:
    """A number field that may be null or absent (non-negative)."""
    return None if body.get(name) is None else number(body, name, minimum=0.0)


def numbers(body: Mapping[str, Any], name: str, *, length: int) -> list[float]:
    """A required list of ``length`` finite non-negative numbers."""
    values = body.get(name)
    if not isinstance(values, list) or len(values) != length:
        raise Refused(Reason.MALFORMED, name)
    checked = {name: 0.0}
    for value in values:
        checked[name] = value
        number(checked, name, minimum=0.0)
    return [float(v) for v in values]


def check_lifetime(body: Mapping[str, Any], now: float) -> float:
    """A request's ``ts`` and ``expires``: issued not in the future, alive, not for too long."""
    issued, expires = number(body, "ts"), number(body, "expires")
    if issued > now + CLOCK_SKEW_S:
        raise Refused(Reason.FROM_FUTURE)
    if expires <= now:
        raise Refused(Reason.EXPIRED)
    if expires - issued > MAX_LIFETIME_S:
        raise Refused(Reason.LIFETIME_TOO_LONG)
    return expires


class ReplayGuard:
    """Message ids seen and not yet expired; a second sighting is a replay.

    Ids are kept until their message expires (at most :data:`MAX_LIFETIME_S`), so memory is bounded by
    the request rate, and a replay after expiry is refused as expired instead.
    """

    def __init__(self) -> None:
        """Nothing seen yet."""
        self._seen: dict[str, float] = {}
        self._next_prune = 0.0

    def check(self, message_id: str, expires: float, now: float) -> None:
        """Remember ``message_id``; refuse it if it was seen before."""
        if now >= self._next_prune:
            self._seen = {k: v for k, v in self._seen.items() if v > now}
            self._next_prune = now + 60.0
        if message_id in self._seen:
            raise Refused(Reason.REPLAYED)
        self._seen[message_id] = expires

    def __len__(self) -> int:
        """How many ids are remembered."""
        return len(self._seen)
