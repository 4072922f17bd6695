import { css, html, LitElement, nothing, svg, type SVGTemplateResult } from "lit";
import { formatTime } from "./format";
import type { HomeAssistant } from "./types";

export interface ChartSeries {
  id: string;
  label: string;
  values: number[];
  kind: "step" | "bars" | "line" | "area";
  color: string;
  format: (value: number) => string;
  dashed?: boolean;
  /** Drawn against a fixed 0..100 scale (a state of charge) instead of the shared one. */
  percent?: boolean;
  /** Left out of the legend (e.g. a limit drawn as a line only). */
  quiet?: boolean;
}

const STEP_WIDTH = 10;
const HEIGHT = 100;

function finite(values: number[]): number[] {
  return values.filter((value) => Number.isFinite(value));
}

/** One plan chart in plain SVG: series over the plan's steps, with a cursor the user moves. */
export class PlanChart extends LitElement {
  declare hass?: HomeAssistant;
  declare label: string;
  declare times: string[];
  declare series: ChartSeries[];
  declare cursor: number;
  declare height: number;

  static properties = {
    hass: { attribute: false },
    label: { type: String },
    times: { attribute: false },
    series: { attribute: false },
    cursor: { type: Number },
    height: { type: Number },
  };

  constructor() {
    super();
    this.label = "";
    this.times = [];
    this.series = [];
    this.cursor = 0;
    this.height = 80;
  }

  private get steps(): number {
    return this.times.length;
  }

  private scale(): { low: number; high: number } {
    const values = finite(this.series.filter((s) => !s.percent).flatMap((s) => s.values));
    let low = Math.min(0, ...values);
    let high = Math.max(0, ...values);
    if (high - low < 1e-9) high = low + 1;
    const margin = (high - low) * 0.06;
    if (low < 0) low -= margin;
    high += margin;
    return { low, high };
  }

  private y(value: number, percent: boolean | undefined, low: number, high: number): number {
    const [bottom, top] = percent ? [0, 100] : [low, high];
    const clamped = Math.min(Math.max(value, bottom), top);
    return HEIGHT - ((clamped - bottom) / (top - bottom)) * HEIGHT;
  }

  private draw(series: ChartSeries, low: number, high: number): SVGTemplateResult | typeof nothing {
    const values = series.values.slice(0, this.steps);
    if (!values.length) return nothing;
    const y = (value: number): number => this.y(Number.isFinite(value) ? value : 0, series.percent, low, high);
    const zero = y(0);
    const dash = series.dashed ? "4 3" : "none";
    if (series.kind === "bars") {
      return svg`<g class="series" data-series=${series.id} fill=${series.color}>${values.map((value, k) => {
        const top = Math.min(y(value), zero);
        return svg`<rect x=${k * STEP_WIDTH + 1} width=${STEP_WIDTH - 2} y=${top} height=${Math.abs(y(value) - zero)}></rect>`;
      })}</g>`;
    }
    if (series.kind === "line") {
      const points = values.map((value, k) => `${k * STEP_WIDTH + STEP_WIDTH / 2},${y(value)}`).join(" ");
      return svg`<polyline class="series" data-series=${series.id} points=${points} fill="none"
        stroke=${series.color} stroke-width="2" stroke-dasharray=${dash} vector-effect="non-scaling-stroke"></polyline>`;
    }
    const path = values.map((value, k) => `${k ? "V" : `M0,`}${y(value)}H${(k + 1) * STEP_WIDTH}`).join("");
    if (series.kind === "area") {
      return svg`<path class="series" data-series=${series.id} d=${`${path}V${zero}H0Z`}
        fill=${series.color} fill-opacity="0.35" stroke=${series.color} stroke-width="1.5" vector-effect="non-scaling-stroke"></path>`;
    }
    return svg`<path class="series" data-series=${series.id} d=${path} fill="none" stroke=${series.color}
      stroke-width="2" stroke-dasharray=${dash} vector-effect="non-scaling-stroke"></path>`;
  }

