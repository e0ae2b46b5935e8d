/** What the user can do: each action writes through the outbox and asks the sync loop to run. */
import { db, syncLoop } from "./app";
import { type ChangeToken, createRecord, deleteRecord, discard, restore, retry, saveRecord, undo } from "./outbox";
import { chooseOther, type ConflictView, keepCurrent } from "./conflicts";
import { fromLocalInput, isoWithOffset, parseWeek } from "./time";
import { LONG_TEXT_MAX, NOTE_MAX } from "./limits";
import type { EmployerContact, JobMatch, Meeting, PlanStep } from "./types";
import type { FeltloggDB, OutboxEntry } from "./db";
import { viewRecords } from "./outbox";
import type { CareerProfile, Employer, Participant, RecordOf, TeamMeeting } from "./types";

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

/** Discard a rejected change; the returned entry is what "Angre" puts back. */
export function discardRejected(seq: number): Promise<OutboxEntry | undefined> {
  return discard(db, seq);
}

export function restoreRejected(entry: OutboxEntry): Promise<void> {
  return restore(db, entry);
}

/** Mark a specialist's week as reviewed, with an optional comment the specialist sees; held
 * back for UNDO_MS so that a mistaken tap can be taken back. */
export function markWeekReviewed(specialistId: string, week: string, comment = ""): Promise<ChangeToken> {
  const { year, week: number } = parseWeek(week);
  const text = comment.trim();
  return done(
    createRecord(
      db,
      "week_reviews",
      { specialist_id: specialistId, iso_year: year, iso_week: number, comment: text === "" ? null : text },
      { holdMs: UNDO_MS },
    ),
  );
}

// Editing a participant's details and an employer, the career profile, team meetings.

/** The fields of `after` that differ from `before`: an edit sends only these. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) if (before[key] !== value) changes[key] = value;
  return changes;
}

function textOrNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** A participant's details as the edit form holds them (empty string: no value). */
export interface ParticipantForm {
  first_name: string;
  last_name: string;
  phone: string;
  email: string;
  status: NonNullable<Participant["status"]>;
  enrolled_on: string;
  closed_on: string;
  working_at_entry: boolean;
}

export function participantForm(p: Partial<Participant>): ParticipantForm {
  return {
    first_name: asText(p.first_name),
    last_name: asText(p.last_name),
    phone: asText(p.phone),
    email: asText(p.email),
    status: p.status ?? (p.closed_on ? "closed" : "active"),
    enrolled_on: asText(p.enrolled_on).slice(0, 10),
    closed_on: asText(p.closed_on).slice(0, 10),
    working_at_entry: p.working_at_entry === true,
  };
}

/** The form as the server stores it: text trimmed, an empty optional field as null. */
export function participantFields(form: ParticipantForm): Record<string, unknown> {
  return {
    first_name: form.first_name.trim(),
    last_name: form.last_name.trim(),
    phone: textOrNull(form.phone),
    email: textOrNull(form.email),
    status: form.status,
    enrolled_on: form.enrolled_on,
    closed_on: form.closed_on || null,
    working_at_entry: form.working_at_entry,
  };
}

/**
 * Save what the user changed in the form (`before`: the form as it was loaded), held back for
 * UNDO_MS. Null when nothing changed. Fields changed meanwhile on another device are not sent.
 */
export async function updateParticipant(id: string, before: ParticipantForm, after: ParticipantForm): Promise<ChangeToken | null> {
  const changes = changedFields(participantFields(before), participantFields(after));
  if (Object.keys(changes).length === 0) return null;
  return done(saveRecord(db, "participants", id, changes, { holdMs: UNDO_MS }));
}

export interface EmployerForm {
  name: string;
  org_number: string;
  industry: string;
  address: string;
  contact_person: string;
  phone: string;
  notes: string;
}

export function employerForm(e: Partial<Employer>): EmployerForm {
  return {
    name: asText(e.name),
    org_number: asText(e.org_number),
    industry: asText(e.industry),
    address: asText(e.address),
    contact_person: asText(e.contact_person),
    phone: asText(e.phone),
    notes: asText(e.notes),
  };
}

