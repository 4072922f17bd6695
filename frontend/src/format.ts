import type { HomeAssistant } from "./types";

/** The time zone the user chose to see times in: the server's or the browser's. */
export function timeZone(hass: HomeAssistant | undefined): string | undefined {
  return hass?.locale?.time_zone === "server" ? hass.config.time_zone : undefined;
}

function language(hass: HomeAssistant | undefined): string {
  return hass?.locale?.language ?? hass?.language ?? "en";
}

export function formatTime(hass: HomeAssistant | undefined, iso: string | Date): string {
  const moment = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(moment.getTime())) return "–";
  return new Intl.DateTimeFormat(language(hass), {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: timeZone(hass),
  }).format(moment);
}

export function formatDayTime(hass: HomeAssistant | undefined, iso: string): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return "–";
  return new Intl.DateTimeFormat(language(hass), {
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: timeZone(hass),
  }).format(moment);
}

export function formatNumber(hass: HomeAssistant | undefined, value: number | undefined, digits = 1): string {
  if (value === undefined || !Number.isFinite(value)) return "–";
  // No "-0.0" for a value that rounds to zero.
  const shown = Math.abs(value) < 0.5 * 10 ** -digits ? 0 : value;
  return new Intl.NumberFormat(language(hass), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(shown);
}

/** Wall-clock parts of ``moment`` in ``zone`` (the browser's when undefined). */
function wallClock(moment: Date, zone: string | undefined): Record<string, number> {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(moment);
  const found: Record<string, number> = {};
  for (const part of parts) if (part.type !== "literal") found[part.type] = Number(part.value);
  return found;
}

const pad = (value: number): string => String(value).padStart(2, "0");

/** The value of an ``<input type="datetime-local">`` showing ``iso`` in ``zone``. */
export function toLocalInput(iso: string, zone: string | undefined): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return "";
  const p = wallClock(moment, zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The moment an ``<input type="datetime-local">`` value names in ``zone``. */
export function fromLocalInput(value: string, zone: string | undefined): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  let guess = asUtc;
  // Twice: the zone's offset may differ between the first guess and the answer (daylight saving).
  for (let round = 0; round < 2; round += 1) {
    const p = wallClock(new Date(guess), zone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess = asUtc - (shown - guess);
  }
  return new Date(guess);
}
