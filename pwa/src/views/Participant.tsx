/** One participant: plan, meetings, job matches, consents and history. */
import { db } from "../app";
import { recordConsent } from "../actions";
import { showSnack } from "../app";
import { useLive } from "../hooks";
import { t, formatDate, formatDateTime, tEnum } from "../i18n";
import { viewRecord } from "../outbox";
import { byParticipant, currentConsents, fullName } from "../queries";
import type { Participant, SignedInUser } from "../types";
import { AddGoalForm, AddStepForm, Plan } from "./Plan";
import { CareerProfileSummary } from "./CareerProfile";
import { Empty, JobMatchList, Title, byId, useRecords } from "./common";

const COUNTERPARTS = ["employers", "therapist", "nav"] as const;

export function ParticipantView({ id }: { id: string; user: SignedInUser }) {
  const participant = useLive(() => viewRecord(db, "participants", id), [id], undefined) as (Participant & { id: string }) | undefined;
  const goals = useLive(() => byParticipant(db, "plan_goals", id), [id], []);
  const steps = useLive(() => byParticipant(db, "plan_steps", id), [id], []);
  const meetings = useLive(() => byParticipant(db, "meetings", id), [id], []);
  const matches = useLive(() => byParticipant(db, "job_matches", id), [id], []);
  const consents = useLive(() => byParticipant(db, "consents", id), [id], []);
  const contacts = useLive(() => byParticipant(db, "employer_contacts", id), [id], []);
  const employers = byId(useRecords("employers"));

  if (!participant) {
    return (
      <>
        <Title>{t("participant.notFound")}</Title>
        <p><a href="#/participants">{t("nav.caseload")}</a></p>
      </>
    );
  }
  const now = Date.now();
  const upcoming = meetings.filter((m) => Date.parse(m.starts_at) >= now).sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  const consentNow = currentConsents(consents);
  const history = [
    ...meetings
      .filter((m) => Date.parse(m.starts_at) < now)
      .map((m) => ({ at: m.starts_at, key: `m${m.id}`, text: `${t("history.meeting")}: ${tEnum("kind", m.kind)} · ${tEnum("setting", m.setting)} · ${t("history.minutes", { count: m.duration_minutes })}` })),
    ...contacts.map((c) => ({ at: c.contacted_at, key: `c${c.id}`, text: `${t("history.contact")}: ${employers.get(c.employer_id)?.name ?? ""} · ${tEnum("mode", c.mode ?? "in_person")}` })),
  ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));

  return (
    <>
      <Title>{fullName(participant)}</Title>
      <p class="muted">
        {tEnum("participantStatus", participant.status ?? "active")} · {t("participant.enrolled", { date: formatDate(participant.enrolled_on) })}
      </p>
      <div class="row actions">
        <a class="button primary" href={`#/log-meeting?participant=${id}`}>{t("nav.logMeeting")}</a>
        <a class="button" href="#/log-contact">{t("nav.logContact")}</a>
        <a class="button" href={`#/participants/${id}/edit`}>{t("participantEdit.link")}</a>
      </div>
      <section class="card">
        <h2>{t("plan.title")}</h2>
        <Plan goals={goals} steps={steps} viewer="specialist" />
        <AddStepForm participantId={id} goals={goals} />
        <AddGoalForm participantId={id} />
      </section>
      <CareerProfileSummary participantId={id} />
      <section class="card">
        <h2>{t("participant.upcoming")}</h2>
        {upcoming.length === 0 ? (
          <Empty>{t("participant.noUpcoming")}</Empty>
        ) : (
          <ul class="list plain">
            {upcoming.map((m) => (
              <li key={m.id}>{formatDateTime(m.starts_at)} · {tEnum("kind", m.kind)} · {tEnum("setting", m.setting)}</li>
            ))}
          </ul>
        )}
      </section>
      <section class="card">
        <h2>{t("participant.jobMatches")}</h2>
        <JobMatchList matches={matches} empty="jobs.emptyForParticipant" />
      </section>
      <section class="card">
        <h2>{t("participant.consents")}</h2>
        <ul class="list plain">
          {COUNTERPARTS.map((counterpart) => {
            const consent = consentNow.get(counterpart);
            const granted = Boolean(consent?.granted);
            return (
              <li key={counterpart} class="consent">
                <span>
                  <strong>{tEnum("counterpart", counterpart)}</strong>:{" "}
                  {consent ? (granted ? t("consent.granted") : t("consent.withdrawn")) : t("consent.none")}
                  {consent?.recorded_at && <span class="muted"> ({formatDate(consent.recorded_at.slice(0, 10))})</span>}
                </span>
                <button
                  type="button"
                  class="button small"
                  onClick={async () => {
                    await recordConsent(id, counterpart, !granted);
                    showSnack(t("consent.recorded"));
                  }}
                >
                  {granted ? t("consent.withdraw", { counterpart: tEnum("counterpart", counterpart) }) : t("consent.grant", { counterpart: tEnum("counterpart", counterpart) })}
                </button>
              </li>
            );
          })}
        </ul>
      </section>
      <section class="card">
        <h2>{t("participant.history")}</h2>
        {history.length === 0 ? (
          <Empty>{t("participant.noHistory")}</Empty>
        ) : (
          <ul class="list plain">
            {history.slice(0, 30).map((h) => (
              <li key={h.key}>
                <span class="muted">{formatDateTime(h.at)}</span> {h.text}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
