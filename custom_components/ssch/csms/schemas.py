"""Action catalogue and JSON-schema checks, using the schemas shipped with ``ocpp``."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
import json
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match
from ocpp.v16.enums import Action as Action16
from ocpp.v21.enums import Action as Action21
from ocpp.v201.enums import Action as Action201

from .errors import InvalidRequest
from .frames import CALL, CALL_RESULT

SUPPORTED_VERSIONS = ("2.1", "2.0.1", "1.6")
SUBPROTOCOLS = {"ocpp2.1": "2.1", "ocpp2.0.1": "2.0.1", "ocpp1.6": "1.6"}

_ERROR_CODE_BY_KEYWORD = {
    "type": "TypeConstraintViolation",
    "required": "OccurrenceConstraintViolation",
    "minItems": "OccurrenceConstraintViolation",
    "maxItems": "OccurrenceConstraintViolation",
    "enum": "PropertyConstraintViolation",
    "maxLength": "PropertyConstraintViolation",
    "minimum": "PropertyConstraintViolation",
    "maximum": "PropertyConstraintViolation",
}


@cache
def known_actions(ocpp_version: str) -> frozenset[str]:
    """Every action name defined by ``ocpp_version``."""
    actions = {"2.1": Action21, "1.6": Action16}.get(ocpp_version, Action201)
    return frozenset(action.value for action in actions)


# OCPP-J 1.6 names some CALLERROR codes differently (and spells one "Occurence"); it has no
# RpcFrameworkError or MessageTypeNotSupported.
_V16_ERROR_CODES = {
    "FormatViolation": "FormationViolation",
    "OccurrenceConstraintViolation": "OccurenceConstraintViolation",
    "RpcFrameworkError": "FormationViolation",
    "MessageTypeNotSupported": "ProtocolError",
}


def error_code(code: str, ocpp_version: str) -> str:
    """``code`` as the station's OCPP version spells it."""
    return _V16_ERROR_CODES.get(code, code) if ocpp_version == "1.6" else code


_validators: dict[tuple[int, str, str], Draft4Validator] = {}


def _inline_refs(node: Any, definitions: dict[str, Any], expanding: tuple[str, ...] = ()) -> Any:
    # "$ref" resolution dominates jsonschema's run time; the OCPP schemas only point into their
    # own "definitions", so those are copied in place (recursive ones stay references).
    if isinstance(node, dict):
        reference = node.get("$ref")
        if "multipleOf" in node:
            # Binary floats break "multipleOf": 0.1 (0.3 / 0.1 is not an integer); the hub rounds
            # what it sends and accepts a station's decimals as they come.
            node = {key: value for key, value in node.items() if key != "multipleOf"}
        if isinstance(reference, str) and reference.startswith("#/definitions/"):
            name = reference.rsplit("/", 1)[1]
            if name in definitions and name not in expanding:
                return _inline_refs(definitions[name], definitions, (*expanding, name))
        return {key: _inline_refs(value, definitions, expanding) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_refs(item, definitions, expanding) for item in node]
    return node


def _schema(message_type: int, action: str, ocpp_version: str) -> dict[str, Any]:
    """The JSON schema shipped with ``ocpp``, read here rather than through ``ocpp.messages``: that
    module caches one validator per action whatever its float parser, and a 1.6 charge point built
    on it in the same process expects decimal ones."""
    if message_type == CALL_RESULT:
        name = f"{action}Response"
    else:
        name = action if ocpp_version == "1.6" else f"{action}Request"
    package = "ocpp.v" + ocpp_version.replace(".", "")
    text = (resources.files(package) / "schemas" / f"{name}.json").read_text(encoding="utf-8-sig")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validator(message_type: int, action: str, ocpp_version: str) -> Draft4Validator:
    key = (message_type, action, ocpp_version)
    validator = _validators.get(key)
    if validator is None:
        schema = _schema(message_type, action, ocpp_version)
        validator = Draft4Validator(_inline_refs(schema, schema.get("definitions", {})))
        _validators[key] = validator
    return validator


def preload_validators(incoming: Iterable[str], outgoing: Iterable[str]) -> None:
    """Read the schemas the CSMS uses (blocking file I/O: run it in an executor)."""
    wanted = [(CALL, action) for action in incoming]
    wanted += [(kind, action) for action in outgoing for kind in (CALL, CALL_RESULT)]
    for version in SUPPORTED_VERSIONS:
        for message_type, action in wanted:
            if action in known_actions(version):
                _validator(message_type, action, version)


def payload_problem(
    message_type: int, action: str, ocpp_version: str, payload: dict[str, Any]
) -> tuple[str, str] | None:
    """Return ``(error code, description)`` when ``payload`` breaks the schema, else ``None``."""
    error = best_match(_validator(message_type, action, ocpp_version).iter_errors(payload))
    if error is None:
        return None
    code = _ERROR_CODE_BY_KEYWORD.get(str(error.validator), "FormatViolation")
    location = "/".join(str(part) for part in error.absolute_path) or "payload"
    return code, f"{location}: {error.message}"[:255]


def check_request(action: str, ocpp_version: str, payload: dict[str, Any]) -> None:
    """Raise :class:`InvalidRequest` if a request the CSMS built breaks the schema."""
    problem = payload_problem(CALL, action, ocpp_version, payload)
    if problem is not None:
        raise InvalidRequest(f"{action} for OCPP {ocpp_version}: {problem[1]}")


def check_response(action: str, ocpp_version: str, payload: dict[str, Any]) -> tuple[str, str] | None:
    """Return a problem description if a station's CALLRESULT breaks the schema."""
    return payload_problem(CALL_RESULT, action, ocpp_version, payload)
