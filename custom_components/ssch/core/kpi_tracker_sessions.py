"""Charging sessions as the KPI tracker sees them: whether each met its target, and the
uncontrolled counterfactual of each (full power from arrival, or from when it was first reported if
that was later, until the target is stored)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
import logging
from typing import Any

from .kpi import SessionResult
from .kpi_tracker_steps import finite, utc

_LOGGER = logging.getLogger(__name__)

# A session that never reports its end is forgotten this long after its planned departure.
STALE_AFTER = timedelta(days=2)


@dataclass(slots=True)
class TrackedSession:
    """One session; energies are stored in the car, ``max_charge_kw`` is at the charger."""

    session_id: str
    evse_id: str
    arrival: datetime
    departure: datetime
    energy_kwh: float
    target_energy_kwh: float
    capacity_kwh: float
    max_charge_kw: float
    charge_efficiency: float
    ended_at: datetime | None = None
    # For a session reported after its arrival the counterfactual starts at the report, so that it
    # still draws the whole request inside the recorded time.
    reported_at: datetime | None = None
    # False while the arrival energy is an assumption; the car's first reported SoC replaces it.
    energy_measured: bool = True

    @property
    def uncontrolled_start(self) -> datetime:
        return self.arrival if self.reported_at is None else max(self.arrival, self.reported_at)

    @property
    def requested_kwh(self) -> float:
        goal = min(self.target_energy_kwh, self.capacity_kwh) if self.capacity_kwh > 0 else 0.0
        return max(0.0, goal - self.energy_kwh)

    @property
    def uncontrolled_stop(self) -> datetime:
        """When the same car, charged uncontrolled, would have stored its target (or left)."""
        power_kw = self.max_charge_kw * self.charge_efficiency
        hours = self.requested_kwh / power_kw if power_kw > 0 else 0.0
        stop = self.uncontrolled_start + timedelta(hours=hours)
        return stop if self.ended_at is None else min(stop, self.ended_at)

    def uncontrolled_kwh(self, start: datetime, end: datetime) -> float:
        """Energy drawn by the uncontrolled counterfactual in [start, end)."""
        overlap = min(end, self.uncontrolled_stop) - max(start, self.uncontrolled_start)
        return max(0.0, overlap.total_seconds() / 3600.0) * self.max_charge_kw

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("arrival", "departure", "ended_at", "reported_at"):
            moment = data[key]
            data[key] = None if moment is None else moment.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrackedSession:
        ended, reported = data["ended_at"], data["reported_at"]
        return cls(
            session_id=str(data["session_id"]),
            evse_id=str(data["evse_id"]),
            arrival=utc(datetime.fromisoformat(data["arrival"]), "arrival"),
            departure=utc(datetime.fromisoformat(data["departure"]), "departure"),
            energy_kwh=finite(data["energy_kwh"]),
            target_energy_kwh=finite(data["target_energy_kwh"]),
            capacity_kwh=finite(data["capacity_kwh"]),
            max_charge_kw=finite(data["max_charge_kw"]),
            charge_efficiency=finite(data["charge_efficiency"]),
            ended_at=None if ended is None else utc(datetime.fromisoformat(ended), "ended_at"),
            reported_at=None if reported is None else utc(datetime.fromisoformat(reported), "reported_at"),
            energy_measured=bool(data.get("energy_measured", True)),
        )


class SessionLedger:
    """Open sessions (kept while their counterfactual still draws power) and completed counts."""

    def __init__(self) -> None:
        self.sessions: dict[str, TrackedSession] = {}
        self.completed = 0
        self.met = 0
        self.unmet_kwh = 0.0
        self._warned = False

    def start(self, session: TrackedSession) -> None:
        """Add a session; reporting an open one again (a restart, new needs) keeps its arrival and
        the energy it arrived with, so its result is still judged against the whole stay. An assumed
        arrival energy gives way to the first measured one."""
        known = self.sessions.get(session.session_id)
        if known is not None and known.ended_at is None:
            keep_energy = known.energy_measured or not session.energy_measured
            session = replace(
                session,
                arrival=known.arrival,
                energy_kwh=known.energy_kwh if keep_energy else session.energy_kwh,
                energy_measured=known.energy_measured or session.energy_measured,
                reported_at=known.reported_at,
            )
        self.sessions[session.session_id] = session

    def end(self, session_id: str, at: datetime, energy_kwh: float) -> None:
        session = self.sessions.get(session_id)
        if session is None or session.ended_at is not None:
            if not self._warned:
                self._warned = True
                _LOGGER.warning("Session %s ended but was not started (or ended twice)", session_id)
            return
        session.ended_at = max(utc(at, "at"), session.arrival)
        result = SessionResult(session.requested_kwh, energy_kwh - session.energy_kwh)
        self.completed += 1
        self.met += int(result.met)
        self.unmet_kwh += result.unmet_kwh

    def uncontrolled_kw(self, start: datetime, end: datetime) -> float:
        """Mean power of all uncontrolled counterfactuals over [start, end), start < end."""
        hours = (end - start).total_seconds() / 3600.0
        return sum(s.uncontrolled_kwh(start, end) for s in self.sessions.values()) / hours

    def prune(self, now: datetime) -> None:
        """Forget ended sessions whose counterfactual is over, and sessions that never ended."""
        for session_id, session in list(self.sessions.items()):
            ended_and_done = session.ended_at is not None and session.uncontrolled_stop <= now
            if ended_and_done or session.departure + STALE_AFTER < now:
                del self.sessions[session_id]

    @property
    def met_share(self) -> float | None:
        return self.met / self.completed if self.completed else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessions": [session.to_dict() for session in self.sessions.values()],
            "completed": self.completed,
            "met": self.met,
            "unmet_kwh": self.unmet_kwh,
        }

    def load(self, data: dict[str, Any]) -> None:
        sessions = [TrackedSession.from_dict(item) for item in data["sessions"]]
        completed, met = int(data["completed"]), int(data["met"])
        if not 0 <= met <= completed:
            raise ValueError("session counts are inconsistent")
        self.sessions = {session.session_id: session for session in sessions}
        self.completed, self.met = completed, met
        self.unmet_kwh = finite(data["unmet_kwh"])
