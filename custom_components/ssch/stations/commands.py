"""Run a command on a station and turn protocol failures into translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Awaitable

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.csms.errors import (
    CallError,
    CallTimeout,
    CommandRejected,
    CsmsError,
    NoTransaction,
    NotSupportedByVersion,
    StationOffline,
)


async def async_run_command[T](station_id: str, action: str, command: Awaitable[T]) -> T:
    """Await ``command``; a refusal, timeout or offline station becomes a clear, translated error."""
    placeholders = {"station_id": station_id, "action": action}
    try:
        return await command
    except StationOffline as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="station_offline",
            translation_placeholders=placeholders,
        ) from err
    except NotSupportedByVersion as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_supported_by_version",
            translation_placeholders=placeholders | {"command": err.action, "version": err.version},
        ) from err
    except NoTransaction as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_transaction", translation_placeholders=placeholders
        ) from err
    except CallTimeout as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="station_timeout",
            translation_placeholders=placeholders,
        ) from err
    except (CallError, CommandRejected) as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="station_rejected",
            translation_placeholders=placeholders | {"reason": str(err)},
        ) from err
    except CsmsError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="command_failed",
            translation_placeholders=placeholders | {"reason": str(err)},
        ) from err
