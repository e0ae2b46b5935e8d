/**
 * The participant's own view: goals, next steps (tick off your own), next meeting, job
 * applications. It speaks to the participant ("du"), counts only the steps that are theirs to do,
 * and says "Ikke sendt ennå" by a step whose tick has not reached the server yet.
 */
import Dexie from "dexie";
import { db } from "../app";
import { useLive } from "../hooks";
import { t, formatDateTime, tEnum } from "../i18n";
import { byParticipant } from "../queries";
import type { RecordOf, SignedInUser } from "../types";
import { Plan } from "./Plan";
import { Empty, Title, byId, useRecords } from "./common";

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
  const unsentSteps = useLive(
    async () => {
      const waiting = await db.outbox.where("[entity+id]").between(["plan_steps", Dexie.minKey], ["plan_steps", Dexie.maxKey]).toArray();
      return new Set(waiting.filter((e) => e.state === "pending").map((e) => e.id));
    },
    [],
    new Set<string>(),
  );
  // The specialist's own steps are theirs to do, not the participant's.
  const open = steps.filter((s) => !s.done_at && (s.owner ?? "participant") === "participant").length;
  return (
    <>
      <Title>{t("myPlan.title")}</Title>
      <p>
        {t("myPlan.hello", { name: (user.name ?? "").split(" ")[0] ?? "" })}{" "}
        {open > 0 ? t("myPlan.openSteps", { count: open }) : t("myPlan.noOpenSteps")}
      </p>
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
        <Plan goals={goals} steps={steps} viewer="participant" unsent={unsentSteps} />
      </section>
      <section class="card">
        <h2>{t("myPlan.applications")}</h2>
        <Applications matches={matches} />
      </section>
    </>
  );
}

/** The participant's applications, to read: changing them is the specialist's work. */
function Applications({ matches }: { matches: RecordOf<"job_matches">[] }) {
  const employers = byId(useRecords("employers"));
  if (matches.length === 0) return <Empty>{t("myPlan.noApplications")}</Empty>;
  return (
    <ul class="list plain">
      {matches.map((m) => (
        <li key={m.id}>
          <strong>{m.job_title}</strong> · {employers.get(m.employer_id)?.name ?? ""} · {tEnum("jobStatus", m.status ?? "lead")}
        </li>
      ))}
    </ul>
  );
}
