/** The IndexedDB database (Dexie): a table per synced entity, the outbox, and app metadata. Its
 * tables and versions come from entities.gen.ts (generated from the API's entity declarations). */
import Dexie, { type Table } from "dexie";
import { STORE_VERSIONS } from "./entities.gen";
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

/** One table of synced records per entity, by entity name (Dexie adds them from the stores). */
type EntityTables = { [E in EntityName]: Table<Stored, string> };

// Declaration merging: the class below has every entity's table as a property.
export interface FeltloggDB extends EntityTables {}

export class FeltloggDB extends Dexie {
  outbox!: Table<OutboxEntry, number>;
  meta!: Table<MetaRow, string>;
  reports!: Table<ReportRow, string>;

  constructor(name = "feltlogg") {
    // No cache of live queries' results: the screens read again after a commit anyway, and the
    // cache's bookkeeping on every write made a first sync's page writes about a sixth slower
    // (docs/performance.md, "Sync in the browser").
    super(name, { cache: "disabled" });
    // Every version an installation may still have to upgrade through, oldest first.
    for (const { version, stores } of STORE_VERSIONS) this.version(version).stores(stores);
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
