/**
 * The outbox: every local change is written here first, and the screens show synced records
 * with the outbox laid on top, so a change shows at once and survives until the server has it.
 */
import Dexie from "dexie";
import { type FeltloggDB, type OutboxEntry } from "./db";
import type { EntityName, Stored } from "./types";
import { uuidv7 } from "./uuid";

/** What a change did to the outbox, so that "Angre" can take it back. */
export interface ChangeToken {
  mutation_id: string | null;
  entity: EntityName;
  id: string;
  op: "upsert" | "delete";
  /** The outbox entry as it was before this change was folded into it. */
  previous: OutboxEntry | null;
  /** Unsent entries a delete made unnecessary. */
  removed: OutboxEntry[];
  /** The record as the user saw it before the change (undefined: it did not exist). */
  before: Stored | undefined;
  changes: Record<string, unknown>;
}

export interface EnqueueOptions {
  /** Keep the change back from pushes for this many ms (for an undo window). */
  holdMs?: number;
  now?: () => number;
}

const OUTBOX_TABLES = (db: FeltloggDB, entity: EntityName) => [db.outbox, db.entity(entity)];

/** A record's outbox entries, oldest first. */
export async function entriesFor(db: FeltloggDB, entity: EntityName, id: string): Promise<OutboxEntry[]> {
  const rows = await db.outbox.where("[entity+id]").equals([entity, id]).toArray();
  return rows.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}

/** The record the user sees: the synced copy with pending changes applied in order. */
export function overlay(synced: Stored | undefined, entries: OutboxEntry[]): Stored | undefined {
  let record: Stored | undefined = synced ? { ...synced } : undefined;
  for (const entry of entries) {
    if (entry.state !== "pending") continue;
    if (entry.op === "delete") record = undefined;
    else record = { ...(record ?? { id: entry.id }), ...entry.data, id: entry.id };
  }
  return record;
}

function hasPendingCreate(entries: OutboxEntry[]): boolean {
  return entries.some((e) => e.state === "pending" && e.op === "upsert" && e.base_version === null && !e.after_create);
}

/** Create or change a record: `changes` holds the fields changed (all of them for a new record). */
export async function saveRecord(
  db: FeltloggDB,
  entity: EntityName,
  id: string,
  changes: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<ChangeToken> {
  const now = options.now ?? Date.now;
  return db.transaction("rw", OUTBOX_TABLES(db, entity), async () => {
    const synced = await db.entity(entity).get(id);
    const entries = await entriesFor(db, entity, id);
    const before = overlay(synced, entries);
    const last = entries[entries.length - 1];
    const token: ChangeToken = {
      mutation_id: null, entity, id, op: "upsert", previous: null, removed: [], before, changes,
    };
    const holdUntil = options.holdMs ? now() + options.holdMs : undefined;
    if (last && last.state === "pending" && last.op === "upsert" && !last.sent) {
      // Fold the edit into the unsent change: one mutation, and still all fields for a creation.
      token.previous = structuredClone(last);
      token.mutation_id = last.mutation_id;
      const merged: OutboxEntry = { ...last, data: { ...last.data, ...changes } };
      if (holdUntil) merged.hold_until = Math.max(holdUntil, last.hold_until ?? 0);
      await db.outbox.put(merged);
      return token;
    }
    const entry: OutboxEntry = {
      mutation_id: uuidv7(now()),
      entity,
      op: "upsert",
      id,
      base_version: typeof synced?.version === "number" ? synced.version : null,
      data: { ...changes },
      state: "pending",
      sent: false,
      created_at: new Date(now()).toISOString(),
    };
    if (!synced && hasPendingCreate(entries)) entry.after_create = true;
    if (holdUntil) entry.hold_until = holdUntil;
    await db.outbox.add(entry);
    token.mutation_id = entry.mutation_id;
    return token;
  });
}

/** A new record with a client-made UUIDv7 id. */
export async function createRecord(
  db: FeltloggDB,
  entity: EntityName,
  data: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<ChangeToken> {
  const id = uuidv7((options.now ?? Date.now)());
  return saveRecord(db, entity, id, data, options);
}

/** Delete a record. A record the server never saw simply leaves the outbox. */
export async function deleteRecord(
  db: FeltloggDB,
  entity: EntityName,
  id: string,
  options: EnqueueOptions = {},
): Promise<ChangeToken> {
  const now = options.now ?? Date.now;
  return db.transaction("rw", OUTBOX_TABLES(db, entity), async () => {
    const synced = await db.entity(entity).get(id);
    const entries = await entriesFor(db, entity, id);
    const before = overlay(synced, entries);
    const token: ChangeToken = {
      mutation_id: null, entity, id, op: "delete", previous: null, removed: [], before, changes: {},
    };
    const unsent = entries.filter((e) => e.state === "pending" && !e.sent);
    for (const e of unsent) await db.outbox.delete(e.seq!);
    token.removed = unsent;
    const serverMayHaveIt = Boolean(synced) || entries.some((e) => e.sent);
    if (!serverMayHaveIt) return token;
    const entry: OutboxEntry = {
      mutation_id: uuidv7(now()),
      entity,
      op: "delete",
      id,
      base_version: typeof synced?.version === "number" ? synced.version : null,
      data: {},
      state: "pending",
      sent: false,
      created_at: new Date(now()).toISOString(),
    };
    if (!synced && entries.some((e) => e.sent && e.base_version === null)) entry.after_create = true;
    if (options.holdMs) entry.hold_until = now() + options.holdMs;
    await db.outbox.add(entry);
    token.mutation_id = entry.mutation_id;
    return token;
  });
}

/**
 * Take a change back. While it has not been pushed the outbox is simply restored; once pushed,
 * a new change puts the old values back (deletes are held for the undo window, so they are
 * always still unsent).
 */
export async function undo(db: FeltloggDB, token: ChangeToken): Promise<void> {
  const compensate = await db.transaction("rw", OUTBOX_TABLES(db, token.entity), async () => {
    const current = token.mutation_id
      ? await db.outbox.where("mutation_id").equals(token.mutation_id).first()
      : undefined;
    if (token.mutation_id && (!current || current.sent)) return true;
    if (current) {
      if (token.previous) await db.outbox.put(token.previous);
      else await db.outbox.delete(current.seq!);
    }
    for (const e of token.removed) await db.outbox.put(e);
    return false;
  });
  if (!compensate) return;
  if (token.op === "delete") {
    if (token.before) await saveRecord(db, token.entity, token.id, stripServerFields(token.before));
    return;
  }
  if (!token.before) {
    await deleteRecord(db, token.entity, token.id);
    return;
  }
  const restore: Record<string, unknown> = {};
  for (const key of Object.keys(token.changes)) restore[key] = token.before[key] ?? null;
  await saveRecord(db, token.entity, token.id, restore);
}

const SERVER_FIELDS = ["id", "version", "team_id", "created_at", "updated_at", "deleted_at"];

export function stripServerFields(record: Stored): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record };
  for (const key of SERVER_FIELDS) delete copy[key];
  return copy;
}

