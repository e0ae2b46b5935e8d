/** What the user can do: each action writes through the outbox and asks the sync loop to run. */
import { db, syncLoop } from "./app";
import { type ChangeToken, createRecord, deleteRecord, discard, restore, retry, saveRecord, undo } from "./outbox";
import { chooseOther, type ConflictView, keepCurrent } from "./conflicts";
import { fromLocalInput, isoWithOffset, parseWeek } from "./time";
import { type WhenValue, instantOf, whenOf } from "./settings";
import { LONG_TEXT_MAX, NOTE_MAX } from "./limits";
import { formatNumber } from "./i18n";
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

/** An employer contact as its form holds it (new or being changed). */
export interface ContactFormValues {
  employer_id: string;
  face_to_face: boolean;
  remote_mode: "phone" | "email" | "video";
  participant_id: string;
  purpose: string;
  notes: string;
  when: WhenValue;
}

const REMOTE_MODES = ["phone", "email", "video"] as const;

export function contactFormOf(contact: Partial<EmployerContact> | undefined, now = new Date()): ContactFormValues {
  const mode = contact?.mode ?? "in_person";
  const remote = (REMOTE_MODES as readonly string[]).includes(mode) ? (mode as ContactFormValues["remote_mode"]) : "phone";
  return {
    employer_id: asText(contact?.employer_id),
    face_to_face: mode === "in_person",
    remote_mode: remote,
    participant_id: asText(contact?.participant_id),
    purpose: asText(contact?.purpose),
    notes: asText(contact?.notes),
    when: whenOf(contact?.contacted_at ? new Date(contact.contacted_at) : now),
  };
}

/** A form's date and time as the server takes it (ISO 8601 with the device's offset). */
export function isoOfWhen(when: WhenValue): string {
  const instant = instantOf(when);
  return instant ? isoWithOffset(instant) : "";
}

export function contactFields(form: ContactFormValues): Record<string, unknown> {
  return {
    employer_id: form.employer_id,
    participant_id: form.participant_id || null,
    contacted_at: isoOfWhen(form.when),
    mode: form.face_to_face ? "in_person" : form.remote_mode,
    purpose: textOrNull(form.purpose),
    notes: textOrNull(form.notes),
  };
}

/** A new contact, logged now (`loggedAt`, the device's clock) for when it happened. */
export function logEmployerContact(form: ContactFormValues, specialistId: string, loggedAt = new Date()): Promise<ChangeToken> {
  return done(
    createRecord(db, "employer_contacts", {
      ...contactFields(form),
      specialist_id: specialistId,
      logged_at: isoWithOffset(loggedAt),
    }),
  );
}

/** Save what changed in a contact, held back for UNDO_MS; null when nothing changed. */
export async function updateContact(id: string, before: ContactFormValues, after: ContactFormValues): Promise<ChangeToken | null> {
  const changes = changedFields(contactFields(before), contactFields(after));
  if (Object.keys(changes).length === 0) return null;
  return done(saveRecord(db, "employer_contacts", id, changes, { holdMs: UNDO_MS }));
}

export function deleteContact(id: string): Promise<ChangeToken> {
  return done(deleteRecord(db, "employer_contacts", id, { holdMs: UNDO_MS }));
}

/** A participant meeting as its form holds it. */
export interface MeetingFormValues {
  participant_id: string;
  when: WhenValue;
  duration: string;
  setting: Meeting["setting"];
  kind: Meeting["kind"];
  /** Empty for a new meeting: the server takes planned for a future one, held for a past one. */
  status: NonNullable<Meeting["status"]> | "";
  next_steps: string;
  notes: string;
}

export function meetingFormOf(meeting: Partial<Meeting> | undefined, now = new Date(), participantId = ""): MeetingFormValues {
  return {
    participant_id: meeting?.participant_id ?? participantId,
    when: whenOf(meeting?.starts_at ? new Date(meeting.starts_at) : now),
    duration: meeting?.duration_minutes !== undefined ? String(meeting.duration_minutes) : "60",
    setting: meeting?.setting ?? "community",
    kind: meeting?.kind ?? "job_search",
    status: meeting?.status ?? "",
    next_steps: asText(meeting?.agreed_next_steps),
    notes: asText(meeting?.notes),
  };
}

