/**
 * Change a participant's details: name, phone, e-mail, status, dates, working at entry. Checked
 * here by the server's rules; only the changed fields are sent. Also the form pieces the other
 * edit screens share: fields with a visible label, a hint and a problem, and focus on the first
 * problem.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { db, showSnack } from "../app";
import { type ParticipantForm, participantForm, undoChange, updateParticipant } from "../actions";
import { useLive } from "../hooks";
import { places, useUnsavedChanges } from "../formGuard";
import { type MessageKey, t, tEnum } from "../i18n";
import { PERSON_NAME_MAX } from "../limits";
import { viewRecord } from "../outbox";
import { fullName, isActive } from "../queries";
import { todayOslo } from "../time";
import type { Participant } from "../types";
import { Title } from "./common";

// ---------------------------------------------------------------------------------------------
// Checks (pure) and form pieces the edit screens share.

/** Why a field cannot be saved: a catalog key and its placeholders. */
export interface Problem {
  key: MessageKey;
  vars?: Record<string, string | number>;
}

export type Problems<F extends string> = Partial<Record<F, Problem>>;

/** The length of a text as the server counts it (characters, not UTF-16 units). */
export function textLength(value: string): number {
  return [...value].length;
}

/** A text longer than the server takes. */
export function tooLong(value: string, max: number): Problem | undefined {
  return textLength(value.trim()) > max ? { key: "form.tooLong", vars: { max } } : undefined;
}

const EARLIEST_YEAR = 1900;
const LATEST_YEAR = 2999;

/** A real calendar date as YYYY-MM-DD, in the years the server stores (1900–2999). */
export function validDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < EARLIEST_YEAR || year > LATEST_YEAR) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A local date and time as an <input type="datetime-local"> gives it, in the years the server stores. */
export function validLocalDateTime(value: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?$/.exec(value);
  return Boolean(match && validDate(match[1]!) && !Number.isNaN(new Date(value).getTime()));
}

