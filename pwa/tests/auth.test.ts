import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { META, FeltloggDB, getMeta, setMeta } from "../src/db";
import {
  type AuthDeps,
  type LockManagerLike,
  OfflineError,
  SignedOutError,
  UnsentChangesError,
  authorizedFetch,
  login,
  refreshIfDue,
  refreshTokens,
  signOutEverywhere,
} from "../src/auth";
import { createRecord } from "../src/outbox";
import { push, syncOnce } from "../src/sync";
import { FakeServer } from "./fakeServer";

let name: string;
let db: FeltloggDB;
let server: FakeServer;
let n = 0;
const opened: FeltloggDB[] = [];

/** The same IndexedDB database opened once more, as another tab or the service worker has it. */
async function anotherContext(): Promise<FeltloggDB> {
  const other = new FeltloggDB(name);
  await other.open();
  opened.push(other);
  return other;
}

/** Web Locks as the browser has them: one holder per name at a time, the others wait in turn. */
function sharedLocks(): LockManagerLike {
  const tails = new Map<string, Promise<unknown>>();
  return {
    request<T>(lockName: string, callback: () => Promise<T>): Promise<T> {
      const before = tails.get(lockName) ?? Promise.resolve();
      const run = before.then(callback, callback);
      tails.set(lockName, run.catch(() => undefined));
      return run;
    },
  };
}

