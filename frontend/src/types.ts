/** The parts of Home Assistant's frontend objects the card uses. */
export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
}

export interface HomeAssistant {
  states: Record<string, HassEntity | undefined>;
  language: string;
  locale?: { language: string; time_zone?: string };
  config: { time_zone: string; currency?: string };
  themes?: { darkMode?: boolean };
  user?: { is_admin: boolean };
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  callService(domain: string, service: string, data: Record<string, unknown>): Promise<unknown>;
}

export interface PlanCardConfig {
  type: string;
  config_entry_id?: string;
  title?: string;
}

export interface EvseEntities {
  departure: string | null;
  target_soc: string | null;
  charge_mode: string | null;
  ev_soc: string | null;
  target_status: string | null;
}

export interface CarOutlook {
  session_id: string;
  soc_pct: number | null;
  soc_known: boolean;
  capacity_kwh: number;
  energy_kwh: number;
  departure: string;
  expected_energy_kwh: number;
  target_energy_kwh: number;
  expected_soc_pct: number;
  target_soc_pct: number;
  ready_at: string | null;
  target_reached: boolean;
  at_risk: boolean;
  reason: string | null;
  v2g: boolean;
  soc_series_pct: number[];
}

export interface EvseRow {
  key: string;
  name: string;
  charger: string;
  evse_id: number;
  online: boolean;
  power_kw: number[];
  car: CarOutlook | null;
  entities: EvseEntities;
}

export interface BatteryOutlook {
  capacity_kwh: number;
  soc_now_pct: number;
  soc_min_pct: number;
  soc_max_pct: number;
  soc_pct: number[];
}

/** The answer of the ``ssch/plan`` websocket command. */
export interface PlanPayload {
  config_entry_id: string;
  hub: string;
  start: string;
  step_minutes: number;
  times: string[];
  grid_import_kw: number[];
  grid_export_kw: number[];
  ev_power_kw: number[];
  battery_power_kw: number[];
  pv_curtailment_kw: number[];
  pv_forecast_kw: number[];
  building_kw: number[];
  import_limit_kw: number[];
  export_limit_kw: number[];
  import_price_per_kwh: number[];
  export_price_per_kwh: number[];
  prices_known_until: string | null;
  solver: { backend: string; status: string; fallback_used: boolean; reason: string | null };
  ems_mode: string;
  status: string;
  status_reason: string | null;
  currency: string;
  charger_count: number;
  billed_peak_kw: number;
  peak_price_per_kw: number;
  pv_curtailable: boolean;
  battery: BatteryOutlook | null;
  evse_rows: EvseRow[];
}

/** The answer of the ``ssch/dashboard`` websocket command: one entry per loaded hub. */
export interface HubLayout {
  config_entry_id: string;
  hub: string;
  hub_entities: string[];
  site_entities: string[];
  kpi_entities: string[];
  evses: { name: string; power: string | null; entities: string[] }[];
  calendars: string[];
}

export interface ConfigEntrySummary {
  entry_id: string;
  title: string;
  state: string;
}
