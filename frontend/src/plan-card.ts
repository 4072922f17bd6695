import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import type { ChartSeries } from "./chart";
import { formatDayTime, formatNumber } from "./format";
import { localizer, type Localize } from "./i18n";
import { normalize } from "./payload";
import type { HomeAssistant, PlanCardConfig, PlanPayload } from "./types";

const REFRESH_MS = 60_000;
// Goal entities changed elsewhere (another card, an automation): fetch again, at most this often.
const WATCH_MS = 5_000;

type Load = { kind: "loading" } | { kind: "error"; message: string } | { kind: "plan"; plan: PlanPayload };

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(err);
}

/** ``custom:ssch-plan-card``: the hub's plan for the next hours, and every plugged-in car's outlook. */
export class PlanCard extends LitElement {
  declare hass?: HomeAssistant;
  declare private config?: PlanCardConfig;
  declare private load: Load;
  declare private cursor: number;
  private timer?: number;
  private watched = "";
  private lastFetch = 0;

  static properties = {
    hass: { attribute: false },
    config: { state: true },
    load: { state: true },
    cursor: { state: true },
  };

  constructor() {
    super();
    this.load = { kind: "loading" };
    this.cursor = 0;
  }

  static async getConfigElement(): Promise<HTMLElement> {
    return document.createElement("ssch-plan-card-editor");
  }

  static getStubConfig(): PlanCardConfig {
    return { type: "custom:ssch-plan-card" };
  }

  setConfig(config: PlanCardConfig): void {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    const changedHub = this.config?.config_entry_id !== config.config_entry_id;
    this.config = config;
    if (changedHub && this.hass) void this.fetch();
  }

  /** In a sections view the card takes the whole width of its section. */
  getGridOptions(): { columns: number; min_columns: number } {
    return { columns: 12, min_columns: 6 };
  }

