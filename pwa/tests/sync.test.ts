import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import Dexie from "dexie";
import { META, FeltloggDB, getMeta, setMeta } from "../src/db";
import { STORE_VERSIONS } from "../src/entities.gen";
import { login } from "../src/auth";
import { createRecord, saveRecord, viewRecord, viewRecords } from "../src/outbox";
import { chooseOther, keepCurrent, openConflicts, type ConflictView } from "../src/conflicts";
import { PAGE_SIZE, type SyncObserver, type SyncProgress, isLongFirstSync, progressShare, pull, push, runSync, syncOnce } from "../src/sync";
import { formatNumber, formatPercent, setLang, tCount } from "../src/i18n";
import { FakeServer } from "./fakeServer";

let db: FeltloggDB;
let server: FakeServer;
let n = 0;

function deps(extra: Record<string, unknown> = {}) {
  return { db, fetch: server.fetch, ...extra };
}

beforeEach(async () => {
  db = new FeltloggDB(`sync-test-${n++}`);
  await db.open();
  server = new FakeServer();
  await login(deps(), "js1@demo.no", "demo1234");
});
afterEach(async () => {
  vi.restoreAllMocks();
  await db.delete();
});

/**
 * Calls of a Table method on the named table. Inside a transaction Dexie hands out tables of
 * its own, so the method is watched on the prototype all tables share.
 */
function watchTables(method: "put" | "bulkPut" | "get" | "bulkGet") {
  const spy = vi.spyOn(Object.getPrototypeOf(db.employers) as Record<string, (...a: unknown[]) => unknown>, method);
  return (table: string) => spy.mock.calls.filter((_, i) => (spy.mock.contexts[i] as { name: string }).name === table).map((call) => call[0]);
}

function recordingObserver() {
  const log: string[] = [];
  const dataset: Record<string, string> = {};
  const observer: SyncObserver = {
    state: (s) => {
      dataset.sync = s;
      log.push(`state:${s}`);
    },
    pending: (c) => {
      dataset.pending = String(c);
    },
    mark: (m) => log.push(`mark:${m}`),
  };
  return { log, dataset, observer };
}