// The server's e-mail check (marshmallow's Email validator), written out for the browser.
const EMAIL_USER =
  /^(?:[-!#$%&'*+/=?^`{}|~\p{L}\p{N}_]+(?:\.[-!#$%&'*+/=?^`{}|~\p{L}\p{N}_]+)*|"(?:[\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")$/iu;
const EMAIL_DOMAIN =
  /^(?:(?:[A-Z0-9\u00a1-\uffff](?:[A-Z0-9\u00a1-\uffff-]{0,61}[A-Z0-9\u00a1-\uffff])?\.)+(?:[A-Z\u00a1-\uffff]{2,6}|[A-Z0-9\u00a1-\uffff-]{2,})|\[(?:25[0-5]|2[0-4]\d|[0-1]?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|[0-1]?\d?\d)){3}\])$/i;

export function validEmail(value: string): boolean {
  const at = value.lastIndexOf("@");
  if (at < 0) return false;
  const user = value.slice(0, at);
  const domain = value.slice(at + 1);
  return EMAIL_USER.test(user) && (domain === "localhost" || EMAIL_DOMAIN.test(domain));
}

/** The server's rules for a participant (api/participants/schemas.py and rules.py). */
export function validateParticipant(form: ParticipantForm): Problems<keyof ParticipantForm> {
  const problems: Problems<keyof ParticipantForm> = {};
  if (!form.first_name.trim()) problems.first_name = { key: "participantEdit.needFirstName" };
  else problems.first_name = tooLong(form.first_name, PERSON_NAME_MAX);
  if (!form.last_name.trim()) problems.last_name = { key: "participantEdit.needLastName" };
  else problems.last_name = tooLong(form.last_name, PERSON_NAME_MAX);
  problems.phone = tooLong(form.phone, 30);
  const email = form.email.trim();
  if (email && !validEmail(email)) problems.email = { key: "participantEdit.badEmail" };
  else problems.email = tooLong(email, 254);
  if (!form.enrolled_on) problems.enrolled_on = { key: "participantEdit.needEnrolled" };
  else if (!validDate(form.enrolled_on)) problems.enrolled_on = { key: "form.badDate" };
  if (form.closed_on && !validDate(form.closed_on)) problems.closed_on = { key: "form.badDate" };
  else if (form.closed_on && !problems.enrolled_on && form.closed_on < form.enrolled_on) {
    problems.closed_on = { key: "participantEdit.closedBeforeEnrolled" };
  }
  return withoutEmpty(problems);
}

export function withoutEmpty<F extends string>(problems: Problems<F>): Problems<F> {
  const result: Problems<F> = {};
  for (const [field, problem] of Object.entries(problems) as [F, Problem | undefined][]) if (problem) result[field] = problem;
  return result;
}

export function hasProblems(problems: Problems<string>): boolean {
  return Object.keys(problems).length > 0;
}

/**
 * After a save with problems, move the focus to the first field (in `order`) that has one.
 * `attempt` counts the tries, so that the same problem twice moves the focus again.
 */
export function useFocusFirstProblem<F extends string>(problems: Problems<F>, order: readonly F[], idOf: (field: F) => string, attempt: number): void {
  useEffect(() => {
    if (attempt === 0) return;
    const first = order.find((field) => problems[field]);
    if (first) document.getElementById(idOf(first))?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt]);
}

function describedBy(id: string, hint: boolean, problem: boolean): string | undefined {
  const ids = [hint ? `${id}-hint` : "", problem ? `${id}-error` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

export function ProblemText({ id, problem }: { id: string; problem: Problem | undefined }) {
  if (!problem) return null;
  return <p class="error field-error" id={`${id}-error`}>{t(problem.key, problem.vars)}</p>;
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  problem?: Problem | undefined;
  hint?: ComponentChildren;
  maxLength?: number;
  required?: boolean;
}

/** A text input with its visible label, an optional hint and the problem, if any. */
export function TextField({
  id, label, value, onInput, problem, hint, maxLength, required, type = "text", inputMode, autoComplete, min, max,
}: FieldProps & { type?: "text" | "tel" | "email" | "date" | "datetime-local" | "number"; inputMode?: "numeric" | "tel" | "email" | "text"; autoComplete?: string; min?: string | number; max?: string | number }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        maxLength={maxLength}
        required={required}
        inputMode={inputMode}
        autoComplete={autoComplete}
        min={min}
        max={max}
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={describedBy(id, Boolean(hint), Boolean(problem))}
      />
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      <ProblemText id={id} problem={problem} />
    </div>
  );
}

// Free text about a participant goes in a NoteField (./NoteField.tsx): a textarea with the
// warning against health information and a counter near the limit.

/** The record behind an edit screen: null while it loads, { record: undefined } when it is not there. */
export function useLoadedRecord<T>(load: () => Promise<T | undefined>, deps: unknown[]): { record: T | undefined } | null {
  return useLive(async () => ({ record: await load() }), deps, null as { record: T | undefined } | null);
}

// ---------------------------------------------------------------------------------------------
// The screen.

const STATUSES = ["active", "paused", "closed"] as const;
const ORDER = ["first_name", "last_name", "phone", "email", "status", "enrolled_on", "closed_on", "working_at_entry"] as const;
const idOf = (field: keyof ParticipantForm) => (field === "status" ? "participant-status-active" : `participant-${field.replace(/_/g, "-")}`);

export function EditParticipant({ id }: { id: string }) {
  const loaded = useLoadedRecord(() => viewRecord(db, "participants", id) as Promise<(Participant & { id: string }) | undefined>, [id]);
  if (loaded === null) return <p>{t("app.loading")}</p>;
  if (!loaded.record) {
    return (
      <>
        <Title>{t("participant.notFound")}</Title>
        <p><a href="#/participants">{t("nav.caseload")}</a></p>
      </>
    );
  }
  return <ParticipantEditForm key={id} id={id} participant={loaded.record} />;
}

function ParticipantEditForm({ id, participant }: { id: string; participant: Participant }) {
  // The form starts from the record as it was when the screen opened; a later sync does not
  // overwrite what the user is typing, and only what the user changed is sent.
  const [before] = useState(() => participantForm(participant));
  const [form, setForm] = useState(before);
  const [problems, setProblems] = useState<Problems<keyof ParticipantForm>>({});
  const [attempt, setAttempt] = useState(0);
  const [saving, setSaving] = useState(false);
  const [closedNote, setClosedNote] = useState<MessageKey | null>(null);
  const lastClosedOn = useRef(before.closed_on);
  const guard = useUnsavedChanges(!saving && JSON.stringify(form) !== JSON.stringify(before));
  useFocusFirstProblem(problems, ORDER, idOf, attempt);
  const back = places.back(`#/participants/${id}`);

  function set<K extends keyof ParticipantForm>(field: K, value: ParticipantForm[K]) {
    setForm((current) => ({ ...current, [field]: value }));
  }

  function setStatus(status: ParticipantForm["status"]) {
    if (status === form.status) return;
    if (status === "closed" && !form.closed_on) {
      // Suggest today (as the server would), or the date this form had before.
      setClosedNote(lastClosedOn.current ? null : "participantEdit.closedSuggested");
      setForm({ ...form, status, closed_on: lastClosedOn.current || todayOslo() });
    } else if (form.status === "closed" && form.closed_on) {
      // Back in the programme: a closing date would still count the participant as closed.
      lastClosedOn.current = form.closed_on;
      setClosedNote("participantEdit.closedCleared");
      setForm({ ...form, status, closed_on: "" });
    } else {
      setForm({ ...form, status });
    }
  }

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    const found = validateParticipant(form);
    setProblems(found);
    if (hasProblems(found)) {
      setAttempt((n) => n + 1);
      return;
    }
    setSaving(true);
    const token = await updateParticipant(id, before, form);
    const name = fullName({ first_name: form.first_name.trim(), last_name: form.last_name.trim() });
    if (token) showSnack(t("participantEdit.saved", { name }), () => undoChange(token));
    else showSnack(t("form.noChanges"));
    guard.leave(back);
  }

  return (
    <>
      <Title>{t("participantEdit.title", { name: fullName(participant) })}</Title>
      <form class="form" onSubmit={save} noValidate>
        <TextField id={idOf("first_name")} label={t("participantEdit.firstName")} value={form.first_name} onInput={(v) => set("first_name", v)} problem={problems.first_name} maxLength={PERSON_NAME_MAX} required autoComplete="off" />
        <TextField id={idOf("last_name")} label={t("participantEdit.lastName")} value={form.last_name} onInput={(v) => set("last_name", v)} problem={problems.last_name} maxLength={PERSON_NAME_MAX} required autoComplete="off" />
        <TextField id={idOf("phone")} type="tel" label={t("participantEdit.phone")} value={form.phone} onInput={(v) => set("phone", v)} problem={problems.phone} maxLength={30} autoComplete="off" />
        <TextField id={idOf("email")} type="email" label={t("participantEdit.email")} value={form.email} onInput={(v) => set("email", v)} problem={problems.email} maxLength={254} autoComplete="off" />
        <fieldset class="field choices">
          <legend>{t("participantEdit.status")}</legend>
          {STATUSES.map((status) => (
            <label key={status} class="choice">
              <input id={`participant-status-${status}`} type="radio" name="participant-status" value={status} checked={form.status === status} onChange={() => setStatus(status)} />
              {tEnum("participantStatus", status)}
            </label>
          ))}
        </fieldset>
        <TextField id={idOf("enrolled_on")} type="date" label={t("participantEdit.enrolledOn")} value={form.enrolled_on} onInput={(v) => set("enrolled_on", v)} problem={problems.enrolled_on} required min="1900-01-01" max="2999-12-31" />
        <TextField
          id={idOf("closed_on")}
          type="date"
          label={t("participantEdit.closedOn")}
          value={form.closed_on}
          onInput={(v) => {
            setClosedNote(null);
            set("closed_on", v);
          }}
          problem={problems.closed_on}
          min={form.enrolled_on || "1900-01-01"}
          max="2999-12-31"
          hint={
            <>
              {t("participantEdit.closedOnHint")} <span role="status">{closedNote ? t(closedNote) : ""}</span>
            </>
          }
        />
        <div class="field">
          <label class="choice" for={idOf("working_at_entry")}>
            <input id={idOf("working_at_entry")} type="checkbox" checked={form.working_at_entry} onChange={(e) => set("working_at_entry", e.currentTarget.checked)} />
            {t("participantEdit.workingAtEntry")}
          </label>
        </div>
        <div class="row form-buttons">
          <button type="submit" class="button primary" disabled={saving}>{t("form.saveChanges")}</button>
          <a class="button" href={back}>{t("common.cancel")}</a>
        </div>
      </form>
      <section class="card closing-link" aria-labelledby="closing-link-title">
        <h2 id="closing-link-title">{t("closing.sectionTitle")}</h2>
        <p>{isActive(participant) ? t("closing.sectionActive") : t("closing.sectionClosed")}</p>
        <a class="button" href={`#/participants/${id}/close`}>{isActive(participant) ? t("closing.link") : t("closing.reopenLink")}</a>
      </section>
    </>
  );
}
