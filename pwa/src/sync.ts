/**
 * The sync protocol of docs/sync.md as plain functions over the database and an injected fetch:
 * push the outbox, then pull what changed. No browser needed, so the tests drive it directly.
 */
import { META, type FeltloggDB, type OutboxEntry, getMeta, setMeta } from "./db";
import { API, type AuthDeps, OfflineError, SignedOutError, authorizedFetch, refreshIfDue } from "./auth";
import { outboxCount } from "./outbox";
import { ENTITIES, isEntity, type MutationResult, type PullResult, type PushResult, type Stored } from "./types";
import { uuidv7 } from "./uuid";

/** The Background Sync tag under which the service worker pushes the outbox. */
export const BACKGROUND_SYNC_TAG = "feltlogg-outbox";

/** The app's schema version, sent with every push and pull. */
export const SCHEMA_VERSION = 1;
const MAX_BATCH = 1000;

export interface SyncProgress {
  phase: "push" | "pull";
  done: number;
}

export interface SyncDeps extends AuthDeps {
  pageSize?: number;
  batchSize?: number;
  onProgress?: (progress: SyncProgress) => void;
}

/** The server no longer accepts this version of the app (HTTP 426). */
export class UpdateRequiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpdateRequiredError";
  }
}

/**
 * The server (or a proxy in front of it) refused or failed: the HTTP status, the problem's stable
 * `code` if the answer had one (a proxy's 502 page has none), and for 429 how long to wait. The
 * message is the server's English detail, for logs only: the app words it by code and status.
 */
export class ServerError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly code: string | undefined = undefined,
    public readonly retryAfterSeconds: number | undefined = undefined,
  ) {
    super(message);
    this.name = "ServerError";
  }
}

interface Problem {
  detail: string;
  code: string | undefined;
}

async function problemOf(response: Response): Promise<Problem> {
  const body = (await response.json().catch(() => null)) as { detail?: unknown; code?: unknown } | null;
  return {
    detail: typeof body?.detail === "string" ? body.detail : `${response.status} ${response.statusText}`,
    code: typeof body?.code === "string" ? body.code : undefined,
  };
}

