import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FeltloggDB } from "../src/db";
import {
  createRecord,
  deleteRecord,
  discard,
  outboxCount,
  retry,
  saveRecord,
  undo,
  viewRecord,
  viewRecords,
} from "../src/outbox";

let db: FeltloggDB;
let n = 0;

beforeEach(async () => {
  db = new FeltloggDB(`outbox-test-${n++}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

describe("the outbox", () => {
  it("shows a logged contact at once and keeps it as one pending mutation with UUIDv7 ids", async () => {
    const token = await createRecord(db, "employer_contacts", { employer_id: "e1", mode: "in_person" });
    const rows = await viewRecords(db, "employer_contacts");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: token.id, employer_id: "e1", mode: "in_person" });
    const [entry] = await db.outbox.toArray();
    expect(entry).toMatchObject({ entity: "employer_contacts", op: "upsert", base_version: null, state: "pending", sent: false });
    expect(token.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(entry!.mutation_id).toMatch(/-7[0-9a-f]{3}-/);
  });

  it("folds an edit into an unsent creation, so the creation still carries every field", async () => {
    const token = await createRecord(db, "plan_steps", { participant_id: "p1", title: "Oppdatere CV" });
    await saveRecord(db, "plan_steps", token.id, { title: "Oppdatere CV og søknad" });
    const entries = await db.outbox.toArray();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.data).toEqual({ participant_id: "p1", title: "Oppdatere CV og søknad" });
    expect(entries[0]!.base_version).toBeNull();
  });

  it("never folds into a change that has already been sent (a replay must be the same mutation)", async () => {
    const token = await createRecord(db, "plan_steps", { participant_id: "p1", title: "A" });
    const [first] = await db.outbox.toArray();
    await db.outbox.put({ ...first!, sent: true });
    await saveRecord(db, "plan_steps", token.id, { title: "B" });
    const entries = await db.outbox.orderBy("seq").toArray();
    expect(entries).toHaveLength(2);
    expect(entries[0]!.data.title).toBe("A");
    expect(entries[1]).toMatchObject({ data: { title: "B" }, after_create: true, base_version: null });
  });

  it("lays pending edits over the synced record and takes the base version from it", async () => {
    await db.participants.put({ id: "p1", first_name: "Ola", last_name: "Nordmann", version: 3 });
    await saveRecord(db, "participants", "p1", { phone: "40000000" });
    expect(await viewRecord(db, "participants", "p1")).toMatchObject({ first_name: "Ola", phone: "40000000", version: 3 });
    const [entry] = await db.outbox.toArray();
    expect(entry).toMatchObject({ base_version: 3, data: { phone: "40000000" } });
    // the synced copy itself is untouched until the server confirms
    expect((await db.participants.get("p1"))!.phone).toBeUndefined();
  });

  it("filters the view by an indexed field including records only in the outbox", async () => {
    await db.plan_steps.bulkPut([
      { id: "s1", participant_id: "p1", title: "a", version: 1 },
      { id: "s2", participant_id: "p2", title: "b", version: 1 },
    ]);
    await createRecord(db, "plan_steps", { participant_id: "p1", title: "c" });
    await saveRecord(db, "plan_steps", "s2", { participant_id: "p1" });
    const titles = (await viewRecords(db, "plan_steps", { field: "participant_id", value: "p1" })).map((s) => s.title).sort();
    expect(titles).toEqual(["a", "b", "c"]);
  });

  it("deleting a record the server never saw just removes it from the outbox", async () => {
    const token = await createRecord(db, "meetings", { participant_id: "p1" });
    await deleteRecord(db, "meetings", token.id);
    expect(await outboxCount(db)).toBe(0);
    expect(await viewRecords(db, "meetings")).toHaveLength(0);
  });

  it("a delete of a synced record hides it at once and waits out the undo window", async () => {
    await db.meetings.put({ id: "m1", participant_id: "p1", version: 2 });
    await deleteRecord(db, "meetings", "m1", { holdMs: 5000, now: () => 1000 });
    expect(await viewRecords(db, "meetings")).toHaveLength(0);
    const [entry] = await db.outbox.toArray();
    expect(entry).toMatchObject({ op: "delete", base_version: 2, hold_until: 6000 });
  });

  it("undo takes back an unsent tick, a coalesced edit and a delete", async () => {
    await db.plan_steps.put({ id: "s1", participant_id: "p1", title: "CV", done_at: null, version: 4 });
    const tick = await saveRecord(db, "plan_steps", "s1", { done_at: "2026-11-20T10:00:00+01:00" });
    await undo(db, tick);
    expect(await outboxCount(db)).toBe(0);
    expect((await viewRecord(db, "plan_steps", "s1"))!.done_at).toBeNull();

    const created = await createRecord(db, "plan_steps", { participant_id: "p1", title: "A" });
    const edit = await saveRecord(db, "plan_steps", created.id, { title: "B" });
    await undo(db, edit);
    expect((await viewRecord(db, "plan_steps", created.id))!.title).toBe("A");

    const removal = await deleteRecord(db, "plan_steps", "s1", { holdMs: 5000 });
    expect(await viewRecord(db, "plan_steps", "s1")).toBeUndefined();
    await undo(db, removal);
    expect(await viewRecord(db, "plan_steps", "s1")).toMatchObject({ title: "CV" });
  });

  it("undo of a tick that was already pushed sends the old value back as a new change", async () => {
    await db.plan_steps.put({ id: "s1", participant_id: "p1", title: "CV", done_at: null, version: 4 });
    const tick = await saveRecord(db, "plan_steps", "s1", { done_at: "2026-11-20T10:00:00+01:00" });
    const [entry] = await db.outbox.toArray();
    // the push went out and was confirmed: the synced copy has the tick
    await db.outbox.delete(entry!.seq!);
    await db.plan_steps.put({ id: "s1", participant_id: "p1", title: "CV", done_at: "2026-11-20T10:00:00+01:00", version: 5 });
    await undo(db, tick);
    const [compensation] = await db.outbox.toArray();
    expect(compensation).toMatchObject({ base_version: 5, data: { done_at: null } });
  });

  it("rejected changes are left out of the view and can be retried with a fix or discarded", async () => {
    const token = await createRecord(db, "employer_contacts", { employer_id: "missing" });
    const [entry] = await db.outbox.toArray();
    await db.outbox.put({ ...entry!, state: "rejected", detail: "Unknown employer.", errors: { employer_id: "Unknown" } });
    expect(await viewRecords(db, "employer_contacts")).toHaveLength(0);
    expect(await outboxCount(db)).toBe(1);
    await retry(db, entry!.seq!, { employer_id: "e1" });
    const [again] = await db.outbox.toArray();
    expect(again).toMatchObject({ state: "pending", sent: false, data: { employer_id: "e1" } });
    expect(again!.mutation_id).not.toBe(entry!.mutation_id);
    expect(again!.detail).toBeUndefined();
    expect((await viewRecord(db, "employer_contacts", token.id))!.employer_id).toBe("e1");
    await discard(db, again!.seq!);
    expect(await outboxCount(db)).toBe(0);
  });
});
