/**
 * Team meetings: log a meeting with the treatment team, NAV or others (integration with the
 * health services is a fidelity item), and see the recent ones, newest first.
 */
import { useState } from "preact/hooks";
import { useUnsavedChanges } from "../formGuard";
import { showSnack } from "../app";
import { logTeamMeeting, undoChange } from "../actions";
import { formatDateTime, t, tEnum } from "../i18n";
import { toLocalInput } from "../time";
import type { RecordOf, SignedInUser, TeamMeeting } from "../types";
import { Empty, Title, useRecords } from "./common";
import { NOTE_MAX } from "../limits";
import { type Problems, TextField, hasProblems, tooLong, useFocusFirstProblem, validLocalDateTime, withoutEmpty } from "./EditParticipant";
import { NoteField } from "./NoteField";

export const TEAM_MEETING_KINDS = ["treatment_team", "nav", "other"] as const satisfies readonly NonNullable<TeamMeeting["kind"]>[];
export type TeamMeetingKind = (typeof TEAM_MEETING_KINDS)[number];

/** How many meetings the list shows at first, and how many more each tap on "Vis flere" adds. */
export const PAGE_SIZE = 20;

export interface TeamMeetingForm {
  starts_at: string;
  duration: string;
  kind: TeamMeetingKind;
  notes: string;
}

/** The server's rules for a team meeting (api/activity/schemas.py). */
export function validateTeamMeeting(form: TeamMeetingForm): Problems<keyof TeamMeetingForm> {
  const minutes = Number(form.duration);
  const problems: Problems<keyof TeamMeetingForm> = {
    starts_at: !form.starts_at ? { key: "meeting.needTime" } : validLocalDateTime(form.starts_at) ? undefined : { key: "form.badDateTime" },
    duration: form.duration.trim() !== "" && Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440 ? undefined : { key: "meeting.badDuration" },
    kind: (TEAM_MEETING_KINDS as readonly string[]).includes(form.kind) ? undefined : { key: "teamMeetings.needKind" },
    notes: tooLong(form.notes, NOTE_MAX),
  };
  return withoutEmpty(problems);
}

/** Team meetings, newest first (by when they started). */
export function newestFirst<T extends { starts_at: string; id: string }>(meetings: T[]): T[] {
  return [...meetings].sort((a, b) => Date.parse(b.starts_at) - Date.parse(a.starts_at) || b.id.localeCompare(a.id));
}

const ORDER = ["starts_at", "duration", "kind", "notes"] as const;
const idOf = (field: keyof TeamMeetingForm) => (field === "kind" ? "team-meeting-kind-treatment_team" : `team-meeting-${field.replace(/_/g, "-")}`);

function emptyForm(): TeamMeetingForm {
  return { starts_at: toLocalInput(new Date()), duration: "60", kind: "treatment_team", notes: "" };
}

export function TeamMeetings({ user }: { user: SignedInUser }) {
  const all = useRecords("team_meetings");
  const mine = newestFirst(all.filter((m) => !m.specialist_id || !user.id || m.specialist_id === user.id));
  const [shown, setShown] = useState(PAGE_SIZE);
  return (
    <>
      <Title>{t("teamMeetings.title")}</Title>
      <p>{t("teamMeetings.intro")}</p>
      <LogTeamMeetingForm user={user} />
      <section class="card" aria-labelledby="team-meetings-recent">
        <h2 id="team-meetings-recent">{t("teamMeetings.recent")}</h2>
        {mine.length === 0 ? (
          <Empty>{t("teamMeetings.empty")}</Empty>
        ) : (
          <>
            <ul class="list plain team-meetings">
              {mine.slice(0, shown).map((m) => <TeamMeetingItem key={m.id} meeting={m} />)}
            </ul>
            <p class="muted">{t("teamMeetings.showing", { shown: Math.min(shown, mine.length), total: mine.length })}</p>
            {shown < mine.length && (
              <button type="button" class="button" onClick={() => setShown((n) => n + PAGE_SIZE)}>
                {t("teamMeetings.showMore", { count: Math.min(PAGE_SIZE, mine.length - shown) })}
              </button>
            )}
          </>
        )}
      </section>
    </>
  );
}

function TeamMeetingItem({ meeting }: { meeting: RecordOf<"team_meetings"> }) {
  return (
    <li>
      <strong>{tEnum("teamMeetingKind", meeting.kind ?? "treatment_team")}</strong>
      <span class="meta">
        {formatDateTime(meeting.starts_at)} · {t("history.minutes", { count: meeting.duration_minutes })}
      </span>
      {meeting.notes && <span class="team-meeting-notes">{meeting.notes}</span>}
    </li>
  );
}

function LogTeamMeetingForm({ user }: { user: SignedInUser }) {
  const [empty, setEmpty] = useState(emptyForm);
  const [form, setForm] = useState(empty);
  const [problems, setProblems] = useState<Problems<keyof TeamMeetingForm>>({});
  const [attempt, setAttempt] = useState(0);
  const [saving, setSaving] = useState(false);
  useUnsavedChanges(!saving && JSON.stringify(form) !== JSON.stringify(empty));
  useFocusFirstProblem(problems, ORDER, idOf, attempt);

  function set<K extends keyof TeamMeetingForm>(field: K, value: TeamMeetingForm[K]) {
    setForm((f) => ({ ...f, [field]: value }));
  }

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    const found = validateTeamMeeting(form);
    setProblems(found);
    if (hasProblems(found)) {
      setAttempt((n) => n + 1);
      return;
    }
    setSaving(true);
    try {
      const token = await logTeamMeeting(
        { starts_at_local: form.starts_at, duration_minutes: Number(form.duration), kind: form.kind, notes: form.notes },
        user.id ?? "",
      );
      showSnack(t("teamMeetings.saved"), () => undoChange(token));
      const next = emptyForm();
      setEmpty(next);
      setForm(next);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section class="card" aria-labelledby="team-meeting-form-heading">
      <h2 id="team-meeting-form-heading">{t("teamMeetings.logTitle")}</h2>
      <form class="form" onSubmit={save} noValidate>
        <TextField id={idOf("starts_at")} type="datetime-local" label={t("meeting.time")} value={form.starts_at} onInput={(v) => set("starts_at", v)} problem={problems.starts_at} required />
        <TextField id={idOf("duration")} type="number" inputMode="numeric" label={t("meeting.duration")} value={form.duration} onInput={(v) => set("duration", v)} problem={problems.duration} min={1} max={1440} required />
        <fieldset class="field choices" aria-describedby={problems.kind ? "team-meeting-kind-error" : undefined}>
          <legend>{t("teamMeetings.kind")}</legend>
          {TEAM_MEETING_KINDS.map((kind) => (
            <label key={kind} class="choice">
              <input id={`team-meeting-kind-${kind}`} type="radio" name="team-meeting-kind" value={kind} checked={form.kind === kind} onChange={() => set("kind", kind)} />
              {tEnum("teamMeetingKind", kind)}
            </label>
          ))}
          {problems.kind && <p class="error field-error" id="team-meeting-kind-error">{t(problems.kind.key)}</p>}
        </fieldset>
        <NoteField id={idOf("notes")} label={t("teamMeetings.notes")} value={form.notes} onInput={(v) => set("notes", v)} problem={problems.notes} maxLength={NOTE_MAX} hint={t("teamMeetings.notesHint", { max: NOTE_MAX })} />
        <button type="submit" class="button primary" disabled={saving}>{t("teamMeetings.save")}</button>
      </form>
    </section>
  );
}
