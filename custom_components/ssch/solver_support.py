"""Whether the optimizer's solver stack can be imported on this platform."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)
ISSUE_SOLVER_UNAVAILABLE = "solver_unavailable"


def solver_import_error() -> str | None:
    """Import the solver stack; return why it failed, or None. Blocking: run in an executor."""
    try:
        import cvxpy  # noqa: F401
        import osqp  # noqa: F401
    except ImportError as err:
        return str(err) or type(err).__name__
    return None


async def async_check_solver(hass: HomeAssistant) -> bool:
    """Raise or clear the repair issue that says the hub plans with the rule-based fallback only."""
    error = await hass.async_add_executor_job(solver_import_error)
    if error is None:
        ir.async_delete_issue(hass, DOMAIN, ISSUE_SOLVER_UNAVAILABLE)
        return True
    _LOGGER.warning("Optimizer unavailable (%s); the hub plans with the rule-based scheduler", error)
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
