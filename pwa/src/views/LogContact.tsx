/**
 * Log an employer contact in three taps: the floating button, an employer (recent first,
 * searchable offline), "Lagre". Face to face is the default; a participant can be named only
 * when their latest consent to employer contact is granted.
 */
import { useState } from "preact/hooks";
import { logEmployerContact, undoChange } from "../actions";
import { showSnack } from "../app";
import { navigate } from "../hooks";
import { t } from "../i18n";
import { caseload, employersRecentFirst, fullName, isActive, matchesSearch, withEmployerConsent } from "../queries";
import { NOTE_MAX, TITLE_MAX } from "../limits";
import type { EmployerContact, SignedInUser } from "../types";
import { Empty, Title, useRecords } from "./common";
import { NoteField } from "./NoteField";

export function LogContact({ user, employerId }: { user: SignedInUser; employerId: string | undefined }) {
  return employerId ? <ContactForm user={user} employerId={employerId} /> : <EmployerPicker user={user} />;
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

type RemoteMode = "phone" | "email" | "video";

function ContactForm({ user, employerId }: { user: SignedInUser; employerId: string }) {
  const employers = useRecords("employers");
  const participants = useRecords("participants");
  const consents = useRecords("consents");
  const [faceToFace, setFaceToFace] = useState(true);
  const [remoteMode, setRemoteMode] = useState<RemoteMode>("phone");
  const [participantId, setParticipantId] = useState("");
  const [purpose, setPurpose] = useState("");
  const [notes, setNotes] = useState("");
  const [saving, setSaving] = useState(false);
  const employer = employers.find((e) => e.id === employerId);
  const consented = withEmployerConsent(consents);
  const eligible = caseload(participants, user.id ?? "").filter((p) => isActive(p) && consented.has(p.id));

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    setSaving(true);
    const mode: NonNullable<EmployerContact["mode"]> = faceToFace ? "in_person" : remoteMode;
    const token = await logEmployerContact(
      { employer_id: employerId, mode, participant_id: participantId || null, purpose, notes },
      user.id ?? "",
    );
    showSnack(t("contact.saved", { name: employer?.name ?? "" }), () => undoChange(token));
    navigate("#/today");
  }

  return (
    <>
      <Title>{t("contact.formTitle", { name: employer?.name ?? "" })}</Title>
      <form class="form" onSubmit={save}>
        <div class="field switch">
          <input id="contact-f2f" type="checkbox" role="switch" checked={faceToFace} onChange={(e) => setFaceToFace(e.currentTarget.checked)} />
          <label for="contact-f2f">{t("contact.faceToFace")}</label>
        </div>
        {!faceToFace && (
          <fieldset class="field choices">
            <legend>{t("contact.how")}</legend>
            {(["phone", "email", "video"] as RemoteMode[]).map((m) => (
              <label key={m} class="choice">
                <input type="radio" name="contact-mode" value={m} checked={remoteMode === m} onChange={() => setRemoteMode(m)} />
                {t(`mode.${m}`)}
              </label>
            ))}
          </fieldset>
        )}
        <div class="field">
          <label for="contact-participant">{t("contact.participant")}</label>
          <select id="contact-participant" value={participantId} onChange={(e) => setParticipantId(e.currentTarget.value)}>
            <option value="">{t("contact.noParticipant")}</option>
            {eligible.map((p) => (
              <option key={p.id} value={p.id}>{fullName(p)}</option>
            ))}
          </select>
          <p class="hint">{t("contact.consentHint")}</p>
        </div>
        <div class="field">
          <label for="contact-purpose">{t("contact.purpose")}</label>
          <input id="contact-purpose" type="text" maxLength={TITLE_MAX} value={purpose} onInput={(e) => setPurpose(e.currentTarget.value)} />
        </div>
        <NoteField id="contact-notes" label={t("contact.notes")} value={notes} onInput={setNotes} maxLength={NOTE_MAX} />
        <button type="submit" class="button primary" disabled={saving || !employer}>{t("common.save")}</button>
        <a class="button" href="#/log-contact">{t("contact.otherEmployer")}</a>
      </form>
    </>
  );
}
