import { beforeEach, describe, expect, it, vi } from "vitest";

// The actions write to the app's database and nudge its sync loop: a test database, no sync.
vi.mock("../src/app", async () => {
  const { FeltloggDB } = await import("../src/db");
  return {
    db: new FeltloggDB("edit-actions-test"),
    syncLoop: { nudge: () => undefined },
    authDeps: {},
    showSnack: () => undefined,
    onSnack: () => () => undefined,
  };
});

import { db } from "../src/app";
import {
  UNDO_MS,
  careerProfileForm,
  careerProfileOf,
  changedFields,
  employerFields,
  employerForm,
  logTeamMeeting,
  participantFields,
  participantForm,
  saveCareerProfile,
  undoChange,
  updateEmployer,
  updateParticipant,
} from "../src/actions";
import { viewRecord } from "../src/outbox";

const ola = {
  id: "p1",
  version: 3,
  first_name: "Ola",
  last_name: "Nordmann",
  phone: "40000000",
  email: null,
  enrolled_on: "2026-03-02",
  closed_on: null,
  status: "active" as const,
  working_at_entry: false,
  specialist_id: "s1",
};

beforeEach(async () => {
  await Promise.all(db.tables.map((table) => table.clear()));
});

async function outbox() {
  return db.outbox.orderBy("seq").toArray();
}

describe("changedFields", () => {
  it("keeps only the fields whose value differs", () => {
    expect(changedFields({ a: "x", b: null, c: true }, { a: "x", b: "y", c: false })).toEqual({ b: "y", c: false });
    expect(changedFields({ a: null }, { a: null })).toEqual({});
  });
});

describe("the participant form", () => {
  it("reads a record into form values and back into what the server stores", () => {
    const form = participantForm(ola);
    expect(form).toEqual({
      first_name: "Ola", last_name: "Nordmann", phone: "40000000", email: "", status: "active",
      enrolled_on: "2026-03-02", closed_on: "", working_at_entry: false,
    });
    expect(participantFields({ ...form, first_name: "  Ola ", phone: " ", email: " ola@example.no " })).toEqual({
      first_name: "Ola", last_name: "Nordmann", phone: null, email: "ola@example.no", status: "active",
      enrolled_on: "2026-03-02", closed_on: null, working_at_entry: false,
    });
  });

  it("takes a participant with a closing date and no status as closed", () => {
    expect(participantForm({ first_name: "A", closed_on: "2026-05-01" }).status).toBe("closed");
  });
});

describe("updateParticipant", () => {
  it("sends only the changed fields, with the synced version as base, held for the undo window", async () => {
    await db.participants.put(ola);
    const before = participantForm(ola);
    const started = Date.now();
    const token = await updateParticipant("p1", before, { ...before, phone: " 41111111 ", status: "closed", closed_on: "2026-06-30" });
    expect(token).not.toBeNull();
    const [entry, ...rest] = await outbox();
    expect(rest).toHaveLength(0);
    expect(entry).toMatchObject({
      entity: "participants", op: "upsert", id: "p1", base_version: 3, state: "pending", sent: false,
      data: { phone: "41111111", status: "closed", closed_on: "2026-06-30" },
    });
    expect(Object.keys(entry!.data).sort()).toEqual(["closed_on", "phone", "status"]);
    expect(entry!.hold_until).toBeGreaterThanOrEqual(started + UNDO_MS);
    expect(await viewRecord(db, "participants", "p1")).toMatchObject({ phone: "41111111", first_name: "Ola", status: "closed" });
  });

  it("writes nothing when nothing changed (whitespace alone is no change)", async () => {
    await db.participants.put(ola);
    const before = participantForm(ola);
    expect(await updateParticipant("p1", before, { ...before, first_name: "Ola  " })).toBeNull();
    expect(await db.outbox.count()).toBe(0);
  });

  it("does not send back a field another device changed after the form was opened", async () => {
    await db.participants.put(ola);
    const before = participantForm(ola);
    await db.participants.put({ ...ola, version: 4, email: "ola@nav.no" }); // a sync while the form was open
    await updateParticipant("p1", before, { ...before, phone: "42222222" });
    const [entry] = await outbox();
    expect(entry).toMatchObject({ base_version: 4, data: { phone: "42222222" } });
    expect(entry!.data).not.toHaveProperty("email");
  });

  it("clears an optional field as null", async () => {
    await db.participants.put(ola);
    const before = participantForm(ola);
    await updateParticipant("p1", before, { ...before, phone: "" });
    expect((await outbox())[0]!.data).toEqual({ phone: null });
  });

  it("can be taken back with undo while it is still in the outbox", async () => {
    await db.participants.put(ola);
    const before = participantForm(ola);
    const token = await updateParticipant("p1", before, { ...before, last_name: "Hansen" });
    await undoChange(token!);
    expect(await db.outbox.count()).toBe(0);
    expect(await viewRecord(db, "participants", "p1")).toMatchObject({ last_name: "Nordmann" });
  });

  it("undo after the change was sent puts the old values back with a new change", async () => {
    await db.participants.put(ola);
    const before = participantForm(ola);
    const token = await updateParticipant("p1", before, { ...before, last_name: "Hansen" });
    const [sent] = await outbox();
    await db.outbox.put({ ...sent!, sent: true });
    await undoChange(token!);
    const entries = await outbox();
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ base_version: 3, data: { last_name: "Nordmann" }, sent: false });
  });
});