function deps(extra: Partial<AuthDeps> = {}): AuthDeps {
  return { db, fetch: server.fetch, locks: null, ...extra };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Hold refresh requests at the server until the returned function is called. */
function holdRefreshes(): () => void {
  let release!: () => void;
  server.refreshGate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return () => {
    server.refreshGate = null;
    release();
  };
}

beforeEach(async () => {
  name = `auth-test-${n++}`;
  db = new FeltloggDB(name);
  await db.open();
  opened.push(db);
  server = new FakeServer();
  server.user = { ...server.user, email: "js1@demo.no" };
  await login(deps(), "js1@demo.no", "demo1234");
});
afterEach(async () => {
  for (const each of opened.splice(0)) each.close();
  await new FeltloggDB(name).delete();
});

describe("one refresh at a time across contexts", () => {
  it("two contexts refreshing at the same moment make one server call, and both get the new tokens", async () => {
    const locks = sharedLocks();
    const worker = await anotherContext();
    await setMeta(db, META.accessExpiresAt, 0); // due for both
    const release = holdRefreshes();
    const both = Promise.all([refreshIfDue(deps({ locks })), refreshIfDue({ db: worker, fetch: server.fetch, locks })]);
    await until(() => server.refreshCalls === 1);
    await new Promise((resolve) => setTimeout(resolve, 30)); // the other is waiting for the lock
    release();
    await both;
    expect(server.refreshCalls).toBe(1);
    expect(server.signedOut).toBe(false);
    expect(await getMeta(worker, META.refreshToken)).toBe(server.refreshToken);
    expect(await getMeta(db, META.accessToken)).toBe(server.accessToken);
    expect(await getMeta(db, META.needsLogin)).toBeUndefined();
  });

  it("the page's sync and the service worker's push at the same moment refresh once and both go through", async () => {
    const locks = sharedLocks();
    const worker = await anotherContext();
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    await setMeta(db, META.accessExpiresAt, 0);
    server.accessToken = "no-longer-accepted"; // the service worker's push is answered 401
    const release = holdRefreshes();
    const page = syncOnce(deps({ locks }));
    const background = push({ db: worker, fetch: server.fetch, locks });
    await until(() => server.refreshCalls === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    release();
    expect((await page).status).toBe("ok");
    await background;
    expect(server.refreshCalls).toBe(1);
    expect(server.signedOut).toBe(false);
    expect(await db.outbox.count()).toBe(0);
    expect(server.records.size).toBe(1);
  });

  it("without a lock shared by the contexts, the same race reuses the refresh token and the server ends the sign-in", async () => {
    const worker = await anotherContext();
    await setMeta(db, META.accessExpiresAt, 0);
    const release = holdRefreshes();
    const both = Promise.allSettled([refreshIfDue(deps()), refreshIfDue({ db: worker, fetch: server.fetch, locks: null })]);
    await until(() => server.refreshCalls === 2);
    release();
    await both;
    expect(server.refreshCalls).toBe(2);
    expect(server.signedOut).toBe(true);
  });

  it("one context asking twice at once shares one refresh, also without Web Locks", async () => {
    await setMeta(db, META.accessExpiresAt, 0);
    const release = holdRefreshes();
    const both = Promise.all([refreshIfDue(deps()), refreshIfDue(deps())]);
    await until(() => server.refreshCalls === 1);
    release();
    await both;
    expect(server.refreshCalls).toBe(1);
    expect(server.signedOut).toBe(false);
  });

  it("a refresh that finds fresh tokens in the store does not call the server", async () => {
    const locks = sharedLocks();
    await refreshTokens(deps({ locks })); // the tokens from signing in are fresh
    // another context has refreshed since this one saw its tokens
    await refreshTokens(deps({ locks }), { refreshToken: "the-refresh-token-seen-before" });
    await refreshTokens(deps({ locks }), { rejectedAccessToken: "the-access-token-the-server-refused" });
    expect(server.refreshCalls).toBe(0);

    // the stored access token itself was refused: refreshed even though it looks fresh
    const stored = await getMeta<string>(db, META.accessToken);
    await refreshTokens(deps({ locks }), { rejectedAccessToken: stored! });
    expect(server.refreshCalls).toBe(1);
  });
});

describe("what a 401 means", () => {
  it("token_expired: the app refreshes and carries on, not signed out", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.accessToken = "rotated-on-server"; // the server answers 401 token_expired
    const outcome = await syncOnce(deps());
    expect(outcome.status).toBe("ok");
    expect(server.refreshCalls).toBe(1);
    expect(await getMeta(db, META.needsLogin)).toBeUndefined();
    expect(await db.outbox.count()).toBe(0);
  });

  it("signed_out: signed out at once, without a refresh; the outbox and the user stay", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.signedOut = true; // e.g. "sign out on all devices" from another phone
    expect((await syncOnce(deps())).status).toBe("signed_out");
    expect(server.refreshCalls).toBe(0);
    expect(await getMeta(db, META.needsLogin)).toBe(true);
    expect(await getMeta(db, META.user)).toMatchObject({ id: "user-1" });
    expect(await db.outbox.count()).toBe(1);

    // nothing is sent until a new sign-in: no request at all
    const before = server.requests.length;
    expect((await syncOnce(deps())).status).toBe("signed_out");
    await expect(authorizedFetch(deps(), "/api/v1/sync/pull")).rejects.toBeInstanceOf(SignedOutError);
    expect(server.requests.length).toBe(before);
  });

  it("a refresh the server refuses because the sign-in was revoked is signed out; the outbox stays", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    await setMeta(db, META.accessExpiresAt, 0);
    server.refreshToken = "only-the-server-knows-this-one";
    expect((await syncOnce(deps())).status).toBe("signed_out");
    expect(server.refreshCalls).toBe(1);
    expect(await getMeta(db, META.needsLogin)).toBe(true);
    expect(await db.outbox.count()).toBe(1);
  });

  it("a refresh token past its 30 days (the refresh itself answered token_expired) ends the sign-in; the outbox stays", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    await setMeta(db, META.accessExpiresAt, 0);
    server.refreshTokenExpired = true;
    expect((await syncOnce(deps())).status).toBe("signed_out");
    expect(await getMeta(db, META.needsLogin)).toBe(true);
    expect(await db.outbox.count()).toBe(1);
  });

  it("no network never signs anyone out", async () => {
    await setMeta(db, META.accessExpiresAt, 0);
    server.offline = true;
    await expect(refreshIfDue(deps())).rejects.toBeInstanceOf(OfflineError);
    expect(await getMeta(db, META.needsLogin)).toBeUndefined();
  });
});