describe("push", () => {
  it("sends a logged contact and stores the server's version for the new record", async () => {
    const token = await createRecord(db, "employer_contacts", { employer_id: "e1", mode: "in_person" });
    const result = await push(deps());
    expect(result).toEqual({ pushed: 1, rejected: 0 });
    expect(await db.outbox.count()).toBe(0);
    expect(await db.employer_contacts.get(token.id)).toMatchObject({ employer_id: "e1", version: 1 });
    expect(server.pushes[0]!.mutations[0]).toMatchObject({ entity: "employer_contacts", op: "upsert", base_version: null });
  });

  it("takes the version of an edit only when it is base_version + 1", async () => {
    server.serverWrite("participants", "p1", { first_name: "Ola", phone: null });
    await pull(deps());
    await saveRecord(db, "participants", "p1", { phone: "1" });
    await push(deps());
    expect((await db.participants.get("p1"))!.version).toBe(2);

    // another device changes another field in between: the phone keeps its base and waits for the pull
    server.serverWrite("participants", "p1", { first_name: "Kari" });
    await saveRecord(db, "participants", "p1", { phone: "2" });
    await push(deps());
    const local = await db.participants.get("p1");
    expect(local).toMatchObject({ version: 2, phone: "2", first_name: "Ola" });
    await pull(deps());
    expect(await db.participants.get("p1")).toMatchObject({ version: 4, phone: "2", first_name: "Kari" });
  });

  it("keeps its own value after merged until the next pull brings the record and the conflict", async () => {
    server.serverWrite("participants", "p1", { first_name: "Ola", phone: "1" });
    await pull(deps());
    server.serverWrite("participants", "p1", { phone: "9" }); // the other device
    await saveRecord(db, "participants", "p1", { phone: "5" });
    await push(deps());
    expect(await db.outbox.count()).toBe(0);
    expect(await db.participants.get("p1")).toMatchObject({ phone: "5", version: 1 });
    expect(server.conflicts).toHaveLength(1);
  });

  it("keeps a rejected mutation with the server's detail and does not block the others", async () => {
    server.rejectIf = (m) => ((m.data as Record<string, unknown>).employer_id === "gone" ? "Arbeidsgiveren finnes ikke." : null);
    await createRecord(db, "employer_contacts", { employer_id: "gone" });
    const ok = await createRecord(db, "employer_contacts", { employer_id: "e1" });
    const result = await push(deps());
    expect(result.rejected).toBe(1);
    const left = await db.outbox.toArray();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ state: "rejected", detail: "Arbeidsgiveren finnes ikke.", sent: false });
    expect(await db.employer_contacts.get(ok.id)).toBeDefined();
    // a second push does not send the rejected one again by itself
    await push(deps());
    expect(server.pushes).toHaveLength(1);
  });

  it("keeps a mutation the server asks to send again in the outbox, and sends the same one later", async () => {
    const token = await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.raceNext = 1;
    const result = await push(deps());
    expect(result.rejected).toBe(0);
    const [waiting] = await db.outbox.toArray();
    expect(waiting).toMatchObject({ state: "pending", sent: true });
    expect(server.pushes).toHaveLength(1); // not again at once

    await db.outbox.put({ ...waiting!, hold_until: 0 }); // the wait is over
    await push(deps());
    expect(await db.outbox.count()).toBe(0);
    expect(server.pushes[1]!.mutations[0]!.mutation_id).toBe(server.pushes[0]!.mutations[0]!.mutation_id);
    expect(await db.employer_contacts.get(token.id)).toMatchObject({ version: 1 });
  });

  it("with nothing to send and nothing new, reads IndexedDB once and writes once besides its request", async () => {
    server.serverWrite("employers", "e1", { name: "AS" });
    expect((await syncOnce(deps())).status).toBe("ok");
    const transactions = vi.spyOn(db, "transaction");
    const gets = vi.spyOn(db.meta, "get");
    const outcome = await syncOnce(deps());
    expect(outcome).toMatchObject({ status: "ok", pushed: 0, pulled: 0, pending: 0 });
    expect(transactions).toHaveBeenCalledTimes(2);
    expect(gets).not.toHaveBeenCalled();
    expect(server.pushes).toHaveLength(0);
    expect(await getMeta(db, META.lastSyncAt)).toBeDefined();
    // Something new still arrives, and something to send is still sent.
    server.serverWrite("employers", "e2", { name: "Ny" });
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    expect(await syncOnce(deps())).toMatchObject({ status: "ok", pushed: 1, pending: 0 });
    expect(await db.employers.get("e2")).toBeDefined();
  });

  it("with something to send, reads nothing on its own after the push's transactions", async () => {
    server.serverWrite("employers", "e1", { name: "AS" });
    expect((await syncOnce(deps())).status).toBe("ok");
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    const transactions = vi.spyOn(db, "transaction");
    const gets = vi.spyOn(db.meta, "get");
    expect(await syncOnce(deps())).toMatchObject({ status: "ok", pushed: 1, pulled: 1, pending: 0 });
    // The start, the batch marked sent, the answer applied, the end; the pulled page brings back
    // only the pushed record, as the push's answer stored it: nothing to write but the cursor.
    expect(transactions).toHaveBeenCalledTimes(4);
    expect(gets.mock.calls).toEqual([["client_id"]]); // read in the batch's transaction
  });

  it("stores the cursor of a pull that wrote nothing else in its closing transaction", async () => {
    server.serverWrite("employers", "e1", { name: "AS" });
    expect((await syncOnce(deps())).status).toBe("ok");
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    const calls: string[] = [];
    // Tables share their prototype (inside a transaction Dexie hands out tables of its own).
    const tables = Object.getPrototypeOf(db.meta) as { put: (this: { name: string }, ...a: unknown[]) => unknown };
    const original = tables.put;
    tables.put = function (this: { name: string }, ...args: unknown[]) {
      if (this.name === "meta") calls.push(`${(args[0] as { key: string }).key} in ${Dexie.currentTransaction?.storeNames.join("+") ?? "a transaction of its own"}`);
      return original.apply(this, args);
    };
    try {
      expect(await syncOnce(deps())).toMatchObject({ status: "ok", pushed: 1, pulled: 1 });
    } finally {
      tables.put = original;
    }
    // The client id is made with the first push, in the batch's transaction.
    expect(calls).toEqual(["client_id in outbox+meta", "cursor in meta+outbox", "last_sync_at in meta+outbox"]);
    expect(await getMeta(db, META.cursor)).toBe("2");
  });

  it("replays a push whose response was lost and drops the duplicates without writing twice", async () => {
    const token = await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.loseNextPushResponse = true;
    const first = await syncOnce(deps());
    expect(first.status).toBe("offline");
    expect(await db.outbox.count()).toBe(1);
    expect((await db.outbox.toArray())[0]!.sent).toBe(true);
    // an edit made meanwhile must not change the mutation that may already be applied
    await saveRecord(db, "employer_contacts", token.id, { notes: "ny" });
    expect(await db.outbox.count()).toBe(2);
    const second = await syncOnce(deps());
    expect(second.status).toBe("ok");
    expect(await db.outbox.count()).toBe(0);
    const [replayed, edit] = server.pushes.slice(1).flatMap((p) => p.mutations);
    expect(replayed!.mutation_id).toBe(server.pushes[0]!.mutations[0]!.mutation_id);
    expect(edit).toMatchObject({ base_version: 1, data: { notes: "ny" } });
    expect(server.records.get(`employer_contacts/${token.id}`)!.version).toBe(2);
    expect(await viewRecord(db, "employer_contacts", token.id)).toMatchObject({ notes: "ny", version: 2 });
  });

  it("sends an edit of a record still being created only after the creation is confirmed", async () => {
    const token = await createRecord(db, "plan_steps", { participant_id: "p1", title: "A" });
    const [first] = await db.outbox.toArray();
    await db.outbox.put({ ...first!, sent: true }); // as if the creation's push had gone out
    await saveRecord(db, "plan_steps", token.id, { title: "B" });
    await push(deps());
    expect(server.pushes).toHaveLength(2);
    expect(server.pushes[1]!.mutations[0]).toMatchObject({ base_version: 1, data: { title: "B" } });
    expect(await db.plan_steps.get(token.id)).toMatchObject({ title: "B", version: 2 });
  });

  it("holds a change for the undo window", async () => {
    await db.meetings.put({ id: "m1", version: 1 });
    server.serverWrite("meetings", "m1", { participant_id: "p1" });
    let now = 1_000;
    await saveRecord(db, "meetings", "m1", { notes: "x" }, { holdMs: 5000, now: () => now });
    await push(deps({ now: () => now }));
    expect(server.pushes).toHaveLength(0);
    now = 7_000;
    await push(deps({ now: () => now }));
    expect(server.pushes).toHaveLength(1);
  });
});