/** All records of an entity as the user sees them, optionally those with `field` = `value`. */
export async function viewRecords(
  db: FeltloggDB,
  entity: EntityName,
  where?: { field: string; value: string },
): Promise<Stored[]> {
  const table = db.entity(entity);
  const synced = where ? await table.where(where.field).equals(where.value).toArray() : await table.toArray();
  const entries = await db.outbox
    .where("[entity+id]")
    .between([entity, Dexie.minKey], [entity, Dexie.maxKey])
    .toArray();
  if (entries.length === 0) return synced;
  const byId = new Map<string, OutboxEntry[]>();
  for (const e of entries.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))) {
    const list = byId.get(e.id) ?? [];
    list.push(e);
    byId.set(e.id, list);
  }
  const result: Stored[] = [];
  for (const record of synced) {
    const pending = byId.get(record.id);
    byId.delete(record.id);
    const seen = pending ? overlay(record, pending) : record;
    if (seen && (!where || seen[where.field] === where.value)) result.push(seen);
  }
  for (const [id, pending] of byId) {
    // A record only in the outbox (a local creation), or edited here but filtered out above.
    const synced = where ? await table.get(id) : undefined;
    const seen = overlay(synced, pending);
    if (seen && (!where || seen[where.field] === where.value)) result.push(seen);
  }
  return result;
}

export async function viewRecord(db: FeltloggDB, entity: EntityName, id: string): Promise<Stored | undefined> {
  const synced = await db.entity(entity).get(id);
  return overlay(synced, await entriesFor(db, entity, id));
}

/** Changes not yet on the server (rejected ones included: they wait for the user). */
export function outboxCount(db: FeltloggDB): Promise<number> {
  return db.outbox.count();
}

export function rejectedEntries(db: FeltloggDB): Promise<OutboxEntry[]> {
  return db.outbox.where("state").equals("rejected").sortBy("seq");
}

/**
 * The codes of a rejected push result (docs/sync.md). `fixable`: changing fields and sending
 * again can succeed. `final`: sending it again cannot, so the only way on is to discard it.
 * (`concurrent_write` comes with `retry: true` and is sent again by itself.)
 */
export const REJECTION_CODES = {
  fixable: ["invalid", "outside_scope", "constraint"],
  final: [
    "malformed_mutation",
    "unknown_entity",
    "field_not_writable",
    "not_permitted",
    "role_forbidden",
    "no_longer_visible",
    "not_found",
    "deleted_elsewhere",
    "base_version_ahead",
    "erased",
    "already_exists",
  ],
} as const;

export type RejectionCode = (typeof REJECTION_CODES)["fixable"][number] | (typeof REJECTION_CODES)["final"][number];

export function isKnownRejection(code: string | undefined): code is RejectionCode {
  return code !== undefined && (Object.values(REJECTION_CODES) as readonly (readonly string[])[]).some((codes) => codes.includes(code));
}

/** Whether "Send på nytt" is worth offering: not for a refusal no edit can change (unknown codes: yes). */
export function canResend(code: string | undefined): boolean {
  return !(REJECTION_CODES.final as readonly string[]).includes(code ?? "");
}

/** Drop a rejected change; returns it, so that "Angre" can put it back. */
export async function discard(db: FeltloggDB, seq: number): Promise<OutboxEntry | undefined> {
  return db.transaction("rw", db.outbox, async () => {
    const entry = await db.outbox.get(seq);
    if (entry) await db.outbox.delete(seq);
    return entry;
  });
}

/** Put a discarded change back where it was. */
export async function restore(db: FeltloggDB, entry: OutboxEntry): Promise<void> {
  await db.outbox.put(entry);
}

/** Send a rejected change again, optionally with corrected fields. It gets a new mutation id. */
export async function retry(db: FeltloggDB, seq: number, corrected: Record<string, unknown> = {}): Promise<void> {
  await db.transaction("rw", db.outbox, async () => {
    const entry = await db.outbox.get(seq);
    if (!entry) return;
    const { code: _c, detail: _d, errors: _e, ...rest } = entry;
    await db.outbox.put({
      ...rest,
      mutation_id: uuidv7(),
      data: { ...entry.data, ...corrected },
      state: "pending",
      sent: false,
    });
  });
}
