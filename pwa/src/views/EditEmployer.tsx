/** Change an employer the team shares: name, organisation number, industry, address, contact, notes. */
import { useState } from "preact/hooks";
import { db, showSnack } from "../app";
import { type EmployerForm, employerFields, employerForm, undoChange, updateEmployer } from "../actions";
import { places, useUnsavedChanges } from "../formGuard";
import { t } from "../i18n";
import { viewRecord } from "../outbox";
import type { Employer } from "../types";
import { Title, useRecords } from "./common";
import { validOrgNumber } from "./Employers";
import { LONG_TEXT_MAX } from "../limits";
import { type Problems, TextField, hasProblems, tooLong, useFocusFirstProblem, useLoadedRecord, withoutEmpty } from "./EditParticipant";
import { NoteField } from "./NoteField";

/** Another employer of the team with this organisation number (the server refuses a second one). */
export interface NamedEmployer {
  id: string;
  name?: string | null;
  org_number?: string | null;
  deleted_at?: string | null;
}

/** The server's rules for an employer (api/employers/schemas.py and rules.py). */
export function validateEmployer(form: EmployerForm, others: NamedEmployer[] = [], selfId = ""): Problems<keyof EmployerForm> {
  const fields = employerFields(form);
  const org = (fields.org_number as string | null) ?? "";
  const problems: Problems<keyof EmployerForm> = {
    name: form.name.trim() ? tooLong(form.name, 200) : { key: "employers.needName" },
    industry: tooLong(form.industry, 100),
    address: tooLong(form.address, 300),
    contact_person: tooLong(form.contact_person, 200),
    phone: tooLong(form.phone, 30),
    notes: tooLong(form.notes, LONG_TEXT_MAX),
  };
  if (org && !validOrgNumber(org)) problems.org_number = { key: "employers.badOrgNumber" };
  else if (org) {
    const taken = others.find((e) => e.id !== selfId && !e.deleted_at && e.org_number === org);
    if (taken) problems.org_number = { key: "employerEdit.orgTaken", vars: { name: taken.name ?? "" } };
  }
  return withoutEmpty(problems);
}

const ORDER = ["name", "org_number", "industry", "address", "contact_person", "phone", "notes"] as const;
const idOf = (field: keyof EmployerForm) => `employer-edit-${field.replace(/_/g, "-")}`;

export function EditEmployer({ id }: { id: string }) {
  const loaded = useLoadedRecord(() => viewRecord(db, "employers", id) as Promise<(Employer & { id: string }) | undefined>, [id]);
  if (loaded === null) return <p>{t("app.loading")}</p>;
  if (!loaded.record) {
    return (
      <>
        <Title>{t("employerEdit.notFound")}</Title>
        <p><a href="#/employers">{t("nav.employers")}</a></p>
      </>
    );
  }
  return <EmployerEditForm key={id} id={id} employer={loaded.record} />;
}

function EmployerEditForm({ id, employer }: { id: string; employer: Employer }) {
  const employers = useRecords("employers");
  const [before] = useState(() => employerForm(employer));
  const [form, setForm] = useState(before);
  const [problems, setProblems] = useState<Problems<keyof EmployerForm>>({});
  const [attempt, setAttempt] = useState(0);
  const [saving, setSaving] = useState(false);
  const guard = useUnsavedChanges(!saving && JSON.stringify(form) !== JSON.stringify(before));
  useFocusFirstProblem(problems, ORDER, idOf, attempt);
  const back = places.back(`#/employers/${id}`);

  function field(name: keyof EmployerForm) {
    return { id: idOf(name), value: form[name], problem: problems[name], onInput: (value: string) => setForm((f) => ({ ...f, [name]: value })) };
  }

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    const found = validateEmployer(form, employers, id);
    setProblems(found);
    if (hasProblems(found)) {
      setAttempt((n) => n + 1);
      return;
    }
    setSaving(true);
    const token = await updateEmployer(id, before, form);
    if (token) showSnack(t("employerEdit.saved", { name: form.name.trim() }), () => undoChange(token));
    else showSnack(t("form.noChanges"));
    guard.leave(back);
  }

  return (
    <>
      <Title>{t("employerEdit.title", { name: employer.name ?? "" })}</Title>
      <form class="form" onSubmit={save} noValidate>
        <TextField {...field("name")} label={t("employers.name")} maxLength={200} required autoComplete="off" />
        <TextField {...field("org_number")} label={t("employers.orgNumber")} inputMode="numeric" maxLength={11} autoComplete="off" hint={t("employerEdit.orgNumberHint")} />
        <TextField {...field("industry")} label={t("employers.industry")} maxLength={100} autoComplete="off" />
        <TextField {...field("address")} label={t("employerEdit.address")} maxLength={300} autoComplete="off" />
        <TextField {...field("contact_person")} label={t("employers.contactPerson")} maxLength={200} autoComplete="off" />
        <TextField {...field("phone")} type="tel" label={t("employers.phone")} maxLength={30} autoComplete="off" />
        <NoteField {...field("notes")} label={t("employerEdit.notes")} maxLength={LONG_TEXT_MAX} hint={t("employerEdit.notesHint", { max: LONG_TEXT_MAX })} />
        <div class="row form-buttons">
          <button type="submit" class="button primary" disabled={saving}>{t("form.saveChanges")}</button>
          <a class="button" href={back}>{t("common.cancel")}</a>
        </div>
      </form>
    </>
  );
}
