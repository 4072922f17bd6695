import type { PlanPayload } from "./types";

const SERIES = [
  "times",
  "grid_import_kw",
  "grid_export_kw",
  "ev_power_kw",
  "battery_power_kw",
  "pv_curtailment_kw",
  "pv_forecast_kw",
  "building_kw",
  "import_limit_kw",
  "export_limit_kw",
  "import_price_per_kwh",
  "export_price_per_kwh",
  "evse_rows",
] as const;

/** The answer of ``ssch/plan`` with every list present: an older or partial answer draws, not throws. */
export function normalize(answer: unknown): PlanPayload {
  const raw = (answer && typeof answer === "object" ? answer : {}) as Record<string, unknown>;
  const plan = { ...raw } as Record<string, unknown>;
  for (const name of SERIES) if (!Array.isArray(plan[name])) plan[name] = [];
  plan.solver ??= { backend: "none", status: "unknown", fallback_used: false, reason: null };
  plan.battery = plan.battery && Array.isArray((plan.battery as { soc_pct?: unknown }).soc_pct) ? plan.battery : null;
  plan.evse_rows = (plan.evse_rows as Record<string, unknown>[]).map((row) => ({
    ...row,
    power_kw: Array.isArray(row.power_kw) ? row.power_kw : [],
    entities: row.entities ?? {},
    car: row.car
      ? { ...(row.car as object), soc_series_pct: (row.car as { soc_series_pct?: unknown }).soc_series_pct ?? [] }
      : null,
  }));
  plan.charger_count = typeof plan.charger_count === "number" ? plan.charger_count : (plan.evse_rows as unknown[]).length;
  return plan as unknown as PlanPayload;
}
