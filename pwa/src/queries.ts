/** What the screens show, computed from local records (synced plus outbox). */
import type { FeltloggDB } from "./db";
import { viewRecords } from "./outbox";
import { addDays, osloDate, osloWeek, todayOslo } from "./time";
import type { Consent, Employer, EmployerContact, JobMatch, Meeting, Participant, PlanGoal, PlanStep, RecordOf } from "./types";

type Rec<T> = T & { id: string };

export async function all<E extends Parameters<typeof viewRecords>[1]>(db: FeltloggDB, entity: E): Promise<RecordOf<E>[]> {
  return (await viewRecords(db, entity)) as unknown as RecordOf<E>[];
}

export async function byParticipant<E extends Parameters<typeof viewRecords>[1]>(
  db: FeltloggDB,
  entity: E,
  participantId: string,
): Promise<RecordOf<E>[]> {
  return (await viewRecords(db, entity, { field: "participant_id", value: participantId })) as unknown as RecordOf<E>[];
}

export function fullName(p: Partial<Participant> | undefined): string {
  if (!p) return "";
  return [p.first_name, p.last_name].filter(Boolean).join(" ");
}

export function byName(a: Rec<Participant>, b: Rec<Participant>): number {
  return fullName(a).localeCompare(fullName(b), "nb");
}

/** The specialist's caseload: their participants, active ones first. */
export function caseload(participants: Rec<Participant>[], specialistId: string): Rec<Participant>[] {
  const order = { active: 0, paused: 1, closed: 2 } as const;
  return participants
    .filter((p) => p.specialist_id === specialistId)
    .sort((a, b) => order[a.status ?? "active"] - order[b.status ?? "active"] || byName(a, b));
}

export function isActive(p: Participant): boolean {
  return (p.status ?? "active") !== "closed" && !p.closed_on;
}

/** When a consent was recorded, as an instant: the server writes UTC and the phone local time
 * with an offset, so the texts do not sort as the moments do. */
function recordedAt(c: Rec<Consent>): number {
  const at = Date.parse(c.recorded_at ?? "");
  return Number.isNaN(at) ? -Infinity : at;
}

/**
 * Participants who let us contact employers on their behalf: the latest consent to `employers`
 * is granted (withdrawal takes effect at once).
 */
export function withEmployerConsent(consents: Rec<Consent>[]): Set<string> {
  const latest = new Map<string, Rec<Consent>>();
  for (const c of consents) {
    if (c.counterpart !== "employers" || c.deleted_at) continue;
    const seen = latest.get(c.participant_id);
    if (!seen || recordedAt(c) >= recordedAt(seen)) latest.set(c.participant_id, c);
  }
  return new Set([...latest.values()].filter((c) => c.granted).map((c) => c.participant_id));
}

/** The latest consent per counterpart for one participant. */
export function currentConsents(consents: Rec<Consent>[]): Map<string, Rec<Consent>> {
  const latest = new Map<string, Rec<Consent>>();
  for (const c of consents) {
    if (!c.counterpart) continue;
    const seen = latest.get(c.counterpart);
    if (!seen || recordedAt(c) >= recordedAt(seen)) latest.set(c.counterpart, c);
  }
  return latest;
}

/** Employers for the contact picker: those the user contacted most recently first, then by name. */
export function employersRecentFirst(
  employers: Rec<Employer>[],
  contacts: Rec<EmployerContact>[],
  specialistId: string,
): Rec<Employer>[] {
  const last = new Map<string, string>();
  for (const c of contacts) {
    if (c.specialist_id && c.specialist_id !== specialistId) continue;
    const at = c.contacted_at ?? "";
    if (at > (last.get(c.employer_id) ?? "")) last.set(c.employer_id, at);
  }
  return [...employers].sort((a, b) => {
    const la = last.get(a.id) ?? "";
    const lb = last.get(b.id) ?? "";
    if (la !== lb) return la > lb ? -1 : 1;
    return (a.name ?? "").localeCompare(b.name ?? "", "nb");
  });
}

export function matchesSearch(text: string, query: string): boolean {
  const q = query.trim().toLocaleLowerCase("nb");
  return !q || text.toLocaleLowerCase("nb").includes(q);
}

const NOT_HELD = new Set(["cancelled", "no_show"]);

