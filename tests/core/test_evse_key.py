"""EVSE keys and session ids are made and read in one place."""

from __future__ import annotations

from custom_components.ssch.core.evse_key import (
    evse_key,
    session_evse,
    session_id,
    split_evse_key,
    station_of,
)


def test_a_key_reads_back_as_it_was_made() -> None:
    key = evse_key("CS-01.a", 2)
    assert key == "CS-01.a:2"
    assert split_evse_key(key) == ("CS-01.a", 2)
    assert station_of(key) == "CS-01.a"


def test_a_session_id_names_its_evse() -> None:
    session = session_id(evse_key("CS01", 1), "tx-7:retry")
    assert session == "CS01:1:tx-7:retry"
    assert session_evse(session) == ("CS01", 1)
    assert session_evse("CS01") == ("CS01", None)
