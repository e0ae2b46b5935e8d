import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FeltloggDB } from "../src/db";
import { login } from "../src/auth";
import { createRecord } from "../src/outbox";
import { SyncLoop } from "../src/syncLoop";
import type { SyncProgress } from "../src/sync";
import { FakeServer } from "./fakeServer";

let db: FeltloggDB;
let server: FakeServer;
let loop: SyncLoop | undefined;
let n = 0;

beforeEach(async () => {
  db = new FeltloggDB(`loop-test-${n++}`);
  await db.open();
  server = new FakeServer();
  await login({ db, fetch: server.fetch }, "js1@demo.no", "demo1234");
});
afterEach(async () => {
  loop?.stop();
  await db.delete();
});

describe("the sync loop", () => {
  it("after a local write, sends no pull ahead of the push", async () => {
    loop = new SyncLoop({ db, fetch: server.fetch }, { state: () => {}, pending: () => {}, mark: () => {} }, () => true);
    expect((await loop.run()).status).toBe("ok");
    expect((await loop.run()).status).toBe("ok");
    expect(server.requests.filter((r) => r === "GET /api/v1/sync/pull")).toHaveLength(2);
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    loop.nudge();
    server.requests.length = 0;
    expect(await loop.run()).toMatchObject({ status: "ok", pushed: 1 });
    expect(server.requests).toEqual(["POST /api/v1/sync/push", "GET /api/v1/sync/pull"]);
    loop.stop();
  });


  it("tries again by itself when a sync fails although the browser says it is online", async () => {
    const states: string[] = [];
    loop = new SyncLoop(
      { db, fetch: server.fetch },
      { state: (s) => states.push(s), pending: () => {}, mark: () => {} },
      () => true,
    );
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.offline = true; // the "online" event came before requests get through
    const first = await loop.run();
    expect(first.status).toBe("offline");
    server.offline = false;
    const deadline = Date.now() + 5_000;
    // until the retried sync has finished (push and pull), not only until the outbox is empty
    while (states.at(-1) !== "idle" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(states.at(-1)).toBe("idle");
    expect(await db.outbox.count()).toBe(0);
    loop.stop();
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the finished run settle
  }, 10_000);

  it("shows how many records the first sync has fetched, page by page, and then what later syncs send and fetch", async () => {
    for (let i = 0; i < 5; i++) server.serverWrite("employers", `e${i}`, { name: `AS ${i}` });
    loop = new SyncLoop({ db, fetch: server.fetch, pageSize: 2 }, { state: () => {}, pending: () => {}, mark: () => {} }, () => true);
    const seen: (SyncProgress | null)[] = [];
    loop.subscribe(() => seen.push(loop!.progress && { ...loop!.progress }));
    expect((await loop.run()).status).toBe("ok");
    expect(seen).toEqual([
      { phase: "pull", done: 2, initial: true },
      { phase: "pull", done: 4, initial: true },
      { phase: "pull", done: 5, initial: true },
      null, // done: the status bar shows the last sync again
    ]);
    // and all of it is stored
    expect(await db.employers.count()).toBe(5);

    seen.length = 0;
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    expect((await loop.run()).status).toBe("ok");
    expect(seen).toEqual([{ phase: "push", done: 1, initial: false }, { phase: "pull", done: 1, initial: false }, null]);
    loop.stop();
  });

  it("waits as long as a 429 asks before it tries again", async () => {
    let refused = 0;
    const fetch = (input: string, init?: RequestInit) => {
      if (input.includes("/sync/") && refused === 0) {
        refused++;
        return Promise.resolve(new Response(JSON.stringify({ status: 429, detail: "Slow down.", code: "too_many_requests" }), { status: 429, headers: { "Retry-After": "3" } }));
      }
      return server.fetch(input, init);
    };
    const states: string[] = [];
    loop = new SyncLoop({ db, fetch }, { state: (s) => states.push(s), pending: () => {}, mark: () => {} }, () => true);
    const first = await loop.run();
    expect(first).toMatchObject({ status: "error", httpStatus: 429, retryAfterSeconds: 3 });
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // past the usual first retry (2 s)
    expect(states.at(-1)).toBe("error");
    const deadline = Date.now() + 3_000;
    while (states.at(-1) !== "idle" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(states.at(-1)).toBe("idle");
    loop.stop();
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the finished run settle
  }, 10_000);
});
