import { css, html, LitElement, nothing } from "lit";
import { localizer } from "./i18n";
import type { ConfigEntrySummary, HomeAssistant, PlanCardConfig } from "./types";

/** The plan card's visual editor: which hub, and an optional title. */
export class PlanCardEditor extends LitElement {
  declare hass?: HomeAssistant;
  declare private config?: PlanCardConfig;
  declare private hubs?: ConfigEntrySummary[];

  static properties = {
    hass: { attribute: false },
    config: { state: true },
    hubs: { state: true },
  };

  setConfig(config: PlanCardConfig): void {
    this.config = config;
  }

  protected updated(): void {
    if (this.hass && this.hubs === undefined) {
      this.hubs = [];
      this.hass
        .callWS<ConfigEntrySummary[]>({ type: "config_entries/get", domain: "ssch" })
        .then((entries) => (this.hubs = entries))
        .catch(() => (this.hubs = []));
    }
  }

  private changed(patch: Partial<PlanCardConfig>): void {
    const config: PlanCardConfig = { ...(this.config ?? { type: "custom:ssch-plan-card" }), ...patch };
    for (const key of Object.keys(patch) as (keyof PlanCardConfig)[]) if (!config[key]) delete config[key];
    this.config = config;
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }));
  }

  protected render() {
    const t = localizer(this.hass);
    const hubs = this.hubs ?? [];
    const chosen = this.config?.config_entry_id ?? "";
    return html`
      <label
        >${t("editor.hub")}
        <select class="hub" @change=${(e: Event) => this.changed({ config_entry_id: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${!chosen}>${t("editor.only_hub")}</option>
          ${hubs.map((hub) => html`<option value=${hub.entry_id} ?selected=${hub.entry_id === chosen}>${hub.title}</option>`)}
        </select>
      </label>
      ${this.hubs !== undefined && !hubs.length ? html`<div class="note">${t("editor.no_hubs")}</div>` : nothing}
      <label
        >${t("editor.title")}
        <input class="title" .value=${this.config?.title ?? ""}
          @change=${(e: Event) => this.changed({ title: (e.target as HTMLInputElement).value })} />
      </label>
    `;
  }

  static styles = css`
    label {
      display: flex;
      flex-direction: column;
      gap: 4px;
      margin-bottom: 12px;
      color: var(--secondary-text-color);
    }
    select,
    input {
      font: inherit;
      color: var(--primary-text-color);
      background: var(--card-background-color, transparent);
      border: 1px solid var(--divider-color);
      border-radius: 4px;
      padding: 8px;
      color-scheme: light dark;
    }
    .note {
      color: var(--secondary-text-color);
      margin-bottom: 12px;
    }
  `;
}