export interface TodayLists {
  upcoming: Rec<Meeting>[];
  stepsDue: Rec<PlanStep>[];
  notMet: { participant: Rec<Participant>; lastMet: string | null }[];
}

/** Today's screen: upcoming meetings, plan steps due within a week, participants not met for 14 days. */
export function today(
  mine: Rec<Participant>[],
  meetings: Rec<Meeting>[],
  steps: Rec<PlanStep>[],
  now = new Date(),
): TodayLists {
  const ids = new Set(mine.map((p) => p.id));
  const nowIso = now.toISOString();
  const upcoming = meetings
    .filter((m) => ids.has(m.participant_id) && (m.status ?? "planned") === "planned" && new Date(m.starts_at).toISOString() >= nowIso)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))
    .slice(0, 10);
  const horizon = addDays(todayOslo(now), 7);
  const stepsDue = steps
    .filter((s) => ids.has(s.participant_id) && !s.done_at && s.due_on && s.due_on <= horizon)
    .sort((a, b) => (a.due_on ?? "").localeCompare(b.due_on ?? ""));
  const lastMet = new Map<string, string>();
  for (const m of meetings) {
    if (!ids.has(m.participant_id) || NOT_HELD.has(m.status ?? "") || Date.parse(m.starts_at) > now.getTime()) continue;
    const day = osloDate(m.starts_at);
    if (day > (lastMet.get(m.participant_id) ?? "")) lastMet.set(m.participant_id, day);
  }
  const cutoff = addDays(todayOslo(now), -14);
  const notMet = mine
    .filter(isActive)
    .map((participant) => ({ participant, lastMet: lastMet.get(participant.id) ?? null }))
    .filter((row) => !row.lastMet || row.lastMet < cutoff)
    .sort((a, b) => (a.lastMet ?? "").localeCompare(b.lastMet ?? ""));
  return { upcoming, stepsDue, notMet };
}

export interface WeekStats {
  week: string;
  faceToFace: number;
  contacts: number;
  meetings: number;
  communityMinutes: number;
  totalMinutes: number;
  communityShare: number | null;
}

/** One specialist's ISO week (Europe/Oslo), from local records. */
export function weekStats(
  week: string,
  specialistId: string,
  contacts: Rec<EmployerContact>[],
  meetings: Rec<Meeting>[],
): WeekStats {
  const mineContacts = contacts.filter(
    (c) => (c.specialist_id ?? specialistId) === specialistId && c.contacted_at && osloWeek(c.contacted_at) === week,
  );
  const mineMeetings = meetings.filter(
    (m) => (m.specialist_id ?? specialistId) === specialistId && !NOT_HELD.has(m.status ?? "") && m.starts_at && osloWeek(m.starts_at) === week,
  );
  const totalMinutes = mineMeetings.reduce((sum, m) => sum + (m.duration_minutes ?? 0), 0);
  const communityMinutes = mineMeetings
    .filter((m) => m.setting === "community")
    .reduce((sum, m) => sum + (m.duration_minutes ?? 0), 0);
  return {
    week,
    faceToFace: mineContacts.filter((c) => (c.mode ?? "in_person") === "in_person").length,
    contacts: mineContacts.length,
    meetings: mineMeetings.length,
    communityMinutes,
    totalMinutes,
    communityShare: totalMinutes ? communityMinutes / totalMinutes : null,
  };
}

export const STATUSES: JobMatch["status"][] = ["lead", "applied", "interview", "offer", "hired", "ended", "declined", "rejected"];

export function goalsWithSteps(goals: Rec<PlanGoal>[], steps: Rec<PlanStep>[]) {
  const byDue = (a: Rec<PlanStep>, b: Rec<PlanStep>) =>
    Number(Boolean(a.done_at)) - Number(Boolean(b.done_at)) || (a.due_on ?? "9999").localeCompare(b.due_on ?? "9999");
  const sorted = [...goals].sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? ""));
  const goalIds = new Set(goals.map((g) => g.id));
  return {
    goals: sorted.map((goal) => ({ goal, steps: steps.filter((s) => s.goal_id === goal.id).sort(byDue) })),
    loose: steps.filter((s) => !s.goal_id || !goalIds.has(s.goal_id)).sort(byDue),
  };
}
