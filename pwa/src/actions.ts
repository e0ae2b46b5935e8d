/** What the user can do: each action writes through the outbox and asks the sync loop to run. */
import { db, syncLoop } from "./app";
import { type ChangeToken, createRecord, deleteRecord, discard, retry, saveRecord, undo } from "./outbox";
import { chooseOther, type ConflictView, keepCurrent } from "./conflicts";
import { fromLocalInput, isoWithOffset, parseWeek } from "./time";
import type { EmployerContact, JobMatch, Meeting, PlanStep } from "./types";
import { authDeps } from "./app";
import { API, authorizedFetch } from "./auth";
import type { WeeklyReport } from "./types";

/** How long a tick or a delete can be taken back. */
export const UNDO_MS = 5_000;

async function done<T>(work: Promise<T>): Promise<T> {
  const result = await work;
  syncLoop.nudge();
  return result;
}

export function undoChange(token: ChangeToken): Promise<void> {
  return done(undo(db, token));
}

export interface ContactInput {
  employer_id: string;
  mode: NonNullable<EmployerContact["mode"]>;
  participant_id: string | null;
  purpose: string;
  notes: string;
}

export function logEmployerContact(input: ContactInput, specialistId: string): Promise<ChangeToken> {
  return done(
    createRecord(db, "employer_contacts", {
      employer_id: input.employer_id,
      participant_id: input.participant_id,
      specialist_id: specialistId,
      contacted_at: isoWithOffset(),
      mode: input.mode,
      purpose: input.purpose.trim() || null,
      notes: input.notes.trim() || null,
    }),
  );
}

export interface MeetingInput {
  participant_id: string;
  starts_at_local: string;
  duration_minutes: number;
  setting: Meeting["setting"];
  kind: Meeting["kind"];
  next_steps: string;
  notes: string;
}

/** A meeting, and one plan step per line of the agreed next steps. */
export async function logMeeting(input: MeetingInput, specialistId: string): Promise<string> {
  const startsAt = fromLocalInput(input.starts_at_local);
  const lines = input.next_steps.split("\n").map((l) => l.trim()).filter(Boolean);
  const meeting = await createRecord(db, "meetings", {
    participant_id: input.participant_id,
    specialist_id: specialistId,
    starts_at: startsAt,
    duration_minutes: input.duration_minutes,
    setting: input.setting,
    kind: input.kind,
    agreed_next_steps: lines.length ? lines.join("\n") : null,
    notes: input.notes.trim() || null,
  });
  for (const title of lines) {
    await createRecord(db, "plan_steps", {
      participant_id: input.participant_id,
      meeting_id: meeting.id,
      title: title.slice(0, 200),
      owner: "participant",
    });
  }
  syncLoop.nudge();
  return meeting.id;
}

export function setStepDone(step: PlanStep & { id: string }, isDone: boolean): Promise<ChangeToken> {
  return done(saveRecord(db, "plan_steps", step.id, { done_at: isDone ? isoWithOffset() : null }));
}

export function addStep(participantId: string, title: string, dueOn: string, owner: PlanStep["owner"], goalId: string | null) {
  return done(
    createRecord(db, "plan_steps", {
      participant_id: participantId,
      goal_id: goalId,
      title: title.trim(),
      due_on: dueOn || null,
      owner,
    }),
  );
}

export function deleteStep(id: string): Promise<ChangeToken> {
  return done(deleteRecord(db, "plan_steps", id, { holdMs: UNDO_MS }));
}

export function addGoal(participantId: string, title: string) {
  return done(createRecord(db, "plan_goals", { participant_id: participantId, title: title.trim(), status: "active" }));
}

export function addEmployer(input: { name: string; org_number: string; industry: string; contact_person: string; phone: string }) {
  return done(
    createRecord(db, "employers", {
      name: input.name.trim(),
      org_number: input.org_number.replace(/\s/g, "") || null,
      industry: input.industry.trim() || null,
      contact_person: input.contact_person.trim() || null,
      phone: input.phone.trim() || null,
    }),
  );
}

export function addJobMatch(input: { participant_id: string; employer_id: string; job_title: string; competitive: boolean }) {
  return done(createRecord(db, "job_matches", { ...input, job_title: input.job_title.trim(), status: "lead" }));
}

export function setJobMatchStatus(id: string, status: JobMatch["status"]) {
  return done(saveRecord(db, "job_matches", id, { status }));
}

export function recordConsent(participantId: string, counterpart: "employers" | "therapist" | "nav", granted: boolean) {
  return done(
    createRecord(db, "consents", { participant_id: participantId, counterpart, granted, recorded_at: isoWithOffset() }),
  );
}

export function resolveKeepCurrent(conflict: ConflictView) {
  return done(keepCurrent(db, conflict));
}

export function resolveChooseOther(conflict: ConflictView) {
  return done(chooseOther(db, conflict));
}

export function retryRejected(seq: number, corrected: Record<string, unknown>) {
  return done(retry(db, seq, corrected));
}

export function discardRejected(seq: number) {
  return discard(db, seq);
}

export function markWeekReviewed(specialistId: string, week: string) {
  const { year, week: number } = parseWeek(week);
  return done(createRecord(db, "week_reviews", { specialist_id: specialistId, iso_year: year, iso_week: number }));
}

export const WEEKLY_REPORT_KEY = "weekly";

/** Fetch the team's weekly report and keep it for offline reading. */
export async function refreshWeeklyReport(from: string, to: string): Promise<"ok" | "offline" | "unavailable"> {
  try {
    const query = new URLSearchParams({ from, to });
    const response = await authorizedFetch(authDeps, `${API}/reports/weekly?${query}`);
    if (!response.ok) return "unavailable";
    const report = (await response.json()) as WeeklyReport;
    await db.reports.put({ key: WEEKLY_REPORT_KEY, report, fetched_at: new Date().toISOString() });
    return "ok";
  } catch {
    return "offline";
  }
}
