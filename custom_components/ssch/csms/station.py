"""One live station connection: receive loop with frame guard, dispatch, and outgoing CALLs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import time
from typing import Any
import uuid

from aiohttp import WSCloseCode, WSMsgType, web

from .actions import PENDING_ALLOWED, TRANSACTION_ACTIONS, handlers_for
from .authorization import TokenAuthority
from .errors import CallError, CallTimeout, CsmsError, PeerRefused, StationOffline
from .events import CsmsEvent
from .frames import (
    CALL,
    UNREADABLE_ID,
    CallFrame,
    ErrorFrame,
    FrameViolation,
    ResultFrame,
    encode_call,
    encode_error,
    encode_result,
    parse_frame,
)
from .handler_context import AfterReply
from .keepalive import KeepAlive
from .ratelimit import TokenBucket
from .registry import PendingStation, StationConfig
from .schemas import check_request, check_response, error_code, known_actions, payload_problem
from .settings import CsmsSettings
from .signing import CertificateSigner
from .state import EvseState, StationState

LogOnce = Callable[[str, str, str], None]


class Session:
    """The CSMS side of one websocket; replaced as a whole when the station reconnects."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        state: StationState,
        ocpp_version: str,
        *,
        config: StationConfig | None,
        pending: PendingStation | None,
        settings: CsmsSettings,
        emit: Callable[[CsmsEvent], None],
        persist: Callable[[str], Awaitable[None]],
        log_once: LogOnce,
        authority: TokenAuthority | None = None,
        signer: CertificateSigner | None = None,
    ) -> None:
        self.ws = ws
        self.state = state
        self.station_id = state.station_id
        self.ocpp_version = ocpp_version
        self.config = config
        self.pending = pending
        self.settings = settings
        self.emit = emit
        self._persist = persist
        self.authority = authority or TokenAuthority()
        self.signer = signer
        self._background: set[asyncio.Task[None]] = set()
        self._after_reply: list[AfterReply] = []
        self._handlers = handlers_for(ocpp_version)
        self.last_token: str | None = None  # the card last presented on this connection
        self._unsaved = False
        self._log_once = log_once
        self._limiter = TokenBucket(settings.rate_per_s, settings.rate_burst)
        self._transaction_limiter = TokenBucket(settings.transaction_rate_per_s, settings.transaction_burst)
        self._call_lock = asyncio.Lock()
        self._awaiting: tuple[str, str, asyncio.Future[dict[str, Any]]] | None = None
        self.close_reason: str | None = None

    def mark_dirty(self) -> None:
        """The durable state changed: it goes to disk before this message is acknowledged."""
        self._unsaved = True

    def evse(self, evse_id: int) -> EvseState:
        """An EVSE the installer configured for this station; any other id is refused."""
        configured = self.config.evse_count if self.config is not None else 0
        if not 1 <= evse_id <= configured:
            raise PeerRefused(
                "PropertyConstraintViolation",
                f"EVSE {evse_id} is not configured for this station (it has {configured})",
            )
        return self.state.evse(evse_id)

    def call_soon(self, action: str, payload: dict[str, Any]) -> None:
        """Send a CALL after the current request has been answered (handlers never wait for one)."""

        async def send(session: Session) -> None:
            try:
                await session.call(action, payload)
            except CsmsError as error:
                session.log_once(f"call:{action}", f"{action} not delivered: {error}")

        self.after_reply(send)

    def after_reply(self, work: AfterReply) -> None:
        """Run ``work`` with this session once the request being handled has been answered: a station
        must see the answer (e.g. its boot accepted) before the hub's own CALLs."""
        self._after_reply.append(work)

    def _start_after_reply(self) -> None:
        works, self._after_reply = self._after_reply, []
        for work in works:
            task = asyncio.get_running_loop().create_task(work(self))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    def log_once(self, kind: str, message: str) -> None:
        """Log a recurring problem of this station only the first time."""
        self._log_once(self.station_id, kind, message)

    @property
    def v2g_capable(self) -> bool:
        """The installer declared the station bidirectional and it speaks OCPP 2.1."""
        return self.ocpp_version == "2.1" and self.config is not None and self.config.bidirectional

    async def run(self) -> None:
        """Serve frames until the websocket closes."""
        keep_alive = KeepAlive(self.ws, self.settings.ping_interval_s)
        watcher = asyncio.create_task(keep_alive.watch(self._silent))
        try:
            async for message in self.ws:
                keep_alive.heard()
                if message.type == WSMsgType.PING:
                    await self.ws.pong(message.data)
                elif message.type == WSMsgType.TEXT:
                    try:
                        await self._on_text(message.data)
                    except StationOffline:
                        break
                elif message.type == WSMsgType.BINARY:
                    await self._reject(
                        FrameViolation(
                            "binary",
                            UNREADABLE_ID,
                            "RpcFrameworkError",
                            "Binary frames are not OCPP",
                        )
                    )
                elif message.type == WSMsgType.ERROR:
                    self.close_reason = self.close_reason or f"websocket error: {self.ws.exception()}"
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            self._fail_awaiting(StationOffline(self.station_id))

    async def _silent(self) -> None:
        self.log_once("silent", "no answer to a ping, connection closed")
        await self.close("no answer to a ping")

    async def close(self, reason: str, code: int = WSCloseCode.GOING_AWAY) -> None:
        """Close the websocket, telling the station why."""
        self.close_reason = reason
        self._fail_awaiting(StationOffline(self.station_id))
        await self.ws.close(code=code, message=reason.encode()[:120])

    async def _on_text(self, text: str) -> None:
        frame = parse_frame(text, self.ocpp_version, self.settings.frame_limit)
        if isinstance(frame, CallFrame):
            await self._on_call(frame)
        elif isinstance(frame, ResultFrame):
            self._on_result(frame)
        elif isinstance(frame, ErrorFrame):
            self._on_error(frame)
        else:
            await self._reject(frame)

    async def _reject(self, violation: FrameViolation) -> None:
        self.log_once(violation.kind, f"{violation.code}: {violation.description}")
        if violation.reply:
            await self._send_error(violation.message_id, violation.code, violation.description)

    async def _on_call(self, frame: CallFrame) -> None:
        if frame.action in TRANSACTION_ACTIONS:
            # OCPP requires transaction messages to be accepted: over the rate the station is slowed
            # down (its socket is not read meanwhile) instead of refused.
            await self._transaction_limiter.wait()
            problem = self._refusal(frame)
        elif not self._limiter.allow():
            problem = ("GenericError", "Message rate limit exceeded")
        else:
            problem = self._refusal(frame)
        if problem is None:
            try:
                response = self._handlers[frame.action](self, frame.payload)
                await self._save_before_answer()
            except PeerRefused as refusal:
                problem = (refusal.code, refusal.description)
            except OSError as error:
                self.log_once("save", f"state could not be saved, {frame.action} not acknowledged: {error!r}")
                problem = ("InternalError", "The hub could not store this message; send it again")
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                # A payload the schema allows that a handler still cannot use.
                self.log_once(f"unreadable:{frame.action}", f"{frame.action} unreadable: {error!r}")
                problem = ("FormatViolation", f"{frame.action} payload could not be read")
            except Exception as error:
                self.log_once(f"handler:{frame.action}", f"{frame.action} handler failed: {error!r}")
                problem = ("InternalError", f"{frame.action} could not be processed")
            else:
                if frame.expects_reply:
                    await self._send(encode_result(frame.message_id, response))
                self._start_after_reply()
                return
        code, description = problem
        self.log_once(f"{code}:{frame.action}", f"{frame.action} answered with {code}: {description}")
        self._after_reply.clear()
        if frame.expects_reply:
            await self._send_error(frame.message_id, code, description)

    async def _send_error(self, message_id: str, code: str, description: str) -> None:
        await self._send(encode_error(message_id, error_code(code, self.ocpp_version), description))

    async def _save_before_answer(self) -> None:
        if self._unsaved:
            await self._persist(self.station_id)
            self._unsaved = False

    def _refusal(self, frame: CallFrame) -> tuple[str, str] | None:
        action = frame.action
        if action not in known_actions(self.ocpp_version):
            return "NotImplemented", f"{action} is not an OCPP {self.ocpp_version} action"
        if action not in self._handlers:
            return "NotSupported", f"{action} is not supported by this CSMS"
        if self.pending is not None and action not in PENDING_ALLOWED:
            return "SecurityError", "Station is not accepted yet"
        return payload_problem(CALL, action, self.ocpp_version, frame.payload)

    def _on_result(self, frame: ResultFrame) -> None:
        awaiting = self._awaiting
        if awaiting is None or awaiting[0] != frame.message_id:
            self.log_once("unexpected_result", f"CALLRESULT for unknown id {frame.message_id!r}")
            return
        _, action, future = awaiting
        problem = check_response(action, self.ocpp_version, frame.payload)
        if problem is not None:
            self.log_once(f"bad_response:{action}", f"{action} response breaks schema: {problem[1]}")
        if not future.done():
            future.set_result(frame.payload)

    def _on_error(self, frame: ErrorFrame) -> None:
        awaiting = self._awaiting
        if not frame.answers_call or awaiting is None or awaiting[0] != frame.message_id:
            self.log_once("unexpected_error", f"error frame {frame.code} for {frame.message_id!r}")
            return
        _, action, future = awaiting
        if not future.done():
            future.set_exception(CallError(action, frame.code, frame.description, frame.details))

    async def _send(self, text: str) -> None:
        if self.ws.closed:
            raise StationOffline(self.station_id)
        try:
            await self.ws.send_str(text)
        except ConnectionError as error:
            raise StationOffline(self.station_id) from error

    def _fail_awaiting(self, error: Exception) -> None:
        if self._awaiting is not None and not self._awaiting[2].done():
            self._awaiting[2].set_exception(error)

    async def call(
        self, action: str, payload: dict[str, Any], timeout_s: float | None = None
    ) -> dict[str, Any]:
        """Send a CALL and return the CALLRESULT payload; one CALL in flight at a time."""
        check_request(action, self.ocpp_version, payload)
        timeout = self.settings.call_timeout_s if timeout_s is None else timeout_s
        async with self._call_lock:
            if self.ws.closed:
                raise StationOffline(self.station_id)
            message_id = str(uuid.uuid4())
            future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self._awaiting = (message_id, action, future)
            started = time.monotonic()
            try:
                await self._send(encode_call(message_id, action, payload))
                async with asyncio.timeout(timeout):
                    result = await future
            except TimeoutError:
                raise CallTimeout(action, timeout) from None
            finally:
                self._awaiting = None
                if not future.done():
                    future.cancel()
            self.state.latency_ms = round((time.monotonic() - started) * 1000.0, 1)
            return result
