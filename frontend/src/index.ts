import { PlanChart } from "./chart";
import { PlanCardEditor } from "./editor";
import { EvseRowElement } from "./evse-row";
import { localizer } from "./i18n";
import { PlanCard } from "./plan-card";
import { HubDashboardStrategy } from "./strategy";

// The bundle may be loaded twice (an extra module and a hand-made resource): define each element once.
const ELEMENTS: [string, CustomElementConstructor][] = [
  ["ssch-plan-chart", PlanChart],
  ["ssch-evse-row", EvseRowElement],
  ["ssch-plan-card-editor", PlanCardEditor],
  ["ssch-plan-card", PlanCard],
  ["ll-strategy-dashboard-ssch-hub", HubDashboardStrategy],
];
function define(): void {
  for (const [name, element] of ELEMENTS) {
    if (!window.customElements.get(name)) window.customElements.define(name, element);
  }
}

// The frontend swaps window.customElements for a scoped registry as it starts; an element defined in the
// native registry before that stays unknown to it ("Custom element doesn't exist"). This module may load
// first, so it defines its elements once the frontend's own root element exists.
const started = (window as unknown as { CustomElementRegistryPolyfill?: unknown }).CustomElementRegistryPolyfill;
if (started || window.customElements.get("home-assistant")) define();
else void window.customElements.whenDefined("home-assistant").then(define);

interface CustomCardEntry {
  type: string;
  name: string;
  description: string;
  preview: boolean;
  documentationURL?: string;
}
const registry = window as unknown as { customCards?: CustomCardEntry[] };
registry.customCards = registry.customCards ?? [];
if (!registry.customCards.some((card) => card.type === "ssch-plan-card")) {
  const t = localizer(undefined);
  registry.customCards.push({
    type: "ssch-plan-card",
    name: t("card.name"),
    description: t("card.description"),
    preview: true,
    documentationURL: "https://github.com/ssch-hub/ssch",
  });
}