export function employerFields(form: EmployerForm): Record<string, unknown> {
  return {
    name: form.name.trim(),
    org_number: form.org_number.replace(/\s/g, "") || null,
    industry: textOrNull(form.industry),
    address: textOrNull(form.address),
    contact_person: textOrNull(form.contact_person),
    phone: textOrNull(form.phone),
    notes: textOrNull(form.notes),
  };
}

export async function updateEmployer(id: string, before: EmployerForm, after: EmployerForm): Promise<ChangeToken | null> {
  const changes = changedFields(employerFields(before), employerFields(after));
  if (Object.keys(changes).length === 0) return null;
  return done(saveRecord(db, "employers", id, changes, { holdMs: UNDO_MS }));
}

/** The career profile's text fields and the server's maximum length of each. */
export const CAREER_PROFILE_FIELDS = {
  job_preferences: LONG_TEXT_MAX,
  strengths: LONG_TEXT_MAX,
  education: LONG_TEXT_MAX,
  work_history: LONG_TEXT_MAX,
  disclosure_preference: NOTE_MAX,
} as const;

export type CareerProfileField = keyof typeof CAREER_PROFILE_FIELDS;
export type CareerProfileForm = Record<CareerProfileField, string>;

const careerProfileKeys = Object.keys(CAREER_PROFILE_FIELDS) as CareerProfileField[];

export function careerProfileForm(profile: Partial<CareerProfile> | undefined): CareerProfileForm {
  return Object.fromEntries(careerProfileKeys.map((key) => [key, asText(profile?.[key])])) as CareerProfileForm;
}

export function careerProfileFields(form: CareerProfileForm): Record<CareerProfileField, string | null> {
  return Object.fromEntries(careerProfileKeys.map((key) => [key, textOrNull(form[key])])) as Record<CareerProfileField, string | null>;
}

/** A participant's career profile (one per participant; the oldest, should there be two). */
export async function careerProfileOf(database: FeltloggDB, participantId: string): Promise<RecordOf<"career_profiles"> | undefined> {
  const rows = (await viewRecords(database, "career_profiles", { field: "participant_id", value: participantId })) as RecordOf<"career_profiles">[];
  return rows.sort((a, b) => (a.created_at ?? "~").localeCompare(b.created_at ?? "~") || a.id.localeCompare(b.id))[0];
}

/**
 * Save the career profile: change the participant's profile if there is one (only the fields
 * changed since `before`), else create it. Null when there is nothing to save.
 */
export async function saveCareerProfile(participantId: string, before: CareerProfileForm, after: CareerProfileForm): Promise<ChangeToken | null> {
  const fields = careerProfileFields(after);
  const existing = await careerProfileOf(db, participantId);
  if (existing) {
    const changes = changedFields(careerProfileFields(before), fields);
    if (Object.keys(changes).length === 0) return null;
    return done(saveRecord(db, "career_profiles", existing.id, changes, { holdMs: UNDO_MS }));
  }
  if (Object.values(fields).every((value) => value === null)) return null;
  return done(createRecord(db, "career_profiles", { participant_id: participantId, ...fields }, { holdMs: UNDO_MS }));
}

export interface TeamMeetingInput {
  starts_at_local: string;
  duration_minutes: number;
  kind: NonNullable<TeamMeeting["kind"]>;
  notes: string;
}

/** A meeting with the treatment team, NAV or others; held back for UNDO_MS. */
export function logTeamMeeting(input: TeamMeetingInput, specialistId: string): Promise<ChangeToken> {
  const data: Record<string, unknown> = {
    starts_at: fromLocalInput(input.starts_at_local),
    duration_minutes: input.duration_minutes,
    kind: input.kind,
    notes: textOrNull(input.notes),
  };
  if (specialistId) data.specialist_id = specialistId;
  return done(createRecord(db, "team_meetings", data, { holdMs: UNDO_MS }));
}
