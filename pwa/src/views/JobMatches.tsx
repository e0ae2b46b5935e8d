/** Job matches as a pipeline: lead → applied → interview → offer → hired → ended (or declined). */
import { useState } from "preact/hooks";
import { addJobMatch, setJobMatchStatus } from "../actions";
import { showSnack } from "../app";
import { t, tEnum } from "../i18n";
import { STATUSES, fullName, isActive, withEmployerConsent } from "../queries";
import type { JobMatch } from "../types";
import { Empty, Title, byId, useRecords } from "./common";

export function JobMatches() {
  const matches = useRecords("job_matches");
  const participants = useRecords("participants");
  const employers = useRecords("employers");
  const people = byId(participants);
  const firms = byId(employers);
  return (
    <>
      <Title>{t("jobs.title")}</Title>
      <NewJobMatch />
      {matches.length === 0 && <Empty>{t("jobs.empty")}</Empty>}
      {STATUSES.map((status) => {
        const inStatus = matches.filter((m) => (m.status ?? "lead") === status);
        if (inStatus.length === 0) return null;
        return (
          <section key={status} class="card">
            <h2>{tEnum("jobStatus", status)} <span class="count">({inStatus.length})</span></h2>
            <ul class="list plain">
              {inStatus.map((m) => (
                <li key={m.id} class="match">
                  <div>
                    <strong>{m.job_title}</strong>
                    <span class="meta">{fullName(people.get(m.participant_id))} · {firms.get(m.employer_id)?.name ?? ""}{m.competitive === false ? ` · ${t("jobs.subsidised")}` : ""}</span>
                  </div>
                  <label class="inline-label" for={`status-${m.id}`}>
                    {t("jobs.status")}
                    <span class="sr-only"> {t("jobs.statusFor", { title: m.job_title })}</span>
                  </label>
                  <select
                    id={`status-${m.id}`}
                    value={m.status ?? "lead"}
                    onChange={async (e) => {
                      await setJobMatchStatus(m.id, e.currentTarget.value as JobMatch["status"]);
                      showSnack(t("jobs.moved"));
                    }}
                  >
                    {STATUSES.map((s) => (
                      <option key={s} value={s}>{tEnum("jobStatus", s)}</option>
                    ))}
                  </select>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}

function NewJobMatch() {
  const participants = useRecords("participants");
  const employers = useRecords("employers");
  const consents = useRecords("consents");
  const [open, setOpen] = useState(false);
  const [participant, setParticipant] = useState("");
  const [employer, setEmployer] = useState("");
  const [title, setTitle] = useState("");
  const [competitive, setCompetitive] = useState(true);
  const consented = withEmployerConsent(consents);
  const eligible = participants.filter((p) => isActive(p) && consented.has(p.id));
  if (!open) {
    return <p><button type="button" class="button primary" onClick={() => setOpen(true)}>{t("jobs.new")}</button></p>;
  }
  async function save(event: Event) {
    event.preventDefault();
    if (!participant || !employer || !title.trim()) return;
    await addJobMatch({ participant_id: participant, employer_id: employer, job_title: title, competitive });
    showSnack(t("jobs.saved"));
    setOpen(false);
    setTitle("");
  }
  return (
    <form class="form card" onSubmit={save}>
      <h2>{t("jobs.new")}</h2>
      <div class="field">
        <label for="job-participant">{t("meeting.participant")}</label>
        <select id="job-participant" required value={participant} onChange={(e) => setParticipant(e.currentTarget.value)}>
          <option value="">{t("meeting.chooseParticipant")}</option>
          {eligible.map((p) => (
            <option key={p.id} value={p.id}>{fullName(p)}</option>
          ))}
        </select>
        <p class="hint">{t("contact.consentHint")}</p>
      </div>
      <div class="field">
        <label for="job-employer">{t("jobs.employer")}</label>
        <select id="job-employer" required value={employer} onChange={(e) => setEmployer(e.currentTarget.value)}>
          <option value="">{t("jobs.chooseEmployer")}</option>
          {[...employers].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "", "nb")).map((e) => (
            <option key={e.id} value={e.id}>{e.name}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="job-title">{t("jobs.jobTitle")}</label>
        <input id="job-title" type="text" required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </div>
      <div class="field switch">
        <input id="job-competitive" type="checkbox" checked={competitive} onChange={(e) => setCompetitive(e.currentTarget.checked)} />
        <label for="job-competitive">{t("jobs.competitive")}</label>
      </div>
      <div class="row">
        <button type="submit" class="button primary">{t("common.save")}</button>
        <button type="button" class="button" onClick={() => setOpen(false)}>{t("common.cancel")}</button>
      </div>
    </form>
  );
}
