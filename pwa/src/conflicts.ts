/**
 * Conflicts: which are open, which are new to the user, where their records are shown, and
 * resolving one (keep the current value, or take the other one back).
 */
import { META, type FeltloggDB, getMeta, setMeta } from "./db";
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

/** Meta key: the open conflicts this device has already told its user about. */
export const CONFLICTS_ANNOUNCED = "conflicts_announced";

interface Announced {
  user: string;
  ids: string[];
}

/**
 * Open conflicts the user has not been told about yet, remembered as told from now on, so each
 * arrives with one announcement. Until the user's first full sync has finished nothing is new:
 * what that sync brings (a new phone, or another user signing in) is the starting point, else
 * every old conflict would be announced as news.
 */
export async function takeNewConflicts(db: FeltloggDB): Promise<ConflictView[]> {
  return db.transaction("rw", [db.meta, db.conflicts, db.outbox], async () => {
    const [initialDone, user, announced, open] = await Promise.all([
      getMeta<boolean>(db, META.initialDone),
      getMeta<{ id?: string }>(db, META.user),
      getMeta<Announced>(db, CONFLICTS_ANNOUNCED),
      openConflicts(db),
    ]);
    const userId = user?.id ?? "";
    if (!initialDone || !userId) return [];
    const ids = open.map((c) => c.id).sort();
    const known = announced?.user === userId ? new Set(announced.ids) : null;
    // Only the open ones are kept: the list stays as short as the conflicts screen.
    if (!known || known.size !== ids.length || ids.some((id) => !known.has(id))) {
      await setMeta(db, CONFLICTS_ANNOUNCED, { user: userId, ids } satisfies Announced);
    }
    return known ? open.filter((c) => !known.has(c.id)) : [];
  });
}

/** Where a conflict's record is shown, for a link from the conflict; null where no screen shows it. */
export interface RecordLink {
  href: string;
  /** What the link leads to: a catalog key of conflictLink.* */
  target: "participant" | "profile" | "jobs" | "employer" | "teamMeetings" | "week" | "team";
}

export function recordLink(conflict: ConflictView, record: Stored | undefined, role: string): RecordLink | null {
  if (!record) return null; // deleted, or no longer visible: no screen to go to
  const id = encodeURIComponent(conflict.record_id);
  const ref = (field: string) => {
    const value = record[field];
    return typeof value === "string" && value ? encodeURIComponent(value) : null;
  };
  if (role === "supervisor") {
    const specialist = ref("specialist_id");
    return conflict.entity === "week_reviews" && specialist ? { href: `#/team/${specialist}`, target: "team" } : null;
  }
  if (role !== "specialist") return null;
  const participant = ref("participant_id");
  switch (conflict.entity) {
    case "participants":
      return { href: `#/participants/${id}`, target: "participant" };
    case "career_profiles":
      return participant ? { href: `#/participants/${participant}/profile`, target: "profile" } : null;
    case "consents":
    case "plan_goals":
    case "plan_steps":
    case "meetings":
    case "employer_contacts":
      return participant ? { href: `#/participants/${participant}`, target: "participant" } : null;
    case "job_matches":
      return { href: "#/jobs", target: "jobs" };
    case "employers":
      return { href: `#/employers/${id}/edit`, target: "employer" };
    case "team_meetings":
      return { href: "#/team-meetings", target: "teamMeetings" };
    case "week_reviews":
      return { href: "#/week", target: "week" };
    default:
      return null;
  }
}
