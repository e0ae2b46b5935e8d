/** Resolving conflicts: the user keeps the current value, or takes the other one back. */
import type { FeltloggDB } from "./db";
import { saveRecord, viewRecords } from "./outbox";
import { type EntityName, type Stored, isEntity } from "./types";

export interface ConflictView extends Stored {
  entity: EntityName;
  record_id: string;
  field: string;
  kept_value: unknown;
  other_value: unknown;
  resolved_at?: string | null;
}

/** Unresolved conflicts (as the user sees them, resolutions in the outbox included). */
export async function openConflicts(db: FeltloggDB): Promise<ConflictView[]> {
  const all = await viewRecords(db, "conflicts");
  return all.filter((c): c is ConflictView => !c.resolved_at && typeof c.entity === "string" && isEntity(c.entity));
}

/** Keep the value the record has now: only the conflict is marked resolved. */
export async function keepCurrent(db: FeltloggDB, conflict: ConflictView, now = new Date()): Promise<void> {
  await saveRecord(db, "conflicts", conflict.id, { resolved_at: now.toISOString() });
}

/** Take the other value: change the record's field to it, and mark the conflict resolved. */
export async function chooseOther(db: FeltloggDB, conflict: ConflictView, now = new Date()): Promise<void> {
  await saveRecord(db, conflict.entity, conflict.record_id, { [conflict.field]: conflict.other_value });
  await saveRecord(db, "conflicts", conflict.id, { resolved_at: now.toISOString() });
}
