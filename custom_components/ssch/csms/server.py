"""The embedded CSMS: an aiohttp websocket server for OCPP 2.1 / 2.0.1 stations.

Duplicate-connection policy: the newest authenticated connection of a station wins. Stations
often reconnect before the old TCP connection is known to be dead; the old websocket is closed
with the reason "superseded by a new connection" and logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
import logging
import ssl
from typing import Any

from aiohttp import WSCloseCode, web

from .accept_guard import AcceptFailureReporter
from .actions import INCOMING_ACTIONS
from .admission import Admission, guarded_factory
from .authorization import TokenAuthority
from .commands import COMMAND_ACTIONS, StationHandle
from .credentials import CredentialCache
from .errors import UnknownStation
from .events import (
    CsmsEvent,
    EventListener,
    StationConnected,
    StationDisconnected,
    StationPending,
)
from .handshake import Gatekeeper
from .http_log import PeerErrorLogger
from .journal import Record, StateJournal
from .persistence import Persistence
from .registry import PendingStation, StationConfig, StationRegistry
from .schemas import SUBPROTOCOLS, preload_validators
from .settings import CsmsSettings
from .signing import CertificateSigner
from .state import StationState
from .station import Session
from .store import StateStore

_LOGGER = logging.getLogger(__name__)
_STORE_VERSION = 1
_MAX_LOGGED_KINDS = 100


class CsmsServer:
    """One hub's OCPP server: handshake, sessions, durable state and events."""

    def __init__(
        self,
        host: str,
        port: int,
        registry: StationRegistry,
        store: StateStore,
        *,
        adopt_unknown: bool = False,
        ssl_context: ssl.SSLContext | None = None,
        settings: CsmsSettings | None = None,
        journal: StateJournal | None = None,
        authority: TokenAuthority | None = None,
        signer: CertificateSigner | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.registry = registry
        self.adopt_unknown = adopt_unknown
        self.settings = settings or CsmsSettings()
        self._ssl_context = ssl_context
        self.authority = authority or TokenAuthority()
        self.signer = signer
        self._persistence = Persistence(
            store, journal, self._snapshot, self._record, self.settings.save_delay_s
        )
        self._credentials = CredentialCache(self.settings.auth_failure_lockout_s)
        self._states: dict[str, StationState] = {}
        self._sessions: dict[str, Session] = {}
        self._listeners: list[EventListener] = []
        self._logged: dict[str, set[str]] = {}
        self._runner: web.AppRunner | None = None
        self._listener: asyncio.Server | None = None
        self._accept_failures: AcceptFailureReporter | None = None
        self._admission = Admission(
            self.settings.handshake_timeout_s,
            self.settings.handshake_sockets_per_address,
            self.settings.handshake_bytes,
        )
        self._gatekeeper = Gatekeeper(
            registry,
            self.settings,
            self._credentials,
            pinned_version=self._pinned_version,
            connected=self._sessions,
            adopt_unknown=lambda: self.adopt_unknown,
            emit=self._emit,
            log_once=self._log_once,
        )

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the durable state and listen; ``port=0`` picks a free port (see :attr:`port`)."""
        await self._load()
        await asyncio.get_running_loop().run_in_executor(
            None, preload_validators, INCOMING_ACTIONS, COMMAND_ACTIONS
        )
        app = web.Application()
        app.router.add_get("/{path:.*}", self._handle)
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=2.0,
            logger=PeerErrorLogger(logging.getLogger(f"{__name__}.http")),
        )
        await runner.setup()
        if runner.server is None:
            raise RuntimeError("aiohttp runner has no server after setup")
        try:
            # The protocol factory is wrapped so sockets that never become websockets are bounded.
            self._listener = await asyncio.get_running_loop().create_server(
                guarded_factory(runner.server, self._admission),
                self.host,
                self.port,
                ssl=self._ssl_context,
                ssl_handshake_timeout=self.settings.handshake_timeout_s if self._ssl_context else None,
                reuse_address=True,
            )
        except OSError:
            await runner.cleanup()
            await self._persistence.release()
            raise
        self._runner = runner
        self.port = int(self._listener.sockets[0].getsockname()[1])
        self._accept_failures = AcceptFailureReporter(asyncio.get_running_loop(), self._listening_sockets)
        self._accept_failures.install()
        _LOGGER.info("OCPP server listening on %s:%s", self.host, self.port)

    async def stop(self) -> bool:
        """Close every connection, cancel every task, release the port and save the state.

        Returns whether the final save worked (the journal keeps the records when it did not).
        """
        sessions = list(self._sessions.values())
        await asyncio.gather(
            *(session.close("server shutting down") for session in sessions), return_exceptions=True
        )
        if self._accept_failures is not None:
            self._accept_failures.uninstall()
            self._accept_failures = None
        if self._listener is not None:
            self._listener.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._listener is not None:
            await self._listener.wait_closed()
            self._listener = None
        self._admission.close_all()
        await self._credentials.close()
        try:
            await self._persistence.close()
        except (OSError, TypeError, ValueError) as error:
            _LOGGER.error("Saving the station state at shutdown failed; the journal keeps it: %r", error)
            return False
        return True

    def _listening_sockets(self) -> list[Any]:
        return list(self._listener.sockets) if self._listener is not None else []

    # ---- public API ------------------------------------------------------------------------

    def listen(self, callback: EventListener) -> Callable[[], None]:
        """Register an event listener; returns a function that unregisters it."""
        self._listeners.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(callback)

        return unsubscribe

    def state(self, station_id: str) -> StationState:
        """The current state of a configured station."""
        if station_id not in self.registry and station_id not in self._states:
            raise UnknownStation(station_id)
        return self._state_of(station_id)

    def station(self, station_id: str) -> StationHandle:
        """Command handle of a configured or pending station."""
        if station_id not in self.registry and station_id not in self.registry.pending:
            raise UnknownStation(station_id)
        return StationHandle(self, station_id)

    def session(self, station_id: str) -> Session | None:
        """The live session of ``station_id``, if connected."""
        return self._sessions.get(station_id)

    @property
    def pending_stations(self) -> dict[str, PendingStation]:
        """Unknown stations that connected while adopting is enabled."""
        return self.registry.pending

    def dismiss_pending(self, station_id: str) -> None:
        """Forget a pending station (the installer ignored it); it may show up again."""
        self.registry.pending.pop(station_id, None)

    def set_v2g_allowed(self, station_id: str, evse_id: int, allowed: bool) -> None:
        """Allow or forbid bidirectional transfer on one EVSE (effective for new authorizations)."""
        self.state(station_id).evse(evse_id).v2g_allowed = allowed
        self._persistence.mark_dirty()

    def reset_version_pin(self, station_id: str) -> None:
        """Forget the pinned OCPP version, e.g. after a firmware upgrade from 2.0.1 to 2.1."""
        self.state(station_id).ocpp_version = None
        self._persistence.mark_dirty()

    async def update_registry(self, stations: Mapping[str, StationConfig]) -> None:
        """Replace the configured stations.

        Removed stations are disconnected and forgotten; a changed password disconnects the
        station (it must log in again); other changes apply to the live connection.
        """
        before = self.registry.configs()
        added, removed, changed = self.registry.replace(stations)
        to_close: list[tuple[str, str]] = []
        for station_id in removed:
            self._states.pop(station_id, None)
            to_close.append((station_id, "station removed from the hub"))
        for station_id in changed:
            if stations[station_id].password_hash != before[station_id].password_hash:
                to_close.append((station_id, "station credentials changed"))
            elif (live := self._sessions.get(station_id)) is not None:
                live.config = stations[station_id]
        for station_id in added:
            to_close.append((station_id, "station adopted; reconnect with credentials"))
        for station_id in removed | changed | added:
            self._credentials.forget(station_id)
        for station_id, reason in to_close:
            session = self._sessions.get(station_id)
            if session is not None:
                await session.close(reason, WSCloseCode.POLICY_VIOLATION)
        self._persistence.mark_dirty()

    async def save(self) -> None:
        """Save a snapshot of the durable state now."""
        await self._persistence.save()

    # ---- events and logging ----------------------------------------------------------------

    def _emit(self, event: CsmsEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                self._log_once(event.station_id, "listener", "event listener failed")

    def _log_once(self, station_id: str, kind: str, message: str) -> None:
        seen = self._logged.setdefault(station_id, set())
        # Kinds can name peer-chosen actions: bound the memory a misbehaving station can take.
        if kind in seen or len(seen) >= _MAX_LOGGED_KINDS:
            return
        seen.add(kind)
        _LOGGER.warning("Station %s: %s (further occurrences not logged)", station_id, message)

    # ---- state -----------------------------------------------------------------------------

    def _state_of(self, station_id: str) -> StationState:
        state = self._states.get(station_id)
        if state is None:
            state = self._states[station_id] = StationState(station_id)
        return state

    def _snapshot(self) -> dict[str, Any]:
        return {
            "version": _STORE_VERSION,
            "stations": {
                station_id: state.to_dict()
                for station_id, state in self._states.items()
                if station_id in self.registry
            },
        }

    def _pinned_version(self, station_id: str) -> str | None:
        state = self._states.get(station_id)
        return state.ocpp_version if state is not None else None

    def _record(self, station_id: str) -> Record:
        state = self._states.get(station_id)
        return state.to_dict() if state is not None and station_id in self.registry else None

    async def _load(self) -> None:
        data = await self._persistence.load()
        for station_id, station_data in dict(data.get("stations", {})).items():
            try:
                self._states[station_id] = StationState.from_dict(station_id, station_data)
            except (TypeError, ValueError, AttributeError):
                _LOGGER.warning("Ignoring unreadable saved state of station %s", station_id)
        try:
            # The journal replayed into one snapshot: the next start reads one file again.
            await self._persistence.save()
        except (OSError, TypeError, ValueError) as error:
            _LOGGER.error("Saving the loaded station state failed; the journal keeps it: %r", error)

    # ---- handshake -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        # The whole request arrived: the socket is no longer idle or dribbling.
        self._admission.request_received(request.transport)
        try:
            admitted = await self._gatekeeper.admit(request)
        except web.HTTPException as refusal:
            refusal.force_close()  # a refused socket is not kept open for another try
            raise
        config, station_id = admitted.config, admitted.station_id
        ws = web.WebSocketResponse(
            protocols=(admitted.subprotocol,),
            max_msg_size=self.settings.hard_frame_limit,
            autoping=False,  # the session answers pings and runs its own keep-alive
        )
        await ws.prepare(request)
        version = SUBPROTOCOLS[admitted.subprotocol]
        state = self._state_of(station_id) if config is not None else StationState(station_id)
        session = Session(
            ws,
            state,
            version,
            config=config,
            pending=admitted.pending,
            settings=self.settings,
            emit=self._emit,
            persist=self._persistence.persist,
            log_once=self._log_once,
            authority=self.authority,
            signer=self.signer,
        )
        await self._serve(session, first_time=state.ocpp_version is None)
        return ws

    async def _serve(self, session: Session, *, first_time: bool) -> None:
        station_id, state = session.station_id, session.state
        previous = self._sessions.get(station_id)
        self._sessions[station_id] = session
        if previous is not None:
            _LOGGER.info("Station %s: closing the older of two connections", station_id)
            await previous.close("superseded by a new connection", WSCloseCode.POLICY_VIOLATION)
        if session.pending is not None:
            self._emit(StationPending(station_id, session.pending.remote))
        else:
            if not first_time:
                state.reconnects += 1
            state.ocpp_version = session.ocpp_version
            state.connected = True
            self._persistence.mark_dirty()
            self._emit(StationConnected(station_id, session.ocpp_version, state.reconnects))
        try:
            await session.run()
        finally:
            reason = session.close_reason or "connection closed by the station"
            if self._sessions.get(station_id) is session:
                del self._sessions[station_id]
                state.connected = False
                self._emit(StationDisconnected(station_id, reason))
            else:
                _LOGGER.info("Station %s: older connection closed (%s)", station_id, reason)