describe("pull", () => {
  it("pages through has_more and stores each cursor only after its page is written", async () => {
    for (let i = 0; i < 5; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    const pages: (string | undefined)[] = [];
    const original = db.transaction.bind(db);
    // record the stored cursor at the start of each page's transaction
    (db as unknown as { transaction: unknown }).transaction = async (...args: unknown[]) => {
      pages.push(await getMeta<string>(db, META.cursor));
      return (original as (...a: unknown[]) => unknown)(...args);
    };
    const result = await pull(deps({ pageSize: 2 }));
    (db as unknown as { transaction: unknown }).transaction = original;
    expect(result.pulled).toBe(5);
    expect(server.pulls).toEqual(["", "2", "4"]);
    expect(pages).toEqual([undefined, "2", "4"]);
    expect(await db.employers.count()).toBe(5);
    expect(await getMeta(db, META.cursor)).toBe("5");
  });

  it("a pull cut off halfway is repeated from the last written page", async () => {
    for (let i = 0; i < 4; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    let calls = 0;
    const flaky = async (input: string, init?: RequestInit) => {
      if (input.includes("/sync/pull") && ++calls === 2) throw new TypeError("Failed to fetch");
      return server.fetch(input, init);
    };
    const first = await syncOnce({ db, fetch: flaky, pageSize: 2 });
    expect(first.status).toBe("offline");
    expect(await getMeta(db, META.cursor)).toBe("2");
    expect(await db.employers.count()).toBe(2);
    const second = await syncOnce({ db, fetch: flaky, pageSize: 2 });
    expect(second.status).toBe("ok");
    expect(server.pulls).toEqual(["", "2"]); // the lost page was asked for again from cursor 2
    expect(await db.employers.count()).toBe(4);
  });

  it("applies deletes, and a reset drops synced records but keeps the outbox", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    server.serverWrite("employers", "e2", { name: "B" });
    await pull(deps());
    server.serverDelete("employers", "e1");
    await pull(deps());
    expect((await db.employers.toArray()).map((e) => e.id)).toEqual(["e2"]);

    await db.employers.put({ id: "stale", name: "Gammel", version: 1 });
    const local = await createRecord(db, "employer_contacts", { employer_id: "e2" });
    server.resetNextPull = true;
    await pull(deps());
    expect((await db.employers.toArray()).map((e) => e.id)).toEqual(["e2"]);
    expect(await db.outbox.count()).toBe(1);
    expect(await viewRecord(db, "employer_contacts", local.id)).toBeDefined();
  });

  it("starts over without a cursor when the server does not know it", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    await setMeta(db, META.cursor, "garbage");
    await db.employers.put({ id: "ghost", name: "?" });
    await pull(deps());
    expect((await db.employers.toArray()).map((e) => e.id)).toEqual(["e1"]);
  });
});

