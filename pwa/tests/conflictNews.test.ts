import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// ConflictNotice's sentence is tested below; the screens import the running app's pieces.
vi.mock("../src/app", async () => {
  const { FeltloggDB } = await import("../src/db");
  return {
    db: new FeltloggDB("conflict-news-app"),
    syncLoop: { nudge: () => undefined },
    authDeps: {},
    showSnack: () => undefined,
    onSnack: () => () => undefined,
  };
});

import { login } from "../src/auth";
import { type ConflictView, keepCurrent, openConflicts, recordLink, takeNewConflicts } from "../src/conflicts";
import { FeltloggDB } from "../src/db";
import { pull, syncOnce } from "../src/sync";
import type { Stored } from "../src/types";
import { newsText } from "../src/views/ConflictNotice";
import { FakeServer } from "./fakeServer";

let db: FeltloggDB;
let server: FakeServer;
let n = 0;
const deps = () => ({ db, fetch: server.fetch });

beforeEach(async () => {
  db = new FeltloggDB(`conflict-news-${n++}`);
  await db.open();
  server = new FakeServer();
  await login(deps(), "js1@demo.no", "demo1234");
  server.serverWrite("participants", "p1", { first_name: "Ola", last_name: "Nordmann", phone: "1", specialist_id: "user-1" });
});
afterEach(async () => {
  await db.delete();
});

function conflictOnServer(id: string, field = "phone") {
  server.serverWrite("conflicts", id, {
    entity: "participants", record_id: "p1", field, kept_value: "2", other_value: "1", resolved_at: null,
  });
}

const ids = (conflicts: ConflictView[]) => conflicts.map((c) => c.id);

describe("new conflicts", () => {
  it("are those a sync brings after the first full sync, each announced once", async () => {
    expect(await takeNewConflicts(db)).toEqual([]); // nothing synced yet

    await pull(deps());
    expect(await takeNewConflicts(db)).toEqual([]);

    conflictOnServer("c1");
    await pull(deps());
    expect(ids(await takeNewConflicts(db))).toEqual(["c1"]);
    expect(await takeNewConflicts(db)).toEqual([]);

    conflictOnServer("c2", "last_name");
    conflictOnServer("c3", "first_name");
    await pull(deps());
    expect(ids(await takeNewConflicts(db)).sort()).toEqual(["c2", "c3"]);
  });

  it("are not the ones the first full sync brings: the user may have seen them on another device", async () => {
    conflictOnServer("c1");
    await pull(deps());
    expect(await openConflicts(db)).toHaveLength(1);
    expect(await takeNewConflicts(db)).toEqual([]);
  });

  it("are not the resolved ones, nor resolving one", async () => {
    await pull(deps());
    await takeNewConflicts(db);
    conflictOnServer("c1");
    server.serverWrite("conflicts", "c0", {
      entity: "participants", record_id: "p1", field: "email", kept_value: "a", other_value: "b", resolved_at: "2026-03-02T10:00:00Z",
    });
    await pull(deps());
    const [c1] = await takeNewConflicts(db);
    expect(c1?.id).toBe("c1");
    await keepCurrent(db, c1!);
    await syncOnce(deps());
    expect(await takeNewConflicts(db)).toEqual([]);
  });

  it("start over for another user signing in on the same phone", async () => {
    await pull(deps());
    await takeNewConflicts(db);
    server.user = { id: "user-2", role: "specialist", team_id: "team-1", name: "Per" };
    server.serverWrite("conflicts", "theirs", {
      entity: "participants", record_id: "p1", field: "phone", kept_value: "3", other_value: "4", resolved_at: null,
    });
    await login(deps(), "js2@demo.no", "demo1234");
    expect(await takeNewConflicts(db)).toEqual([]); // their first sync has not run
    await pull(deps());
    expect(await takeNewConflicts(db)).toEqual([]);
  });
});

describe("the announcement", () => {
  it("says what the conflict is about, and how many there are", async () => {
    conflictOnServer("c1");
    conflictOnServer("c2", "email");
    await pull(deps());
    const [one, two] = (await openConflicts(db)).sort((a, b) => a.id.localeCompare(b.id));
    const record = await db.participants.get("p1");
    expect(newsText([{ conflict: one!, record }])).toBe("1 ny konflikt: Deltaker: Ola Nordmann – telefon");
    expect(newsText([{ conflict: one!, record }, { conflict: two!, record }])).toBe(
      "2 nye konflikter, blant dem Deltaker: Ola Nordmann – telefon",
    );
  });
});

describe("the link from a conflict to its record", () => {
  const conflict = (entity: string, record_id = "r1") =>
    ({ id: "c1", entity, record_id, field: "title", kept_value: "a", other_value: "b" }) as ConflictView;
  const record = (fields: Record<string, unknown> = {}): Stored => ({ id: "r1", ...fields });

  it("leads a specialist to the screen that shows the record", () => {
    expect(recordLink(conflict("participants"), record(), "specialist")).toEqual({ href: "#/participants/r1", target: "participant" });
    expect(recordLink(conflict("plan_steps"), record({ participant_id: "p1" }), "specialist")).toEqual({ href: "#/participants/p1", target: "participant" });
    expect(recordLink(conflict("career_profiles"), record({ participant_id: "p1" }), "specialist")).toEqual({ href: "#/participants/p1/profile", target: "profile" });
    expect(recordLink(conflict("employers"), record(), "specialist")).toEqual({ href: "#/employers/r1/edit", target: "employer" });
    expect(recordLink(conflict("job_matches"), record({ participant_id: "p1" }), "specialist")).toEqual({ href: "#/jobs", target: "jobs" });
    expect(recordLink(conflict("week_reviews"), record({ specialist_id: "s1" }), "supervisor")).toEqual({ href: "#/team/s1", target: "team" });
  });

  it("is missing where no screen shows it", () => {
    expect(recordLink(conflict("participants"), undefined, "specialist")).toBeNull(); // deleted or moved away
    expect(recordLink(conflict("employer_contacts"), record({ participant_id: null }), "specialist")).toBeNull();
    expect(recordLink(conflict("plan_steps"), record({ participant_id: "p1" }), "participant")).toBeNull();
    expect(recordLink(conflict("participants"), record(), "supervisor")).toBeNull();
  });
});
