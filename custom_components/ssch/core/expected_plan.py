"""Planning with expected (forecast) cars: they get virtual chargers and are left out of the plan."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .flexibility import flexibility_envelope
from .model import Evse, EvSession, Plan, SiteSnapshot

if TYPE_CHECKING:
    from .planner import PlanMaker

EXPECTED_PREFIX = "expected:"


def with_expected_sessions(snapshot: SiteSnapshot, expected: list[EvSession]) -> SiteSnapshot:
    """``snapshot`` plus ``expected`` sessions; a session on a charger the site does not have gets a
    virtual charger of that name (a learned bin stands for several cars at once)."""
    known = {evse.evse_id for evse in snapshot.evses}
    evses = tuple(
        Evse(session.evse_id, session.max_charge_kw) for session in expected if session.evse_id not in known
    )
    return replace(snapshot, evses=snapshot.evses + evses, sessions=snapshot.sessions + tuple(expected))


def without_expected(plan: Plan) -> Plan:
    """The plan with the virtual chargers and expected sessions left out (site totals unchanged)."""
    return replace(
        plan,
        evse_power_kw={
            key: value for key, value in plan.evse_power_kw.items() if not key.startswith(EXPECTED_PREFIX)
        },
        session_outcomes={
            key: value for key, value in plan.session_outcomes.items() if not key.startswith(EXPECTED_PREFIX)
        },
    )


def plan_with_expected(planner: PlanMaker, snapshot: SiteSnapshot, expected: list[EvSession]) -> Plan:
    """The plan for ``snapshot`` that keeps room for ``expected`` cars, without them in it.

    Its flexibility counts only the cars that are here: a grid operator cannot be offered the
    energy of a car that may not come."""
    if not expected:
        return planner.plan(snapshot)
    plan = without_expected(planner.plan(with_expected_sessions(snapshot, expected)))
    envelope = flexibility_envelope(
        snapshot, plan.evse_power_kw, plan.battery_power_kw, plan.pv_curtailment_kw
    )
    return replace(plan, flexibility=envelope)