describe("the progress of a pull", () => {
  it("carries the total the first page of a first sync gives with every event, and none on later pulls", async () => {
    server.sendsTotal = true;
    for (let i = 0; i < 5; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    const seen: SyncProgress[] = [];
    await pull(deps({ pageSize: 2, onProgress: (p: SyncProgress) => seen.push(p) }));
    expect(server.pulls).toHaveLength(3);
    expect(seen).toEqual([
      { phase: "pull", done: 2, initial: true, total: 5 },
      { phase: "pull", done: 4, initial: true, total: 5 },
      { phase: "pull", done: 5, initial: true, total: 5 },
    ]);
    expect(seen.map(progressShare)).toEqual([0.4, 0.8, 1]);

    seen.length = 0;
    server.serverWrite("employers", "e5", { name: "AS 5" });
    server.serverWrite("employers", "e6", { name: "AS 6" });
    server.serverWrite("employers", "e7", { name: "AS 7" });
    await pull(deps({ pageSize: 2, onProgress: (p: SyncProgress) => seen.push(p) }));
    expect(seen.map((p) => p.done)).toEqual([2, 3]);
    expect(seen.every((p) => !p.initial && !("total" in p))).toBe(true);
  });

  it("has no total from a server that does not say it", async () => {
    for (let i = 0; i < 3; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    const seen: SyncProgress[] = [];
    await pull(deps({ pageSize: 2, onProgress: (p: SyncProgress) => seen.push(p) }));
    expect(seen).toEqual([
      { phase: "pull", done: 2, initial: true },
      { phase: "pull", done: 3, initial: true },
    ]);
    expect(seen.every((p) => !("total" in p) && progressShare(p) === undefined)).toBe(true);
  });

  it("rounds the share down and never passes 100 %", () => {
    const at = (done: number, total: number) => progressShare({ phase: "pull", done, initial: true, total });
    expect(at(1600, 3540)).toBe(0.45);
    expect(at(3539, 3540)).toBe(0.99);
    expect(at(3540, 3540)).toBe(1);
    expect(at(3560, 3540)).toBe(1); // records created during the sync
    expect(at(3, 0)).toBe(1);
  });

  it("is worded with the percentage and the records in both languages", () => {
    const line = () => tCount("status.firstSyncOf", 3540, { percent: formatPercent(0.45), done: formatNumber(1600) }).replace(/\s/g, " ");
    expect(line()).toBe("Første synkronisering … 45 % (1 600 av 3 540 poster)");
    setLang("en");
    try {
      expect(line()).toBe("First sync … 45% (1,600 of 3,540 records)");
    } finally {
      setLang("nb");
    }
  });
});

describe("pull, in bulk and ahead", () => {
  it("asks for the next page while the current one is being written", async () => {
    for (let i = 0; i < 5; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    let askedAhead: () => void = () => {};
    const ahead = new Promise<void>((resolve) => (askedAhead = resolve));
    const fetch = (input: string, init?: RequestInit) => {
      if (input.includes("/sync/pull") && input.includes("cursor=2")) askedAhead();
      return server.fetch(input, init);
    };
    const original = db.transaction.bind(db);
    const seen: boolean[] = [];
    // the first page's write waits (up to a second) for the request of the second page
    (db as unknown as { transaction: unknown }).transaction = async (...args: unknown[]) => {
      if (seen.length === 0) {
        seen.push(await Promise.race([ahead.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]));
      }
      return (original as (...a: unknown[]) => unknown)(...args);
    };
    const result = await pull({ db, fetch, pageSize: 2 });
    (db as unknown as { transaction: unknown }).transaction = original;
    expect(seen).toEqual([true]);
    expect(result.pulled).toBe(5);
    expect(server.pulls).toEqual(["", "2", "4"]);
    expect(await db.employers.count()).toBe(5);
  });

  it("reads the sign-in once for all the pages of a pull, not while a page is being written", async () => {
    for (let i = 0; i < 5; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    const bulkGets = watchTables("bulkGet");
    expect(await syncOnce(deps({ pageSize: 2 }))).toMatchObject({ status: "ok", pulled: 5 });
    expect(server.pulls).toHaveLength(3);
    const signInReads = bulkGets("meta").filter((keys) => (keys as string[]).includes(META.refreshToken));
    expect(signInReads).toHaveLength(1); // with the start
  });

  it("refreshes once when the access token stops working halfway through a pull, and goes on", async () => {
    for (let i = 0; i < 5; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    let pulls = 0;
    const d = deps({
      pageSize: 2,
      fetch: async (input: string, init?: RequestInit) => {
        const answer = await server.fetch(input, init);
        if (String(input).includes("/sync/pull") && ++pulls === 1) server.accessToken = "rotated-on-server";
        return answer;
      },
    });
    expect(await syncOnce(d)).toMatchObject({ status: "ok", pulled: 5 });
    expect(server.refreshCalls).toBe(1);
    expect(await db.employers.count()).toBe(5);
    expect(await getMeta(db, META.needsLogin)).toBeUndefined();
  });

  it("keeps the cursor of the last written page when a later page fails to be written", async () => {
    for (let i = 0; i < 5; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    const original = db.transaction.bind(db);
    let calls = 0;
    (db as unknown as { transaction: unknown }).transaction = (...args: unknown[]) => {
      if (++calls === 2) return Promise.reject(new Error("QuotaExceededError"));
      return (original as (...a: unknown[]) => unknown)(...args);
    };
    await expect(pull(deps({ pageSize: 2 }))).rejects.toThrow("QuotaExceededError");
    (db as unknown as { transaction: unknown }).transaction = original;
    expect(await getMeta(db, META.cursor)).toBe("2");
    expect(await db.employers.count()).toBe(2);
    // The page fetched ahead by the failed pull may still reach the server: let it, then count.
    await new Promise((resolve) => setTimeout(resolve, 20));
    server.pulls.length = 0;
    await pull(deps({ pageSize: 2 }));
    expect(server.pulls).toEqual(["2", "4"]);
    expect((await db.employers.toArray()).map((e) => e.id).sort()).toEqual(["e0", "e1", "e2", "e3", "e4"]);
  });

  it("writes a page with one bulkPut per table and no single puts", async () => {
    for (let i = 0; i < 6; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    for (let i = 0; i < 4; i++) server.serverWrite("meetings", `m${i}`, { participant_id: "p1" });
    const puts = watchTables("put");
    const bulkPuts = watchTables("bulkPut");
    await pull(deps());
    expect(puts("employers")).toEqual([]);
    expect(puts("meetings")).toEqual([]);
    expect(bulkPuts("employers")).toHaveLength(1);
    expect(bulkPuts("employers")[0]).toHaveLength(6);
    expect(bulkPuts("meetings")).toHaveLength(1);
    expect(await db.meetings.where("participant_id").equals("p1").count()).toBe(4);
  });

  it("compares with nothing while the first pull fills the tables, page after page", async () => {
    for (let i = 0; i < 5; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    const bulkGets = watchTables("bulkGet");
    await pull(deps({ pageSize: 2 }));
    expect(bulkGets("employers")).toEqual([]);
    expect(await db.employers.count()).toBe(5);
    // a later pull compares: the device may hold what comes
    server.serverWrite("employers", "e9", { name: "Ny" });
    await pull(deps({ pageSize: 2 }));
    expect(bulkGets("employers")).toEqual([["e9"]]);
  });

  it("does not write again what the device holds at the same version, and writes what differs", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    server.serverWrite("employers", "e2", { name: "B" });
    await pull(deps());
    // the server's copy of e2 has a field the device's copy lacks, at the same version
    await db.employers.put({ id: "e2", name: "B", version: 1 });
    server.records.get("employers/e2")!.data.created_at = "2026-11-20T09:00:00+00:00";
    server.serverWrite("employers", "e3", { name: "C" });
    await setMeta(db, META.cursor, "0"); // the server sends e1 and e2 again, at the versions held
    const bulkPuts = watchTables("bulkPut");
    await pull(deps());
    expect(bulkPuts("employers").flatMap((records) => (records as { id: string }[]).map((r) => r.id)).sort()).toEqual(["e2", "e3"]);
    expect(await db.employers.get("e2")).toMatchObject({ created_at: "2026-11-20T09:00:00+00:00", version: 1 });
  });

  it("does not write its own pushed record again when the pull brings it back unchanged", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    await pull(deps()); // the first pull, the whole truth, is behind the device
    const token = await createRecord(db, "employer_contacts", { employer_id: "e1", mode: "phone" });
    await push(deps());
    const puts = watchTables("put");
    const bulkPuts = watchTables("bulkPut");
    const result = await pull(deps());
    expect(result.pulled).toBe(1); // it came back
    expect(puts("employer_contacts")).toEqual([]);
    expect(bulkPuts("employer_contacts")).toEqual([]);
    expect(await db.employer_contacts.get(token.id)).toMatchObject({ employer_id: "e1", mode: "phone", version: 1 });
  });

  it("takes the list screens' place only during a first sync of more than one page", () => {
    const first = { phase: "pull" as const, done: 1000, initial: true };
    expect(isLongFirstSync({ ...first, total: PAGE_SIZE * 3 })).toBe(true);
    expect(isLongFirstSync({ ...first, total: PAGE_SIZE })).toBe(false); // one page: no flash
    expect(isLongFirstSync(first)).toBe(false); // a server that says no total
    expect(isLongFirstSync({ ...first, initial: false, total: PAGE_SIZE * 3 })).toBe(false);
    expect(isLongFirstSync({ phase: "push", done: 5, initial: false, total: PAGE_SIZE * 3 })).toBe(false);
    expect(isLongFirstSync(null)).toBe(false);
  });

  it("stores the server's copy a push result carries, so the pull that brings it back writes nothing", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    await pull(deps());
    server.stampOnCreate = { created_at: "2026-12-03T08:00:00+00:00", team_id: "t1" };
    const first = await createRecord(db, "employer_contacts", { employer_id: "e1", mode: "phone" });
    const second = await createRecord(db, "employer_contacts", { employer_id: "e1", mode: "email" });
    await push(deps());
    // As the server holds them, with the fields it filled in.
    expect(await db.employer_contacts.get(first.id)).toMatchObject({ mode: "phone", created_at: "2026-12-03T08:00:00+00:00", team_id: "t1", version: 1 });
    const bulkPuts = watchTables("bulkPut");
    const result = await pull(deps());
    expect(result.pulled).toBe(2);
    expect(bulkPuts("employer_contacts")).toEqual([]);
    expect(await db.employer_contacts.get(second.id)).toMatchObject({ mode: "email", team_id: "t1", version: 1 });
  });

  it("in the sync that pushed them, does not even read the records its push's answer stored; others it writes", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    await syncOnce(deps());
    const mine = await createRecord(db, "employer_contacts", { employer_id: "e1", mode: "phone" });
    const edited = await createRecord(db, "employer_contacts", { employer_id: "e1", mode: "email" });
    const bulkGets = watchTables("bulkGet");
    const bulkPuts = watchTables("bulkPut");
    const realFetch = server.fetch;
    // Between the push and the pull another device changes one of them and adds an employer.
    const d = deps({
      fetch: async (input: string, init?: RequestInit) => {
        const answer = await realFetch(input, init);
        if (String(input).includes("/sync/push")) {
          server.serverWrite("employer_contacts", edited.id, { mode: "in_person" });
          server.serverWrite("employers", "e2", { name: "B" });
        }
        return answer;
      },
    });
    expect(await syncOnce(d)).toMatchObject({ status: "ok", pushed: 2, pulled: 3 });
    // The push's answer reads both; the pull compares only the one changed elsewhere.
    expect(bulkGets("employer_contacts")).toEqual([[mine.id, edited.id], [edited.id]]);
    expect(bulkPuts("employer_contacts").flat().map((r) => (r as { id: string }).id)).toEqual([mine.id, edited.id, edited.id]);
    expect(await db.employer_contacts.get(edited.id)).toMatchObject({ mode: "in_person", version: 2 });
    expect(await db.employers.get("e2")).toMatchObject({ name: "B" });
  });

  it("with nothing new makes one request and opens no transaction over the tables", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    await pull(deps());
    const original = db.transaction.bind(db);
    let transactions = 0;
    (db as unknown as { transaction: unknown }).transaction = (...args: unknown[]) => {
      transactions++;
      return (original as (...a: unknown[]) => unknown)(...args);
    };
    server.pulls.length = 0;
    const result = await pull(deps());
    (db as unknown as { transaction: unknown }).transaction = original;
    expect(result).toEqual({ pulled: 0, initial: false });
    expect(server.pulls).toEqual(["1"]);
    expect(transactions).toBe(0);
    expect(await getMeta(db, META.cursor)).toBe("1");
    expect(await db.employers.count()).toBe(1);
  });

  it("applies a delete and an upsert of different records in one page", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    server.serverWrite("employers", "e2", { name: "B" });
    await pull(deps());
    server.serverDelete("employers", "e1");
    server.serverWrite("employers", "e2", { name: "B2" });
    await pull(deps());
    expect(await db.employers.toArray()).toEqual([{ id: "e2", name: "B2", version: 2 }]);
  });
});

describe("the next sync's first pull, sent while the start is read", () => {
  /** One context's deps, kept from sync to sync as the sync loop keeps them. */
  function keptDeps() {
    return deps();
  }

  it("is sent with where the last sync ended, and its answer is used", async () => {
    const d = keptDeps();
    server.serverWrite("employers", "e1", { name: "AS" });
    expect((await syncOnce(d)).status).toBe("ok");
    server.pulls.length = 0;
    server.serverWrite("employers", "e2", { name: "Ny" });
    const order: string[] = [];
    d.fetch = (input: string, init?: RequestInit) => {
      order.push(`fetch ${new URL(input, "http://server.test").pathname}`);
      return server.fetch(input, init);
    };
    const original = db.transaction.bind(db);
    (db as unknown as { transaction: unknown }).transaction = (...args: unknown[]) => {
      const done = (original as (...a: unknown[]) => Promise<unknown>)(...args);
      void done.then(() => order.push("transaction done"));
      return done;
    };
    expect(await syncOnce(d)).toMatchObject({ status: "ok", pulled: 1 });
    (db as unknown as { transaction: unknown }).transaction = original;
    expect(order[0]).toBe("fetch /api/v1/sync/pull"); // before the start was read
    expect(order.filter((o) => o.startsWith("fetch"))).toHaveLength(1);
    expect(server.pulls).toEqual(["1"]);
    expect(await db.employers.get("e2")).toMatchObject({ name: "Ny" });
    expect(await getMeta(db, META.cursor)).toBe("2");
    // and so on: each sync starts from where the one before ended
    expect(await syncOnce(d)).toMatchObject({ status: "ok", pulled: 0 });
    expect(server.pulls).toEqual(["1", "2"]);
  });

  it("is dropped when another tab synced meanwhile, and the pull starts from the stored cursor", async () => {
    const d = keptDeps();
    server.serverWrite("employers", "e1", { name: "AS" });
    await syncOnce(d);
    server.serverWrite("employers", "e2", { name: "Fra den andre fanen" });
    await syncOnce(deps()); // the other tab: the stored cursor moves on
    server.serverWrite("employers", "e3", { name: "Ny" });
    server.pulls.length = 0;
    expect(await syncOnce(d)).toMatchObject({ status: "ok", pulled: 1 });
    expect(server.pulls).toEqual(["1", "2"]); // the one sent ahead, then the one used
    expect((await db.employers.toArray()).map((e) => e.id).sort()).toEqual(["e1", "e2", "e3"]);
    expect(await getMeta(db, META.cursor)).toBe("3");
  });

  it("is dropped when something waits to be pushed: the pull comes after the push", async () => {
    const d = keptDeps();
    await syncOnce(d);
    const token = await createRecord(db, "employer_contacts", { employer_id: "e1", mode: "phone" });
    server.requests.length = 0;
    expect(await syncOnce(d)).toMatchObject({ status: "ok", pushed: 1, pending: 0 });
    // the pull sent ahead, dropped; the push; the pull after it
    expect(server.requests).toEqual(["GET /api/v1/sync/pull", "POST /api/v1/sync/push", "GET /api/v1/sync/pull"]);
    expect(await db.employer_contacts.get(token.id)).toMatchObject({ version: 1 });
  });

  it("is dropped when another tab refreshed the sign-in meanwhile", async () => {
    const d = keptDeps();
    await syncOnce(d);
    await syncOnce(deps({ now: () => Date.now() + 899_000 })); // the other tab refreshes: the token is due
    expect(server.refreshCalls).toBe(1);
    server.serverWrite("employers", "e1", { name: "AS" });
    server.requests.length = 0;
    expect(await syncOnce(d)).toMatchObject({ status: "ok", pulled: 1 });
    // sent with the old token and dropped, then sent with the new one
    expect(server.requests).toEqual(["GET /api/v1/sync/pull", "GET /api/v1/sync/pull"]);
    expect(server.refreshCalls).toBe(1);
    expect(await getMeta(db, META.needsLogin)).toBeUndefined();
  });

  it("refused because the access token no longer works, refreshes once and pulls again", async () => {
    const d = keptDeps();
    await syncOnce(d);
    server.accessToken = "rotated-on-server";
    server.serverWrite("employers", "e1", { name: "AS" });
    expect(await syncOnce(d)).toMatchObject({ status: "ok", pulled: 1 });
    expect(server.refreshCalls).toBe(1);
    expect(await getMeta(db, META.needsLogin)).toBeUndefined();
    expect(await db.employers.get("e1")).toBeDefined();
  });

  it("is not sent when the access token is about to run out", async () => {
    let now = Date.now();
    const d = deps({ now: () => now });
    await syncOnce(d);
    now += 850_000; // less than a minute left
    server.requests.length = 0;
    expect((await syncOnce(d)).status).toBe("ok");
    expect(server.requests).toEqual(["POST /api/v1/auth/refresh", "GET /api/v1/sync/pull"]);
  });
});

describe("applying push results in bulk", () => {
  it("handles a batch of mixed results with a fixed number of outbox queries", async () => {
    server.serverWrite("participants", "p1", { first_name: "Ola" });
    server.serverWrite("meetings", "m1", { participant_id: "p1" });
    await pull(deps());
    server.rejectIf = (m) => ((m.data as Record<string, unknown>).employer_id === "gone" ? "Arbeidsgiveren finnes ikke." : null);
    const created = [];
    for (let i = 0; i < 50; i++) created.push(await createRecord(db, "employer_contacts", { employer_id: `e${i}` }));
    await createRecord(db, "employer_contacts", { employer_id: "gone" });
    await saveRecord(db, "participants", "p1", { phone: "1" });
    const { deleteRecord } = await import("../src/outbox");
    await deleteRecord(db, "meetings", "m1");
    const where = vi.spyOn(Object.getPrototypeOf(db.outbox) as { where: (...a: unknown[]) => unknown }, "where");
    const gets = watchTables("get");
    const result = await push(deps());
    expect(result).toEqual({ pushed: 53, rejected: 1 });
    // the pending entries once per round (two), the answer's entries and their records' entries once
    expect(where.mock.calls.length).toBeLessThanOrEqual(4);
    expect(gets("outbox")).toEqual([]);
    expect(gets("employer_contacts")).toEqual([]);
    const left = await db.outbox.toArray();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ state: "rejected", detail: "Arbeidsgiveren finnes ikke." });
    for (const token of created) expect((await db.employer_contacts.get(token.id))!.version).toBe(1);
    expect(await db.participants.get("p1")).toMatchObject({ phone: "1", version: 2 });
    expect(await db.meetings.get("m1")).toBeUndefined();
  });

  it("gives an edit waiting for its record's creation the version the creation got, in the same pass", async () => {
    const token = await createRecord(db, "plan_steps", { participant_id: "p1", title: "A" });
    const other = await createRecord(db, "plan_steps", { participant_id: "p1", title: "X" });
    const entries = await db.outbox.toArray();
    await db.outbox.bulkPut(entries.map((e) => ({ ...e, sent: true }))); // both creations went out
    await saveRecord(db, "plan_steps", token.id, { title: "B" });
    const waiting = (await db.outbox.toArray()).find((e) => e.after_create);
    expect(waiting).toMatchObject({ base_version: null, after_create: true });
    const { applyPushResults } = await import("../src/sync");
    // the server answers the two creations (their edit is not in this batch)
    const results = [
      { mutation_id: entries[0]!.mutation_id, status: "applied" as const, version: 1 },
      { mutation_id: entries[1]!.mutation_id, status: "duplicate" as const, original_status: "applied", version: 1 },
    ];
    await applyPushResults(db, results);
    const [edit, ...rest] = await db.outbox.toArray();
    expect(rest).toHaveLength(0);
    expect(edit).toMatchObject({ id: token.id, base_version: 1, after_create: false, sent: false });
    expect(await db.plan_steps.get(token.id)).toMatchObject({ title: "A", version: 1 });
    expect(await db.plan_steps.get(other.id)).toMatchObject({ title: "X", version: 1 });
  });
});

