"""The aggregator's view of the members: who is online, their envelopes, states and deliveries."""

from __future__ import annotations

from dataclasses import dataclass

from .messages import Direction, Envelope, State
from .protocol import Reason, Refused
from .topics import DEFAULT_INTERVAL_S, STALE_INTERVALS

FOUR_HOURS_S = 4 * 3600.0


@dataclass(slots=True)
class MemberView:
    """What the aggregator last heard from one member."""

    member_id: str
    announced_online: bool = False
    interval_s: float = DEFAULT_INTERVAL_S
    last_heard: float = 0.0
    availability_ts: float = 0.0
    offline_since: float = 0.0
    envelope: Envelope | None = None
    state: State | None = None
    state_ts: float = 0.0

    def online(self, now: float) -> bool:
        """Announced online and heard from within :data:`STALE_INTERVALS` publish intervals."""
        return (
            self.announced_online
            and self.envelope is not None
            and now - self.last_heard <= STALE_INTERVALS * self.interval_s
        )

    def gone(self, now: float, grace_s: float) -> bool:
        """Offline for good: silent too long, or announced offline at least ``grace_s`` ago (a hub that
        reloads says offline and online again within seconds, and keeps its commitments meanwhile)."""
        if self.online(now):
            return False
        return self.announced_online or now - self.offline_since >= grace_s


@dataclass(frozen=True, slots=True)
class CommunityFlex:
    """The online members' flexibility added up."""

    members_online: int = 0
    up_kw: float = 0.0
    down_kw: float = 0.0
    up_kwh_4h: float = 0.0
    down_kwh_4h: float = 0.0


class EnvelopeBook:
    """Every member heard of; messages older than what is held are refused as out of order."""

    def __init__(self) -> None:
        """No member yet."""
        self.members: dict[str, MemberView] = {}

    def _view(self, member_id: str) -> MemberView:
        view = self.members.get(member_id)
        if view is None:
            view = self.members[member_id] = MemberView(member_id)
        return view

    def availability(self, member_id: str, ts: float, now: float, *, online: bool, interval_s: float) -> bool:
        """Record a member's availability (sent at ``ts``, received ``now``); True when it changed."""
        view = self._view(member_id)
        if ts < view.availability_ts:
            raise Refused(Reason.OUT_OF_ORDER)
        changed = view.announced_online != online
        view.availability_ts, view.announced_online = ts, online
        if changed and not online:
            view.offline_since = now
        view.interval_s = max(interval_s, 1.0)
        if online:
            view.last_heard = max(view.last_heard, ts)
        return changed

    def envelope(self, member_id: str, envelope: Envelope, now: float) -> None:
        """Record an envelope (a newer ``seq`` than the one held)."""
        view = self._view(member_id)
        if view.envelope is not None and envelope.seq <= view.envelope.seq:
            raise Refused(Reason.OUT_OF_ORDER)
        view.envelope = envelope
        view.last_heard = max(view.last_heard, min(envelope.issued, now))

    def state(self, member_id: str, state: State, ts: float) -> None:
        """Record a state report."""
        view = self._view(member_id)
        if ts < view.state_ts:
            raise Refused(Reason.OUT_OF_ORDER)
        view.state, view.state_ts = state, ts

    def online(self, now: float) -> list[MemberView]:
        """The members that count now."""
        return [view for view in self.members.values() if view.online(now)]

    def flexibility(self, now: float) -> CommunityFlex:
        """Up/down kW now and kWh over the next 4 h of the online members."""
        members = self.online(now)
        up = down = up_kwh = down_kwh = 0.0
        horizon = now + FOUR_HOURS_S
        for view in members:
            envelope = view.envelope
            assert envelope is not None
            for index in range(len(envelope.up_kw)):
                step_start = envelope.start + index * envelope.step_s
                step_end = step_start + envelope.step_s
                if step_start <= now < step_end:
                    up += envelope.up_kw[index]
                    down += envelope.down_kw[index]
                hours = max(0.0, min(step_end, horizon) - max(step_start, now)) / 3600.0
                up_kwh += envelope.up_kw[index] * hours
                down_kwh += envelope.down_kw[index] * hours
        return CommunityFlex(len(members), up, down, up_kwh, down_kwh)

    def capacity(self, member_id: str, direction: Direction, start: float, end: float) -> tuple[float, float]:
        """(kW, asking price) a member offers over [start, end); nothing if it is unknown."""
        view = self.members.get(member_id)
        if view is None or view.envelope is None:
            return 0.0, 0.0
        return view.envelope.capacity(direction, start, end)
