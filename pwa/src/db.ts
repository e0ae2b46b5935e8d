/** The IndexedDB schema (Dexie), in one place: synced records, the outbox, and app metadata. */
import Dexie, { type Table } from "dexie";
import type { EntityName, Reports, Stored } from "./types";

export type OutboxOp = "upsert" | "delete";
export type OutboxState = "pending" | "rejected";

/** One local change waiting to reach the server. */
export interface OutboxEntry {
  /** Auto-increment: the order changes were made, and the order they are pushed. */
  seq?: number;
  mutation_id: string;
  entity: EntityName;
  op: OutboxOp;
  id: string;
  /** The record version the change started from; null for a new record. */
  base_version: number | null;
  data: Record<string, unknown>;
  state: OutboxState;
  /** Set once the change has left in a push: from then on it is never altered (replays must match). */
  sent: boolean;
  /** The change edits a record whose creation is still in the outbox: its base comes from that. */
  after_create?: boolean;
  /** Not pushed before this time (ms), so that "Angre" can still take it back. */
  hold_until?: number;
  created_at: string;
  /** Why the server refused it (state "rejected"): the result's stable code, its English detail, and what is wrong per field. */
  code?: string;
  detail?: string;
  errors?: Record<string, unknown>;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export interface ReportRow {
  key: keyof Reports;
  report: Reports[keyof Reports];
  fetched_at: string;
}

export class FeltloggDB extends Dexie {
  employers!: Table<Stored, string>;
  participants!: Table<Stored, string>;
  consents!: Table<Stored, string>;
  career_profiles!: Table<Stored, string>;
  plan_goals!: Table<Stored, string>;
  meetings!: Table<Stored, string>;
  plan_steps!: Table<Stored, string>;
  employer_contacts!: Table<Stored, string>;
  team_meetings!: Table<Stored, string>;
  job_matches!: Table<Stored, string>;
  week_reviews!: Table<Stored, string>;
  conflicts!: Table<Stored, string>;
  outbox!: Table<OutboxEntry, number>;
  meta!: Table<MetaRow, string>;
  reports!: Table<ReportRow, string>;

  constructor(name = "feltlogg") {
    super(name);
    this.version(1).stores({
      employers: "id, name",
      participants: "id, specialist_id, status, last_name",
      consents: "id, participant_id",
      career_profiles: "id, participant_id",
      plan_goals: "id, participant_id",
      meetings: "id, participant_id, specialist_id, starts_at",
      plan_steps: "id, participant_id, goal_id, due_on",
      employer_contacts: "id, employer_id, participant_id, specialist_id, contacted_at",
      team_meetings: "id, specialist_id, starts_at",
      job_matches: "id, participant_id, employer_id, status",
      week_reviews: "id, specialist_id",
      conflicts: "id, record_id",
      outbox: "++seq, &mutation_id, [entity+id], state",
      meta: "key",
      reports: "key",
    });
    // Indexes only where a screen or the sync queries (queries.ts byParticipant, outbox.ts
    // viewRecords, Employer.tsx by employer): every other index cost a write per record and
    // field on each sync and was never read. The records stay; only the indexes go.
    this.version(2).stores({
      employers: "id",
      participants: "id",
      consents: "id, participant_id",
      career_profiles: "id, participant_id",
      plan_goals: "id, participant_id",
      meetings: "id, participant_id",
      plan_steps: "id, participant_id",
      employer_contacts: "id, employer_id, participant_id",
      team_meetings: "id",
      job_matches: "id, participant_id, employer_id",
      week_reviews: "id",
      conflicts: "id",
      outbox: "++seq, &mutation_id, [entity+id], state",
      meta: "key",
      reports: "key",
    });
  }

  entity(name: EntityName): Table<Stored, string> {
    return this.table(name) as Table<Stored, string>;
  }
}

/** Keys of the meta table. Tokens live here (not localStorage) so the service worker can push. */
export const META = {
  clientId: "client_id",
  cursor: "cursor",
  lastSyncAt: "last_sync_at",
  initialDone: "initial_sync_done",
  user: "user",
  accessToken: "access_token",
  accessExpiresAt: "access_expires_at",
  refreshToken: "refresh_token",
  needsLogin: "needs_login",
  updateRequired: "update_required",
} as const;

export async function getMeta<T>(db: FeltloggDB, key: string): Promise<T | undefined> {
  const row = await db.meta.get(key);
  return row?.value as T | undefined;
}

export async function setMeta(db: FeltloggDB, key: string, value: unknown): Promise<void> {
  if (value === undefined || value === null) await db.meta.delete(key);
  else await db.meta.put({ key, value });
}

let shared: FeltloggDB | undefined;

/** The app's database (one per origin). */
export function appDb(): FeltloggDB {
  shared ??= new FeltloggDB();
  return shared;
}