describe("runSync and the observable state", () => {
  it("marks sync:initial:done once after the first full pull, and sync:done after every sync", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    const { log, dataset, observer } = recordingObserver();
    await runSync(deps(), observer);
    await runSync(deps(), observer);
    expect(log).toEqual([
      "state:syncing", "mark:sync:start", "state:idle", "mark:sync:initial:done", "mark:sync:done",
      "state:syncing", "mark:sync:start", "state:idle", "mark:sync:done",
    ]);
    expect(dataset).toEqual({ sync: "idle", pending: "0" });
  });

  it("shows offline and keeps the outbox when the network is gone", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.offline = true;
    const { dataset, observer, log } = recordingObserver();
    const outcome = await runSync(deps(), observer);
    expect(outcome.status).toBe("offline");
    expect(dataset).toEqual({ sync: "offline", pending: "1" });
    expect(log).not.toContain("mark:sync:done");
    server.offline = false;
    await runSync(deps(), observer);
    expect(dataset).toEqual({ sync: "idle", pending: "0" });
  });

  it("refreshes an expired access token once and retries, without signing out", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.accessToken = "rotated-on-server"; // our access token no longer works
    const outcome = await syncOnce(deps());
    expect(outcome.status).toBe("ok");
    expect(server.refreshCalls).toBe(1);
    expect(await getMeta(db, META.refreshToken)).toBe(server.refreshToken);
    expect(await db.outbox.count()).toBe(0);
  });

  it("keeps the user signed in while offline for days (expired access token, no network)", async () => {
    await setMeta(db, META.accessExpiresAt, 0);
    server.offline = true;
    expect((await syncOnce(deps())).status).toBe("offline");
    expect(await getMeta(db, META.user)).toBeDefined();
    expect(await getMeta(db, META.needsLogin)).toBeUndefined();
    expect(await getMeta(db, META.refreshToken)).toBeDefined();
  });

  it("asks for a new sign-in only when the server refuses the refresh token, and keeps the outbox", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.accessToken = "x";
    server.refreshToken = "revoked";
    expect((await syncOnce(deps())).status).toBe("signed_out");
    expect(await getMeta(db, META.needsLogin)).toBe(true);
    expect(await db.outbox.count()).toBe(1);
  });

  it("reports that the app must be updated on 426 and keeps the outbox", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.minSchemaVersion = 2;
    const outcome = await syncOnce(deps());
    expect(outcome).toEqual({ status: "update_required", message: "Oppdater appen." });
    expect(await getMeta(db, META.updateRequired)).toBe("Oppdater appen.");
    expect(await db.outbox.count()).toBe(1);
  });
});

