/**
 * Log a participant meeting; each line of "next steps" becomes a step in the participant's plan.
 * When it was starts at now and can be set back (within the server's bound) or ahead. The same
 * form corrects or removes a logged meeting.
 */
import { useState } from "preact/hooks";
import { type MeetingFormValues, deleteMeeting, logMeeting, meetingFormOf, undoChange, undoChanges, updateMeeting } from "../actions";
import { db, showSnack } from "../app";
import { places, useUnsavedChanges } from "../formGuard";
import { t, tEnum } from "../i18n";
import { viewRecord } from "../outbox";
import { caseload, fullName, isActive } from "../queries";
import { NOTE_MAX } from "../limits";
import { type WhenRule, whenRule } from "../settings";
import type { Meeting, RecordOf, SignedInUser } from "../types";
import { Empty, Title, useRecords } from "./common";
import { type Problems, ProblemText, TextField, hasProblems, tooLong, useFocusFirstProblem, useLoadedRecord, withoutEmpty } from "./EditParticipant";
import { NoteField } from "./NoteField";
import { WhenField, checkWhen, useServerSettings } from "./WhenField";

const KINDS: Meeting["kind"][] = [
  "job_search", "career_profile", "intake", "interview_preparation", "benefits_counselling", "follow_along", "three_party", "other",
];
const STATUSES = ["planned", "held", "cancelled", "no_show"] as const;

export type MeetingProblems = Problems<"participant_id" | "when" | "duration" | "next_steps" | "notes">;

/** The server's rules for a meeting; the time is checked only when it is new or changed. */
export function validateMeeting(form: MeetingFormValues, rule: WhenRule, loggedAt: Date, now: Date, timeChanged: boolean): MeetingProblems {
  const minutes = Number(form.duration);
  return withoutEmpty({
    participant_id: form.participant_id ? undefined : { key: "meeting.needParticipant" },
    when: timeChanged ? checkWhen(form.when, rule, loggedAt, now) : undefined,
    duration: form.duration.trim() !== "" && Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440 ? undefined : { key: "meeting.badDuration" },
    next_steps: tooLong(form.next_steps, NOTE_MAX),
    notes: tooLong(form.notes, NOTE_MAX),
  });
}

const ORDER = ["participant_id", "when", "duration", "next_steps", "notes"] as const;
const ID_OF: Record<(typeof ORDER)[number], string> = {
  participant_id: "meeting-participant",
  when: "meeting-when-date",
  duration: "meeting-duration",
  next_steps: "meeting-steps",
  notes: "meeting-notes",
};
const idOf = (field: (typeof ORDER)[number]) => ID_OF[field];

export function LogMeeting({ user, participantId }: { user: SignedInUser; participantId: string | undefined }) {
  const [initial] = useState(() => meetingFormOf(undefined, new Date(), participantId ?? ""));
  return <MeetingForm user={user} initial={initial} />;
}

/** Correct or remove a meeting the user logged. */
export function EditMeeting({ user, id }: { user: SignedInUser; id: string }) {
  const loaded = useLoadedRecord(() => viewRecord(db, "meetings", id) as Promise<RecordOf<"meetings"> | undefined>, [id]);
  if (loaded === null) return <p>{t("app.loading")}</p>;
  const meeting = loaded.record;
  if (!meeting || (meeting.specialist_id && meeting.specialist_id !== user.id)) {
    return (
      <>
        <Title>{t("activityEdit.meetingNotFound")}</Title>
        <p><a href={places.back("#/participants")}>{t("activityEdit.back")}</a></p>
      </>
    );
  }
  return <MeetingForm key={id} user={user} initial={meetingFormOf(meeting)} meeting={meeting} />;
}

