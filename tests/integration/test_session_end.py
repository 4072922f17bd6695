"""The energy a car left with, as the share of sessions that met their target sees it."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest

from custom_components.ssch.core.session_end import LastSeen, energy_at_departure

from .common import charger_data, hub_entry, load_hub, set_source_states, subentry

SEEN = LastSeen(energy_kwh=40.0, capacity_kwh=60.0, metered_kwh=10.0, charge_efficiency=0.9)


def test_the_cars_own_last_soc_wins() -> None:
    assert energy_at_departure(SEEN, metered_kwh=99.0, soc_pct=80.0) == pytest.approx(48.0)
    assert energy_at_departure(SEEN, metered_kwh=99.0, soc_pct=130.0) == pytest.approx(60.0)


def test_without_soc_the_metered_energy_since_the_last_plan_is_added_minus_losses() -> None:
    assert energy_at_departure(SEEN, metered_kwh=15.0, soc_pct=None) == pytest.approx(44.5)
    # V2G since the last plan: the car gave more than the meter saw.
    assert energy_at_departure(SEEN, metered_kwh=7.3, soc_pct=None) == pytest.approx(37.0)
    assert energy_at_departure(SEEN, metered_kwh=100.0, soc_pct=None) == pytest.approx(60.0)


async def test_sessions_gone_without_an_end_are_forgotten(hass: HomeAssistant) -> None:
    """A transaction that vanished (station removed, never ended) does not stay in memory."""
    set_source_states(hass)
    entry = await load_hub(hass, hub_entry(subentry("charger", charger_data("CS01", evse_count=1), "CS01")))
    ems = entry.runtime_data.ems
    ems.server.state("CS01").evse(1).start_session("open")
    ems._last_seen = dict.fromkeys(("CS01:1:open", "CS01:1:gone", "CS99:1:removed"), SEEN)
    ems._track_sessions(ems.data.snapshot)
    assert set(ems._last_seen) == {"CS01:1:open"}