describe("a failed sync", () => {
  /** The server behind `fetch` answers the sync endpoints with `answer` instead. */
  function failing(answer: () => Response) {
    return deps({
      fetch: (input: string, init?: RequestInit) => (/\/sync\/(push|pull)/.test(input) ? Promise.resolve(answer()) : server.fetch(input, init)),
    });
  }

  it("keeps a proxy's HTML 502 as a status without a code, and the server's 500 with its code", async () => {
    const proxy = await syncOnce(failing(() => new Response("<html><h1>502 Bad Gateway</h1></html>", { status: 502, statusText: "Bad Gateway", headers: { "Content-Type": "text/html" } })));
    expect(proxy).toMatchObject({ status: "error", httpStatus: 502 });
    expect(proxy).not.toHaveProperty("code");
    const broken = await syncOnce(
      failing(() => new Response(JSON.stringify({ status: 500, detail: "The server had a problem. Try again later.", code: "server_error" }), { status: 500, headers: { "Content-Type": "application/problem+json" } })),
    );
    expect(broken).toMatchObject({ status: "error", httpStatus: 500, code: "server_error" });
  });

  it("carries how long a 429 asks the app to wait", async () => {
    const outcome = await syncOnce(
      failing(() => new Response(JSON.stringify({ status: 429, detail: "Slow down.", code: "too_many_requests" }), { status: 429, headers: { "Retry-After": "42" } })),
    );
    expect(outcome).toMatchObject({ status: "error", httpStatus: 429, code: "too_many_requests", retryAfterSeconds: 42 });
  });
});

