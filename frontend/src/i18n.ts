import { da } from "./translations/da";
import { de } from "./translations/de";
import { en, type TranslationKey } from "./translations/en";
import { nl } from "./translations/nl";
import type { HomeAssistant } from "./types";

const LANGUAGES: Record<string, Record<TranslationKey, string>> = { en, nl, de, da };

export type Localize = (key: TranslationKey, values?: Record<string, string | number>) => string;

/** Texts in the user's language (English where the language is not translated). */
export function localizer(hass: HomeAssistant | undefined): Localize {
  const language = (hass?.locale?.language ?? hass?.language ?? "en").split("-")[0].toLowerCase();
  const texts = LANGUAGES[language] ?? en;
  return (key, values = {}) =>
    (texts[key] ?? en[key]).replace(/\{(\w+)\}/g, (match, name: string) =>
      name in values ? String(values[name]) : match,
    );
}