  private pick(event: PointerEvent): void {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    if (!box.width || !this.steps) return;
    const index = Math.floor(((event.clientX - box.left) / box.width) * this.steps);
    const cursor = Math.min(Math.max(index, 0), this.steps - 1);
    this.dispatchEvent(new CustomEvent("cursor-changed", { detail: { index: cursor }, bubbles: true, composed: true }));
  }

  private ticks(): { left: number; text: string }[] {
    const steps = this.steps;
    if (steps < 2) return [];
    const every = Math.max(1, Math.round(steps / 4));
    const ticks = [];
    for (let k = 0; k < steps; k += every) {
      ticks.push({ left: (k / steps) * 100, text: formatTime(this.hass, this.times[k]) });
    }
    return ticks;
  }

  protected render() {
    const { low, high } = this.scale();
    const width = Math.max(this.steps, 1) * STEP_WIDTH;
    const cursor = Math.min(Math.max(this.cursor, 0), Math.max(this.steps - 1, 0));
    const showsZero = low < 0;
    const unitSeries = this.series.find((s) => !s.percent);
    return html`
      <div class="head">
        <span class="label">${this.label}</span>
        <span class="legend">
          ${this.series.filter((s) => !s.quiet).map(
            (s) => html`<span class="item" data-series=${s.id}
              ><i style="background:${s.color}"></i>${s.label}
              <b>${s.format(s.values[cursor] ?? Number.NaN)}</b></span
            >`,
          )}
        </span>
      </div>
      <div class="plot" style="height:${this.height}px" @pointermove=${this.pick} @pointerdown=${this.pick}>
        <svg viewBox="0 0 ${width} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label=${this.label}>
          ${showsZero
            ? svg`<line class="zero" x1="0" x2=${width} y1=${this.y(0, false, low, high)} y2=${this.y(0, false, low, high)} vector-effect="non-scaling-stroke"></line>`
            : nothing}
          ${this.series.map((s) => this.draw(s, low, high))}
          <rect class="cursor" x=${cursor * STEP_WIDTH} width=${STEP_WIDTH} y="0" height=${HEIGHT}></rect>
        </svg>
        ${unitSeries
          ? html`<span class="axis top">${unitSeries.format(high)}</span>${showsZero
                ? html`<span class="axis bottom">${unitSeries.format(low)}</span>`
                : nothing}`
          : nothing}
      </div>
      <div class="ticks">${this.ticks().map((t) => html`<span style="left:${t.left}%">${t.text}</span>`)}</div>
    `;
  }

  static styles = css`
    :host {
      display: block;
      margin: 8px 0 4px;
    }
    .head {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 2px 10px;
      font-size: 12px;
      color: var(--secondary-text-color);
    }
    .label {
      font-weight: 500;
      color: var(--primary-text-color);
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 10px;
    }
    .item i {
      display: inline-block;
      width: 8px;
      height: 8px;
      border-radius: 2px;
      margin-right: 4px;
    }
    .item b {
      font-weight: 500;
      color: var(--primary-text-color);
      font-variant-numeric: tabular-nums;
    }
    .plot {
      position: relative;
      touch-action: pan-y;
      cursor: crosshair;
      border-bottom: 1px solid var(--divider-color);
    }
    svg {
      display: block;
      width: 100%;
      height: 100%;
      overflow: visible;
    }
    .zero {
      stroke: var(--divider-color);
      stroke-width: 1;
    }
    .cursor {
      fill: var(--primary-text-color);
      fill-opacity: 0.08;
      stroke: var(--primary-text-color);
      stroke-opacity: 0.3;
      stroke-width: 1;
      vector-effect: non-scaling-stroke;
    }
    .axis {
      position: absolute;
      left: 2px;
      font-size: 10px;
      color: var(--secondary-text-color);
      background: color-mix(in srgb, var(--card-background-color, #fff) 70%, transparent);
      pointer-events: none;
    }
    .axis.top {
      top: 0;
    }
    .axis.bottom {
      bottom: 0;
    }
    .ticks {
      position: relative;
      height: 14px;
      font-size: 10px;
      color: var(--secondary-text-color);
    }
    .ticks span {
      position: absolute;
      top: 1px;
      white-space: nowrap;
    }
  `;
}
