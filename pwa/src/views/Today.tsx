/** The specialist's day: upcoming meetings, the work done today, plan steps due, participants not met for 14 days. */
import { t, tCount, formatDate, formatDateTime, tEnum } from "../i18n";
import type { ComponentChildren } from "preact";
import { db } from "../app";
import { useLive } from "../hooks";
import { all, caseload, fullName, today } from "../queries";
import type { RecordOf, SignedInUser } from "../types";
import { osloDate, todayOslo } from "../time";
import { ActivityList, Empty, Title, byId, contactRow, meetingRow, newestActivityFirst } from "./common";

interface DayRecords {
  participants: RecordOf<"participants">[];
  meetings: RecordOf<"meetings">[];
  steps: RecordOf<"plan_steps">[];
  contacts: RecordOf<"employer_contacts">[];
  employers: RecordOf<"employers">[];
}

export function Today({ user }: { user: SignedInUser }) {
  // Read together and shown at once: lists filling in one by one would push the cards below down.
  const records = useLive(
    async (): Promise<DayRecords> => {
      const [participants, meetings, steps, contacts, employers] = await Promise.all([
        all(db, "participants"),
        all(db, "meetings"),
        all(db, "plan_steps"),
        all(db, "employer_contacts"),
        all(db, "employers"),
      ]);
      return { participants, meetings, steps, contacts, employers };
    },
    [],
    undefined as DayRecords | undefined,
  );
  const heading = (
    <>
      <Title>{t("today.title", { name: (user.name ?? "").split(" ")[0] ?? "" })}</Title>
      <div class="row actions">
        <a class="button primary" href="#/log-meeting">{t("nav.logMeeting")}</a>
        <a class="button" href="#/log-contact">{t("nav.logContact")}</a>
      </div>
    </>
  );
  if (!records) {
    return (
      <>
        {heading}
        <p role="status">{t("app.loading")}</p>
      </>
    );
  }
  return <Day user={user} records={records} heading={heading} />;
}

function Day({ user, records, heading }: { user: SignedInUser; records: DayRecords; heading: ComponentChildren }) {
  const { participants, meetings, steps, contacts } = records;
  const mine = caseload(participants, user.id ?? "");
  const employers = byId(records.employers);
  const lists = today(mine, meetings, steps);
  const names = byId(mine);
  // What was done today, so that a slip just made is one tap from being corrected.
  const day = todayOslo();
  const own = (r: { specialist_id?: string | null }) => !r.specialist_id || r.specialist_id === user.id;
  const doneToday = newestActivityFirst([
    ...contacts.filter((c) => own(c) && c.contacted_at && osloDate(c.contacted_at) === day).map((c) => contactRow(c, employers, names, user.id)),
    ...meetings
      .filter((m) => own(m) && osloDate(m.starts_at) === day && Date.parse(m.starts_at) <= Date.now())
      .map((m) => meetingRow(m, names, user.id)),
  ]);
  return (
    <>
      {heading}
      <section class="card">
        <h2>{t("today.upcoming")}</h2>
        {lists.upcoming.length === 0 ? (
          <Empty>{t("today.noUpcoming")}</Empty>
        ) : (
          <ul class="list">
            {lists.upcoming.map((m) => (
              <li key={m.id} class="with-action">
                <a href={`#/participants/${m.participant_id}`}>
                  <strong>{fullName(names.get(m.participant_id))}</strong>
                  <span>{formatDateTime(m.starts_at)} · {tEnum("kind", m.kind)} · {tEnum("setting", m.setting)}</span>
                </a>
                {(!m.specialist_id || m.specialist_id === user.id) && (
                  <a
                    class="row-action"
                    href={`#/meetings/${m.id}/edit`}
                    aria-label={t("activityEdit.editMeetingNamed", { name: fullName(names.get(m.participant_id)), time: formatDateTime(m.starts_at) })}
                  >
                    {t("activityEdit.edit")}
                  </a>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="today-done">
        <h2 id="today-done">{t("activityEdit.doneToday")}</h2>
        <ActivityList rows={doneToday} empty={t("activityEdit.nothingToday")} />
      </section>
      <section class="card">
        <h2>{t("today.stepsDue")}</h2>
        {lists.stepsDue.length === 0 ? (
          <Empty>{t("today.noStepsDue")}</Empty>
        ) : (
          <ul class="list">
            {lists.stepsDue.slice(0, 12).map((s) => (
              <li key={s.id}>
                <a href={`#/participants/${s.participant_id}`}>
                  <strong>{s.title}</strong>
                  <span>{fullName(names.get(s.participant_id))} · {t("step.due", { date: formatDate(s.due_on) })} · {tEnum("owner", s.owner)}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
        {lists.stepsDue.length > 12 && <p class="muted">{tCount("today.moreSteps", lists.stepsDue.length - 12)}</p>}
      </section>
      <section class="card">
        <h2>{t("today.notMet")}</h2>
        {lists.notMet.length === 0 ? (
          <Empty>{t("today.allMet")}</Empty>
        ) : (
          <ul class="list">
            {lists.notMet.map(({ participant, lastMet }) => (
              <li key={participant.id}>
                <a href={`#/participants/${participant.id}`}>
                  <strong>{fullName(participant)}</strong>
                  <span>{lastMet ? t("today.lastMet", { date: formatDate(lastMet) }) : t("today.neverMet")}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
