import { localizer, type Localize } from "./i18n";
import type { HomeAssistant, HubLayout } from "./types";

interface StrategyConfig {
  config_entry_id?: string;
}

type Card = Record<string, unknown>;
type View = { title: string; path: string; icon: string; cards: Card[] };

function entitiesCard(title: string, entities: string[]): Card[] {
  return entities.length ? [{ type: "entities", title, entities }] : [];
}

function overview(hub: HubLayout, t: Localize): Card[] {
  const tiles = hub.evses
    .filter((evse) => evse.power)
    .map((evse) => ({ type: "tile", entity: evse.power, name: evse.name, icon: "mdi:ev-station" }));
  return [
    { type: "custom:ssch-plan-card", config_entry_id: hub.config_entry_id },
    ...entitiesCard(t("strategy.hub"), hub.hub_entities),
    tiles.length
      ? { type: "grid", title: t("strategy.chargers"), columns: 2, square: false, cards: tiles }
      : { type: "markdown", content: t("strategy.no_chargers") },
    ...entitiesCard(t("strategy.site"), hub.site_entities),
    ...entitiesCard(t("strategy.key_figures"), hub.kpi_entities),
    ...(hub.calendars.length
      ? [{ type: "calendar", title: t("strategy.bookings"), initial_view: "listWeek", entities: hub.calendars }]
      : []),
  ];
}

function chargers(hub: HubLayout, t: Localize): Card[] {
  const cards = hub.evses.flatMap((evse) => entitiesCard(evse.name, evse.entities));
  return cards.length ? cards : [{ type: "markdown", content: t("strategy.no_chargers") }];
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "hub";
}

/** ``strategy: type: custom:ssch-hub``: a dashboard of the hub that follows its chargers and assets. */
export class HubDashboardStrategy extends HTMLElement {
  static async generate(config: StrategyConfig, hass: HomeAssistant): Promise<{ views: View[] }> {
    const t = localizer(hass);
    let hubs: HubLayout[] = [];
    try {
      const message: Record<string, unknown> = { type: "ssch/dashboard" };
      if (config?.config_entry_id) message.config_entry_id = config.config_entry_id;
      hubs = (await hass.callWS<{ hubs: HubLayout[] }>(message)).hubs ?? [];
    } catch {
      hubs = [];
    }
    if (!hubs.length) {
      return {
        views: [{ title: t("strategy.overview"), path: "overview", icon: "mdi:ev-station", cards: [{ type: "markdown", content: t("strategy.no_hub") }] }],
      };
    }
    const several = hubs.length > 1;
    const views = hubs.flatMap((hub) => {
      const prefix = several ? `${slug(hub.hub)}-` : "";
      return [
        { title: several ? hub.hub : t("strategy.overview"), path: `${prefix}overview`, icon: "mdi:transmission-tower", cards: overview(hub, t) },
        { title: several ? `${hub.hub}: ${t("strategy.chargers")}` : t("strategy.chargers"), path: `${prefix}chargers`, icon: "mdi:ev-station", cards: chargers(hub, t) },
      ];
    });
    return { views };
  }
}