describe("signing in again", () => {
  it("as the same user keeps the waiting changes and sends them", async () => {
    const token = await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.signedOut = true;
    expect((await syncOnce(deps())).status).toBe("signed_out");
    await login(deps(), "js1@demo.no", "demo1234");
    expect(await getMeta(db, META.needsLogin)).toBeUndefined();
    expect(await db.outbox.count()).toBe(1);
    expect((await syncOnce(deps())).status).toBe("ok");
    expect(server.records.has(`employer_contacts/${token.id}`)).toBe(true);
    expect(await db.outbox.count()).toBe(0);
  });

  it("as someone else keeps the previous user's unsent changes until the user confirms discarding them", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    server.signedOut = true;
    await syncOnce(deps());
    const tokensBefore = await getMeta<string>(db, META.refreshToken);
    server.user = { id: "user-2", role: "specialist", team_id: "team-1", name: "Per", email: "js2@demo.no" };
    const loginsBefore = server.loginCalls;

    const refused = await login(deps(), "js2@demo.no", "demo1234").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnsentChangesError);
    expect((refused as UnsentChangesError).count).toBe(1);
    expect((refused as UnsentChangesError).previous).toMatchObject({ id: "user-1", name: "Kari" });
    expect(server.loginCalls).toBe(loginsBefore); // asked before any tokens were issued
    expect(await db.outbox.count()).toBe(1);
    expect(await getMeta(db, META.user)).toMatchObject({ id: "user-1" });
    expect(await getMeta(db, META.refreshToken)).toBe(tokensBefore);
    expect(await getMeta(db, META.needsLogin)).toBe(true);

    await login(deps(), "js2@demo.no", "demo1234", { discardUnsent: true });
    expect(await db.outbox.count()).toBe(0);
    expect(await getMeta(db, META.user)).toMatchObject({ id: "user-2" });
    expect(await getMeta(db, META.needsLogin)).toBeUndefined();
  });

  it("as someone else under an e-mail the phone did not know: the new sign-in is ended again and nothing changes", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    await setMeta(db, META.user, { id: "user-1", role: "specialist", name: "Kari" }); // stored without e-mail
    server.user = { id: "user-2", role: "specialist", team_id: "team-1", name: "Per", email: "js2@demo.no" };
    await expect(login(deps(), "js2@demo.no", "demo1234")).rejects.toBeInstanceOf(UnsentChangesError);
    expect(server.logoutCalls).toBe(1);
    expect(await db.outbox.count()).toBe(1);
    expect(await getMeta(db, META.user)).toMatchObject({ id: "user-1" });
  });

  it("as someone else with nothing unsent goes ahead without asking", async () => {
    server.user = { id: "user-2", role: "specialist", team_id: "team-1", name: "Per", email: "js2@demo.no" };
    await login(deps(), "js2@demo.no", "demo1234");
    expect(await getMeta(db, META.user)).toMatchObject({ id: "user-2" });
  });
});

describe("signing out on every device", () => {
  it("ends every sign-in on the server, then forgets the user here", async () => {
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    await signOutEverywhere(deps());
    expect(server.signedOut).toBe(true);
    expect(server.requests).toContain("POST /api/v1/auth/sign-out-all");
    expect(await getMeta(db, META.user)).toBeUndefined();
    expect(await getMeta(db, META.refreshToken)).toBeUndefined();
    expect(await db.outbox.count()).toBe(0);
  });

  it("offline, nothing is forgotten", async () => {
    server.offline = true;
    await expect(signOutEverywhere(deps())).rejects.toBeInstanceOf(OfflineError);
    expect(await getMeta(db, META.user)).toMatchObject({ id: "user-1" });
    expect(await getMeta(db, META.refreshToken)).toBeDefined();
  });
});
