/**
 * Intake ("Ny deltaker"): the specialist enrols a participant on the phone, offline too. Name,
 * programme entry date, phone and e-mail, and the participant's answer on consent per
 * counterpart, saved together through the outbox; the participant shows at once.
 */
import { useState } from "preact/hooks";
import { COUNTERPARTS, type ConsentAnswer, type Counterpart, type IntakeInput, enrolParticipant, participantForm } from "../actions";
import { db, showSnack } from "../app";
import { useLive } from "../hooks";
import { useUnsavedChanges } from "../formGuard";
import { type MessageKey, t } from "../i18n";
import { PERSON_NAME_MAX } from "../limits";
import { all, caseload, fullName } from "../queries";
import { todayOslo } from "../time";
import type { SignedInUser } from "../types";
import { Title } from "./common";
import { type Problems, TextField, hasProblems, useFocusFirstProblem, validateParticipant } from "./EditParticipant";

/** IPS fidelity: a full-time specialist carries at most 20 participants. */
export const CASELOAD_MAX = 20;

const ANSWERS: ConsentAnswer[] = ["granted", "refused", "unasked"];
const ANSWER_LABEL: Record<ConsentAnswer, MessageKey> = {
  granted: "intake.answer.granted",
  refused: "intake.answer.refused",
  unasked: "intake.answer.unasked",
};
const CONSENT_LEGEND: Record<Counterpart, MessageKey> = {
  employers: "intake.consentTo.employers",
  therapist: "intake.consentTo.therapist",
  nav: "intake.consentTo.nav",
};

type Field = "first_name" | "last_name" | "phone" | "email" | "enrolled_on";
const ORDER: readonly Field[] = ["first_name", "last_name", "phone", "email", "enrolled_on"];
const idOf = (field: Field) => `intake-${field.replace(/_/g, "-")}`;

/** A new participant's form: active from today, nothing asked about consent yet. */
export function emptyIntake(today = todayOslo()): IntakeInput {
  return {
    participant: { ...participantForm({}), status: "active", enrolled_on: today },
    consents: { employers: "unasked", therapist: "unasked", nav: "unasked" },
  };
}

export function NewParticipant({ user }: { user: SignedInUser }) {
  const [empty] = useState(() => emptyIntake());
  const [input, setInput] = useState(empty);
  const [problems, setProblems] = useState<Problems<Field>>({});
  const [attempt, setAttempt] = useState(0);
  const [saving, setSaving] = useState(false);
  const guard = useUnsavedChanges(!saving && JSON.stringify(input) !== JSON.stringify(empty));
  // Counted as the caseload screen counts it: those with status active.
  const active = useLive(
    async () => caseload(await all(db, "participants"), user.id ?? "").filter((p) => (p.status ?? "active") === "active").length,
    [user.id],
    0,
  );
  useFocusFirstProblem(problems, ORDER, idOf, attempt);
  const form = input.participant;

  function set<K extends keyof IntakeInput["participant"]>(field: K, value: IntakeInput["participant"][K]) {
    setInput((current) => ({ ...current, participant: { ...current.participant, [field]: value } }));
  }

  function answer(counterpart: Counterpart, value: ConsentAnswer) {
    setInput((current) => ({ ...current, consents: { ...current.consents, [counterpart]: value } }));
  }

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    const found = validateParticipant(form) as Problems<Field>;
    setProblems(found);
    if (hasProblems(found)) {
      setAttempt((n) => n + 1);
      return;
    }
    setSaving(true);
    const id = await enrolParticipant(input, user.id);
    showSnack(t("intake.saved", { name: fullName({ first_name: form.first_name.trim(), last_name: form.last_name.trim() }) }));
    guard.leave(`#/participants/${id}`);
  }

  return (
    <>
      <Title>{t("intake.title")}</Title>
      <p>{t("intake.intro")}</p>
      {active >= CASELOAD_MAX && <p class="warning" role="note">{t("intake.caseloadFull", { count: active, max: CASELOAD_MAX })}</p>}
      <form class="form" onSubmit={save} noValidate>
        <TextField id={idOf("first_name")} label={t("participantEdit.firstName")} value={form.first_name} onInput={(v) => set("first_name", v)} problem={problems.first_name} maxLength={PERSON_NAME_MAX} required autoComplete="off" />
        <TextField id={idOf("last_name")} label={t("participantEdit.lastName")} value={form.last_name} onInput={(v) => set("last_name", v)} problem={problems.last_name} maxLength={PERSON_NAME_MAX} required autoComplete="off" />
        <TextField id={idOf("enrolled_on")} type="date" label={t("participantEdit.enrolledOn")} value={form.enrolled_on} onInput={(v) => set("enrolled_on", v)} problem={problems.enrolled_on} required min="1900-01-01" max="2999-12-31" hint={t("intake.enrolledHint")} />
        <TextField id={idOf("phone")} type="tel" label={t("participantEdit.phone")} value={form.phone} onInput={(v) => set("phone", v)} problem={problems.phone} maxLength={30} autoComplete="off" />
        <TextField id={idOf("email")} type="email" label={t("participantEdit.email")} value={form.email} onInput={(v) => set("email", v)} problem={problems.email} maxLength={254} autoComplete="off" />
        <div class="field">
          <label class="choice" for="intake-working-at-entry">
            <input id="intake-working-at-entry" type="checkbox" checked={form.working_at_entry} onChange={(e) => set("working_at_entry", e.currentTarget.checked)} />
            {t("intake.workingAtEntry")}
          </label>
        </div>
        <section class="intake-consents" aria-labelledby="intake-consents-title">
          <h2 id="intake-consents-title">{t("intake.consentsTitle")}</h2>
          <p class="hint">{t("intake.consentsIntro")}</p>
          {COUNTERPARTS.map((counterpart) => (
            <fieldset key={counterpart} class="field choices consent-answer">
              <legend>{t(CONSENT_LEGEND[counterpart])}</legend>
              {ANSWERS.map((value) => (
                <label key={value} class="choice">
                  <input
                    type="radio"
                    name={`intake-consent-${counterpart}`}
                    value={value}
                    checked={input.consents[counterpart] === value}
                    onChange={() => answer(counterpart, value)}
                  />
                  {t(ANSWER_LABEL[value])}
                </label>
              ))}
            </fieldset>
          ))}
        </section>
        <div class="row form-buttons">
          <button type="submit" class="button primary" disabled={saving}>{t("intake.save")}</button>
          <a class="button" href="#/participants">{t("common.cancel")}</a>
        </div>
      </form>
    </>
  );
}
