"""Turn setpoints into a complete ``Plan`` (grid exchange, session outcomes, flexibility)."""

from __future__ import annotations

from dataclasses import replace

from .flexibility import flexibility_envelope
from .model import FloatArray, Plan, SiteSnapshot, SolverDiagnostics
from .windows import session_outcomes, site_balance


def assemble_plan(
    snapshot: SiteSnapshot,
    evse_power_kw: dict[str, FloatArray],
    battery_power_kw: FloatArray,
    pv_curtailment_kw: FloatArray,
    diagnostics: SolverDiagnostics | None = None,
) -> Plan:
    """A plan from setpoints of every charger; everything else is derived from the snapshot."""
    grid_import, grid_export = site_balance(snapshot, evse_power_kw, battery_power_kw, pv_curtailment_kw)
    plan = Plan(
        grid=snapshot.grid,
        evse_power_kw=evse_power_kw,
        battery_power_kw=battery_power_kw,
        grid_import_kw=grid_import,
        grid_export_kw=grid_export,
        pv_curtailment_kw=pv_curtailment_kw,
        flexibility=flexibility_envelope(snapshot, evse_power_kw, battery_power_kw, pv_curtailment_kw),
        session_outcomes=session_outcomes(snapshot, evse_power_kw),
    )
    return plan if diagnostics is None else replace(plan, diagnostics=diagnostics)
