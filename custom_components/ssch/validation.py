"""Input checks shared by the hub flow and the asset subentry flows."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
import errno
import ipaddress
from pathlib import Path
import re
import socket
import ssl
from typing import Any

from homeassistant.const import PERCENTAGE, UnitOfEnergy, UnitOfPower
from homeassistant.core import HomeAssistant

from .const import (
    CONF_BIDIRECTIONAL,
    CONF_MAX_DISCHARGE_KW,
    CONF_OCPP_VERSION,
    CONF_PASSWORD,
    CONF_STATION_ID,
    OCPP_VERSIONS,
)
from .csms.signing import CertificateSigner

STATION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,48}$")
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 40
MAX_PLAN_STEPS = 288

_PRICE_UNIT_PATTERN = re.compile(r"/\s*(k|M)?Wh$", re.IGNORECASE)


class Measure(StrEnum):
    """What a mapped sensor must measure; each has its own error key."""

    POWER = "power"
    ENERGY = "energy"
    PERCENT = "percent"
    PRICE = "price"


_UNITS: dict[Measure, frozenset[str]] = {
    Measure.POWER: frozenset({UnitOfPower.WATT, UnitOfPower.KILO_WATT, UnitOfPower.MEGA_WATT}),
    Measure.ENERGY: frozenset(
        {UnitOfEnergy.WATT_HOUR, UnitOfEnergy.KILO_WATT_HOUR, UnitOfEnergy.MEGA_WATT_HOUR}
    ),
    Measure.PERCENT: frozenset({PERCENTAGE}),
}


def entity_error(hass: HomeAssistant, entity_id: str, measure: Measure | None) -> str | None:
    """Return an error key when ``entity_id`` does not exist or reports the wrong unit."""
    state = hass.states.get(entity_id)
    if state is None:
        return "entity_not_found"
    if measure is None:
        return None
    unit = state.attributes.get("unit_of_measurement")
    if measure is Measure.PRICE:
        ok = isinstance(unit, str) and _PRICE_UNIT_PATTERN.search(unit) is not None
    else:
        ok = unit in _UNITS[measure]
    return None if ok else f"wrong_unit_{measure.value}"


def charger_errors(user_input: Mapping[str, Any], *, password_required: bool) -> dict[str, str]:
    """Station id, password and power limits of a charger; a blank optional password keeps the old one."""
    errors: dict[str, str] = {}
    if not STATION_ID_PATTERN.fullmatch(user_input[CONF_STATION_ID]):
        errors[CONF_STATION_ID] = "invalid_station_id"
    password = user_input.get(CONF_PASSWORD) or ""
    if (password or password_required) and not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        errors[CONF_PASSWORD] = "invalid_password"
    discharge = user_input[CONF_MAX_DISCHARGE_KW]
    if not user_input[CONF_BIDIRECTIONAL] and discharge > 0:
        errors[CONF_MAX_DISCHARGE_KW] = "discharge_needs_bidirectional"
    elif user_input[CONF_BIDIRECTIONAL] and discharge <= 0:
        errors[CONF_MAX_DISCHARGE_KW] = "discharge_power_required"
    if user_input[CONF_BIDIRECTIONAL] and OCPP_VERSIONS.get(user_input.get(CONF_OCPP_VERSION, "")) in (
        "2.0.1",
        "1.6",
    ):
        errors[CONF_BIDIRECTIONAL] = "v2g_needs_ocpp21"
    return errors


def host_is_valid(host: str) -> bool:
    """The server listens on an IP address (``0.0.0.0`` and ``::`` mean every interface)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def port_error(host: str, port: int) -> str | None:
    """Bind the port the way the OCPP server will; an error key when that fails. Blocking: use an executor."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            return "port_in_use" if err.errno in (errno.EADDRINUSE, errno.EACCES) else "host_not_local"
    return None


def tls_error(
    certificate: str | None,
    key: str | None,
    client_ca: str | None = None,
    client_ca_key: str | None = None,
    create_ca: bool = False,
) -> str | None:
    """Check a TLS certificate and key pair, the CA of stations' certificates and its key; blocking."""
    if (client_ca or create_ca) and not (certificate and key):
        return "tls_client_ca_needs_tls"
    if client_ca and create_ca:
        return "tls_client_ca_ambiguous"
    if client_ca_key and not client_ca:
        return "tls_client_ca_key_needs_ca"
    if not certificate and not key:
        return None
    if not certificate or not key:
        return "tls_incomplete"
    if not Path(certificate).is_file() or not Path(key).is_file():
        return "tls_file_not_found"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(certificate, key)
    except (ssl.SSLError, OSError):
        return "tls_invalid"
    if client_ca:
        try:
            context.load_verify_locations(cafile=client_ca)
        except (ssl.SSLError, OSError):
            return "tls_client_ca_invalid"
    if client_ca and client_ca_key:
        try:
            CertificateSigner.from_files(client_ca, client_ca_key)
        except (ValueError, TypeError, OSError):
            return "tls_client_ca_key_invalid"
    return None


def plan_steps(horizon_hours: float, step_minutes: int) -> int:
    """Number of plan steps a horizon needs at a given step length."""
    return round(horizon_hours * 60 / step_minutes)