describe("conflict resolution", () => {
  async function makeConflict(): Promise<ConflictView> {
    server.serverWrite("participants", "p1", { first_name: "Ola", phone: "1" });
    server.serverWrite("conflicts", "c1", {
      entity: "participants", record_id: "p1", field: "phone", kept_value: "1", other_value: "2", resolved_at: null,
    });
    await pull(deps());
    const [conflict] = await openConflicts(db);
    return conflict!;
  }

  it("keeping the current value resolves the conflict through the outbox", async () => {
    const conflict = await makeConflict();
    await keepCurrent(db, conflict, new Date("2026-11-20T10:00:00Z"));
    expect(await openConflicts(db)).toHaveLength(0);
    await syncOnce(deps());
    expect(server.records.get("conflicts/c1")!.data.resolved_at).toBe("2026-11-20T10:00:00.000Z");
    expect(server.records.get("participants/p1")!.data.phone).toBe("1");
  });

  it("choosing the other value edits the record and resolves the conflict", async () => {
    const conflict = await makeConflict();
    await chooseOther(db, conflict);
    expect(await viewRecord(db, "participants", "p1")).toMatchObject({ phone: "2" });
    expect(await openConflicts(db)).toHaveLength(0);
    await syncOnce(deps());
    expect(server.records.get("participants/p1")!.data.phone).toBe("2");
    expect(server.records.get("conflicts/c1")!.data.resolved_at).toBeTruthy();
    expect((await viewRecords(db, "conflicts")).every((c) => c.resolved_at)).toBe(true);
  });
});

