/**
 * The sync protocol of docs/sync.md as plain functions over the database and an injected fetch:
 * push the outbox, then pull what changed. No browser needed, so the tests drive it directly.
 */
import { META, type FeltloggDB, type OutboxEntry, getMeta, setMeta } from "./db";
import {
  API,
  type AuthDeps,
  OfflineError,
  REFRESH_MARGIN_MS,
  SignedOutError,
  type StoredSignIn,
  authorizedFetch,
  readSignIn,
  refreshIfDue,
  sendWith,
} from "./auth";
import { outboxCount } from "./outbox";
import { ENTITIES, type EntityName, isEntity, type MutationResult, type PullResult, type PushResult, type Stored } from "./types";
import { uuidv7 } from "./uuid";

/** The Background Sync tag under which the service worker pushes the outbox. */
export const BACKGROUND_SYNC_TAG = "feltlogg-outbox";

/** The app's schema version, sent with every push and pull. */
export const SCHEMA_VERSION = 1;
const MAX_BATCH = 1000;
/**
 * Changes per pull page. The server takes up to 2000; 1000 measured as fast as 2000 and faster
 * than 500 for a whole caseload (docs/performance.md, "Sync in the browser"), and the progress
 * shown still moves at every page.
 */
export const PAGE_SIZE = 1000;

/**
 * How far a running sync has come: changes sent, or changes fetched and written. A pull's pages
 * say whether more is coming (`has_more`); only the first page of a first sync (or a reset) also
 * says how many records the whole sync brings (`total`; older servers do not).
 */
export interface SyncProgress {
  phase: "push" | "pull";
  done: number;
  /** The first full pull after sign-in (everything the user may see). */
  initial: boolean;
  /** How many records this pull brings, as its first page said; `done` may pass it. */
  total?: number;
}

/** A first sync of more than one page under way: list screens show its progress instead of a list. */
export function isLongFirstSync(progress: SyncProgress | null | undefined): progress is SyncProgress & { total: number } {
  return progress?.phase === "pull" && progress.initial && (progress.total ?? 0) > PAGE_SIZE;
}

/** The share of a pull done, in whole percents rounded down and at most 1; undefined without a total. */
export function progressShare(progress: SyncProgress): number | undefined {
  if (progress.total === undefined) return undefined;
  if (progress.done >= progress.total) return 1;
  return Math.floor((progress.done * 100) / progress.total) / 100;
}

export interface SyncDeps extends AuthDeps {
  pageSize?: number;
  batchSize?: number;
  onProgress?: (progress: SyncProgress) => void;
  /** Where the last sync of this context ended (kept by syncOnce). */
  lastEnd?: SyncEnd;
}

/**
 * The cursor and access token stored when a sync ended. The next sync sends its first pull with
 * them while it reads what is stored, and uses the answer only if they are still what is stored
 * (another tab may have synced or refreshed meanwhile) and nothing waits to be pushed.
 */
