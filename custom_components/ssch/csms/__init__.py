"""The embedded OCPP 2.1 / 2.0.1 / 1.6J server (CSMS) of the hub, independent of Home Assistant.

Stations connect to ``ws[s]://<host>:<port>/<any path>/<station id>`` offering the subprotocol
``ocpp2.1``, ``ocpp2.0.1`` and/or ``ocpp1.6``, with HTTP Basic auth (username = station id). The
newest version offered is chosen. The version the installer declared, else the first version a
station connects with, is pinned; a later connection offering only another version is refused
(``reset_version_pin`` releases it). The newest connection of a station wins. A 1.6 connector is an
EVSE; discharge (V2G) needs OCPP 2.1.

Typical use::

    server = CsmsServer("0.0.0.0", 9000, StationRegistry({"CS01": StationConfig(hash)}), store)
    unsubscribe = server.listen(on_event)
    await server.start()
    await server.station("CS01").set_setpoint(1, -7.4)   # kW, negative = discharge
    await server.stop()

Power is signed everywhere in this package: positive flows into the EV.
"""

from .commands import SetpointResult, StationHandle, VariableRef
from .errors import (
    CallError,
    CallTimeout,
    CommandRejected,
    CsmsError,
    InvalidRequest,
    NoTransaction,
    NotSupportedByVersion,
    StationOffline,
    UnknownStation,
)
from .registry import PendingStation, StationConfig, StationRegistry
from .server import CsmsServer
from .settings import CsmsSettings
from .state import EvLimits, EvseState, StationState
from .store import JsonFileStore, MemoryStore, StateStore

__all__ = [
    "CallError",
    "CallTimeout",
    "CommandRejected",
    "CsmsError",
    "CsmsServer",
    "CsmsSettings",
    "EvLimits",
    "EvseState",
    "InvalidRequest",
    "JsonFileStore",
    "MemoryStore",
    "NoTransaction",
    "NotSupportedByVersion",
    "PendingStation",
    "SetpointResult",
    "StateStore",
    "StationConfig",
    "StationHandle",
    "StationOffline",
    "StationRegistry",
    "StationState",
    "UnknownStation",
    "VariableRef",
]
