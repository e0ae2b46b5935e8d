/** Log a participant meeting; each line of "next steps" becomes a step in the participant's plan. */
import { useState } from "preact/hooks";
import { logMeeting } from "../actions";
import { showSnack } from "../app";
import { navigate } from "../hooks";
import { t, tEnum } from "../i18n";
import { caseload, fullName, isActive } from "../queries";
import { toLocalInput } from "../time";
import { NOTE_MAX } from "../limits";
import type { Meeting, SignedInUser } from "../types";
import { Empty, Title, useRecords } from "./common";
import { NoteField } from "./NoteField";

const KINDS: Meeting["kind"][] = [
  "job_search", "career_profile", "intake", "interview_preparation", "benefits_counselling", "follow_along", "three_party", "other",
];

export function LogMeeting({ user, participantId }: { user: SignedInUser; participantId: string | undefined }) {
  const participants = useRecords("participants");
  const mine = caseload(participants, user.id ?? "").filter(isActive);
  const [participant, setParticipant] = useState(participantId ?? "");
  const [startsAt, setStartsAt] = useState(() => toLocalInput(new Date()));
  const [duration, setDuration] = useState("60");
  const [setting, setSetting] = useState<Meeting["setting"]>("community");
  const [kind, setKind] = useState<Meeting["kind"]>("job_search");
  const [nextSteps, setNextSteps] = useState("");
  const [notes, setNotes] = useState("");
  const [error, setError] = useState("");
  const [saving, setSaving] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    const minutes = Number(duration);
    if (!participant) return setError(t("meeting.needParticipant"));
    if (!startsAt) return setError(t("meeting.needTime"));
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) return setError(t("meeting.badDuration"));
    setSaving(true);
    await logMeeting(
      { participant_id: participant, starts_at_local: startsAt, duration_minutes: minutes, setting, kind, next_steps: nextSteps, notes },
      user.id ?? "",
    );
    showSnack(t("meeting.saved"));
    navigate(`#/participants/${participant}`);
  }

  return (
    <>
      <Title>{t("meeting.title")}</Title>
      {mine.length === 0 && <Empty>{t("caseload.empty")}</Empty>}
      <form class="form" onSubmit={save} noValidate>
        <div class="field">
          <label for="meeting-participant">{t("meeting.participant")}</label>
          <select id="meeting-participant" required value={participant} onChange={(e) => setParticipant(e.currentTarget.value)}>
            <option value="">{t("meeting.chooseParticipant")}</option>
            {mine.map((p) => (
              <option key={p.id} value={p.id}>{fullName(p)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="meeting-time">{t("meeting.time")}</label>
          <input id="meeting-time" type="datetime-local" required value={startsAt} onInput={(e) => setStartsAt(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="meeting-duration">{t("meeting.duration")}</label>
          <input id="meeting-duration" type="number" inputMode="numeric" min={1} max={1440} step={5} required value={duration} onInput={(e) => setDuration(e.currentTarget.value)} />
        </div>
        <fieldset class="field choices">
          <legend>{t("meeting.setting")}</legend>
          {(["community", "office"] as const).map((s) => (
            <label key={s} class="choice">
              <input type="radio" name="meeting-setting" value={s} checked={setting === s} onChange={() => setSetting(s)} />
              {tEnum("setting", s)}
            </label>
          ))}
        </fieldset>
        <div class="field">
          <label for="meeting-kind">{t("meeting.kind")}</label>
          <select id="meeting-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Meeting["kind"])}>
            {KINDS.map((k) => (
              <option key={k} value={k}>{tEnum("kind", k)}</option>
            ))}
          </select>
        </div>
        <NoteField id="meeting-steps" label={t("meeting.nextSteps")} value={nextSteps} onInput={setNextSteps} maxLength={NOTE_MAX} rows={4} hint={t("meeting.nextStepsHint")} />
        <NoteField id="meeting-notes" label={t("meeting.notes")} value={notes} onInput={setNotes} maxLength={NOTE_MAX} />
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="button primary" disabled={saving}>{t("meeting.save")}</button>
      </form>
    </>
  );
}
