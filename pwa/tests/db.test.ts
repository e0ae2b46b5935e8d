import Dexie from "dexie";
import { afterEach, describe, expect, it } from "vitest";
import { FeltloggDB } from "../src/db";
import { ENTITIES, STORE_VERSIONS } from "../src/entities.gen";

const latest = STORE_VERSIONS[STORE_VERSIONS.length - 1]!;
let n = 0;
const opened: Dexie[] = [];

function named(): string {
  return `db-test-${n++}`;
}

afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

describe("the app's database", () => {
  it("opens at the latest store version with a table per entity and the app's own", async () => {
    const db = new FeltloggDB(named());
    opened.push(db);
    await db.open();
    expect(db.verno).toBe(latest.version);
    const tables = db.tables.map((t) => t.name).sort();
    const expected = Object.entries(latest.stores).filter(([, spec]) => spec !== null).map(([name]) => name);
    expect(tables).toEqual([...expected].sort());
    for (const entity of ENTITIES) {
      const indexes = db.table(entity).schema.indexes.map((i) => i.name);
      expect(["id", ...indexes].join(", "), entity).toBe(latest.stores[entity]);
    }
  });

  it("keeps the records of an installation made at version 1 when it upgrades", async () => {
    const name = named();
    const first = STORE_VERSIONS[0]!;
    const old = new Dexie(name);
    old.version(first.version).stores(first.stores);
    await old.open();
    await old.table("participants").put({ id: "p1", last_name: "Berg" });
    await old.table("outbox").add({ mutation_id: "m1", entity: "participants", id: "p1", state: "pending" });
    old.close();

    const db = new FeltloggDB(name);
    opened.push(db);
    await db.open();
    expect(await db.participants.get("p1")).toMatchObject({ last_name: "Berg" });
    expect(await db.outbox.where("mutation_id").equals("m1").count()).toBe(1);
  });
});
