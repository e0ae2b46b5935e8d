import { beforeEach, describe, expect, it, vi } from "vitest";

// The actions write to the app's database and nudge its sync loop: a test database, no sync.
vi.mock("../src/app", async () => {
  const { FeltloggDB } = await import("../src/db");
  return {
    db: new FeltloggDB("intake-test"),
    syncLoop: { nudge: () => undefined },
    authDeps: {},
    showSnack: () => undefined,
    onSnack: () => () => undefined,
  };
});

import { db } from "../src/app";
import { UNDO_MS, changeConsent, closeParticipant, enrolParticipant, reopenParticipant, undoChange, undoConsentChange } from "../src/actions";
import { login } from "../src/auth";
import { viewRecord, viewRecords } from "../src/outbox";
import { caseload } from "../src/queries";
import { nextBatch, push } from "../src/sync";
import type { RecordOf } from "../src/types";
import { consentsInForce } from "../src/views/ConsentPanel";
import { emptyIntake } from "../src/views/NewParticipant";
import { closingProblem } from "../src/views/ParticipantClosing";
import { FakeServer } from "./fakeServer";

let server: FakeServer;
const deps = () => ({ db, fetch: server.fetch });

beforeEach(async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
  server = new FakeServer();
  server.user = { id: "s1", role: "specialist", team_id: "team-1", name: "Kari" };
  await login(deps(), "js1@demo.no", "demo1234");
});

function intake(consents: Partial<ReturnType<typeof emptyIntake>["consents"]> = {}) {
  const input = emptyIntake("2026-03-02");
  return {
    participant: { ...input.participant, first_name: " Ola ", last_name: "Nordmann", phone: "40000000" },
    consents: { ...input.consents, ...consents },
  };
}

async function outbox() {
  return db.outbox.orderBy("seq").toArray();
}

async function consents(participantId: string) {
  return (await viewRecords(db, "consents", { field: "participant_id", value: participantId })) as RecordOf<"consents">[];
}

describe("intake", () => {
  it("puts the participant in the outbox first, then a consent per counterpart answered, in one save", async () => {
    const id = await enrolParticipant(intake({ employers: "granted", nav: "refused" }), "s1", new Date("2026-03-02T09:00:00Z"));
    const entries = await outbox();
    expect(entries.map((e) => [e.entity, e.op, e.base_version])).toEqual([
      ["participants", "upsert", null],
      ["consents", "upsert", null],
      ["consents", "upsert", null],
    ]);
    expect(entries[0]!.id).toBe(id);
    expect(entries[0]!.data).toMatchObject({
      first_name: "Ola", last_name: "Nordmann", phone: "40000000", email: null, enrolled_on: "2026-03-02",
      status: "active", closed_on: null, working_at_entry: false, specialist_id: "s1",
    });
    // The therapist was not asked: no record says anything about it.
    expect(entries.slice(1).map((e) => e.data)).toEqual([
      expect.objectContaining({ participant_id: id, counterpart: "employers", granted: true }),
      expect.objectContaining({ participant_id: id, counterpart: "nav", granted: false }),
    ]);
    // Nothing is held back: the whole intake goes with the next push, participant first.
    expect(nextBatch(entries, Date.now(), 1000).map((e) => e.entity)).toEqual(["participants", "consents", "consents"]);
  });

  it("shows the new participant in the caseload at once, before any push", async () => {
    const id = await enrolParticipant(intake(), "s1");
    const mine = caseload((await viewRecords(db, "participants")) as RecordOf<"participants">[], "s1");
    expect(mine.map((p) => p.id)).toEqual([id]);
    expect(await consents(id)).toEqual([]);
  });

  it("reaches the server in that order, and the server has the participant before its consents", async () => {
    const id = await enrolParticipant(intake({ employers: "granted", therapist: "granted", nav: "granted" }), "s1");
    await push(deps());
    expect(server.pushes).toHaveLength(1);
    expect(server.pushes[0]!.mutations.map((m) => m.entity)).toEqual(["participants", "consents", "consents", "consents"]);
    expect(server.records.get(`participants/${id}`)!.seq).toBeLessThan(
      Math.min(...[...server.records.values()].filter((r) => r.entity === "consents").map((r) => r.seq)),
    );
    expect(await db.outbox.count()).toBe(0);
    expect((await consents(id)).map((c) => c.counterpart).sort()).toEqual(["employers", "nav", "therapist"]);
  });
});

