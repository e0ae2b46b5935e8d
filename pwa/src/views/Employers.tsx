/** The team's employers: search, and add one (organisation number checked with modulus 11). */
import { useState } from "preact/hooks";
import { addEmployer } from "../actions";
import { showSnack } from "../app";
import { useUnsavedChanges } from "../formGuard";
import { t, formatDate } from "../i18n";
import { employersRecentFirst, matchesSearch } from "../queries";
import { osloDate } from "../time";
import type { SignedInUser } from "../types";
import { Empty, Title, useRecords } from "./common";

/** Norwegian organisation number: 9 digits, modulus-11 check digit (weights 3 2 7 6 5 4 3 2). */
export function validOrgNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const weights = [3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(value[i]), 0);
  const rest = sum % 11;
  const check = rest === 0 ? 0 : 11 - rest;
  return check !== 10 && check === Number(value[8]);
}

export function Employers({ user }: { user: SignedInUser }) {
  const employers = useRecords("employers");
  const contacts = useRecords("employer_contacts");
  const [query, setQuery] = useState("");
  const last = new Map<string, string>();
  for (const c of contacts) if ((c.contacted_at ?? "") > (last.get(c.employer_id) ?? "")) last.set(c.employer_id, c.contacted_at);
  const shown = employersRecentFirst(employers, contacts, user.id ?? "").filter((e) =>
    matchesSearch(`${e.name ?? ""} ${e.industry ?? ""} ${e.org_number ?? ""}`, query),
  );
  return (
    <>
      <Title>{t("employers.title")}</Title>
      <p><a class="button primary" href="#/employers/new">{t("employers.new")}</a></p>
      <div class="field">
        <label for="employers-search">{t("employers.search")}</label>
        <input id="employers-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </div>
      {employers.length === 0 ? (
        <Empty>{t("employers.empty")}</Empty>
      ) : shown.length === 0 ? (
        <Empty>{t("common.noMatch")}</Empty>
      ) : (
        <ul class="list">
          {shown.map((e) => (
            <li key={e.id} class="with-action">
              <a href={`#/employers/${e.id}`}>
                <strong>{e.name}</strong>
                <span>
                  {[e.industry, e.contact_person, last.has(e.id) ? t("employers.lastContact", { date: formatDate(osloDate(last.get(e.id)!)) }) : null]
                    .filter(Boolean)
                    .join(" · ")}
                </span>
              </a>
              <a class="row-action" href={`#/log-contact/${e.id}`} aria-label={t("employerPage.logContactNamed", { name: e.name ?? "" })}>{t("employerPage.newContact")}</a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function NewEmployer({ returnTo, name: initialName }: { returnTo: string | undefined; name: string }) {
  const [name, setName] = useState(initialName);
  const [orgNumber, setOrgNumber] = useState("");
  const [industry, setIndustry] = useState("");
  const [contactPerson, setContactPerson] = useState("");
  const [phone, setPhone] = useState("");
  const [error, setError] = useState("");
  const [saving, setSaving] = useState(false);
  const guard = useUnsavedChanges(!saving && [name.trim() === initialName.trim() ? "" : name, orgNumber, industry, contactPerson, phone].some((v) => v.trim() !== ""));

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    const org = orgNumber.replace(/\s/g, "");
    if (!name.trim()) return setError(t("employers.needName"));
    if (org && !validOrgNumber(org)) return setError(t("employers.badOrgNumber"));
    setSaving(true);
    const token = await addEmployer({ name, org_number: org, industry, contact_person: contactPerson, phone });
    showSnack(t("employers.saved", { name: name.trim() }));
    guard.leave(returnTo === "contact" ? `#/log-contact/${token.id}` : `#/employers/${token.id}`);
  }

  return (
    <>
      <Title>{t("employers.newTitle")}</Title>
      <form class="form" onSubmit={save} noValidate>
        <div class="field">
          <label for="employer-name">{t("employers.name")}</label>
          <input id="employer-name" type="text" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="employer-org">{t("employers.orgNumber")}</label>
          <input id="employer-org" type="text" inputMode="numeric" maxLength={11} value={orgNumber} onInput={(e) => setOrgNumber(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="employer-industry">{t("employers.industry")}</label>
          <input id="employer-industry" type="text" maxLength={100} value={industry} onInput={(e) => setIndustry(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="employer-contact">{t("employers.contactPerson")}</label>
          <input id="employer-contact" type="text" maxLength={200} value={contactPerson} onInput={(e) => setContactPerson(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="employer-phone">{t("employers.phone")}</label>
          <input id="employer-phone" type="tel" maxLength={30} value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
        </div>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="button primary" disabled={saving}>{t("employers.save")}</button>
      </form>
    </>
  );
}