  getCardSize(): number {
    const rows = this.load.kind === "plan" ? this.load.plan.evse_rows.filter((r) => r.car).length : 0;
    return 6 + rows * 3;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.timer = window.setInterval(() => void this.fetch(), REFRESH_MS);
    if (this.hass) void this.fetch();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.timer);
  }

  protected updated(changed: PropertyValues<this>): void {
    if (!changed.has("hass") || !this.hass) return;
    if (this.lastFetch === 0) {
      void this.fetch();
      return;
    }
    const watched = this.watchedSignature();
    if (watched !== this.watched && Date.now() - this.lastFetch > WATCH_MS) void this.fetch();
  }

  private watchedSignature(): string {
    if (this.load.kind !== "plan" || !this.hass) return "";
    return this.load.plan.evse_rows
      .flatMap((row) => [row.entities.departure, row.entities.target_soc, row.entities.charge_mode])
      .map((id) => (id ? (this.hass?.states[id]?.last_updated ?? "") : ""))
      .join("|");
  }

  private async fetch(): Promise<void> {
    if (!this.hass) return;
    this.lastFetch = Date.now();
    const message: Record<string, unknown> = { type: "ssch/plan" };
    if (this.config?.config_entry_id) message.config_entry_id = this.config.config_entry_id;
    try {
      const plan = normalize(await this.hass.callWS<unknown>(message));
      this.load = { kind: "plan", plan };
      this.cursor = Math.min(this.cursor, Math.max(plan.times.length - 1, 0));
      this.watched = this.watchedSignature();
    } catch (err) {
      this.load = { kind: "error", message: errorText(err) };
    }
  }

  private messages(plan: PlanPayload, t: Localize) {
    const notes: { level: string; text: string }[] = [];
    if (plan.ems_mode === "off") notes.push({ level: "warning", text: t("state.mode_off") });
    if (plan.ems_mode === "advisory") notes.push({ level: "info", text: t("state.mode_advisory") });
    if (plan.solver?.fallback_used) {
      notes.push({ level: "warning", text: t("state.fallback", { reason: plan.solver.reason ?? plan.solver.status }) });
    } else if (plan.status === "degraded" && plan.status_reason) {
      notes.push({ level: "warning", text: t("state.degraded", { reason: plan.status_reason }) });
    }
    if (!plan.charger_count) notes.push({ level: "info", text: t("state.no_chargers") });
    return notes.map((n) => html`<div class="message ${n.level}">${n.text}</div>`);
  }

  private readout(plan: PlanPayload, t: Localize) {
    const time = plan.times[this.cursor];
    return time ? html`<div class="readout">${t("readout.at", { time: formatDayTime(this.hass, time) })}</div>` : nothing;
  }

  private charts(plan: PlanPayload, t: Localize) {
    const kw = (value: number) => `${formatNumber(this.hass, value, 1)} kW`;
    // Export is drawn below the axis but read as an amount.
    const exportKw = (value: number) => kw(Math.abs(value));
    const pct = (value: number) => `${formatNumber(this.hass, value, 0)} %`;
    const currency = plan.currency || "";
    const price = (value: number) => `${formatNumber(this.hass, value, 3)} ${currency}/kWh`;
    const steps = plan.times.length;
    const billedPeak = plan.billed_peak_kw > 0 ? Array(steps).fill(plan.billed_peak_kw) : [];
    const charts: { id: string; label: string; series: ChartSeries[]; height?: number }[] = [
      {
        id: "price",
        label: t("chart.price"),
        height: 50,
        series: [
          { id: "import_price", label: t("series.import_price"), values: plan.import_price_per_kwh ?? [], kind: "step", color: "var(--ssch-price-color)", format: price },
          { id: "export_price", label: t("series.export_price"), values: plan.export_price_per_kwh ?? [], kind: "step", color: "var(--ssch-export-color)", format: price, dashed: true },
        ],
      },
      {
        id: "grid",
        label: t("chart.grid"),
        series: [
          { id: "grid_import", label: t("series.import"), values: plan.grid_import_kw ?? [], kind: "bars", color: "var(--ssch-import-color)", format: kw },
          { id: "grid_export", label: t("series.export"), values: (plan.grid_export_kw ?? []).map((v) => -v), kind: "bars", color: "var(--ssch-export-color)", format: exportKw },
          { id: "import_limit", label: t("series.limit"), values: plan.import_limit_kw ?? [], kind: "step", color: "var(--ssch-limit-color)", format: kw, dashed: true },
          ...(billedPeak.length
            ? [{ id: "billed_peak", label: t("series.billed_peak"), values: billedPeak, kind: "step" as const, color: "var(--ssch-peak-color)", format: kw, dashed: true }]
            : []),
        ],
      },
    ];
    const pv = plan.pv_forecast_kw ?? [];
    if (pv.some((v) => v > 0)) {
      charts.push({
        id: "solar",
        label: t("chart.solar"),
        height: 50,
        series: [
          { id: "pv", label: t("series.pv"), values: pv, kind: "area", color: "var(--ssch-pv-color)", format: kw },
          ...(plan.pv_curtailable
            ? [{ id: "curtailment", label: t("series.curtailment"), values: plan.pv_curtailment_kw ?? [], kind: "bars" as const, color: "var(--ssch-curtail-color)", format: kw }]
            : []),
        ],
      });
    }
    if (plan.battery) {
      charts.push({
        id: "battery",
        label: t("chart.battery"),
        height: 50,
        series: [
          { id: "battery_power", label: t("series.battery_power"), values: plan.battery_power_kw ?? [], kind: "bars", color: "var(--ssch-battery-color)", format: kw },
          { id: "battery_soc", label: t("series.battery_soc"), values: plan.battery.soc_pct, kind: "line", color: "var(--ssch-soc-color)", percent: true, format: pct },
        ],
      });
    }
    return charts.map(
      (chart) => html`<ssch-plan-chart data-chart=${chart.id} .hass=${this.hass} .label=${chart.label}
        .times=${plan.times} .series=${chart.series} .cursor=${this.cursor} height=${chart.height ?? 80}></ssch-plan-chart>`,
    );
  }

  private cars(plan: PlanPayload, t: Localize) {
    const rows = plan.evse_rows ?? [];
    const withCar = rows.filter((row) => row.car);
    const free = rows.filter((row) => !row.car && row.online).map((row) => row.name);
    const offline = rows.filter((row) => !row.car && !row.online).map((row) => row.name);
    return html`
      <div class="cars">
        ${withCar.map(
          (row) => html`<ssch-evse-row .hass=${this.hass} .row=${row} .times=${plan.times} .cursor=${this.cursor}></ssch-evse-row>`,
        )}
        ${plan.charger_count && !withCar.length ? html`<div class="message info no-cars">${t("state.no_cars")}</div>` : nothing}
        ${free.length ? html`<div class="idle free">${t("state.free", { names: free.join(", ") })}</div>` : nothing}
        ${offline.length ? html`<div class="idle offline">${t("state.offline", { names: offline.join(", ") })}</div>` : nothing}
      </div>
    `;
  }

  private body(t: Localize) {
    const load = this.load;
    if (load.kind === "loading") return html`<div class="message info state">${t("state.loading")}</div>`;
    if (load.kind === "error") {
      const noHub = /unknown_hub|hub_required|no hub|not found/i.test(load.message);
      return html`<div class="message warning state">
        ${noHub && !this.config?.config_entry_id ? t("state.no_hub") : t("state.not_loaded", { error: load.message })}
      </div>`;
    }
    const plan = load.plan;
    if (!plan.times?.length || plan.solver?.backend === "none") {
      return html`${this.messages(plan, t)}<div class="message info state">${t("state.no_plan")}</div>`;
    }
    return html`${this.messages(plan, t)} ${this.readout(plan, t)} ${this.charts(plan, t)} ${this.cars(plan, t)}`;
  }

  protected render() {
    const t = localizer(this.hass);
    const hub = this.load.kind === "plan" ? this.load.plan.hub : "";
    const title = this.config?.title || (hub ? `${t("card.title")} · ${hub}` : t("card.title"));
    return html`<ha-card>
      <div class="header">${title}</div>
      <div class="content" @cursor-changed=${(e: CustomEvent<{ index: number }>) => (this.cursor = e.detail.index)}
        @goal-changed=${() => void this.fetch()}>${this.body(t)}</div>
    </ha-card>`;
  }

  static styles = css`
    :host {
      --ssch-price-color: var(--orange-color, #ff9800);
      --ssch-import-color: var(--blue-color, #2196f3);
      --ssch-export-color: var(--green-color, #4caf50);
      --ssch-limit-color: var(--red-color, #f44336);
      --ssch-peak-color: var(--deep-orange-color, #ff5722);
      --ssch-pv-color: var(--amber-color, #ffc107);
      --ssch-curtail-color: var(--grey-color, #9e9e9e);
      --ssch-battery-color: var(--purple-color, #9c27b0);
      --ssch-soc-color: var(--teal-color, #009688);
      --ssch-car-color: var(--indigo-color, #3f51b5);
    }
    ha-card {
      overflow: hidden;
    }
    .header {
      padding: 12px 16px 0;
      font-size: 20px;
      line-height: 28px;
      color: var(--ha-card-header-color, var(--primary-text-color));
    }
    .content {
      padding: 4px 16px 12px;
    }
    .message {
      margin: 6px 0;
      padding: 6px 8px;
      border-radius: 6px;
      font-size: 14px;
      color: var(--primary-text-color);
      background: color-mix(in srgb, var(--info-color, #039be5) 14%, transparent);
    }
    .message.warning {
      background: color-mix(in srgb, var(--warning-color, #ffa600) 18%, transparent);
    }
    .readout {
      font-size: 12px;
      color: var(--secondary-text-color);
      text-align: right;
    }
    .idle {
      font-size: 12px;
      color: var(--secondary-text-color);
      padding-top: 6px;
      border-top: 1px solid var(--divider-color);
    }
  `;
}