/** Retry-After in seconds (a number of seconds or an HTTP date), if the answer gives one. */
export function retryAfterSeconds(response: Response, now = Date.now()): number | undefined {
  const header = response.headers.get("Retry-After");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

async function failIfNotOk(response: Response): Promise<void> {
  if (response.ok) return;
  const problem = await problemOf(response);
  if (response.status === 426) throw new UpdateRequiredError(problem.detail);
  throw new ServerError(response.status, problem.detail, problem.code, retryAfterSeconds(response));
}

/** One id per installation, kept across sign-ins. */
export async function clientId(db: FeltloggDB): Promise<string> {
  const existing = await getMeta<string>(db, META.clientId);
  if (existing) return existing;
  const id = uuidv7();
  await setMeta(db, META.clientId, id);
  return id;
}

const recordKey = (e: OutboxEntry) => `${e.entity}/${e.id}`;

/**
 * The next batch: pending changes in order, leaving out a record's changes from the first one
 * that must wait (held for undo, or an edit whose record's creation is in this same batch).
 */
export function nextBatch(entries: OutboxEntry[], now: number, size: number): OutboxEntry[] {
  const blocked = new Set<string>();
  const creating = new Set<string>();
  const batch: OutboxEntry[] = [];
  for (const entry of entries) {
    if (batch.length >= size) break;
    if (entry.state !== "pending") continue;
    const key = recordKey(entry);
    if (blocked.has(key)) continue;
    if ((entry.hold_until ?? 0) > now || (entry.after_create && entry.base_version === null && creating.has(key))) {
      blocked.add(key);
      continue;
    }
    if (entry.op === "upsert" && entry.base_version === null && !entry.after_create) creating.add(key);
    batch.push(entry);
  }
  return batch;
}

function syncedTables(db: FeltloggDB) {
  return ENTITIES.map((e) => db.entity(e));
}

/** How long a mutation the server asked to send again waits (ms). */
export const RETRY_AFTER_MS = 5_000;

/** Apply the server's answer to a push: drop what was written, keep what was rejected. */
export async function applyPushResults(db: FeltloggDB, results: MutationResult[]): Promise<{ rejected: number }> {
  let rejected = 0;
  await db.transaction("rw", [db.outbox, ...syncedTables(db)], async () => {
    for (const result of results) {
      if (!result.mutation_id) continue;
      const entry = await db.outbox.where("mutation_id").equals(result.mutation_id).first();
      if (!entry) continue; // already handled (by the service worker or another tab)
      const status = result.status === "duplicate" ? (result.original_status ?? "applied") : result.status;
      if (status === "rejected" && result.retry) {
        // Only other writes got in the way: the same mutation goes again with a later push.
        await db.outbox.put({ ...entry, hold_until: Date.now() + RETRY_AFTER_MS });
        continue;
      }
      if (status === "rejected") {
        rejected++;
        const refused: OutboxEntry = {
          ...entry,
          state: "rejected",
          sent: false,
          detail: result.detail ?? "",
          errors: result.errors ?? {},
        };
        // The stable code says what the user can do about it (see outbox.ts, REJECTION_CODES).
        if (typeof result.code === "string" && result.code) refused.code = result.code;
        else delete refused.code;
        await db.outbox.put(refused);
        continue;
      }
      const table = db.entity(entry.entity);
      await db.outbox.delete(entry.seq!);
      if (entry.op === "delete") {
        await table.delete(entry.id);
        continue;
      }
      const synced = await table.get(entry.id);
      const version = result.version;
      const isNew = entry.base_version === null && !synced;
      // Take the server's version only if nothing else was written in between (docs/sync.md):
      // otherwise the next edit would claim to have seen values it never saw.
      const takeVersion =
        typeof version === "number" &&
        status === "applied" &&
        (isNew || (entry.base_version !== null && version === entry.base_version + 1));
      const record: Stored = { ...(synced ?? { id: entry.id }), ...entry.data, id: entry.id };
      if (takeVersion || (isNew && typeof version === "number")) record.version = version;
      // Merged or overtaken: keep our own value shown until the next pull brings the record.
      await table.put(record);
      if (typeof record.version === "number") {
        const waiting = await db.outbox.where("[entity+id]").equals([entry.entity, entry.id]).toArray();
        for (const next of waiting) {
          if (next.after_create && next.base_version === null && !next.sent) {
            await db.outbox.put({ ...next, base_version: record.version, after_create: false });
          }
        }
      }
    }
  });
  return { rejected };
}

/** Send the outbox, in batches, until nothing pushable is left. */
export async function push(deps: SyncDeps): Promise<{ pushed: number; rejected: number }> {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const id = await clientId(db);
  let pushed = 0;
  let rejected = 0;
  for (let round = 0; round < 100; round++) {
    const pending = await db.outbox.where("state").equals("pending").sortBy("seq");
    const batch = nextBatch(pending, now(), deps.batchSize ?? MAX_BATCH);
    if (batch.length === 0) break;
    // Marked before sending: a sent change is never altered, so a replay is the same mutation.
    await db.transaction("rw", db.outbox, async () => {
      for (const entry of batch) {
        const current = await db.outbox.get(entry.seq!);
        if (current && !current.sent) await db.outbox.put({ ...current, sent: true });
      }
    });
    const body = {
      client_id: id,
      schema_version: SCHEMA_VERSION,
      mutations: batch.map((e) => ({
        mutation_id: e.mutation_id,
        entity: e.entity,
        op: e.op,
        id: e.id,
        base_version: e.base_version,
        data: e.op === "upsert" ? e.data : {},
      })),
    };
    const response = await authorizedFetch(deps, `${API}/sync/push`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    await failIfNotOk(response);
    const answer = (await response.json()) as PushResult;
    const outcome = await applyPushResults(db, answer.results ?? []);
    pushed += batch.length;
    rejected += outcome.rejected;
    deps.onProgress?.({ phase: "push", done: pushed });
  }
  return { pushed, rejected };
}

/**
 * Pull pages until `has_more` is false. Each page and its cursor are written in one
 * transaction, so a pull cut off halfway is simply repeated from the last written page.
 */
export async function pull(deps: SyncDeps): Promise<{ pulled: number; initial: boolean }> {
  const { db } = deps;
  let cursor = await getMeta<string>(db, META.cursor);
  const initial = !(await getMeta<boolean>(db, META.initialDone));
  // Without a cursor the server sends everything and no tombstones: that is the whole truth.
  let wholeTruth = !cursor;
  let pulled = 0;
  for (let page = 0; page < 100_000; page++) {
    const query = new URLSearchParams({ limit: String(deps.pageSize ?? 500), schema_version: String(SCHEMA_VERSION) });
    if (cursor) query.set("cursor", cursor);
    const response = await authorizedFetch(deps, `${API}/sync/pull?${query}`);
    if (response.status === 400 && cursor) {
      cursor = undefined; // the server does not know our cursor: start over
      wholeTruth = true;
      continue;
    }
    await failIfNotOk(response);
    const result = (await response.json()) as PullResult;
    await db.transaction("rw", [db.meta, ...syncedTables(db)], async () => {
      if (result.reset || wholeTruth) {
        for (const table of syncedTables(db)) await table.clear();
      }
      for (const change of result.changes ?? []) {
        if (!change.entity || !change.id || !isEntity(change.entity)) continue;
        const table = db.entity(change.entity);
        if (change.op === "upsert" && change.data) {
          const record: Stored = { ...change.data, id: change.id };
          if (typeof change.version === "number") record.version = change.version;
          await table.put(record);
        } else {
          await table.delete(change.id);
        }
      }
      await setMeta(db, META.cursor, result.cursor ?? null);
    });
    wholeTruth = false;
    cursor = result.cursor;
    pulled += result.changes?.length ?? 0;
    deps.onProgress?.({ phase: "pull", done: pulled });
    if (!result.has_more) break;
  }
  if (initial) await setMeta(db, META.initialDone, true);
  return { pulled, initial };
}

export type SyncOutcome =
  | { status: "ok"; pushed: number; pulled: number; rejected: number; initial: boolean }
  | { status: "offline" }
  | { status: "signed_out" }
  | { status: "update_required"; message: string }
  | SyncFailure;

/**
 * A sync that failed for another reason than the network or the sign-in: what the server said
 * (status, code, how long to wait) when it answered; `message` is for logs, never for the screen.
 */
export interface SyncFailure {
  status: "error";
  message: string;
  httpStatus?: number;
  code?: string;
  retryAfterSeconds?: number;
}

/** Push then pull; failures become an outcome, never a thrown error. */
export async function syncOnce(deps: SyncDeps): Promise<SyncOutcome> {
  const now = deps.now ?? Date.now;
  try {
    await refreshIfDue(deps);
    const pushed = await push(deps);
    const pulled = await pull(deps);
    await setMeta(deps.db, META.lastSyncAt, new Date(now()).toISOString());
    await setMeta(deps.db, META.updateRequired, null);
    return { status: "ok", pushed: pushed.pushed, rejected: pushed.rejected, pulled: pulled.pulled, initial: pulled.initial };
  } catch (error) {
    if (error instanceof OfflineError) return { status: "offline" };
    if (error instanceof SignedOutError) return { status: "signed_out" };
    if (error instanceof UpdateRequiredError) {
      await setMeta(deps.db, META.updateRequired, error.message);
      return { status: "update_required", message: error.message };
    }
    const failure: SyncFailure = { status: "error", message: error instanceof Error ? error.message : String(error) };
    if (error instanceof ServerError) {
      failure.httpStatus = error.status;
      if (error.code !== undefined) failure.code = error.code;
      if (error.retryAfterSeconds !== undefined) failure.retryAfterSeconds = error.retryAfterSeconds;
    }
    return failure;
  }
}

export type SyncState = "idle" | "syncing" | "offline" | "error";

/** Where the observable sync state goes (contract.md, "Observable app state"). */
export interface SyncObserver {
  state(state: SyncState): void;
  pending(count: number): void;
  mark(name: "sync:done" | "sync:initial:done"): void;
}

interface DocumentLike {
  documentElement: { dataset: Record<string, string | undefined> };
}

export function documentObserver(
  doc: DocumentLike = globalThis.document,
  perf: Pick<Performance, "mark"> = globalThis.performance,
): SyncObserver {
  return {
    state: (state) => {
      doc.documentElement.dataset.sync = state;
    },
    pending: (count) => {
      doc.documentElement.dataset.pending = String(count);
    },
    mark: (name) => {
      perf.mark(name);
    },
  };
}

/** One sync with its state shown: syncing, then idle, offline or error. */
export async function runSync(deps: SyncDeps, observer: SyncObserver, online = true): Promise<SyncOutcome> {
  if (!online) {
    observer.state("offline");
    observer.pending(await outboxCount(deps.db));
    return { status: "offline" };
  }
  observer.state("syncing");
  const outcome = await syncOnce(deps);
  observer.pending(await outboxCount(deps.db));
  if (outcome.status === "ok") {
    observer.state("idle");
    if (outcome.initial) observer.mark("sync:initial:done");
    observer.mark("sync:done");
  } else {
    observer.state(outcome.status === "offline" ? "offline" : "error");
  }
  return outcome;
}
