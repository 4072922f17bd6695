"""The planner's name for one EVSE, ``"<station id>:<EVSE number>"``, made and read in one place.

Station ids never contain ":" (the handshake refuses them), so the last ":" separates the EVSE number.
A session's id is the EVSE key, ":" and the transaction id.
"""

from __future__ import annotations

from typing import NewType

EvseKey = NewType("EvseKey", str)


def evse_key(station_id: str, evse_id: int) -> EvseKey:
    """The key of EVSE ``evse_id`` of station ``station_id``."""
    return EvseKey(f"{station_id}:{evse_id}")


def split_evse_key(key: str) -> tuple[str, int]:
    """The station id and EVSE number of a key."""
    station_id, _, number = key.rpartition(":")
    return station_id, int(number)


def station_of(key: str) -> str:
    """The station id of a key."""
    return key.rpartition(":")[0]


def session_id(key: EvseKey, transaction_id: str) -> str:
    """The id of the session of transaction ``transaction_id`` at the EVSE ``key``."""
    return f"{key}:{transaction_id}"


def session_evse(session: str) -> tuple[str, int | None]:
    """The station id and EVSE number of a session id (None when the id does not carry one)."""
    station_id, _, rest = session.partition(":")
    number = rest.partition(":")[0]
    return station_id, int(number) if number.isdigit() else None
