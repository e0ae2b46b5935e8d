/**
 * The server's settings that the app checks input against (GET /api/v1/settings), fetched when
 * online and kept in the meta table for offline use; and the rule for when logged work may have
 * happened, the same as the server's (api/activity/rules.py).
 */
import { authDeps, db } from "./app";
import { API, authorizedFetch } from "./auth";
import { type FeltloggDB, getMeta, setMeta } from "./db";
import type { MessageKey } from "./i18n";
import { addDays, toLocalInput } from "./time";
import type { components } from "./api";

export type ServerSettings = components["schemas"]["Settings"];

/** The meta row the settings are kept in. */
export const SETTINGS_KEY = "server_settings";

export type SettingsStatus = "ok" | "offline" | "unavailable";

export function cachedSettings(database: FeltloggDB = db): Promise<ServerSettings | undefined> {
  return getMeta<ServerSettings>(database, SETTINGS_KEY);
}

function isSettings(value: unknown): value is ServerSettings {
  const v = value as Partial<ServerSettings> | null;
  return Boolean(v) && typeof v!.activity_max_days_back === "number" && v!.activity_max_days_back >= 0 && typeof v!.timezone === "string";
}

/**
 * Fetch the settings and keep them. Offline or refused, the kept copy stays as it was: a form
 * without any copy checks no bound, and the server still has the last word.
 */
export async function refreshSettings(): Promise<SettingsStatus> {
  try {
    const response = await authorizedFetch(authDeps, `${API}/settings`);
    if (!response.ok) return "unavailable";
    const settings: unknown = await response.json();
    if (!isSettings(settings)) return "unavailable";
    await setMeta(db, SETTINGS_KEY, { activity_max_days_back: settings.activity_max_days_back, timezone: settings.timezone });
    return "ok";
  } catch {
    return "offline";
  }
}

// ---------------------------------------------------------------------------------------------
// When logged work may have happened.

const DAY_MS = 86_400_000;

export interface WhenRule {
  /** How many days before it was logged it may have happened; 0: no bound. */
  maxDaysBack: number;
  /** Whether it may lie after now (a meeting can be planned ahead; a contact cannot). */
  future: boolean;
}

export function whenRule(settings: ServerSettings | undefined, future: boolean): WhenRule {
  return { maxDaysBack: settings?.activity_max_days_back ?? 0, future };
}

/** The earliest instant allowed for work logged at `loggedAt`; null without a bound. */
export function earliestAllowed(rule: WhenRule, loggedAt: Date): Date | null {
  // The server subtracts whole days of 24 hours from the instant it was logged.
  return rule.maxDaysBack > 0 ? new Date(loggedAt.getTime() - rule.maxDaysBack * DAY_MS) : null;
}

/** A date and a time as the form holds them (device local time, YYYY-MM-DD and HH:MM). */
export interface WhenValue {
  date: string;
  time: string;
}

export function whenOf(instant: Date): WhenValue {
  const local = toLocalInput(instant);
  return { date: local.slice(0, 10), time: local.slice(11, 16) };
}

/** The instant a date and time name in local time; null unless both are complete and real. */
export function instantOf(value: WhenValue): Date | null {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.date);
  const time = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value.time);
  if (!date || !time) return null;
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  if (year < 1900 || year > 2999) return null;
  const instant = new Date(year, month - 1, day, Number(time[1]), Number(time[2]));
  if (instant.getFullYear() !== year || instant.getMonth() !== month - 1 || instant.getDate() !== day) return null;
  return instant;
}

export interface WhenProblem {
  key: MessageKey;
  vars?: Record<string, string | number>;
}

/**
 * What keeps `value` from being saved, if anything: the server's rule, judged at `now` for work
 * logged at `loggedAt` (now, for new work; when it was first logged, for an edit). `formatEarliest`
 * writes the earliest allowed time for the message.
 */
export function whenProblem(
  value: WhenValue,
  rule: WhenRule,
  loggedAt: Date,
  now: Date,
  formatEarliest: (instant: Date) => string = (instant) => instant.toISOString(),
): WhenProblem | undefined {
  if (!value.date) return { key: "when.needDate" };
  if (!value.time) return { key: "when.needTime" };
  const instant = instantOf(value);
  if (!instant) return { key: "when.badDateTime" };
  const earliest = earliestAllowed(rule, loggedAt);
  if (earliest && instant.getTime() < earliest.getTime()) {
    return { key: "when.tooEarly", vars: { days: rule.maxDaysBack, earliest: formatEarliest(earliest) } };
  }
  // A time in the current minute is "now" (the field has no seconds).
  if (!rule.future && instant.getTime() > now.getTime()) return { key: "when.future" };
  return undefined;
}

/** The days the quick choices and the day picker offer (local dates, YYYY-MM-DD). */
export interface DayChoices {
  today: string;
  yesterday: string;
  /** The first day with an allowed time; undefined without a bound. */
  min: string | undefined;
  /** The last day allowed; undefined when the future is allowed. */
  max: string | undefined;
}

export function dayChoices(rule: WhenRule, loggedAt: Date, now: Date): DayChoices {
  const today = whenOf(now).date;
  const earliest = earliestAllowed(rule, loggedAt);
  return {
    today,
    yesterday: addDays(today, -1),
    min: earliest ? whenOf(earliest).date : undefined,
    max: rule.future ? undefined : today,
  };
}

/** Whether a day is within the picker's bounds. */
export function dayAllowed(day: string, choices: DayChoices): boolean {
  return (!choices.min || day >= choices.min) && (!choices.max || day <= choices.max);
}
