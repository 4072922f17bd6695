import { css, html, LitElement, nothing } from "lit";
import type { ChartSeries } from "./chart";
import { formatNumber, formatTime, fromLocalInput, timeZone, toLocalInput } from "./format";
import { localizer, type Localize } from "./i18n";
import type { TranslationKey } from "./translations/en";
import type { CarOutlook, EvseRow, HomeAssistant } from "./types";

const MODES = ["smart", "fast", "solar_only", "off"];

/** One EVSE with a car: its planned power, the outlook at departure, and its goals to edit in place. */
export class EvseRowElement extends LitElement {
  declare hass?: HomeAssistant;
  declare row?: EvseRow;
  declare times: string[];
  declare cursor: number;
  declare private error: string;

  static properties = {
    hass: { attribute: false },
    row: { attribute: false },
    times: { attribute: false },
    cursor: { type: Number },
    error: { state: true },
  };

  constructor() {
    super();
    this.times = [];
    this.cursor = 0;
    this.error = "";
  }

  private async call(domain: string, service: string, data: Record<string, unknown>): Promise<void> {
    this.error = "";
    try {
      await this.hass?.callService(domain, service, data);
      this.dispatchEvent(new CustomEvent("goal-changed", { bubbles: true, composed: true }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String((err as { message?: string })?.message ?? err);
      this.error = localizer(this.hass)("car.edit_failed", { error: message });
    }
  }

  private setDeparture(event: Event): void {
    const entity = this.row?.entities.departure;
    const moment = fromLocalInput((event.target as HTMLInputElement).value, timeZone(this.hass));
    if (!entity || !moment) return;
    void this.call("datetime", "set_value", { entity_id: entity, datetime: moment.toISOString() });
  }

  private setTarget(event: Event): void {
    const entity = this.row?.entities.target_soc;
    const value = Number((event.target as HTMLInputElement).value);
    if (!entity || !Number.isFinite(value)) return;
    void this.call("number", "set_value", { entity_id: entity, value: Math.min(Math.max(value, 0), 100) });
  }

  private setMode(event: Event): void {
    const entity = this.row?.entities.charge_mode;
    const option = (event.target as HTMLSelectElement).value;
    if (!entity) return;
    void this.call("select", "select_option", { entity_id: entity, option });
  }

  private outlook(car: CarOutlook, mode: string | undefined, t: Localize) {
    if (mode === "solar_only" || mode === "off") {
      return html`<div class="outlook neutral">${t("car.no_energy_promised")}</div>`;
    }
    if (car.at_risk) {
      return html`<div class="outlook risk">
        <ha-icon icon="mdi:alert"></ha-icon>${t("car.at_risk", { reason: car.reason || t("car.at_risk_unknown") })}
      </div>`;
    }
    const text = car.target_reached
      ? t("car.ready_now")
      : t("car.ready_at", { time: formatTime(this.hass, car.ready_at ?? car.departure) });
    return html`<div class="outlook ready"><ha-icon icon="mdi:check-circle"></ha-icon>${text}</div>`;
  }

  private socBar(car: CarOutlook, t: Localize) {
    const now = Math.min(Math.max(car.soc_known && car.soc_pct !== null ? car.soc_pct : (100 * car.energy_kwh) / (car.capacity_kwh || 1), 0), 100);
    const expected = Math.min(Math.max(car.expected_soc_pct, 0), 100);
    const target = Math.min(Math.max(car.target_soc_pct, 0), 100);
    return html`
      <div class="soc" title=${t("car.expected", { expected: formatNumber(this.hass, expected, 0), target: formatNumber(this.hass, target, 0) })}>
        <div class="now" style="width:${now}%"></div>
        <div class="gain" style="left:${Math.min(now, expected)}%;width:${Math.abs(expected - now)}%"></div>
        <div class="target" style="left:${target}%"></div>
      </div>
      <div class="soc-text">
        <span>${car.soc_known ? t("car.now", { soc: formatNumber(this.hass, now, 0) }) : nothing}</span>
        <span class="expected">${t("car.expected", { expected: formatNumber(this.hass, expected, 0), target: formatNumber(this.hass, target, 0) })}</span>
      </div>
      ${car.soc_known ? nothing : html`<div class="note no-soc">${t("car.no_soc")}</div>`}
    `;
  }

  private goals(car: CarOutlook, t: Localize) {
    const entities = this.row?.entities;
    const states = this.hass?.states ?? {};
    const target = entities?.target_soc ? states[entities.target_soc] : undefined;
    const mode = entities?.charge_mode ? states[entities.charge_mode] : undefined;
    if (!entities?.departure && !target && !mode) {
      return html`<div class="note">${t("car.no_goal_entities")}</div>`;
    }
    const zone = timeZone(this.hass);
    const options = Array.isArray(mode?.attributes.options) ? (mode?.attributes.options as string[]) : MODES;
    const targetValue = target && Number.isFinite(Number(target.state)) ? Number(target.state) : Math.round(car.target_soc_pct);
    return html`
      <div class="goals">
        ${entities?.departure
          ? html`<label
              >${t("car.departure")}
              <input class="departure" type="datetime-local" .value=${toLocalInput(car.departure, zone)}
                @change=${this.setDeparture}
            /></label>`
          : nothing}
        ${target
          ? html`<label
              >${t("car.target")}
              <span class="with-unit"
                ><input class="target" type="number" min="0" max="100" step="5" .value=${String(targetValue)}
                  @change=${this.setTarget} />%</span
              ></label
            >`
          : nothing}
        ${mode
          ? html`<label
              >${t("car.mode")}
              <select class="mode" @change=${this.setMode}>
                ${options.map(
                  (option) => html`<option value=${option} ?selected=${option === mode.state}>
                    ${MODES.includes(option) ? t(`mode.${option}` as TranslationKey) : option}
                  </option>`,
                )}
              </select></label
            >`
          : nothing}
      </div>
    `;
  }

  protected render() {
    const row = this.row;
    const car = row?.car;
    if (!row || !car) return nothing;
    const t = localizer(this.hass);
    const modeEntity = row.entities.charge_mode ? this.hass?.states[row.entities.charge_mode] : undefined;
    const kw = (value: number) => `${formatNumber(this.hass, value, 1)} kW`;
    const series: ChartSeries[] = [
      { id: "car_power", label: t("series.car_power"), values: row.power_kw, kind: "bars", color: "var(--ssch-car-color)", format: kw },
      {
        id: "car_soc",
        label: "SoC",
        values: car.soc_series_pct,
        kind: "line",
        color: "var(--ssch-soc-color)",
        percent: true,
        format: (value) => `${formatNumber(this.hass, value, 0)} %`,
      },
    ];
    return html`
      <div class="evse" data-key=${row.key}>
        <div class="title">
          <span class="name">${row.name}</span>
          ${this.outlook(car, modeEntity?.state, t)}
        </div>
        ${this.socBar(car, t)}
        <ssch-plan-chart .hass=${this.hass} .times=${this.times} .series=${series} .cursor=${this.cursor} height="40"></ssch-plan-chart>
        ${this.goals(car, t)}
        ${this.error ? html`<div class="note error">${this.error}</div>` : nothing}
      </div>
    `;
  }

  static styles = css`
    .evse {
      padding: 8px 0 4px;
      border-top: 1px solid var(--divider-color);
    }
    .title {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      align-items: center;
      gap: 4px 8px;
    }
    .name {
      font-weight: 500;
    }
    .outlook {
      display: flex;
      align-items: center;
      gap: 4px;
      font-size: 14px;
    }
    .outlook ha-icon {
      --mdc-icon-size: 18px;
    }
    .ready {
      color: var(--success-color, #43a047);
    }
    .risk {
      color: var(--error-color, #db4437);
    }
    .neutral {
      color: var(--secondary-text-color);
    }
    .soc {
      position: relative;
      height: 10px;
      margin-top: 6px;
      border-radius: 5px;
      background: var(--divider-color);
      overflow: hidden;
    }
    .soc .now {
      position: absolute;
      inset: 0 auto 0 0;
      background: var(--ssch-soc-color);
    }
    .soc .gain {
      position: absolute;
      top: 0;
      bottom: 0;
      background: var(--ssch-soc-color);
      opacity: 0.45;
    }
    .soc .target {
      position: absolute;
      top: 0;
      bottom: 0;
      width: 2px;
      margin-left: -1px;
      background: var(--primary-text-color);
    }
    .soc-text {
      display: flex;
      justify-content: space-between;
      flex-wrap: wrap;
      gap: 0 8px;
      font-size: 12px;
      color: var(--secondary-text-color);
    }
    .goals {
      display: flex;
      flex-wrap: wrap;
      gap: 6px 12px;
      margin-top: 4px;
    }
    label {
      display: flex;
      flex-direction: column;
      font-size: 12px;
      color: var(--secondary-text-color);
    }
    input,
    select {
      font: inherit;
      font-size: 14px;
      color: var(--primary-text-color);
      background: var(--secondary-background-color, transparent);
      border: 1px solid var(--divider-color);
      border-radius: 4px;
      padding: 3px 4px;
      color-scheme: light dark;
    }
    input.target {
      width: 4em;
    }
    .with-unit {
      display: flex;
      align-items: center;
      gap: 2px;
      color: var(--primary-text-color);
    }
    .note {
      font-size: 12px;
      color: var(--secondary-text-color);
    }
    .error {
      color: var(--error-color, #db4437);
    }
  `;
}
