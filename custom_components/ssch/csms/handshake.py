"""Who may open an OCPP websocket: a known station id with its password or certificate, a pending
unknown station, and the subprotocol (with the station's pinned OCPP version)."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import timedelta
import logging

from aiohttp import hdrs, web

from .clock import utc_now
from .credentials import ChecksBusy, CredentialCache, parse_basic_auth
from .events import CsmsEvent, PendingExpired, VersionMismatchRefused
from .registry import PendingStation, StationConfig, StationRegistry
from .schemas import SUBPROTOCOLS
from .settings import CsmsSettings
from .tls import peer_common_name

_LOGGER = logging.getLogger(__name__)
MAX_STATION_ID_LENGTH = 48
_SUBPROTOCOL_BY_VERSION = {version: name for name, version in SUBPROTOCOLS.items()}
_PREFERRED_ORDER = ("ocpp2.1", "ocpp2.0.1", "ocpp1.6")


def ws_station_id(request: web.Request) -> str:
    """The station id is the last part of the websocket URL's path."""
    return str(request.match_info["path"]).rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Admitted:
    """A request that may become a session."""

    station_id: str
    config: StationConfig | None  # None: an unknown station waiting to be adopted
    pending: PendingStation | None
    subprotocol: str


class Gatekeeper:
    """Checks an upgrade request; refusals are raised as the HTTP answer the station gets."""

    def __init__(
        self,
        registry: StationRegistry,
        settings: CsmsSettings,
        credentials: CredentialCache,
        *,
        pinned_version: Callable[[str], str | None],
        connected: Container[str],
        adopt_unknown: Callable[[], bool],
        emit: Callable[[CsmsEvent], None],
        log_once: Callable[[str, str, str], None],
    ) -> None:
        self._registry = registry
        self._settings = settings
        self._credentials = credentials
        self._pinned_version = pinned_version
        self._connected = connected
        self._adopt_unknown = adopt_unknown
        self._emit = emit
        self._log_once = log_once

    async def admit(self, request: web.Request) -> Admitted:
        """The station, its configuration (or pending place) and the subprotocol to answer with."""
        station_id = ws_station_id(request)
        if not station_id or len(station_id) > MAX_STATION_ID_LENGTH:
            raise web.HTTPNotFound(text="unknown charging station")
        config = self._registry.get(station_id)
        pending: PendingStation | None = None
        if config is None:
            pending = self._admit_pending(station_id, request.remote)
        else:
            await self._authenticate(request, station_id, config)
        subprotocol = self._negotiate(request, station_id, config)
        return Admitted(station_id, config, pending, subprotocol)

    def _admit_pending(self, station_id: str, remote: str | None) -> PendingStation:
        now = utc_now()
        waiting = self._registry.pending
        expiry = timedelta(seconds=self._settings.pending_expiry_s)
        for stale in [
            known
            for known, entry in waiting.items()
            if now - entry.last_seen > expiry and known not in self._connected
        ]:
            del waiting[stale]
            self._emit(PendingExpired(stale))
        pending = waiting.get(station_id)
        if pending is not None:
            pending.last_seen = now
            return pending
        from_address = sum(1 for entry in waiting.values() if entry.remote == remote)
        if (
            not self._adopt_unknown()
            or len(waiting) >= self._settings.pending_limit
            or from_address >= self._settings.pending_per_address
        ):
            # One log line for all unknown ids: they are chosen by the peer, not bounded by us.
            self._log_once("*", "unknown", f"unknown station id {station_id!r} refused")
            raise web.HTTPNotFound(text="unknown charging station")
        pending = self._registry.pending[station_id] = PendingStation(station_id, remote)
        _LOGGER.info("Unknown station %s is waiting to be adopted", station_id)
        return pending

    async def _authenticate(self, request: web.Request, station_id: str, config: StationConfig) -> None:
        common_name = peer_common_name(request.transport)
        if common_name is not None:
            # Security profile 3: the hub's CA signed this certificate; it must name this station.
            if common_name != station_id:
                self._log_once(station_id, "certificate", f"refused: certificate names {common_name!r}")
                raise web.HTTPForbidden(text="the certificate names another station")
            if hdrs.AUTHORIZATION not in request.headers:
                return
        credentials = parse_basic_auth(request.headers.get(hdrs.AUTHORIZATION))
        try:
            accepted = credentials is not None and (
                credentials[0] == station_id
                and await self._credentials.verify(
                    station_id, credentials[1], config.password_hash, request.remote or ""
                )
            )
        except ChecksBusy:
            self._log_once("*", "auth_busy", "too many logins at once; stations are asked to retry")
            raise web.HTTPServiceUnavailable(
                headers={hdrs.RETRY_AFTER: "5"}, text="busy, retry later"
            ) from None
        if not accepted:
            self._log_once(station_id, "auth", "authentication failed")
            raise web.HTTPUnauthorized(
                headers={hdrs.WWW_AUTHENTICATE: 'Basic realm="ocpp"'}, text="authentication failed"
            )

    def _negotiate(self, request: web.Request, station_id: str, config: StationConfig | None) -> str:
        """The installer's declared version, else the version the station first booted with, else
        the newest version it offers."""
        offered = tuple(
            name.strip()
            for name in request.headers.get(hdrs.SEC_WEBSOCKET_PROTOCOL, "").split(",")
            if name.strip()
        )
        pinned_version = None
        if config is not None:
            pinned_version = config.ocpp_version or self._pinned_version(station_id)
        if pinned_version is not None:
            wanted = _SUBPROTOCOL_BY_VERSION[pinned_version]
            if wanted in offered:
                return wanted
            self._log_once(station_id, "version", f"refused: pinned to OCPP {pinned_version}")
            self._emit(VersionMismatchRefused(station_id, pinned_version, offered))
            raise web.HTTPBadRequest(text=f"station is pinned to OCPP {pinned_version}")
        for name in _PREFERRED_ORDER:
            if name in offered:
                return name
        self._log_once(station_id, "subprotocol", f"no supported subprotocol in {offered}")
        raise web.HTTPBadRequest(text="offer ocpp2.1, ocpp2.0.1 or ocpp1.6")