/** The agreed next steps, one per line, without empty lines. */
export function stepLines(text: string): string[] {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

export function meetingFields(form: MeetingFormValues): Record<string, unknown> {
  const lines = stepLines(form.next_steps);
  const fields: Record<string, unknown> = {
    participant_id: form.participant_id,
    starts_at: isoOfWhen(form.when),
    duration_minutes: Number(form.duration),
    setting: form.setting,
    kind: form.kind,
    agreed_next_steps: lines.length ? lines.join("\n") : null,
    notes: textOrNull(form.notes),
  };
  if (form.status) fields.status = form.status;
  return fields;
}

function addSteps(participantId: string, meetingId: string, titles: string[], options: { holdMs?: number } = {}): Promise<ChangeToken[]> {
  return Promise.all(
    titles.map((title) =>
      createRecord(db, "plan_steps", { participant_id: participantId, meeting_id: meetingId, title: title.slice(0, 200), owner: "participant" }, options),
    ),
  );
}

/** A meeting logged now (`loggedAt`), and one plan step per line of the agreed next steps. */
export async function logMeeting(form: MeetingFormValues, specialistId: string, loggedAt = new Date()): Promise<string> {
  const meeting = await createRecord(db, "meetings", {
    ...meetingFields(form),
    specialist_id: specialistId,
    logged_at: isoWithOffset(loggedAt),
  });
  await addSteps(form.participant_id, meeting.id, stepLines(form.next_steps));
  syncLoop.nudge();
  return meeting.id;
}

/**
 * Save what changed in a meeting, held back for UNDO_MS; a line added to the next steps also
 * becomes a plan step (lines taken out leave their steps: they may be done already). The tokens
 * undo it all; none when nothing changed.
 */
export async function updateMeeting(id: string, before: MeetingFormValues, after: MeetingFormValues): Promise<ChangeToken[]> {
  const changes = changedFields(meetingFields(before), meetingFields(after));
  if (Object.keys(changes).length === 0) return [];
  const token = await saveRecord(db, "meetings", id, changes, { holdMs: UNDO_MS });
  const had = new Set(stepLines(before.next_steps));
  const steps = await addSteps(after.participant_id, id, stepLines(after.next_steps).filter((line) => !had.has(line)), { holdMs: UNDO_MS });
  syncLoop.nudge();
  return [token, ...steps];
}

export function deleteMeeting(id: string): Promise<ChangeToken> {
  return done(deleteRecord(db, "meetings", id, { holdMs: UNDO_MS }));
}

/** Take back several changes, the last one first. */
export async function undoChanges(tokens: ChangeToken[]): Promise<void> {
  for (const token of [...tokens].reverse()) await undo(db, token);
  syncLoop.nudge();
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

/** A job match as its form holds it (empty string: no value). */
export interface JobMatchFormValues {
  participant_id: string;
  employer_id: string;
  job_title: string;
  status: NonNullable<JobMatch["status"]>;
  competitive: boolean;
  started_on: string;
  ended_on: string;
  hours_per_week: string;
  end_reason: NonNullable<JobMatch["end_reason"]> | "";
}

export function jobMatchFormOf(match: Partial<JobMatch> | undefined): JobMatchFormValues {
  return {
    participant_id: asText(match?.participant_id),
    employer_id: asText(match?.employer_id),
    job_title: asText(match?.job_title),
    status: match?.status ?? "lead",
    competitive: match?.competitive !== false,
    started_on: asText(match?.started_on).slice(0, 10),
    ended_on: asText(match?.ended_on).slice(0, 10),
    // As the user's language writes it ("37,5" in bokmål); hoursOf reads either mark.
    hours_per_week: typeof match?.hours_per_week === "number" ? formatNumber(match.hours_per_week, 2) : "",
    end_reason: match?.end_reason ?? "",
  };
}

/** Hours per week as typed (a decimal comma is fine); NaN when it is not a number. */
export function hoursOf(text: string): number | null {
  const trimmed = text.trim().replace(",", ".");
  if (trimmed === "") return null;
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

export function jobMatchFields(form: JobMatchFormValues): Record<string, unknown> {
  return {
    participant_id: form.participant_id,
    employer_id: form.employer_id,
    job_title: form.job_title.trim(),
    status: form.status,
    competitive: form.competitive,
    started_on: form.started_on || null,
    ended_on: form.ended_on || null,
    hours_per_week: hoursOf(form.hours_per_week),
    end_reason: form.end_reason || null,
  };
}

export function addJobMatch(form: JobMatchFormValues): Promise<ChangeToken> {
  return done(createRecord(db, "job_matches", jobMatchFields(form)));
}

export async function updateJobMatch(id: string, before: JobMatchFormValues, after: JobMatchFormValues): Promise<ChangeToken | null> {
  const changes = changedFields(jobMatchFields(before), jobMatchFields(after));
  if (Object.keys(changes).length === 0) return null;
  return done(saveRecord(db, "job_matches", id, changes, { holdMs: UNDO_MS }));
}

export function deleteJobMatch(id: string): Promise<ChangeToken> {
  return done(deleteRecord(db, "job_matches", id, { holdMs: UNDO_MS }));
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

// Intake, closing and reopening a participant, and consent given or withdrawn with care.

export const COUNTERPARTS = ["employers", "therapist", "nav"] as const;
export type Counterpart = (typeof COUNTERPARTS)[number];

/** A participant's answer at intake: yes, no, or not asked yet (then nothing is recorded). */
export type ConsentAnswer = "granted" | "refused" | "unasked";

export interface IntakeInput {
  participant: ParticipantForm;
  consents: Record<Counterpart, ConsentAnswer>;
}

/**
 * Enrol a participant: the participant, then one consent record per counterpart they answered.
 * One transaction, so the outbox holds all of it or none; in this order, so the server has the
 * participant before the consents that name them. Returns the new participant's id.
 */
export async function enrolParticipant(input: IntakeInput, specialistId: string | undefined, now = new Date()): Promise<string> {
  const recordedAt = isoWithOffset(now);
  const id = await db.transaction("rw", [db.outbox, db.participants, db.consents], async () => {
    const data = participantFields(input.participant);
    if (specialistId) data.specialist_id = specialistId;
    const participant = await createRecord(db, "participants", data);
    for (const counterpart of COUNTERPARTS) {
      const answer = input.consents[counterpart];
      if (answer === "unasked") continue;
      await createRecord(db, "consents", {
        participant_id: participant.id,
        counterpart,
        granted: answer === "granted",
        recorded_at: recordedAt,
      });
    }
    return participant.id;
  });
  syncLoop.nudge();
  return id;
}

/** The participant leaves the programme on `closedOn`; held back for UNDO_MS. */
export function closeParticipant(id: string, closedOn: string): Promise<ChangeToken> {
  return done(saveRecord(db, "participants", id, { status: "closed", closed_on: closedOn }, { holdMs: UNDO_MS }));
}

/** Back in the programme: active, and no closing date (which would still count them as closed). */
export function reopenParticipant(id: string): Promise<ChangeToken> {
  return done(saveRecord(db, "participants", id, { status: "active", closed_on: null }, { holdMs: UNDO_MS }));
}

/** A consent decision just recorded, and what was in force before it (null: nothing recorded). */
export interface ConsentChange {
  token: ChangeToken;
  participantId: string;
  counterpart: Counterpart;
  granted: boolean;
  recordedAt: string;
  before: boolean | null;
}

/**
 * Record that the participant grants or withdraws consent. A withdrawal is sent at once, since
 * it takes effect at once (domain.md); a grant waits out the undo window, so that a slip of the
 * finger never lets anyone contact an employer about the participant.
 */
export async function changeConsent(
  participantId: string,
  counterpart: Counterpart,
  granted: boolean,
  before: boolean | null,
  now = new Date(),
): Promise<ConsentChange> {
  const recordedAt = isoWithOffset(now);
  const token = await createRecord(
    db,
    "consents",
    { participant_id: participantId, counterpart, granted, recorded_at: recordedAt },
    granted ? { holdMs: UNDO_MS } : {},
  );
  syncLoop.nudge();
  return { token, participantId, counterpart, granted, recordedAt, before };
}

/**
 * Take a consent decision back. Not yet sent: it simply leaves the outbox. Already on the server:
 * a new record puts the earlier decision back (recorded after the one it undoes), so the history
 * of who decided what when stays true; a first decision, with nothing before it, is deleted.
 */
export async function undoConsentChange(change: ConsentChange, now = new Date()): Promise<void> {
  const mutationId = change.token.mutation_id;
  const removed = await db.transaction("rw", db.outbox, async () => {
    const entry = mutationId ? await db.outbox.where("mutation_id").equals(mutationId).first() : undefined;
    if (!entry || entry.sent) return false;
    await db.outbox.delete(entry.seq!);
    return true;
  });
  if (!removed) {
    if (change.before === null) {
      await deleteRecord(db, "consents", change.token.id);
    } else {
      const after = new Date(Math.max(now.getTime(), Date.parse(change.recordedAt) + 1000));
      await createRecord(db, "consents", {
        participant_id: change.participantId,
        counterpart: change.counterpart,
        granted: change.before,
        recorded_at: isoWithOffset(after),
      });
    }
  }
  syncLoop.nudge();
}