describe("signing in", () => {
  it("as someone else clears the previous user's records and cursor; the same user keeps them", async () => {
    server.serverWrite("employers", "e1", { name: "A" });
    await pull(deps());
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    await login(deps(), "js1@demo.no", "demo1234");
    expect(await db.employers.count()).toBe(1);
    expect(await db.outbox.count()).toBe(1);
    await push(deps());
    expect(await db.outbox.count()).toBe(0);

    server.user = { id: "user-2", role: "specialist", team_id: "team-1", name: "Per" };
    await login(deps(), "js2@demo.no", "demo1234");
    expect(await db.employers.count()).toBe(0);
    expect(await db.employer_contacts.count()).toBe(0);
    expect(await getMeta(db, META.cursor)).toBeUndefined();
    expect(await getMeta(db, META.initialDone)).toBeUndefined();
  });
});

describe("the schema", () => {
  it("opens a database of the first version with its records, cursor and outbox kept", async () => {
    const name = `schema-test-${n++}`;
    const old = new Dexie(name);
    old.version(1).stores({
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
    await old.table("employer_contacts").bulkPut([
      { id: "c1", employer_id: "e1", participant_id: "p1", version: 3 },
      { id: "c2", employer_id: "e2", participant_id: "p1", version: 1 },
    ]);
    await old.table("meta").put({ key: META.cursor, value: "42" });
    await old.table("outbox").add({ mutation_id: "m1", entity: "meetings", op: "upsert", id: "x", base_version: null, data: {}, state: "pending", sent: false, created_at: "" });
    old.close();

    const upgraded = new FeltloggDB(name);
    await upgraded.open();
    expect(upgraded.verno).toBe(STORE_VERSIONS[STORE_VERSIONS.length - 1]!.version);
    expect(await upgraded.employer_contacts.where("participant_id").equals("p1").count()).toBe(2);
    expect(await upgraded.employer_contacts.where("employer_id").equals("e2").first()).toMatchObject({ id: "c2", version: 1 });
    expect(await getMeta(upgraded, META.cursor)).toBe("42");
    expect(await upgraded.outbox.where("state").equals("pending").count()).toBe(1);
    await upgraded.delete();
  });
});
