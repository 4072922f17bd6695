"""OCPP-J frames: a guard that turns any text into a frame or a CALLERROR reason, and encoders."""

from __future__ import annotations

from dataclasses import dataclass
import json
import re
from typing import Any

CALL = 2
CALL_RESULT = 3
CALL_ERROR = 4
CALL_RESULT_ERROR = 5
SEND = 6

UNREADABLE_ID = "-1"
DEFAULT_FRAME_LIMIT = 64 * 1024
MAX_MESSAGE_ID_LENGTH = 36
# The deepest OCPP 2.1 payload nests about ten levels; anything far deeper is refused before parsing,
# so a peer cannot make the parser (or a later save of what it stored) recurse without bound.
MAX_NESTING = 32

_TYPES_BY_VERSION = {
    "2.0.1": {CALL, CALL_RESULT, CALL_ERROR},
    "1.6": {CALL, CALL_RESULT, CALL_ERROR},
}
_ALL_TYPES = {CALL, CALL_RESULT, CALL_ERROR, CALL_RESULT_ERROR, SEND}
_LEADING_ID = re.compile(r'\s*\[\s*\d+\s*,\s*"([^"\\]{1,64})"')
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nesting_exceeds(text: str, limit: int = MAX_NESTING) -> bool:
    """Whether arrays and objects in ``text`` nest deeper than ``limit`` (strings are skipped)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


@dataclass(frozen=True, slots=True)
class CallFrame:
    """A request from the station (type 2), or an unconfirmed SEND (type 6, OCPP 2.1)."""

    message_id: str
    action: str
    payload: dict[str, Any]
    expects_reply: bool = True


@dataclass(frozen=True, slots=True)
class ResultFrame:
    """A CALLRESULT answering one of our CALLs."""

    message_id: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ErrorFrame:
    """A CALLERROR (type 4) or CALLRESULTERROR (type 5, OCPP 2.1) from the station."""

    message_id: str
    code: str
    description: str
    details: dict[str, Any]
    answers_call: bool = True


@dataclass(frozen=True, slots=True)
class FrameViolation:
    """A frame that breaks the RPC framework; ``reply`` tells whether a CALLERROR is due."""

    kind: str
    message_id: str
    code: str
    description: str
    reply: bool = True


Frame = CallFrame | ResultFrame | ErrorFrame | FrameViolation


def _not_json(constant: str) -> None:
    """Python reads NaN and Infinity, JSON has no such numbers: a reading must never be one."""
    raise ValueError(f"{constant} is not JSON")


def _leading_id(text: str) -> str:
    """The message id of a frame too large or too deep to parse, when it can be read cheaply."""
    match = _LEADING_ID.match(text[:128])
    return match.group(1) if match else UNREADABLE_ID


def parse_frame(text: str, ocpp_version: str, limit: int = DEFAULT_FRAME_LIMIT) -> Frame:
    """Classify one received text frame; never raises."""
    if len(text) > limit:
        return FrameViolation(
            "oversize", _leading_id(text), "FormatViolation", f"Frame larger than {limit} characters"
        )
    if nesting_exceeds(text):
        return FrameViolation(
            "too_deep", _leading_id(text), "FormatViolation", f"Nesting deeper than {MAX_NESTING} levels"
        )
    try:
        message = json.loads(text, parse_constant=_not_json)
    except (ValueError, RecursionError):
        return FrameViolation("invalid_json", UNREADABLE_ID, "RpcFrameworkError", "Not valid JSON")
    if not isinstance(message, list) or not message:
        return FrameViolation(
            "not_array", UNREADABLE_ID, "RpcFrameworkError", "Frame is not a non-empty JSON array"
        )
    if len(message) < 2 or not isinstance(message[1], str) or not message[1]:
        return FrameViolation(
            "no_message_id", UNREADABLE_ID, "RpcFrameworkError", "Message id cannot be read"
        )
    message_type, message_id = message[0], message[1]
    if len(message_id) > MAX_MESSAGE_ID_LENGTH:
        return FrameViolation(
            "long_id",
            message_id,
            "RpcFrameworkError",
            f"Message id longer than {MAX_MESSAGE_ID_LENGTH} characters",
            reply=message_type == CALL,
        )
    allowed = _TYPES_BY_VERSION.get(ocpp_version, _ALL_TYPES)
    if type(message_type) is not int or message_type not in allowed:
        return FrameViolation(
            "message_type",
            message_id,
            "MessageTypeNotSupported",
            f"Message type {message_type!r} is not supported",
        )
    if message_type in (CALL, SEND):
        return _parse_call(message, message_id, expects_reply=message_type == CALL)
    if message_type == CALL_RESULT:
        if len(message) != 3 or not isinstance(message[2], dict):
            return FrameViolation(
                "bad_result", message_id, "FormatViolation", "Malformed CALLRESULT", reply=False
            )
        return ResultFrame(message_id, message[2])
    return _parse_error(message, message_id, answers_call=message_type == CALL_ERROR)


def _parse_call(message: list[Any], message_id: str, *, expects_reply: bool) -> Frame:
    if len(message) != 4 or not isinstance(message[2], str) or not message[2]:
        return FrameViolation(
            "bad_call",
            message_id,
            "RpcFrameworkError",
            "A CALL is [2, id, action, payload]",
            reply=expects_reply,
        )
    if not isinstance(message[3], dict):
        return FrameViolation(
            "bad_payload",
            message_id,
            "FormatViolation",
            "Payload must be a JSON object",
            reply=expects_reply,
        )
    return CallFrame(message_id, message[2], message[3], expects_reply)


def _parse_error(message: list[Any], message_id: str, *, answers_call: bool) -> Frame:
    code = message[2] if len(message) > 2 and isinstance(message[2], str) else "GenericError"
    description = message[3] if len(message) > 3 and isinstance(message[3], str) else ""
    details = message[4] if len(message) > 4 and isinstance(message[4], dict) else {}
    return ErrorFrame(message_id, code, description, details, answers_call)


def _dump(message: list[Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def encode_call(message_id: str, action: str, payload: dict[str, Any]) -> str:
    """Serialize a CALL."""
    return _dump([CALL, message_id, action, payload])


def encode_result(message_id: str, payload: dict[str, Any]) -> str:
    """Serialize a CALLRESULT."""
    return _dump([CALL_RESULT, message_id, payload])


def encode_error(message_id: str, code: str, description: str, details: dict[str, Any] | None = None) -> str:
    """Serialize a CALLERROR."""
    return _dump([CALL_ERROR, message_id, code, description, details or {}])
