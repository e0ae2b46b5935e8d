/** Dates and weeks as Norwegians count them: ISO weeks in Europe/Oslo, times sent with an offset. */

export const TIME_ZONE = "Europe/Oslo";

const ymdFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The Oslo calendar date (YYYY-MM-DD) of an instant. */
export function osloDate(instant: Date | string): string {
  const date = typeof instant === "string" ? new Date(instant) : instant;
  return ymdFormat.format(date);
}

export function todayOslo(now = new Date()): string {
  return osloDate(now);
}

function utcFromYmd(ymd: string): Date {
  const [y, m, d] = ymd.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!));
}

export function addDays(ymd: string, days: number): string {
  const date = utcFromYmd(ymd);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export interface IsoWeek {
  year: number;
  week: number;
}

/** ISO-8601 week of a calendar date. */
export function isoWeekOfDate(ymd: string): IsoWeek {
  const date = utcFromYmd(ymd);
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday decides the year
  const year = date.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.ceil(((date.getTime() - jan1) / 86_400_000 + 1) / 7);
  return { year, week };
}

export function weekLabel(week: IsoWeek): string {
  return `${week.year}-W${String(week.week).padStart(2, "0")}`;
}

export function parseWeek(label: string): IsoWeek {
  const match = /^(\d{4})-W(\d{2})$/.exec(label);
  if (!match) throw new Error(`not an ISO week: ${label}`);
  return { year: Number(match[1]), week: Number(match[2]) };
}

/** The Oslo ISO week an instant falls in, as "2026-W47". */
export function osloWeek(instant: Date | string): string {
  return weekLabel(isoWeekOfDate(osloDate(instant)));
}

/** Monday (YYYY-MM-DD) of an ISO week. */
export function mondayOf(label: string): string {
  const { year, week } = parseWeek(label);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const weekday = jan4.getUTCDay() || 7;
  jan4.setUTCDate(jan4.getUTCDate() - weekday + 1 + (week - 1) * 7);
  return jan4.toISOString().slice(0, 10);
}

export function addWeeks(label: string, delta: number): string {
  return weekLabel(isoWeekOfDate(addDays(mondayOf(label), delta * 7)));
}

/** The `count` weeks ending with `last`, oldest first. */
export function weeksEnding(last: string, count: number): string[] {
  const weeks: string[] = [];
  for (let i = count - 1; i >= 0; i--) weeks.push(addWeeks(last, -i));
  return weeks;
}

function pad(n: number): string {
  return String(Math.abs(n)).padStart(2, "0");
}

/** An instant as ISO 8601 in the device's local time with its offset, e.g. 2026-11-20T10:00:00+01:00. */
export function isoWithOffset(date = new Date()): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  );
}

/** The value for an <input type="datetime-local"> showing `date` in local time. */
export function toLocalInput(date = new Date()): string {
  return isoWithOffset(date).slice(0, 16);
}

/** Read an <input type="datetime-local"> value back as ISO with offset. */
export function fromLocalInput(value: string): string {
  return isoWithOffset(new Date(value));
}
