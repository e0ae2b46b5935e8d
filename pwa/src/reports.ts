/** Reports from the server: fetched when online, kept in IndexedDB to read offline, and downloaded as CSV. */
import { authDeps, db } from "./app";
import { API, authorizedFetch } from "./auth";
import type { Reports } from "./types";

export type ReportStatus = "ok" | "offline" | "unavailable";

const PATHS: Record<keyof Reports, string> = {
  weekly: "reports/weekly",
  fidelity: "reports/fidelity",
  outcomes: "reports/outcomes",
};

/** The last fetched copy of a report, if any. */
export async function cachedReport<K extends keyof Reports>(key: K): Promise<{ report: Reports[K]; fetched_at: string } | undefined> {
  const row = await db.reports.get(key);
  return row ? { report: row.report as Reports[K], fetched_at: row.fetched_at } : undefined;
}

/** Fetch a report and keep it for reading offline. */
export async function refreshReport(key: keyof Reports, query: Record<string, string>): Promise<ReportStatus> {
  try {
    const response = await authorizedFetch(authDeps, `${API}/${PATHS[key]}?${new URLSearchParams(query)}`);
    if (!response.ok) return "unavailable";
    const report = (await response.json()) as Reports[typeof key];
    await db.reports.put({ key, report, fetched_at: new Date().toISOString() });
    return "ok";
  } catch {
    return "offline";
  }
}

/** Download a report as CSV in the app's language: a Norwegian spreadsheet opens the bokmål
 * file as it is (semicolons, decimal commas, a byte order mark). */
export async function downloadReportCsv(key: keyof Reports, query: Record<string, string>, lang: string, filename: string): Promise<ReportStatus> {
  try {
    const params = new URLSearchParams({ ...query, format: "csv", lang: lang === "en" ? "en" : "nb" });
    const response = await authorizedFetch(authDeps, `${API}/${PATHS[key]}?${params}`);
    if (!response.ok) return "unavailable";
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return "ok";
  } catch {
    return "offline";
  }
}
