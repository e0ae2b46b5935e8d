/** The participant's own view: goals, next steps (tick off your own), next meeting, job applications. */
import { db } from "../app";
import { useLive } from "../hooks";
import { t, formatDateTime, tEnum } from "../i18n";
import { byParticipant } from "../queries";
import type { SignedInUser } from "../types";
import { Plan } from "./Plan";
import { Empty, JobMatchList, Title } from "./common";

export function MyPlan({ user }: { user: SignedInUser }) {
  const id = user.participant_id ?? "";
  const goals = useLive(() => byParticipant(db, "plan_goals", id), [id], []);
  const steps = useLive(() => byParticipant(db, "plan_steps", id), [id], []);
  const meetings = useLive(() => byParticipant(db, "meetings", id), [id], []);
  const matches = useLive(() => byParticipant(db, "job_matches", id), [id], []);
  const now = Date.now();
  const next = meetings
    .filter((m) => Date.parse(m.starts_at) >= now && (m.status ?? "planned") === "planned")
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))[0];
  const open = steps.filter((s) => !s.done_at).length;
  return (
    <>
      <Title>{t("myPlan.title")}</Title>
      <p>{t("myPlan.hello", { name: (user.name ?? "").split(" ")[0] ?? "" })} {open > 0 ? t("myPlan.openSteps", { count: open }) : t("myPlan.noOpenSteps")}</p>
      <section class="card">
        <h2>{t("myPlan.nextMeeting")}</h2>
        {next ? (
          <p class="big-text">{formatDateTime(next.starts_at)} · {tEnum("kind", next.kind)}{next.place ? ` · ${next.place}` : ""}</p>
        ) : (
          <Empty>{t("myPlan.noMeeting")}</Empty>
        )}
      </section>
      <section class="card">
        <h2>{t("myPlan.goalsAndSteps")}</h2>
        <Plan goals={goals} steps={steps} viewer="participant" />
      </section>
      <section class="card">
        <h2>{t("myPlan.applications")}</h2>
        <JobMatchList matches={matches} empty="myPlan.noApplications" />
      </section>
    </>
  );
}
