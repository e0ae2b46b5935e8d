import { afterEach, beforeEach, describe, expect, it } from "vitest";
import nb from "../src/i18n/nb.json";
import en from "../src/i18n/en.json";
import { FeltloggDB } from "../src/db";
import { login } from "../src/auth";
import { REJECTION_CODES, canResend, createRecord, discard, isKnownRejection, rejectedEntries, restore, retry } from "../src/outbox";
import { push } from "../src/sync";
import { FakeServer } from "./fakeServer";

/** The codes of a rejected push result (docs/sync.md). */
const FIXABLE = ["invalid", "outside_scope", "constraint"];
const FINAL = [
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
];

describe("the words for a rejected change", () => {
  it("every code has an explanation in bokmål and in English", () => {
    const catalogs: Record<string, Record<string, string>> = { nb, en };
    for (const [lang, catalog] of Object.entries(catalogs)) {
      for (const code of [...FIXABLE, ...FINAL]) {
        expect(catalog[`rejectedCode.${code}`], `${lang}: rejectedCode.${code}`).toMatch(/\S/);
      }
    }
  });

  it("the app knows every code, and offers sending again only where it can succeed", () => {
    expect([...REJECTION_CODES.fixable].sort()).toEqual([...FIXABLE].sort());
    expect([...REJECTION_CODES.final].sort()).toEqual([...FINAL].sort());
    for (const code of FIXABLE) expect(canResend(code), code).toBe(true);
    for (const code of FINAL) expect(canResend(code), code).toBe(false);
    // a code this version does not know yet, or none (an older server): both actions stay
    expect(isKnownRejection("something_new")).toBe(false);
    expect(canResend("something_new")).toBe(true);
    expect(canResend(undefined)).toBe(true);
  });
});

describe("a rejected change in the outbox", () => {
  let db: FeltloggDB;
  let server: FakeServer;
  let n = 0;

  beforeEach(async () => {
    db = new FeltloggDB(`rejected-test-${n++}`);
    await db.open();
    server = new FakeServer();
    await login({ db, fetch: server.fetch }, "js1@demo.no", "demo1234");
  });
  afterEach(async () => {
    await db.delete();
  });

  it("keeps the result's code, detail and field errors; sending it again clears them", async () => {
    server.rejectWith = () => ({
      code: "outside_scope",
      detail: "This participant is not on your caseload.",
      errors: { participant_id: ["This participant is not on your caseload."] },
    });
    await createRecord(db, "employer_contacts", { employer_id: "e1", participant_id: "p9" });
    expect(await push({ db, fetch: server.fetch })).toEqual({ pushed: 1, rejected: 1 });
    const [entry] = await rejectedEntries(db);
    expect(entry).toMatchObject({
      state: "rejected",
      code: "outside_scope",
      detail: "This participant is not on your caseload.",
      errors: { participant_id: ["This participant is not on your caseload."] },
    });

    server.rejectWith = null;
    await retry(db, entry!.seq!, { participant_id: null });
    const again = await db.outbox.get(entry!.seq!);
    expect(again).toMatchObject({ state: "pending", data: { participant_id: null } });
    expect(again).not.toHaveProperty("code");
    expect(again).not.toHaveProperty("detail");
    await push({ db, fetch: server.fetch });
    expect(await db.outbox.count()).toBe(0);
  });

  it("a result without a code (an older server) is kept without one", async () => {
    server.rejectIf = () => "No.";
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    await push({ db, fetch: server.fetch });
    const [entry] = await rejectedEntries(db);
    expect(entry).toMatchObject({ state: "rejected", detail: "No." });
    expect(entry).not.toHaveProperty("code");
  });

  it("a sending-again rejection waits for its next push, not for the user", async () => {
    server.raceNext = 1;
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    expect(await push({ db, fetch: server.fetch })).toMatchObject({ rejected: 0 });
    expect(await rejectedEntries(db)).toHaveLength(0);
    expect(await db.outbox.count()).toBe(1);
  });

  it("discarding can be taken back", async () => {
    server.rejectWith = () => ({ code: "deleted_elsewhere", detail: "Deleted on another device." });
    await createRecord(db, "employer_contacts", { employer_id: "e1" });
    await push({ db, fetch: server.fetch });
    const [entry] = await rejectedEntries(db);
    const removed = await discard(db, entry!.seq!);
    expect(await db.outbox.count()).toBe(0);
    await restore(db, removed!);
    expect(await rejectedEntries(db)).toEqual([entry]);
  });
});
