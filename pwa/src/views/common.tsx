/** Pieces the screens share: live record lists and small display functions. */
import type { ComponentChildren } from "preact";
import { db } from "../app";
import { useLive } from "../hooks";
import { all } from "../queries";
import { type MessageKey, t, tEnum } from "../i18n";
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

/** A participant's job matches: title, employer and where it stands. */
export function JobMatchList({ matches, empty }: { matches: RecordOf<"job_matches">[]; empty: MessageKey }) {
  const employers = byId(useRecords("employers"));
  if (matches.length === 0) return <Empty>{t(empty)}</Empty>;
  return (
    <ul class="list plain">
      {matches.map((m) => (
        <li key={m.id}>
          <strong>{m.job_title}</strong> · {employers.get(m.employer_id)?.name ?? ""} · {tEnum("jobStatus", m.status ?? "lead")}
        </li>
      ))}
    </ul>
  );
}
