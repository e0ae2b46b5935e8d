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

/** Translate a key built at run time (an enum value), falling back to the value itself. */
export function tEnum(prefix: string, value: string | null | undefined): string {
  if (!value) return "";
  const key = `${prefix}.${value}`;
  return catalogs[current][key] ?? catalogs.nb[key] ?? value;
}

export function locale(): string {
  return current === "nb" ? "nb-NO" : "en-GB";
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), {
    timeZone: "Europe/Oslo", weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  }).format(new Date(iso));
}

export function formatDate(ymd: string | null | undefined): string {
  if (!ymd) return "";
  const [y, m, d] = ymd.slice(0, 10).split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: "UTC", day: "numeric", month: "short", year: "numeric" }).format(
    new Date(Date.UTC(y!, m! - 1, d!)),
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), { timeZone: "Europe/Oslo", hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined) return "–";
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(share);
}