describe("updateEmployer", () => {
  const rema = { id: "e1", version: 7, name: "Rema 1000 Sentrum", org_number: null, industry: "Dagligvare", address: null, contact_person: "Kari", phone: null, notes: null };

  it("sends the organisation number without spaces, and only the changed fields", async () => {
    await db.employers.put(rema);
    const before = employerForm(rema);
    await updateEmployer("e1", before, { ...before, org_number: "974 760 673", address: "Storgata 1, 0155 Oslo", industry: "Dagligvare" });
    const [entry] = await outbox();
    expect(entry).toMatchObject({ entity: "employers", id: "e1", base_version: 7 });
    expect(entry!.data).toEqual({ org_number: "974760673", address: "Storgata 1, 0155 Oslo" });
  });

  it("stores blank text as null", () => {
    expect(employerFields({ ...employerForm(rema), notes: "  \n ", org_number: " " })).toMatchObject({ notes: null, org_number: null });
  });
});

describe("the career profile", () => {
  it("is created with every field when the participant has none", async () => {
    const before = careerProfileForm(undefined);
    const token = await saveCareerProfile("p1", before, { ...before, job_preferences: " Butikk, deltid ", disclosure_preference: "Ingenting om helse" });
    const [entry] = await outbox();
    expect(entry).toMatchObject({
      entity: "career_profiles", op: "upsert", id: token!.id, base_version: null,
      data: {
        participant_id: "p1", job_preferences: "Butikk, deltid", strengths: null, education: null, work_history: null,
        disclosure_preference: "Ingenting om helse",
      },
    });
    expect(await careerProfileOf(db, "p1")).toMatchObject({ id: token!.id, job_preferences: "Butikk, deltid" });
  });

  it("is not created empty", async () => {
    const before = careerProfileForm(undefined);
    expect(await saveCareerProfile("p1", before, { ...before, strengths: "   " })).toBeNull();
    expect(await db.outbox.count()).toBe(0);
  });

  it("is changed, not created again, once there is one: only the changed fields, with its version", async () => {
    const profile = { id: "cp1", version: 2, participant_id: "p1", job_preferences: "Lager", strengths: "Punktlig", education: null, work_history: null, disclosure_preference: null };
    await db.career_profiles.put(profile);
    const before = careerProfileForm(profile);
    await saveCareerProfile("p1", before, { ...before, strengths: "Punktlig, god med kunder" });
    const entries = await outbox();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entity: "career_profiles", id: "cp1", base_version: 2, data: { strengths: "Punktlig, god med kunder" } });
    expect(Object.keys(entries[0]!.data)).toEqual(["strengths"]);
  });

  it("a second save before sync folds into the unsent creation", async () => {
    const empty = careerProfileForm(undefined);
    const first = { ...empty, education: "Videregående" };
    await saveCareerProfile("p1", empty, first);
    await saveCareerProfile("p1", first, { ...first, work_history: "Sommerjobb på lager" });
    const entries = await outbox();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.base_version).toBeNull();
    expect(entries[0]!.data).toMatchObject({ participant_id: "p1", education: "Videregående", work_history: "Sommerjobb på lager" });
  });

  it("is the participant's own: another participant's profile is not found", async () => {
    await db.career_profiles.put({ id: "cp2", version: 1, participant_id: "p2", strengths: "x" });
    expect(await careerProfileOf(db, "p1")).toBeUndefined();
  });
});

describe("logTeamMeeting", () => {
  it("creates a team meeting with the time and its offset, held for the undo window", async () => {
    const token = await logTeamMeeting({ starts_at_local: "2026-11-20T09:30", duration_minutes: 45, kind: "nav", notes: "  " }, "s1");
    const [entry] = await outbox();
    expect(entry).toMatchObject({
      entity: "team_meetings", op: "upsert", id: token.id, base_version: null,
      data: { duration_minutes: 45, kind: "nav", notes: null, specialist_id: "s1" },
    });
    expect(entry!.data.starts_at).toMatch(/^2026-11-20T09:30:00[+-]\d{2}:\d{2}$/);
    expect(entry!.hold_until).toBeGreaterThan(Date.now());
  });

  it("leaves the specialist to the server when the user id is unknown", async () => {
    await logTeamMeeting({ starts_at_local: "2026-11-20T09:30", duration_minutes: 60, kind: "treatment_team", notes: "Samarbeid om oppfølging" }, "");
    const [entry] = await outbox();
    expect(entry!.data).not.toHaveProperty("specialist_id");
    expect(entry!.data.notes).toBe("Samarbeid om oppfølging");
  });
});
