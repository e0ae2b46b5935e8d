/** The user interface's words: bokmål by default, English selectable. Every string is in the catalogs. */
import nb from "./nb.json";
import en from "./en.json";

export type Lang = "nb" | "en";
export type MessageKey = keyof typeof nb;

const catalogs: Record<Lang, Record<string, string>> = { nb, en };
const STORAGE_KEY = "feltlogg.lang";

function initialLang(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === "en" || saved === "nb") return saved;
  } catch {
    // storage may be unavailable (private mode): fall back to bokmål
  }
  return "nb";
}

let current: Lang = initialLang();
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered, still switched
  }
  if (globalThis.document) document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Translate `key`, filling {name} placeholders from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = catalogs[current][key] ?? catalogs.nb[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/**
 * Translate a count: `${key}.one` or `${key}.other` by the language's plural rules (Intl), with
 * the count written as the language writes numbers, e.g. "1 endring", "3 endringer".
 */
export function tCount(key: string, count: number, vars: Record<string, string | number> = {}): string {
  const form = pluralRules(locale()).select(count) === "one" ? "one" : "other";
  return t(`${key}.${form}` as MessageKey, { ...vars, count: formatNumber(count) });
}

/** Translate a key built at run time (an enum value), falling back to the value itself. */
export function tEnum(prefix: string, value: string | null | undefined): string {
  if (!value) return "";
  const key = `${prefix}.${value}`;
  return catalogs[current][key] ?? catalogs.nb[key] ?? value;
}

/** A word or phrase that starts a label or a line, with a capital first letter ("jobbspesialist" → "Jobbspesialist"). */
export function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase(locale()) + text.slice(1);
}

export function locale(): string {
  return current === "nb" ? "nb-NO" : "en-GB";
}

// Intl formatters are slow to build: one per (locale, options), kept for the page's lifetime.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.PluralRules>();

function cachedFormatter<F extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.PluralRules>(kind: string, loc: string, options: object, make: () => F): F {
  const key = `${kind}|${loc}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key) as F | undefined;
  if (!formatter) formatters.set(key, (formatter = make()));
  return formatter;
}

function dateTimeFormat(loc: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cachedFormatter("date", loc, options, () => new Intl.DateTimeFormat(loc, options));
}

function numberFormat(loc: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cachedFormatter("number", loc, options, () => new Intl.NumberFormat(loc, options));
}

function pluralRules(loc: string): Intl.PluralRules {
  return cachedFormatter("plural", loc, {}, () => new Intl.PluralRules(loc));
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return dateTimeFormat(locale(), {
    timeZone: "Europe/Oslo", weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  }).format(new Date(iso));
}

export function formatDate(ymd: string | null | undefined): string {
  if (!ymd) return "";
  const [y, m, d] = ymd.slice(0, 10).split("-").map(Number);
  return dateTimeFormat(locale(), { timeZone: "UTC", day: "numeric", month: "short", year: "numeric" }).format(
    new Date(Date.UTC(y!, m! - 1, d!)),
  );
}

/** The day of an instant in Oslo, short: "3. des." (with the year when it is not this year). */
export function formatDay(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return "";
  const date = new Date(iso);
  const year = (d: Date) => dateTimeFormat("en", { timeZone: "Europe/Oslo", year: "numeric" }).format(d);
  return dateTimeFormat(locale(), {
    timeZone: "Europe/Oslo", day: "numeric", month: "short", ...(year(date) === year(now) ? {} : { year: "numeric" }),
  }).format(date);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return dateTimeFormat(locale(), { timeZone: "Europe/Oslo", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

/** A number as the language writes it: "91,5" in bokmål, "91.5" in English (at most `digits` decimals). */
export function formatNumber(value: number, digits = 1): string {
  return numberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

/** A quarter given as "2026-Q3", said as the language says it: "3. kvartal 2026", "Q3 2026". */
export function formatQuarter(quarter: string): string {
  const match = /^(\d{4})-Q([1-4])$/.exec(quarter);
  if (!match) return quarter;
  const number = (n: number) => numberFormat(locale(), { useGrouping: false }).format(n);
  return t("quarter.label", { quarter: number(Number(match[2])), year: number(Number(match[1])) });
}

export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined) return "–";
  return numberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(share);
}