function MeetingForm({ user, initial, meeting }: { user: SignedInUser; initial: MeetingFormValues; meeting?: RecordOf<"meetings"> }) {
  const participants = useRecords("participants");
  const settings = useServerSettings();
  const [before] = useState(initial);
  const [form, setForm] = useState(initial);
  const [problems, setProblems] = useState<MeetingProblems>({});
  const [attempt, setAttempt] = useState(0);
  const [saving, setSaving] = useState(false);
  const [openedAt] = useState(() => new Date());
  const editing = meeting !== undefined;
  const guard = useUnsavedChanges(JSON.stringify(form) !== JSON.stringify(before) && !saving);
  useFocusFirstProblem(problems, ORDER, idOf, attempt);
  const rule = whenRule(settings, true);
  const loggedAt = meeting ? new Date(meeting.logged_at ?? meeting.created_at ?? openedAt) : openedAt;
  const mine = caseload(participants, user.id ?? "").filter(isActive);
  const current = participants.find((p) => p.id === form.participant_id);
  if (current && !mine.includes(current)) mine.unshift(current);
  const fallback = editing ? `#/participants/${before.participant_id}` : "#/today";

  function set<K extends keyof MeetingFormValues>(field: K, value: MeetingFormValues[K]) {
    setForm((f) => ({ ...f, [field]: value }));
  }

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    const now = new Date();
    const timeChanged = !editing || form.when.date !== before.when.date || form.when.time !== before.when.time;
    const found = validateMeeting(form, rule, editing ? loggedAt : now, now, timeChanged);
    setProblems(found);
    if (hasProblems(found)) {
      setAttempt((n) => n + 1);
      return;
    }
    setSaving(true);
    if (meeting) {
      const tokens = await updateMeeting(meeting.id, before, form);
      if (tokens.length) showSnack(t("activityEdit.meetingSaved"), () => undoChanges(tokens));
      else showSnack(t("form.noChanges"));
    } else {
      await logMeeting(form, user.id ?? "", now);
      showSnack(t("meeting.saved"));
    }
    guard.leave(places.back(fallback));
  }

  async function remove() {
    if (!meeting || saving) return;
    setSaving(true);
    const token = await deleteMeeting(meeting.id);
    showSnack(t("activityEdit.meetingDeleted"), () => undoChange(token));
    guard.leave(places.back(fallback));
  }

  return (
    <>
      <Title>{editing ? t("activityEdit.meetingTitle", { name: fullName(current) }) : t("meeting.title")}</Title>
      {mine.length === 0 && <Empty>{t("intake.caseloadEmpty")}</Empty>}
      <form class="form" onSubmit={save} noValidate>
        <div class="field">
          <label for="meeting-participant">{t("meeting.participant")}</label>
          <select
            id="meeting-participant"
            required
            value={form.participant_id}
            onChange={(e) => set("participant_id", e.currentTarget.value)}
            aria-invalid={problems.participant_id ? "true" : undefined}
            aria-describedby={problems.participant_id ? "meeting-participant-error" : undefined}
          >
            <option value="">{t("meeting.chooseParticipant")}</option>
            {mine.map((p) => (
              <option key={p.id} value={p.id}>{fullName(p)}</option>
            ))}
          </select>
          <ProblemText id="meeting-participant" problem={problems.participant_id} />
        </div>
        <WhenField
          id="meeting-when"
          legend={t("when.meetingLegend")}
          value={form.when}
          onChange={(when) => set("when", when)}
          rule={rule}
          loggedAt={loggedAt}
          problem={problems.when}
        />
        <TextField
          id="meeting-duration"
          type="number"
          inputMode="numeric"
          label={t("meeting.duration")}
          value={form.duration}
          onInput={(v) => set("duration", v)}
          problem={problems.duration}
          min={1}
          max={1440}
          required
        />
        <fieldset class="field choices">
          <legend>{t("meeting.setting")}</legend>
          {(["community", "office"] as const).map((s) => (
            <label key={s} class="choice">
              <input type="radio" name="meeting-setting" value={s} checked={form.setting === s} onChange={() => set("setting", s)} />
              {tEnum("setting", s)}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="meeting-kind">{t("meeting.kind")}</label>
          <select id="meeting-kind" value={form.kind} onChange={(e) => set("kind", e.currentTarget.value as Meeting["kind"])}>
            {KINDS.map((k) => (
              <option key={k} value={k}>{tEnum("kind", k)}</option>
            ))}
          </select>
        </div>
        {editing && (
          <div class="field">
            <label for="meeting-status">{t("activityEdit.meetingStatus")}</label>
            <select id="meeting-status" value={form.status} onChange={(e) => set("status", e.currentTarget.value as MeetingFormValues["status"])}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>{tEnum("activityEdit.status", s)}</option>
              ))}
            </select>
          </div>
        )}
        <NoteField
          id="meeting-steps"
          label={t("meeting.nextSteps")}
          value={form.next_steps}
          onInput={(v) => set("next_steps", v)}
          problem={problems.next_steps}
          maxLength={NOTE_MAX}
          rows={4}
          hint={editing ? t("activityEdit.nextStepsHint") : t("meeting.nextStepsHint")}
        />
        <NoteField id="meeting-notes" label={t("meeting.notes")} value={form.notes} onInput={(v) => set("notes", v)} problem={problems.notes} maxLength={NOTE_MAX} />
        <div class="row form-buttons">
          <button type="submit" class="button primary" disabled={saving}>{editing ? t("form.saveChanges") : t("meeting.save")}</button>
          <a class="button" href={places.back(fallback)}>{t("common.cancel")}</a>
        </div>
        {editing && (
          <button type="button" class="button danger" disabled={saving} onClick={remove}>{t("activityEdit.deleteMeeting")}</button>
        )}
      </form>
    </>
  );
}