describe("closing and reopening", () => {
  it("closes with a date, takes it back with Angre, and reopens without the date", async () => {
    const id = await enrolParticipant(intake(), "s1");
    await push(deps());
    const closing = await closeParticipant(id, "2026-05-04");
    expect(await viewRecord(db, "participants", id)).toMatchObject({ status: "closed", closed_on: "2026-05-04" });
    expect((await outbox())[0]!.hold_until).toBeGreaterThan(Date.now());
    await undoChange(closing);
    expect(await viewRecord(db, "participants", id)).toMatchObject({ status: "active", closed_on: null });
    expect(await db.outbox.count()).toBe(0);

    await closeParticipant(id, "2026-05-04");
    await reopenParticipant(id);
    expect(await viewRecord(db, "participants", id)).toMatchObject({ status: "active", closed_on: null });
  });

  it("asks for a real closing date, not before the entry", () => {
    expect(closingProblem("", "2026-03-02")).toEqual({ key: "closing.needDate" });
    expect(closingProblem("2026-02-30", "2026-03-02")).toEqual({ key: "form.badDate" });
    expect(closingProblem("2026-03-01", "2026-03-02")).toEqual({ key: "participantEdit.closedBeforeEnrolled" });
    expect(closingProblem("2026-03-02", "2026-03-02")).toBeUndefined();
  });
});

describe("consent with care", () => {
  it("sends a withdrawal at once, and holds a grant for the undo window", async () => {
    const id = await enrolParticipant(intake({ employers: "granted" }), "s1");
    await push(deps());
    await changeConsent(id, "employers", false, true);
    await changeConsent(id, "nav", true, null);
    const [withdrawal, grant] = await outbox();
    expect(withdrawal!.hold_until).toBeUndefined();
    expect(grant!.hold_until).toBeGreaterThanOrEqual(Date.now() + UNDO_MS - 1000);
    expect(nextBatch(await outbox(), Date.now(), 1000).map((e) => e.data.counterpart)).toEqual(["employers"]);
  });

  it("undoes an unsent withdrawal by taking it out of the outbox", async () => {
    const id = await enrolParticipant(intake({ employers: "granted" }), "s1");
    await push(deps());
    const change = await changeConsent(id, "employers", false, true);
    expect(consentsInForce(await consents(id)).get("employers")?.granted).toBe(false);
    await undoConsentChange(change);
    expect(await db.outbox.count()).toBe(0);
    expect(consentsInForce(await consents(id)).get("employers")?.granted).toBe(true);
  });

  it("undoes a withdrawal the server already has with a later record that grants again", async () => {
    const id = await enrolParticipant(intake({ employers: "granted" }), "s1");
    await push(deps());
    const change = await changeConsent(id, "employers", false, true, new Date("2026-03-02T10:00:00Z"));
    await push(deps());
    await undoConsentChange(change, new Date("2026-03-02T10:00:00Z"));
    const [restore] = await outbox();
    expect(restore!.data).toMatchObject({ participant_id: id, counterpart: "employers", granted: true });
    expect(Date.parse(String(restore!.data.recorded_at))).toBeGreaterThan(Date.parse(change.recordedAt));
    await push(deps());
    const onServer = [...server.records.values()].filter((r) => r.entity === "consents" && r.data.counterpart === "employers");
    expect(onServer.map((r) => r.data.granted)).toEqual([true, false, true]);
    expect(consentsInForce(await consents(id)).get("employers")?.granted).toBe(true);
  });

  it("deletes a first decision the server already has, since there is nothing earlier to put back", async () => {
    const id = await enrolParticipant(intake(), "s1");
    await push(deps());
    const change = await changeConsent(id, "therapist", false, null);
    await push(deps());
    await undoConsentChange(change);
    const [entry] = await outbox();
    expect(entry).toMatchObject({ entity: "consents", op: "delete", id: change.token.id });
  });
});

describe("the consent in force", () => {
  const consent = (id: string, recorded_at: string, granted: boolean) =>
    ({ id, participant_id: "p1", counterpart: "employers", granted, recorded_at }) as RecordOf<"consents">;

  it("is the latest by instant, whatever offset each record was written with", () => {
    // 10:30 in Oslo (+01:00) is 09:30 UTC: before the withdrawal at 09:45 UTC.
    const inForce = consentsInForce([consent("b", "2026-03-02T09:45:00+00:00", false), consent("a", "2026-03-02T10:30:00+01:00", true)]);
    expect(inForce.get("employers")?.granted).toBe(false);
  });

  it("is the later-made record on a tie, and nothing for a counterpart never asked", () => {
    const at = "2026-03-02T10:00:00+01:00";
    expect(consentsInForce([consent("0192-b", at, true), consent("0192-a", at, false)]).get("employers")?.granted).toBe(true);
    expect(consentsInForce([consent("0192-a", at, false), consent("0192-b", at, true)]).get("nav")).toBeUndefined();
  });
});
