/**
 * A participant's career profile: job preferences, strengths, education, work history, and what
 * the participant wants an employer told (their choice, in their words). One per participant.
 */
import { useState } from "preact/hooks";
import { db, showSnack } from "../app";
import {
  CAREER_PROFILE_FIELDS, type CareerProfileField, type CareerProfileForm, careerProfileForm, careerProfileOf, saveCareerProfile, undoChange,
} from "../actions";
import { useLive } from "../hooks";
import { places, useUnsavedChanges } from "../formGuard";
import { type MessageKey, t } from "../i18n";
import { viewRecord } from "../outbox";
import { fullName } from "../queries";
import type { CareerProfile as CareerProfileRecord, Participant } from "../types";
import { Title } from "./common";
import { type Problems, hasProblems, tooLong, useFocusFirstProblem, withoutEmpty } from "./EditParticipant";
import { NoteField } from "./NoteField";

const ORDER = Object.keys(CAREER_PROFILE_FIELDS) as CareerProfileField[];

const LABELS: Record<CareerProfileField, MessageKey> = {
  job_preferences: "profile.jobPreferences",
  strengths: "profile.strengths",
  education: "profile.education",
  work_history: "profile.workHistory",
  disclosure_preference: "profile.disclosure",
};

const HINTS: Record<CareerProfileField, MessageKey> = {
  job_preferences: "profile.jobPreferencesHint",
  strengths: "profile.strengthsHint",
  education: "profile.educationHint",
  work_history: "profile.workHistoryHint",
  disclosure_preference: "profile.disclosureHint",
};

/** Each text within the server's maximum length. */
export function validateCareerProfile(form: CareerProfileForm): Problems<CareerProfileField> {
  const problems: Problems<CareerProfileField> = {};
  for (const field of ORDER) problems[field] = tooLong(form[field], CAREER_PROFILE_FIELDS[field]);
  return withoutEmpty(problems);
}

/** The first `max` characters of a text on one line, with "…" when cut. */
export function excerpt(text: string | null | undefined, max = 120): string {
  const line = (text ?? "").replace(/\s+/g, " ").trim();
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

const idOf = (field: CareerProfileField) => `profile-${field.replace(/_/g, "-")}`;

type Loaded = { participant: (Participant & { id: string }) | undefined; profile: (CareerProfileRecord & { id: string }) | undefined };

export function CareerProfile({ participantId }: { participantId: string }) {
  const loaded = useLive(
    async (): Promise<Loaded> => {
      const [participant, profile] = await Promise.all([
        viewRecord(db, "participants", participantId) as Promise<(Participant & { id: string }) | undefined>,
        careerProfileOf(db, participantId),
      ]);
      return { participant, profile };
    },
    [participantId],
    null as Loaded | null,
  );
  if (loaded === null) return <p>{t("app.loading")}</p>;
  if (!loaded.participant) {
    return (
      <>
        <Title>{t("participant.notFound")}</Title>
        <p><a href="#/participants">{t("nav.caseload")}</a></p>
      </>
    );
  }
  return <ProfileForm key={participantId} participant={loaded.participant} profile={loaded.profile} />;
}

function ProfileForm({ participant, profile }: { participant: Participant & { id: string }; profile: CareerProfileRecord | undefined }) {
  const [before] = useState(() => careerProfileForm(profile));
  const [form, setForm] = useState(before);
  const [problems, setProblems] = useState<Problems<CareerProfileField>>({});
  const [attempt, setAttempt] = useState(0);
  const [saving, setSaving] = useState(false);
  const guard = useUnsavedChanges(!saving && JSON.stringify(form) !== JSON.stringify(before));
  useFocusFirstProblem(problems, ORDER, idOf, attempt);
  const back = places.back(`#/participants/${participant.id}`);

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    const found = validateCareerProfile(form);
    setProblems(found);
    if (hasProblems(found)) {
      setAttempt((n) => n + 1);
      return;
    }
    setSaving(true);
    const token = await saveCareerProfile(participant.id, before, form);
    if (token) showSnack(t("profile.saved"), () => undoChange(token));
    else showSnack(t("form.noChanges"));
    guard.leave(back);
  }

  return (
    <>
      <Title>{t("profile.title", { name: fullName(participant) })}</Title>
      <p>{profile ? t("profile.intro") : t("profile.introNew")}</p>
      <form class="form" onSubmit={save} noValidate>
        {ORDER.map((field) => (
          <NoteField
            key={field}
            id={idOf(field)}
            label={t(LABELS[field])}
            value={form[field]}
            onInput={(value) => setForm((f) => ({ ...f, [field]: value }))}
            problem={problems[field]}
            maxLength={CAREER_PROFILE_FIELDS[field]}
            rows={field === "disclosure_preference" ? 4 : 3}
            hint={`${t(HINTS[field])} ${t("form.maxChars", { max: CAREER_PROFILE_FIELDS[field] })}`}
          />
        ))}
        <div class="row form-buttons">
          <button type="submit" class="button primary" disabled={saving}>{t("profile.save")}</button>
          <a class="button" href={back}>{t("common.cancel")}</a>
        </div>
      </form>
    </>
  );
}

/** The profile in short on the participant's page, with the way to it. */
export function CareerProfileSummary({ participantId }: { participantId: string }) {
  const profile = useLive(() => careerProfileOf(db, participantId), [participantId], undefined);
  const lines = profile
    ? ([
        ["profile.jobPreferences", profile.job_preferences],
        ["profile.strengths", profile.strengths],
        ["profile.disclosure", profile.disclosure_preference],
      ] as [MessageKey, string | null | undefined][]).filter(([, text]) => text && text.trim())
    : [];
  return (
    <section class="card" aria-labelledby="career-profile-heading">
      <h2 id="career-profile-heading">{t("profile.heading")}</h2>
      {lines.length === 0 ? (
        <p class="empty">{t("profile.empty")}</p>
      ) : (
        <dl class="profile-summary">
          {lines.map(([label, text]) => (
            <div key={label}>
              <dt>{t(label)}</dt>
              <dd>{excerpt(text)}</dd>
            </div>
          ))}
        </dl>
      )}
      <a class="button small" href={`#/participants/${participantId}/profile`}>{t("profile.link")}</a>
    </section>
  );
}
