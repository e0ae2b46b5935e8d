/**
 * Log an employer contact in three taps: "Logg arbeidsgiverkontakt", an employer (recent first,
 * searchable offline), "Lagre". Face to face and now are the defaults; when it happened can be
 * set back (within the server's bound). A participant can be named only when their latest
 * consent to employer contact is granted. The same form corrects or removes a logged contact.
 */
import { useState } from "preact/hooks";
import { type ContactFormValues, contactFormOf, deleteContact, logEmployerContact, undoChange, updateContact } from "../actions";
import { db, showSnack } from "../app";
import { places, useUnsavedChanges } from "../formGuard";
import { t } from "../i18n";
import { viewRecord } from "../outbox";
import { caseload, employersRecentFirst, fullName, isActive, matchesSearch, withEmployerConsent } from "../queries";
import { NOTE_MAX, TITLE_MAX } from "../limits";
import { type WhenRule, whenRule } from "../settings";
import type { RecordOf, SignedInUser } from "../types";
import { Empty, Title, useRecords } from "./common";
import { type Problems, ProblemText, TextField, hasProblems, tooLong, useFocusFirstProblem, useLoadedRecord, withoutEmpty } from "./EditParticipant";
import { NoteField } from "./NoteField";
import { WhenField, checkWhen, useServerSettings } from "./WhenField";

export function LogContact({ user, employerId }: { user: SignedInUser; employerId: string | undefined }) {
  return employerId ? <NewContact key={employerId} user={user} employerId={employerId} /> : <EmployerPicker user={user} />;
}

function EmployerPicker({ user }: { user: SignedInUser }) {
  const employers = useRecords("employers");
  const contacts = useRecords("employer_contacts");
  const [query, setQuery] = useState("");
  const ordered = employersRecentFirst(employers, contacts, user.id ?? "");
  const shown = ordered.filter((e) => matchesSearch(`${e.name ?? ""} ${e.industry ?? ""} ${e.org_number ?? ""}`, query));
  return (
    <>
      <Title>{t("contact.title")}</Title>
      <div class="field">
        <label for="employer-search">{t("contact.search")}</label>
        <input id="employer-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} autoComplete="off" />
      </div>
      <h2 class="sr-only">{t("contact.pickEmployer")}</h2>
      {employers.length === 0 && <Empty>{t("contact.noEmployers")}</Empty>}
      {employers.length > 0 && shown.length === 0 && <Empty>{t("common.noMatch")}</Empty>}
      <ul class="list pick">
        {shown.slice(0, 50).map((e) => (
          <li key={e.id}>
            <a href={`#/log-contact/${e.id}`}>
              <strong>{e.name}</strong>
              {e.industry && <span>{e.industry}</span>}
            </a>
          </li>
        ))}
      </ul>
      <p>
        <a class="button" href={`#/employers/new?return=contact&name=${encodeURIComponent(query)}`}>{t("employers.new")}</a>
      </p>
    </>
  );
}

export type ContactProblems = Problems<"when" | "employer_id" | "purpose" | "notes">;

/**
 * The server's rules for a contact. `loggedAt`: when it is (or was first) logged; the time is
 * checked only when it is new or changed, as the server does.
 */
export function validateContact(form: ContactFormValues, rule: WhenRule, loggedAt: Date, now: Date, timeChanged: boolean): ContactProblems {
  return withoutEmpty({
    when: timeChanged ? checkWhen(form.when, rule, loggedAt, now) : undefined,
    employer_id: form.employer_id ? undefined : { key: "activityEdit.needEmployer" },
    purpose: tooLong(form.purpose, TITLE_MAX),
    notes: tooLong(form.notes, NOTE_MAX),
  });
}

const ORDER = ["when", "employer_id", "purpose", "notes"] as const;
const idOf = (field: (typeof ORDER)[number]) => (field === "when" ? "contact-when-date" : `contact-${field.replace(/_/g, "-")}`);

function sameWhen(a: ContactFormValues, b: ContactFormValues): boolean {
  return a.when.date === b.when.date && a.when.time === b.when.time;
}

function NewContact({ user, employerId }: { user: SignedInUser; employerId: string }) {
  const [initial] = useState(() => ({ ...contactFormOf(undefined), employer_id: employerId }));
  return <ContactForm user={user} initial={initial} />;
}

/** Correct or remove a contact the user logged. */
export function EditContact({ user, id }: { user: SignedInUser; id: string }) {
  const loaded = useLoadedRecord(() => viewRecord(db, "employer_contacts", id) as Promise<RecordOf<"employer_contacts"> | undefined>, [id]);
  if (loaded === null) return <p>{t("app.loading")}</p>;
  const contact = loaded.record;
  if (!contact || (contact.specialist_id && contact.specialist_id !== user.id)) {
    return (
      <>
        <Title>{t("activityEdit.contactNotFound")}</Title>
        <p><a href={places.back("#/employers")}>{t("activityEdit.back")}</a></p>
      </>
    );
  }
  return <ContactForm key={id} user={user} initial={contactFormOf(contact)} contact={contact} />;
}

type RemoteMode = ContactFormValues["remote_mode"];

