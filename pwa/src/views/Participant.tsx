/** One participant: plan, meetings, job matches, consents and history. */
import { db } from "../app";
import { useLive } from "../hooks";
import { t, formatDate, tEnum } from "../i18n";
import { viewRecord } from "../outbox";
import { byParticipant, fullName } from "../queries";
import type { Participant, SignedInUser } from "../types";
import { AddGoalForm, AddStepForm, Plan } from "./Plan";
import { CareerProfileSummary } from "./CareerProfile";
import { ConsentPanel } from "./ConsentPanel";
import { ActivityList, JobMatchList, ShowMore, Title, byId, contactRow, meetingRow, newestActivityFirst, usePaged, useRecords } from "./common";

/** How much history shows at first, and how much more each "Vis flere" adds. */
const HISTORY_PAGE = 30;

export function ParticipantView({ id, user }: { id: string; user: SignedInUser }) {
  const participant = useLive(() => viewRecord(db, "participants", id), [id], undefined) as (Participant & { id: string }) | undefined;
  const goals = useLive(() => byParticipant(db, "plan_goals", id), [id], []);
  const steps = useLive(() => byParticipant(db, "plan_steps", id), [id], []);
  const meetings = useLive(() => byParticipant(db, "meetings", id), [id], []);
  const matches = useLive(() => byParticipant(db, "job_matches", id), [id], []);
  const contacts = useLive(() => byParticipant(db, "employer_contacts", id), [id], []);
  const employers = byId(useRecords("employers"));
  const now = Date.now();
  const people = new Map(participant ? [[participant.id, participant]] : []);
  const history = newestActivityFirst([
    ...meetings.filter((m) => Date.parse(m.starts_at) < now).map((m) => meetingRow(m, people, user.id, "participant")),
    ...contacts.map((c) => contactRow(c, employers, people, user.id, "participant")),
  ]);
  const historyPage = usePaged(history, HISTORY_PAGE);

  if (!participant) {
    return (
      <>
        <Title>{t("participant.notFound")}</Title>
        <p><a href="#/participants">{t("nav.caseload")}</a></p>
      </>
    );
  }
  const upcoming = meetings.filter((m) => Date.parse(m.starts_at) >= now).sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));

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
        <ActivityList rows={upcoming.map((m) => meetingRow(m, people, user.id, "participant"))} empty={t("participant.noUpcoming")} />
      </section>
      <section class="card">
        <h2>{t("participant.jobMatches")}</h2>
        <JobMatchList matches={matches} empty="jobs.emptyForParticipant" />
      </section>
      <ConsentPanel participantId={id} />
      <section class="card">
        <h2>{t("participant.history")}</h2>
        <ActivityList rows={historyPage.shown} empty={t("participant.noHistory")} />
        <ShowMore more={historyPage.more} onClick={historyPage.showMore} />
      </section>
    </>
  );
}