export interface SyncEnd {
  cursor: string;
  accessToken: string;
  accessExpiresAt: number;
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
export async function applyPushResults(
  db: FeltloggDB,
  results: MutationResult[],
  sentSeqs?: number[],
): Promise<{ rejected: number; signIn?: StoredSignIn; held: HeldCopies }> {
  let rejected = 0;
  let signIn: StoredSignIn | undefined;
  const held: HeldCopies = new Map();
  const mutationIds = results.map((r) => r.mutation_id).filter((id): id is string => typeof id === "string" && id !== "");
  if (mutationIds.length === 0) return { rejected, held };
  await db.transaction("rw", [db.outbox, db.meta, ...syncedTables(db)], async () => {
    // One pass over the answer in memory, against what the outbox and the tables held before it
    // (read in bulk); then the outcome is written in bulk. The result is the same as applying
    // the results one by one: later results see what earlier ones changed.
    // The entries answered: by their seqs when the caller knows them (cheaper than the index).
    const answered = new Set(mutationIds);
    const sent = sentSeqs
      ? (await db.outbox.bulkGet(sentSeqs)).filter((e): e is OutboxEntry => e !== undefined && answered.has(e.mutation_id))
      : await db.outbox.where("mutation_id").anyOf(mutationIds).toArray();
    const entries = new Map<number, OutboxEntry>(); // seq → the entry as it stands in this pass
    const removed = new Set<number>();
    const changed = new Set<number>();
    const bySeqOf = new Map<string, number>();
    for (const entry of sent) {
      entries.set(entry.seq!, entry);
      bySeqOf.set(entry.mutation_id, entry.seq!);
    }
    // Records the results may write, and the outbox entries waiting for those records' versions.
    const keys = [...new Map(sent.map((e) => [recordKey(e), [e.entity, e.id] as [string, string]])).values()];
    const waiting = new Map<string, number[]>();
    // Only other entries can wait; an outbox that holds nothing but the answered ones has none.
    if (keys.length > 0 && (await db.outbox.count()) > sent.length) {
      for (const other of await db.outbox.where("[entity+id]").anyOf(keys).toArray()) {
        if (!entries.has(other.seq!)) entries.set(other.seq!, other);
        const list = waiting.get(recordKey(other)) ?? [];
        list.push(other.seq!);
        waiting.set(recordKey(other), list);
      }
    }
    const records = new Map<EntityName, Map<string, Stored | null>>(); // null: deleted
    const recordTouched = new Map<EntityName, Set<string>>();
    for (const entity of new Set(sent.map((e) => e.entity))) {
      const ids = [...new Set(sent.filter((e) => e.entity === entity && e.op === "upsert").map((e) => e.id))];
      const found = ids.length > 0 ? await db.entity(entity).bulkGet(ids) : [];
      records.set(entity, new Map(ids.map((id, i) => [id, found[i] ?? null])));
      recordTouched.set(entity, new Set());
    }
    const update = (entry: OutboxEntry) => {
      entries.set(entry.seq!, entry);
      changed.add(entry.seq!);
    };

    for (const result of results) {
      if (!result.mutation_id) continue;
      const seq = bySeqOf.get(result.mutation_id);
      if (seq === undefined || removed.has(seq)) continue; // already handled (by the service worker or another tab)
      const entry = entries.get(seq)!;
      const status = result.status === "duplicate" ? (result.original_status ?? "applied") : result.status;
      if (status === "rejected" && result.retry) {
        // Only other writes got in the way: the same mutation goes again with a later push.
        update({ ...entry, hold_until: Date.now() + RETRY_AFTER_MS });
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
        update(refused);
        continue;
      }
      removed.add(seq);
      changed.delete(seq);
      const table = records.get(entry.entity)!;
      const touched = recordTouched.get(entry.entity)!;
      if (entry.op === "delete") {
        table.set(entry.id, null);
        touched.add(entry.id);
        held.delete(recordKey(entry));
        continue;
      }
      if (!table.has(entry.id)) table.set(entry.id, (await db.entity(entry.entity).get(entry.id)) ?? null);
      const synced = table.get(entry.id) ?? undefined;
      const version = result.version;
      const isNew = entry.base_version === null && !synced;
      // Take the server's version only if nothing else was written in between (docs/sync.md):
      // otherwise the next edit would claim to have seen values it never saw.
      const takeVersion =
        typeof version === "number" &&
        status === "applied" &&
        (isNew || (entry.base_version !== null && version === entry.base_version + 1));
      // The server's copy when it sent one at this version: the pull that brings the record back
      // then finds it held as it is and writes nothing.
      const server = takeVersion && result.data ? (result.data as Record<string, unknown>) : undefined;
      const record: Stored = server
        ? { ...server, id: entry.id }
        : { ...(synced ?? { id: entry.id }), ...entry.data, id: entry.id };
      if (takeVersion || (isNew && typeof version === "number")) record.version = version;
      if (server && typeof version === "number") held.set(recordKey(entry), version);
      else held.delete(recordKey(entry));
      // Merged or overtaken: keep our own value shown until the next pull brings the record.
      table.set(entry.id, record);
      touched.add(entry.id);
      if (typeof record.version === "number") {
        for (const otherSeq of waiting.get(recordKey(entry)) ?? []) {
          if (removed.has(otherSeq)) continue;
          const next = entries.get(otherSeq)!;
          if (next.after_create && next.base_version === null && !next.sent) {
            update({ ...next, base_version: record.version, after_create: false });
          }
        }
      }
    }

    if (removed.size > 0) await deleteEntries(db, [...removed]);
    if (changed.size > 0) await db.outbox.bulkPut([...changed].map((seq) => entries.get(seq)!));
    for (const [entity, touched] of recordTouched) {
      if (touched.size === 0) continue;
      const table = records.get(entity)!;
      const puts: Stored[] = [];
      const deletes: string[] = [];
      for (const id of touched) {
        const record = table.get(id);
        if (record) puts.push(record);
        else deletes.push(id);
      }
      if (deletes.length > 0) await db.entity(entity).bulkDelete(deletes);
      if (puts.length > 0) await db.entity(entity).bulkPut(puts);
    }
    // The sign-in as it stands after the push, for the pull that follows: a read of its own
    // after the commit would wait behind the screens' queries that the commit sets off.
    signIn = await readSignIn(db);
  });
  return { rejected, signIn, held };
}

/**
 * Records this sync has just stored as the server's copy, from a push result: "entity/id" to
 * the version. A pull that brings one back at that version has nothing to write for it.
 */
export type HeldCopies = Map<string, number>;

/**
 * What a pull leaves to the sync's closing transaction: the cursor after pages that wrote
 * nothing else, and that the first sync is done. A sync cut off before they are stored pulls
 * those pages again, and again writes nothing.
 */
export interface LaterWrites {
  cursor?: string | null;
  /** The first sync has come to its end. */
  initialDone?: boolean;
}

/** Delete outbox entries by seq: as one range when they are all the range holds (the usual case). */
async function deleteEntries(db: FeltloggDB, seqs: number[]): Promise<void> {
  const first = Math.min(...seqs);
  const last = Math.max(...seqs);
  const range = db.outbox.where(":id").between(first, last, true, true);
  if ((await range.count()) === seqs.length) await range.delete();
  else await db.outbox.bulkDelete(seqs);
}

/** Send the outbox, in batches, until nothing pushable is left. */
export async function push(deps: SyncDeps): Promise<{ pushed: number; rejected: number }> {
  const { pushed, rejected } = await pushOutbox(deps);
  return { pushed, rejected };
}

/** push(), and the sign-in as its last answer left it (for a pull that follows at once). */
async function pushOutbox(deps: SyncDeps): Promise<{ pushed: number; rejected: number; signIn?: StoredSignIn; held: HeldCopies }> {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  let id: string | undefined;
  let pushed = 0;
  let rejected = 0;
  let signIn: StoredSignIn | undefined;
  const held: HeldCopies = new Map();
  for (let round = 0; round < 100; round++) {
    // Read and marked sent in one transaction, so what is sent is what is marked: a sent change
    // is never altered (an edit made later becomes a mutation of its own), so a replay is the
    // same mutation.
    // The client id and the sign-in in the same transaction: a read of its own after the commit
    // would wait behind the screens' queries that the commit sets off.
    const { batch, more, client, stored } = await db.transaction("rw", [db.outbox, db.meta], async () => {
      const client = id ?? (await clientId(db));
      const stored = await readSignIn(db);
      const pending = await db.outbox.where("state").equals("pending").sortBy("seq");
      const at = now();
      const batch = nextBatch(pending, at, deps.batchSize ?? MAX_BATCH);
      const unsent = batch.filter((e) => !e.sent);
      if (unsent.length > 0) await db.outbox.bulkPut(unsent.map((e) => ({ ...e, sent: true })));
      // Left for another round: entries not held that waited for this batch (or did not fit).
      const taken = new Set(batch.map((e) => e.seq));
      return { batch, client, stored, more: pending.some((e) => !taken.has(e.seq) && !((e.hold_until ?? 0) > at)) };
    });
    if (batch.length === 0) break;
    id = client;
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
    const response = await authorizedFetch(
      deps,
      `${API}/sync/push`,
      { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
      stored,
    );
    await failIfNotOk(response);
    const answer = (await response.json()) as PushResult;
    const outcome = await applyPushResults(db, answer.results ?? [], batch.map((e) => e.seq!));
    pushed += batch.length;
    rejected += outcome.rejected;
    signIn = outcome.signIn;
    for (const [key, version] of outcome.held) held.set(key, version);
    deps.onProgress?.({ phase: "push", done: pushed, initial: false });
    // Entries written meanwhile start a sync of their own (SyncLoop.nudge).
    if (!more) break;
  }
  return { pushed, rejected, signIn, held };
}

/** Equal as stored records: the same fields with the same values (JSON values compared as text). */
export function sameRecord(a: Stored, b: Stored): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!(key in b)) return false;
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object") return false;
    if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

/**
 * Write one page of a pull and its cursor in one transaction, per table one bulkPut and one
 * bulkDelete. A record the device already holds at the same version and with the same fields is
 * not written again (most often its own push coming back). `wholeTruth`: drop every synced
 * record first. `fromScratch`: the pull began with the whole truth, so the tables hold nothing
 * but its own earlier pages and there is nothing to compare with. `storedCursor`: the cursor
 * stored before this page, when the caller knows it. Returns how many records were written.
 */
export async function writePage(
  db: FeltloggDB,
  result: PullResult,
  wholeTruth: boolean,
  fromScratch = false,
  storedCursor?: string,
  held?: HeldCopies,
  later?: LaterWrites,
): Promise<number> {
  const clear = Boolean(result.reset) || wholeTruth;
  // The page's last word per record: a record named twice ends as its later change says.
  const byEntity = new Map<EntityName, Map<string, Stored | null>>();
  for (const change of result.changes ?? []) {
    if (!change.entity || !change.id || !isEntity(change.entity)) continue;
    // Its own push's record coming back as the push's answer gave it: already stored.
    if (!clear && change.op === "upsert" && held?.get(`${change.entity}/${change.id}`) === change.version) continue;
    let changes = byEntity.get(change.entity);
    if (!changes) byEntity.set(change.entity, (changes = new Map()));
    if (change.op === "upsert" && change.data) {
      const record: Stored = { ...change.data, id: change.id };
      if (typeof change.version === "number") record.version = change.version;
      changes.delete(change.id); // keep the page's order of last changes
      changes.set(change.id, record);
    } else {
      changes.delete(change.id);
      changes.set(change.id, null);
    }
  }
  let written = 0;
  if (!clear && byEntity.size === 0) {
    // Nothing new (the usual answer): only the cursor, if it moved.
    const stored = storedCursor ?? (await getMeta<string>(db, META.cursor));
    if (stored === result.cursor) return 0;
    if (later) later.cursor = result.cursor ?? null;
    else await setMeta(db, META.cursor, result.cursor ?? null);
    return 0;
  }
  if (later) delete later.cursor;
  await db.transaction("rw", [db.meta, ...syncedTables(db)], async () => {
    if (clear) await Promise.all(syncedTables(db).map((table) => table.clear()));
    for (const [entity, changes] of byEntity) {
      const table = db.entity(entity);
      const puts: Stored[] = [];
      const deletes: string[] = [];
      for (const [id, record] of changes) {
        if (record) puts.push(record);
        else deletes.push(id);
      }
      let fresh = puts;
      if (!clear && !fromScratch && puts.length > 0) {
        const held = await table.bulkGet(puts.map((r) => r.id));
        fresh = puts.filter((record, i) => {
          const mine = held[i];
          return !(mine && typeof record.version === "number" && mine.version === record.version && sameRecord(mine, record));
        });
      }
      if (deletes.length > 0 && !clear) await table.bulkDelete(deletes);
      if (fresh.length > 0) await table.bulkPut(fresh);
      written += fresh.length + (clear ? 0 : deletes.length);
    }
    await setMeta(db, META.cursor, result.cursor ?? null);
  });
  return written;
}

/** One page of the pull; `stale` when the server did not know the cursor (400). */
type PageAnswer = { stale: true } | { stale: false; result: PullResult };

function pullPath(deps: SyncDeps, cursor: string | undefined): string {
  const query = new URLSearchParams({ limit: String(deps.pageSize ?? PAGE_SIZE), schema_version: String(SCHEMA_VERSION) });
  if (cursor) query.set("cursor", cursor);
  return `${API}/sync/pull?${query}`;
}

/** `sent`: the page's request, already sent with `signIn`'s access token. */
function fetchPage(deps: SyncDeps, cursor: string | undefined, signIn?: StoredSignIn, sent?: Promise<Response>): Promise<PageAnswer> {
  const answer = (async (): Promise<PageAnswer> => {
    const response = await authorizedFetch(deps, pullPath(deps, cursor), {}, signIn, sent);
    if (response.status === 400 && cursor) {
      await response.body?.cancel().catch(() => undefined);
      return { stale: true };
    }
    await failIfNotOk(response);
    return { stale: false, result: (await response.json()) as PullResult };
  })();
  // A page fetched ahead may be dropped (its predecessor failed to be written): no unhandled rejection.
  answer.catch(() => undefined);
  return answer;
}

/**
 * Pull pages until `has_more` is false. Each page and its cursor are written in one
 * transaction, so a pull cut off halfway is simply repeated from the last written page. The next
 * page is fetched while the current one is written: its request names the current page's
 * cursor, which is stored only with the current page, so a crash loses nothing either way.
 */
export async function pull(
  deps: SyncDeps,
  start?: SyncStart,
  sent?: Promise<Response>,
  held?: HeldCopies,
  later?: LaterWrites,
): Promise<{ pulled: number; initial: boolean }> {
  const { db } = deps;
  let stored = start;
  if (!stored) {
    const [cursorRow, doneRow] = await db.meta.bulkGet([META.cursor, META.initialDone]);
    stored = { cursor: cursorRow?.value as string | undefined, initialDone: Boolean(doneRow?.value), pending: 0 };
  }
  let cursor = stored.cursor;
  const initial = !stored.initialDone;
  // Without a cursor the server sends everything and no tombstones: that is the whole truth.
  let wholeTruth = !cursor;
  let fromScratch = wholeTruth;
  let pulled = 0;
  let total: number | undefined; // said by the first page of a first sync
  let next = fetchPage(deps, cursor, stored.signIn, sent);
  for (let page = 0; page < 100_000; page++) {
    const answer = await next;
    if (answer.stale) {
      cursor = undefined; // the server does not know our cursor: start over
      wholeTruth = true;
      fromScratch = true;
      next = fetchPage(deps, cursor);
      continue;
    }
    const result = answer.result;
    // With the sign-in the pull began with: a read of it now would wait for the page's write
    // (meta is in its transaction). A token refreshed meanwhile makes that request a 401, which
    // takes the stored one.
    if (result.has_more) next = fetchPage(deps, result.cursor, stored.signIn);
    if (result.reset) fromScratch = true;
    await writePage(db, result, wholeTruth, fromScratch, cursor, held, later);
    wholeTruth = false;
    cursor = result.cursor;
    pulled += result.changes?.length ?? 0;
    if (typeof result.total === "number") total = result.total;
    // Nothing pulled yet and nothing announced: the screen would show what it shows already.
    if (pulled > 0 || total !== undefined) deps.onProgress?.({ phase: "pull", done: pulled, initial, ...(total === undefined ? {} : { total }) });
    if (!result.has_more) break;
  }
  if (initial && later) later.initialDone = true;
  else if (initial) await setMeta(db, META.initialDone, true);
  return { pulled, initial };
}

export type SyncOutcome =
  | { status: "ok"; pushed: number; pulled: number; rejected: number; initial: boolean; pending?: number }
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

/** What a sync starts from, read in one transaction. */
export interface SyncStart {
  cursor: string | undefined;
  initialDone: boolean;
  /** Outbox entries waiting to be sent (held ones included). */
  pending: number;
  /** The sign-in as stored; left out once a refresh may have changed it. */
  signIn?: StoredSignIn;
  /** Whether an earlier sync left "update required" standing. */
  updateRequired?: boolean;
}

async function readSyncStart(db: FeltloggDB): Promise<SyncStart> {
  return db.transaction("r", [db.meta, db.outbox], async () => {
    const [signIn, [cursor, initialDone, updateRequired], pending] = await Promise.all([
      readSignIn(db),
      db.meta.bulkGet([META.cursor, META.initialDone, META.updateRequired]),
      db.outbox.where("state").equals("pending").count(),
    ]);
    return {
      cursor: cursor?.value as string | undefined,
      initialDone: Boolean(initialDone?.value),
      pending,
      signIn,
      updateRequired: updateRequired !== undefined,
    };
  });
}

/**
 * Push then pull; failures become an outcome, never a thrown error. A sync with nothing to send
 * and nothing new costs one read and one write of IndexedDB besides its request.
 */
export async function syncOnce(deps: SyncDeps): Promise<SyncOutcome> {
  const now = deps.now ?? Date.now;
  const last = deps.lastEnd;
  deps.lastEnd = undefined;
  try {
    // The first pull goes out with what the last sync ended with while the start is read.
    const early = last && last.accessExpiresAt - now() > REFRESH_MARGIN_MS ? sendWith(deps, pullPath(deps, last.cursor), last.accessToken) : undefined;
    early?.catch(() => undefined);
    const start = await readSyncStart(deps.db);
    let sent =
      early && start.pending === 0 && start.cursor === last?.cursor && start.signIn?.accessToken === last?.accessToken && !start.signIn?.needsLogin
        ? early
        : undefined;
    if (await refreshIfDue(deps, undefined, start.signIn)) {
      delete start.signIn;
      sent = undefined;
    }
    if (early && !sent) void early.then((response) => response.body?.cancel(), () => undefined);
    // A push moves nothing the pull reads from the start but the tokens (a refresh on a 401):
    // the pull takes the sign-in as the push left it.
    const pushed = start.pending > 0 ? await pushOutbox(deps) : { pushed: 0, rejected: 0, signIn: undefined, held: undefined };
    if (start.pending > 0) start.signIn = pushed.signIn;
    const later: LaterWrites = {};
    const pulled = await pull(deps, start, sent, pushed.held, later);
    const [pending, end] = await deps.db.transaction("rw", [deps.db.meta, deps.db.outbox], async () => {
      if (later.cursor !== undefined) await setMeta(deps.db, META.cursor, later.cursor);
      if (later.initialDone) await setMeta(deps.db, META.initialDone, true);
      await setMeta(deps.db, META.lastSyncAt, new Date(now()).toISOString());
      if (start.updateRequired) await setMeta(deps.db, META.updateRequired, null);
      return Promise.all([outboxCount(deps.db), deps.db.meta.bulkGet([META.cursor, META.accessToken, META.accessExpiresAt])]);
    });
    const [cursor, accessToken, accessExpiresAt] = end.map((row) => row?.value);
    if (typeof cursor === "string" && typeof accessToken === "string" && typeof accessExpiresAt === "number") {
      deps.lastEnd = { cursor, accessToken, accessExpiresAt };
    }
    return {
      status: "ok",
      pushed: pushed.pushed,
      rejected: pushed.rejected,
      pulled: pulled.pulled,
      initial: pulled.initial,
      pending,
    };
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
  mark(name: "sync:start" | "sync:done" | "sync:initial:done"): void;
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
  // Where a sync begins, for measuring it against sync:done (bench/browser_bench.py).
  observer.mark("sync:start");
  const outcome = await syncOnce(deps);
  observer.pending(outcome.status === "ok" && outcome.pending !== undefined ? outcome.pending : await outboxCount(deps.db));
  if (outcome.status === "ok") {
    observer.state("idle");
    if (outcome.initial) observer.mark("sync:initial:done");
    observer.mark("sync:done");
  } else {
    observer.state(outcome.status === "offline" ? "offline" : "error");
  }
  return outcome;
}
