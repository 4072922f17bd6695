"""The community's messages as typed values, and their JSON bodies (see ``docs/schemas/``).

Power is kW, energy kWh, prices per kWh in the community's currency, times Unix seconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
import uuid

from .protocol import Kind, Reason, Refused, check_lifetime, header, number, numbers, optional_number, text

MAX_STEPS = 24 * 12  # 24 h in 5 min steps
MAX_COMMITMENTS_REPORTED = 200


class Direction(StrEnum):
    """Which way a member's net grid power moves (the same meaning as ``ssch.request_flexibility``)."""

    UP = "up"
    DOWN = "down"


class Answer(StrEnum):
    """How a member answered a request."""

    COMMITTED = "committed"
    PARTIAL = "partial"
    NO_FLEXIBILITY = "no_flexibility"
    PRICE_BELOW_FLOOR = "price_below_floor"
    INVALID = "invalid"


def new_id() -> str:
    """A message or request id."""
    return uuid.uuid4().hex


def _direction(body: dict[str, Any]) -> Direction:
    try:
        return Direction(str(body.get("direction")))
    except ValueError as err:
        raise Refused(Reason.MALFORMED, "direction") from err


@dataclass(frozen=True, slots=True)
class Envelope:
    """What a member could move per step over its plan's horizon, and what it asks for it."""

    start: float
    step_s: float
    up_kw: tuple[float, ...]
    down_kw: tuple[float, ...]
    price_per_kwh: tuple[float, ...]
    seq: int = 0
    issued: float = 0.0

    @property
    def end(self) -> float:
        """When the last step ends."""
        return self.start + self.step_s * len(self.up_kw)

    def body(self, community: str, sender: str, now: float) -> dict[str, Any]:
        """The JSON body (energy per step is published too, for readers that do not multiply)."""
        hours = self.step_s / 3600.0
        return header(Kind.ENVELOPE, community, sender, now) | {
            "seq": self.seq,
            "start": self.start,
            "step_s": self.step_s,
            "up_kw": list(self.up_kw),
            "down_kw": list(self.down_kw),
            "up_kwh": [round(kw * hours, 4) for kw in self.up_kw],
            "down_kwh": [round(kw * hours, 4) for kw in self.down_kw],
            "price_per_kwh": list(self.price_per_kwh),
        }

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Envelope:
        """From a checked body."""
        up = body.get("up_kw")
        length = len(up) if isinstance(up, list) else -1
        if not 0 < length <= MAX_STEPS:
            raise Refused(Reason.MALFORMED, "up_kw")
        seq = body.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise Refused(Reason.MALFORMED, "seq")
        return cls(
            start=number(body, "start"),
            step_s=number(body, "step_s", minimum=60.0),
            up_kw=tuple(numbers(body, "up_kw", length=length)),
            down_kw=tuple(numbers(body, "down_kw", length=length)),
            price_per_kwh=tuple(numbers(body, "price_per_kwh", length=length)),
            seq=seq,
            issued=number(body, "ts"),
        )

    def capacity(self, direction: Direction, start: float, end: float) -> tuple[float, float]:
        """(kW the member can hold over all of [start, end), the highest price it asks there).

        A window reaching outside the envelope gets nothing, as the member would commit nothing.
        """
        if start < self.start or end > self.end or end <= start:
            return 0.0, 0.0
        values = self.up_kw if direction is Direction.UP else self.down_kw
        first = int((start - self.start) // self.step_s)
        last = int(-((self.start - end) // self.step_s))  # ceiling
        return min(values[first:last]), max(self.price_per_kwh[first:last])


@dataclass(frozen=True, slots=True)
class Request:
    """A flexibility request to one member (``to``) or to every member (``to`` = ``*``)."""

    request_id: str
    to: str
    direction: Direction
    power_kw: float
    start: float
    end: float
    price_per_kwh: float
    expires: float

    def body(self, community: str, sender: str, now: float) -> dict[str, Any]:
        """The JSON body."""
        return header(Kind.REQUEST, community, sender, now) | {
            "id": self.request_id,
            "to": self.to,
            "direction": self.direction.value,
            "power_kw": round(self.power_kw, 3),
            "start": self.start,
            "end": self.end,
            "price_per_kwh": self.price_per_kwh,
            "expires": self.expires,
        }

    @classmethod
    def parse(cls, body: dict[str, Any], now: float) -> Request:
        """From a checked body; an expired or too long-lived request is refused."""
        expires = check_lifetime(body, now)
        request = cls(
            request_id=text(body, "id"),
            to=text(body, "to"),
            direction=_direction(body),
            power_kw=number(body, "power_kw", minimum=0.0),
            start=number(body, "start"),
            end=number(body, "end"),
            price_per_kwh=number(body, "price_per_kwh", minimum=0.0),
            expires=expires,
        )
        if request.end <= request.start or request.end <= now:
            raise Refused(Reason.MALFORMED, "window")
        return request


@dataclass(frozen=True, slots=True)
class Commitment:
    """A member's answer to a request."""

    request_id: str
    committed_kw: float
    answer: Answer
    start: float
    end: float
    commitment_id: str | None = None

    def body(self, community: str, sender: str, now: float) -> dict[str, Any]:
        """The JSON body."""
        return header(Kind.COMMITMENT, community, sender, now) | {
            "request_id": self.request_id,
            "committed_kw": self.committed_kw,
            "answer": self.answer.value,
            "start": self.start,
            "end": self.end,
            "commitment_id": self.commitment_id,
        }

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Commitment:
        """From a checked body."""
        try:
            answer = Answer(str(body.get("answer")))
        except ValueError as err:
            raise Refused(Reason.MALFORMED, "answer") from err
        commitment_id = body.get("commitment_id")
        if commitment_id is not None and not isinstance(commitment_id, str):
            raise Refused(Reason.MALFORMED, "commitment_id")
        return cls(
            request_id=text(body, "request_id"),
            committed_kw=number(body, "committed_kw", minimum=0.0),
            answer=answer,
            start=number(body, "start"),
            end=number(body, "end"),
            commitment_id=commitment_id,
        )


@dataclass(frozen=True, slots=True)
class Signal:
    """A grid operator's limit for one member or every member; ``clear`` lifts them all."""

    signal_id: str
    to: str
    start: float
    end: float | None
    import_limit_kw: float | None
    export_limit_kw: float | None
    expires: float
    clear: bool = False

    def body(self, community: str, sender: str, now: float) -> dict[str, Any]:
        """The JSON body."""
        return header(Kind.SIGNAL, community, sender, now) | {
            "id": self.signal_id,
            "to": self.to,
            "start": self.start,
            "end": self.end,
            "import_limit_kw": self.import_limit_kw,
            "export_limit_kw": self.export_limit_kw,
            "expires": self.expires,
            "clear": self.clear,
        }

    @classmethod
    def parse(cls, body: dict[str, Any], now: float) -> Signal:
        """From a checked body."""
        expires = check_lifetime(body, now)
        end = body.get("end")
        signal = cls(
            signal_id=text(body, "id"),
            to=text(body, "to"),
            start=number(body, "start"),
            end=None if end is None else number(body, "end"),
            import_limit_kw=optional_number(body, "import_limit_kw"),
            export_limit_kw=optional_number(body, "export_limit_kw"),
            expires=expires,
            clear=body.get("clear") is True,
        )
        if signal.end is not None and signal.end <= signal.start:
            raise Refused(Reason.MALFORMED, "window")
        return signal


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a member delivered on one commitment it made to a community request."""

    request_id: str
    committed_kw: float
    delivered_kwh: float
    revenue: float


@dataclass(frozen=True, slots=True)
class State:
    """A member's committed flexibility, deliveries and a few KPIs (no personal data)."""

    committed_up_kw: float = 0.0
    committed_down_kw: float = 0.0
    delivered_kwh: float = 0.0
    revenue: float = 0.0
    deliveries: tuple[Delivery, ...] = ()
    kpis: dict[str, float] = field(default_factory=dict)

    def body(self, community: str, sender: str, now: float) -> dict[str, Any]:
        """The JSON body."""
        return header(Kind.STATE, community, sender, now) | {
            "committed_up_kw": round(self.committed_up_kw, 3),
            "committed_down_kw": round(self.committed_down_kw, 3),
            "delivered_kwh": round(self.delivered_kwh, 4),
            "revenue": round(self.revenue, 4),
            "commitments": [
                {
                    "request_id": d.request_id,
                    "committed_kw": d.committed_kw,
                    "delivered_kwh": round(d.delivered_kwh, 4),
                    "revenue": round(d.revenue, 4),
                }
                for d in self.deliveries[:MAX_COMMITMENTS_REPORTED]
            ],
            "kpis": {k: round(v, 4) for k, v in self.kpis.items()},
        }

    @classmethod
    def parse(cls, body: dict[str, Any]) -> State:
        """From a checked body."""
        items = body.get("commitments")
        kpis = body.get("kpis", {})
        if not isinstance(items, list) or not isinstance(kpis, dict):
            raise Refused(Reason.MALFORMED, "commitments")
        deliveries = []
        for item in items:
            if not isinstance(item, dict):
                raise Refused(Reason.MALFORMED, "commitments")
            deliveries.append(
                Delivery(
                    request_id=text(item, "request_id"),
                    committed_kw=number(item, "committed_kw", minimum=0.0),
                    delivered_kwh=number(item, "delivered_kwh", minimum=0.0),
                    revenue=number(item, "revenue"),
                )
            )
        return cls(
            committed_up_kw=number(body, "committed_up_kw", minimum=0.0),
            committed_down_kw=number(body, "committed_down_kw", minimum=0.0),
            delivered_kwh=number(body, "delivered_kwh", minimum=0.0),
            revenue=number(body, "revenue"),
            deliveries=tuple(deliveries),
            kpis={str(k): number(kpis, k) for k in kpis},
        )


@dataclass(frozen=True, slots=True)
class CommunityRequest:
    """A grid operator's (or anyone holding the key's) request for the whole community."""

    request_id: str
    direction: Direction
    power_kw: float
    start: float
    end: float
    max_price_per_kwh: float
    expires: float

    def body(self, community: str, sender: str, now: float) -> dict[str, Any]:
        """The JSON body."""
        return header(Kind.COMMUNITY_REQUEST, community, sender, now) | {
            "id": self.request_id,
            "direction": self.direction.value,
            "power_kw": self.power_kw,
            "start": self.start,
            "end": self.end,
            "max_price_per_kwh": self.max_price_per_kwh,
            "expires": self.expires,
        }

    @classmethod
    def parse(cls, body: dict[str, Any], now: float) -> CommunityRequest:
        """From a checked body."""
        expires = check_lifetime(body, now)
        request = cls(
            request_id=text(body, "id"),
            direction=_direction(body),
            power_kw=number(body, "power_kw", minimum=0.0),
            start=number(body, "start"),
            end=number(body, "end"),
            max_price_per_kwh=number(body, "max_price_per_kwh", minimum=0.0),
            expires=expires,
        )
        if request.end <= max(request.start, now):
            raise Refused(Reason.MALFORMED, "window")
        return request


def availability_body(
    community: str, sender: str, now: float, *, online: bool, interval_s: float
) -> dict[str, Any]:
    """A member's retained availability: ``online`` when it starts, ``offline`` when it unloads."""
    return header(Kind.AVAILABILITY, community, sender, now) | {
        "state": "online" if online else "offline",
        "interval_s": interval_s,
    }
