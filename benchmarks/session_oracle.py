"""The true upcoming sessions of a scenario, for the MPC run that is told every future arrival."""

from __future__ import annotations

from dataclasses import replace

from benchmarks.core_controllers import SessionSource
from benchmarks.scenario import Scenario
from benchmarks.site_state import SiteState
from benchmarks.snapshots import ev_session
from custom_components.ssch.core.expected_plan import EXPECTED_PREFIX
from custom_components.ssch.core.model import EvSession, SiteSnapshot


def oracle_sessions(scenario: Scenario, state: SiteState) -> SessionSource:
    """Every session that plugs in after now and before the plan's end, on its real charger, as the
    perfect LP knows it (arrival, departure, energies); targets stay soft like learned ones."""

    def source(snapshot: SiteSnapshot) -> list[EvSession]:
        now, end = snapshot.now, snapshot.grid.end
        upcoming = []
        for session in state.sessions:
            arrival = scenario.time_of(session.first_step)
            if now < arrival < end:
                car = ev_session(scenario, session)
                upcoming.append(
                    replace(
                        car,
                        session_id=EXPECTED_PREFIX + car.session_id,
                        energy_kwh=session.spec.energy_initial_kwh,
                        hard_target=False,
                        plugged_in=False,
                    )
                )
        return upcoming

    return source
