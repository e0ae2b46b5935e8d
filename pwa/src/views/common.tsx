/** Pieces the screens share: live record lists and small display functions. */
import type { ComponentChildren } from "preact";
import { db } from "../app";
import { useLive } from "../hooks";
import { all, fullName } from "../queries";
import { useState } from "preact/hooks";
import { type MessageKey, formatDateTime, t, tEnum } from "../i18n";
import type { EntityName, RecordOf } from "../types";

/** All records of an entity as the user sees them (synced plus outbox), kept live. */
export function useRecords<E extends EntityName>(entity: E): RecordOf<E>[] {
  return useLive(() => all(db, entity), [entity], [] as RecordOf<E>[]);
}

export function byId<T extends { id: string }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.id, r]));
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Title({ children }: { children: ComponentChildren }) {
  return <h1 tabIndex={-1}>{children}</h1>;
}

/** Job matches: title, employer and where it stands; each opens for correcting or removing. */
export function JobMatchList({ matches, empty }: { matches: RecordOf<"job_matches">[]; empty: MessageKey }) {
  const employers = byId(useRecords("employers"));
  if (matches.length === 0) return <Empty>{t(empty)}</Empty>;
  return (
    <ul class="list">
      {matches.map((m) => (
        <li key={m.id}>
          <a href={`#/jobs/${m.id}/edit`}>
            <strong>{m.job_title}</strong>
            <span>{employers.get(m.employer_id)?.name ?? ""} · {tEnum("jobStatus", m.status ?? "lead")}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

/** One logged contact or meeting in a list: opens for correcting or removing when it is the user's. */
export interface ActivityRow {
  key: string;
  /** When it happened (ISO). */
  at: string;
  title: string;
  detail: string;
  /** The edit screen; none for someone else's work. */
  href?: string;
}

type Named = Map<string, { name?: string | null }>;
type People = Map<string, Parameters<typeof fullName>[0]>;

/**
 * A contact as a row. `seenFrom` is the screen it is listed on: the employer's page names the
 * participant and purpose, a participant's history the employer, other lists the employer.
 */
export function contactRow(
  c: RecordOf<"employer_contacts">,
  employers: Named,
  people: People,
  userId: string | undefined,
  seenFrom: "employer" | "participant" | "list" = "list",
): ActivityRow {
  const employer = employers.get(c.employer_id)?.name ?? "";
  const participant = c.participant_id ? fullName(people.get(c.participant_id)) : "";
  const mode = tEnum("mode", c.mode ?? "in_person");
  const row: ActivityRow =
    seenFrom === "employer"
      ? { key: `c${c.id}`, at: c.contacted_at, title: c.purpose || t("history.contact"), detail: [mode, participant].filter(Boolean).join(" · ") }
      : seenFrom === "participant"
        ? { key: `c${c.id}`, at: c.contacted_at, title: `${t("history.contact")}: ${employer}`, detail: [mode, c.purpose ?? ""].filter(Boolean).join(" · ") }
        : { key: `c${c.id}`, at: c.contacted_at, title: employer, detail: [mode, participant, c.purpose ?? ""].filter(Boolean).join(" · ") };
  if (!c.specialist_id || c.specialist_id === userId) row.href = `#/contacts/${c.id}/edit`;
  return row;
}

/** A meeting as a row; in a participant's history it is titled as a meeting, elsewhere by who. */
export function meetingRow(m: RecordOf<"meetings">, people: People, userId: string | undefined, seenFrom: "participant" | "list" = "list"): ActivityRow {
  const notHeld = m.status === "cancelled" || m.status === "no_show" ? tEnum("activityEdit.status", m.status) : "";
  const row: ActivityRow = {
    key: `m${m.id}`,
    at: m.starts_at,
    title: seenFrom === "participant" ? `${t("history.meeting")}: ${tEnum("kind", m.kind)}` : fullName(people.get(m.participant_id)),
    detail: [seenFrom === "participant" ? "" : tEnum("kind", m.kind), tEnum("setting", m.setting), t("history.minutes", { count: m.duration_minutes }), notHeld]
      .filter(Boolean)
      .join(" · "),
  };
  if (!m.specialist_id || m.specialist_id === userId) row.href = `#/meetings/${m.id}/edit`;
  return row;
}

/** Newest first (by when it happened). */
export function newestActivityFirst(rows: ActivityRow[]): ActivityRow[] {
  return [...rows].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || a.key.localeCompare(b.key));
}

export function ActivityList({ rows, empty }: { rows: ActivityRow[]; empty: string }) {
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  return (
    <ul class="list activity-list">
      {rows.map((row) => (
        <li key={row.key}>
          {row.href ? (
            <a href={row.href}>
              <strong>{row.title}</strong>
              <span>{formatDateTime(row.at)} · {row.detail}</span>
            </a>
          ) : (
            <div class="activity-static">
              <strong>{row.title}</strong>
              <span>{formatDateTime(row.at)} · {row.detail}</span>
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

/** A long list a page at a time: the first `size` rows, and a button for more. */
export function usePaged<T>(rows: T[], size: number): { shown: T[]; more: number; showMore: () => void } {
  const [count, setCount] = useState(size);
  return {
    shown: rows.slice(0, count),
    more: Math.max(0, Math.min(size, rows.length - count)),
    showMore: () => setCount((n) => n + size),
  };
}

export function ShowMore({ more, onClick }: { more: number; onClick: () => void }) {
  if (more <= 0) return null;
  return (
    <button type="button" class="button show-more" onClick={onClick}>{t("jobList.showMore", { count: more })}</button>
  );
}
