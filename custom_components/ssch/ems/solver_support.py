"""Whether an optimizer engine can run on this installation, told to the user as a repair when none can."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.ssch.const import DOMAIN
from custom_components.ssch.core.engine import engine_import_error
from custom_components.ssch.core.planner import ENGINE_AUTO, PlannerConfig

_LOGGER = logging.getLogger(__name__)
ISSUE_SOLVER_UNAVAILABLE = "solver_unavailable"


def engines_import_error(choice: str) -> str | None:
    """Why no engine the hub may use can run here, or None. Blocking: run in an executor.

    Every choice may fall back to the other engine, so only both failing leaves the hub without one.
    """
    engines = [engine for engine, _ in PlannerConfig(engine=choice).stages()]
    first = engines[0]
    errors: dict[str, str] = {}
    for engine in engines:
        error = engine_import_error(engine)
        if error is None:
            if engine != first and choice != ENGINE_AUTO:
                _LOGGER.warning(
                    "The %s engine cannot run here (%s); planning with the %s engine",
                    first,
                    errors[first],
                    engine,
                )
            return None
        errors[engine] = error
    return "; ".join(f"{engine}: {error}" for engine, error in errors.items())


async def async_check_solver(hass: HomeAssistant, choice: str = ENGINE_AUTO) -> bool:
    """Raise or clear the repair issue that says the hub plans with the rule-based fallback only."""
    error = await hass.async_add_executor_job(engines_import_error, choice)
    if error is None:
        ir.async_delete_issue(hass, DOMAIN, ISSUE_SOLVER_UNAVAILABLE)
        return True
    _LOGGER.warning("No optimizer engine can run (%s); the hub plans with the rule-based scheduler", error)
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE_SOLVER_UNAVAILABLE,
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_SOLVER_UNAVAILABLE,
        translation_placeholders={"error": error},
    )
    return False
