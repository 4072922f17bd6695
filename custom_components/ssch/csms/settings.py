"""Tunables of the CSMS with defaults that suit a hub of a few to a thousand stations."""

from __future__ import annotations

from dataclasses import dataclass

from .frames import DEFAULT_FRAME_LIMIT
from .profiles import DEFAULT_MAX_OFFLINE_S


@dataclass(frozen=True, slots=True)
class CsmsSettings:
    heartbeat_interval_s: int = 300
    pending_retry_s: int = 60
    call_timeout_s: float = 30.0
    frame_limit: int = DEFAULT_FRAME_LIMIT
    # Frames above this are not even buffered: the websocket layer closes the connection (1009).
    hard_frame_limit: int = 1024 * 1024
    rate_per_s: float = 10.0
    rate_burst: int = 100
    # Transaction messages are never refused; over this rate the station is slowed down instead.
    # A station back online replays its queue at once: a burst of that size passes unslowed.
    transaction_rate_per_s: float = 100.0
    transaction_burst: int = 1000
    ping_interval_s: float = 60.0
    # How often a 1.6 station is asked to sample its meter (MeterValueSampleInterval).
    meter_interval_s: int = 60
    max_offline_s: int = DEFAULT_MAX_OFFLINE_S
    save_delay_s: float = 10.0
    pending_limit: int = 16
    # An unknown station not heard from for this long leaves the pending list; one address may
    # hold this many of its places, so made-up ids from one peer cannot block adoption.
    pending_expiry_s: float = 900.0
    pending_per_address: int = 4
    auth_failure_lockout_s: float = 2.0
    # A socket must send its whole upgrade request within this time and these many bytes; one source
    # address may hold this many sockets that have not yet.
    handshake_timeout_s: float = 10.0
    handshake_bytes: int = 16 * 1024
    handshake_sockets_per_address: int = 64