function ContactForm({ user, initial, contact }: { user: SignedInUser; initial: ContactFormValues; contact?: RecordOf<"employer_contacts"> }) {
  const employers = useRecords("employers");
  const contacts = useRecords("employer_contacts");
  const participants = useRecords("participants");
  const consents = useRecords("consents");
  const settings = useServerSettings();
  const [before] = useState(initial);
  const [form, setForm] = useState(initial);
  const [problems, setProblems] = useState<ContactProblems>({});
  const [attempt, setAttempt] = useState(0);
  const [saving, setSaving] = useState(false);
  const [openedAt] = useState(() => new Date());
  const editing = contact !== undefined;
  const dirty = JSON.stringify(form) !== JSON.stringify(before);
  const guard = useUnsavedChanges(dirty && !saving);
  useFocusFirstProblem(problems, ORDER, idOf, attempt);
  const rule = whenRule(settings, false);
  // A new contact is logged when it is saved; an edit is judged from when it was first logged.
  const loggedAt = contact ? new Date(contact.logged_at ?? contact.created_at ?? openedAt) : openedAt;
  const employer = employers.find((e) => e.id === form.employer_id);
  const consented = withEmployerConsent(consents);
  const eligible = caseload(participants, user.id ?? "").filter((p) => isActive(p) && consented.has(p.id));
  const named = participants.find((p) => p.id === form.participant_id);
  if (named && !eligible.includes(named)) eligible.unshift(named); // as logged, even if consent has changed since
  const fallback = editing ? `#/employers/${before.employer_id}` : "#/today";

  function set<K extends keyof ContactFormValues>(field: K, value: ContactFormValues[K]) {
    setForm((current) => ({ ...current, [field]: value }));
  }

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    const now = new Date();
    const found = validateContact(form, rule, editing ? loggedAt : now, now, !editing || !sameWhen(form, before));
    setProblems(found);
    if (hasProblems(found)) {
      setAttempt((n) => n + 1);
      return;
    }
    setSaving(true);
    const name = employer?.name ?? "";
    if (contact) {
      const token = await updateContact(contact.id, before, form);
      if (token) showSnack(t("activityEdit.contactSaved", { name }), () => undoChange(token));
      else showSnack(t("form.noChanges"));
    } else {
      const token = await logEmployerContact(form, user.id ?? "", now);
      showSnack(t("contact.saved", { name }), () => undoChange(token));
    }
    guard.leave(places.back(fallback));
  }

  async function remove() {
    if (!contact || saving) return;
    setSaving(true);
    const token = await deleteContact(contact.id);
    showSnack(t("activityEdit.contactDeleted", { name: employer?.name ?? "" }), () => undoChange(token));
    guard.leave(places.back(fallback));
  }

  const title = editing ? t("activityEdit.contactTitle", { name: employer?.name ?? "" }) : t("contact.formTitle", { name: employer?.name ?? "" });
  return (
    <>
      <Title>{title}</Title>
      <form class="form" onSubmit={save} noValidate>
        <WhenField
          id="contact-when"
          legend={t("when.contactLegend")}
          value={form.when}
          onChange={(when) => set("when", when)}
          rule={rule}
          loggedAt={loggedAt}
          problem={problems.when}
        />
        {editing && (
          <div class="field">
            <label for="contact-employer-id">{t("jobs.employer")}</label>
            <select
              id="contact-employer-id"
              value={form.employer_id}
              onChange={(e) => set("employer_id", e.currentTarget.value)}
              aria-invalid={problems.employer_id ? "true" : undefined}
              aria-describedby={problems.employer_id ? "contact-employer-id-error" : undefined}
            >
              {!employer && <option value={form.employer_id}>{t("activityEdit.unknownEmployer")}</option>}
              {employersRecentFirst(employers, contacts, user.id ?? "").map((e) => (
                <option key={e.id} value={e.id}>{e.name}</option>
              ))}
            </select>
            <ProblemText id="contact-employer-id" problem={problems.employer_id} />
          </div>
        )}
        <div class="field switch">
          <input id="contact-f2f" type="checkbox" role="switch" checked={form.face_to_face} onChange={(e) => set("face_to_face", e.currentTarget.checked)} />
          <label for="contact-f2f">{t("contact.faceToFace")}</label>
        </div>
        {!form.face_to_face && (
          <fieldset class="field choices">
            <legend>{t("contact.how")}</legend>
            {(["phone", "email", "video"] as RemoteMode[]).map((m) => (
              <label key={m} class="choice">
                <input type="radio" name="contact-mode" value={m} checked={form.remote_mode === m} onChange={() => set("remote_mode", m)} />
                {t(`mode.${m}`)}
              </label>
            ))}
          </fieldset>
        )}
        <div class="field">
          <label for="contact-participant">{t("contact.participant")}</label>
          <select id="contact-participant" value={form.participant_id} onChange={(e) => set("participant_id", e.currentTarget.value)}>
            <option value="">{t("contact.noParticipant")}</option>
            {eligible.map((p) => (
              <option key={p.id} value={p.id}>{fullName(p)}</option>
            ))}
          </select>
          <p class="hint">{t("contact.consentHint")}</p>
        </div>
        <TextField id="contact-purpose" label={t("contact.purpose")} value={form.purpose} onInput={(v) => set("purpose", v)} problem={problems.purpose} maxLength={TITLE_MAX} />
        <NoteField id="contact-notes" label={t("contact.notes")} value={form.notes} onInput={(v) => set("notes", v)} problem={problems.notes} maxLength={NOTE_MAX} />
        <div class="row form-buttons">
          <button type="submit" class="button primary" disabled={saving || (!editing && !employer)}>{editing ? t("form.saveChanges") : t("common.save")}</button>
          {editing ? (
            <a class="button" href={places.back(fallback)}>{t("common.cancel")}</a>
          ) : (
            <a class="button" href="#/log-contact">{t("contact.otherEmployer")}</a>
          )}
        </div>
        {editing && (
          <button type="button" class="button danger" disabled={saving} onClick={remove}>{t("activityEdit.deleteContact")}</button>
        )}
      </form>
    </>
  );
}
