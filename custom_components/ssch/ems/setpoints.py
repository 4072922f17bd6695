"""The hub's setpoints on their way to the stations: what each EVSE was told, and whether it follows.

Commands to one EVSE go out one at a time, in order, and a newer decision supersedes a queued one. A
station that refuses its setpoints, or draws clearly other than it was told long after being told (bad
firmware), is planned around and asked again after ``FOLLOW_RETRY``, not every few seconds.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
import logging

from homeassistant.util import dt as dt_util

from custom_components.ssch.core.evse_control import EvseControls
from custom_components.ssch.core.evse_key import split_evse_key, station_of
from custom_components.ssch.csms.errors import CallError, CommandRejected, CsmsError
from custom_components.ssch.csms.server import CsmsServer

_LOGGER = logging.getLogger(__name__)
# A station must show a setpoint in its meter values within this time (longer than a meter interval).
FOLLOW_GRACE = timedelta(seconds=90)
FOLLOW_TOLERANCE_KW = 1.0
FOLLOW_RETRY = timedelta(minutes=10)


class SetpointLink:
    """Sends the hub's setpoints to the EVSEs and watches whether they follow them."""

    def __init__(self, server: CsmsServer, controls: EvseControls, active: Callable[[], bool]) -> None:
        """``active`` says whether the hub applies its plans now (automatic mode)."""
        self._server = server
        self._controls = controls
        self._active = active
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        # What each EVSE was last told; set before sending, so a newer decision supersedes a queued one.
        self._sent_kw: dict[str, float] = {}
        # What each station confirmed it applies (after clipping to the car's limits), and when.
        self._applied: dict[str, tuple[float, datetime]] = {}
        # When a station last refused a setpoint (SetChargingProfile rejected or answered with an error).
        self._refused: dict[str, datetime] = {}
        self.follow_grace = FOLLOW_GRACE

    @property
    def sent_kw(self) -> Mapping[str, float]:
        """What each EVSE was last told."""
        return self._sent_kw

    def forget_station(self, station_id: str) -> None:
        """The station may have lost the hub's profiles (it reconnected, or they were cleared by hand):
        its setpoints are sent afresh."""
        for key in [k for k in self._sent_kw if station_of(k) == station_id]:
            del self._sent_kw[key]

    def session_started(self, key: str) -> None:
        """Profiles are bound to a transaction: a new session gets its first setpoint whatever it is."""
        self._sent_kw.pop(key, None)
        self._applied.pop(key, None)
        self._refused.pop(key, None)
        self._controls[key].not_following = False

    def session_ended(self, key: str) -> None:
        """The session's profile ended with it."""
        self._sent_kw.pop(key, None)

    def forget(self, key: str) -> None:
        """Send the EVSE's next setpoint whatever it is (a person or automation set one by hand)."""
        self._sent_kw.pop(key, None)

    def follows(self, key: str, measured_kw: float, now: datetime) -> bool:
        """Whether the EVSE takes the hub's setpoints: it neither refuses nor ignores them."""
        return not self._refuses_setpoints(key, now) and not self._ignores_setpoint(key, measured_kw, now)

    async def async_send(self, changes: Mapping[str, float]) -> None:
        """Send the changed setpoints, each EVSE's in order."""
        self._sent_kw.update(changes)
        await asyncio.gather(*(self._send(key, power) for key, power in changes.items()))

    async def async_release(self, key: str) -> None:
        """Give one EVSE back to its station's own limits."""
        if self._sent_kw.pop(key, None) is not None:
            await self._release(key)

    async def async_release_all(self) -> None:
        """The hub lets go: the stations go back to their own default limits."""
        keys = list(self._sent_kw)
        self._sent_kw.clear()
        await asyncio.gather(*(self._release(key) for key in keys))

    async def _send(self, key: str, power_kw: float) -> None:
        async with self._locks[key]:
            if not self._active() or self._sent_kw.get(key) != power_kw:
                return  # superseded while waiting for the EVSE's previous command
            if self._controls.held_by_user(key, dt_util.utcnow()):
                self._sent_kw.pop(key, None)
                return  # excluded or overridden while the setpoint waited
            station_id, evse_number = split_evse_key(key)
            try:
                result = await self._server.station(station_id).set_setpoint(evse_number, power_kw)
            except (CommandRejected, CallError) as err:
                self._note_refusal(key, err)
            except CsmsError as err:
                # The station is planned around: its measured power enters the next correction and plan.
                _LOGGER.debug("Setpoint %.1f kW for %s not applied: %s", power_kw, key, err)
                if self._sent_kw.get(key) == power_kw:
                    del self._sent_kw[key]
            else:
                self._applied[key] = (result.applied_kw, dt_util.utcnow())

    async def _release(self, key: str) -> None:
        async with self._locks[key]:
            station_id, evse_number = split_evse_key(key)
            try:
                await self._server.station(station_id).clear_setpoint(evse_number)
            except CsmsError as err:
                _LOGGER.debug("Setpoint of %s not cleared: %s", key, err)

    def _note_refusal(self, key: str, error: CsmsError) -> None:
        self._refused[key] = dt_util.utcnow()
        if not self._controls[key].not_following:
            self._controls[key].not_following = True
            _LOGGER.warning("%s refuses its setpoints (%s); the hub plans around it", key, error)

    def _refuses_setpoints(self, key: str, now: datetime) -> bool:
        refused = self._refused.get(key)
        if refused is None:
            return False
        if now - refused > FOLLOW_RETRY:
            del self._refused[key]
            self._sent_kw.pop(key, None)
            self._controls[key].not_following = False
            return False
        return True

    def _ignores_setpoint(self, key: str, measured_kw: float, now: datetime) -> bool:
        applied = self._applied.get(key)
        if applied is None or now - applied[1] < self.follow_grace:
            return False
        if now - applied[1] > self.follow_grace + FOLLOW_RETRY:
            # Try again: firmware may have recovered, or the car left its limit behind.
            self._applied.pop(key)
            self._sent_kw.pop(key, None)
            self._controls[key].not_following = False
            return False
        power_kw = applied[0]
        if abs(measured_kw - power_kw) <= max(FOLLOW_TOLERANCE_KW, 0.2 * abs(power_kw)):
            self._controls[key].not_following = False
            return False
        if not self._controls[key].not_following:
            self._controls[key].not_following = True
            _LOGGER.warning(
                "%s does not follow its setpoint (%.1f kW asked, %.1f kW measured); the hub plans around it",
                key,
                power_kw,
                measured_kw,
            )
        return True
