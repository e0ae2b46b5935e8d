/**
 * The participant's own view: goals, next steps (tick off your own), next meeting, job
 * applications. It speaks to the participant ("du"), counts only the steps that are theirs to do,
 * and says "Ikke sendt ennå" by a step whose tick has not reached the server yet.
 */
import Dexie from "dexie";
import { db } from "../app";
import { useLive } from "../hooks";
import { t, tCount, formatDateTime, tEnum } from "../i18n";
import { all, byParticipant } from "../queries";
import type { RecordOf, SignedInUser } from "../types";
import { Plan } from "./Plan";
import { Empty, Title, byId } from "./common";

interface PlanRecords {
  goals: RecordOf<"plan_goals">[];
  steps: RecordOf<"plan_steps">[];
  meetings: RecordOf<"meetings">[];
  matches: RecordOf<"job_matches">[];
  employers: RecordOf<"employers">[];
  /** Steps with a tick of the participant's still waiting to be sent. */
  unsent: Set<string>;
}

export function MyPlan({ user }: { user: SignedInUser }) {
  const id = user.participant_id ?? "";
  // Read together and shown at once, so that the page does not grow section by section.
  const records = useLive(
    async (): Promise<PlanRecords> => {
      const [goals, steps, meetings, matches, employers, waiting] = await Promise.all([
        byParticipant(db, "plan_goals", id),
        byParticipant(db, "plan_steps", id),
        byParticipant(db, "meetings", id),
        byParticipant(db, "job_matches", id),
        all(db, "employers"),
        db.outbox.where("[entity+id]").between(["plan_steps", Dexie.minKey], ["plan_steps", Dexie.maxKey]).toArray(),
      ]);
      const unsent = new Set(waiting.filter((e) => e.state === "pending").map((e) => e.id));
      return { goals, steps, meetings, matches, employers, unsent };
    },
    [id],
    undefined as PlanRecords | undefined,
  );
  if (!records) {
    return (
      <>
        <Title>{t("myPlan.title")}</Title>
        <p role="status">{t("app.loading")}</p>
      </>
    );
  }
  const { goals, steps, meetings, matches, employers, unsent } = records;
  const now = Date.now();
  const next = meetings
    .filter((m) => Date.parse(m.starts_at) >= now && (m.status ?? "planned") === "planned")
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))[0];
  // The specialist's own steps are theirs to do, not the participant's.
  const open = steps.filter((s) => !s.done_at && (s.owner ?? "participant") === "participant").length;
  return (
    <>
      <Title>{t("myPlan.title")}</Title>
      <p>
        {t("myPlan.hello", { name: (user.name ?? "").split(" ")[0] ?? "" })}{" "}
        {open > 0 ? tCount("myPlan.openSteps", open) : t("myPlan.noOpenSteps")}
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
        <Plan goals={goals} steps={steps} viewer="participant" unsent={unsent} />
      </section>
      <section class="card">
        <h2>{t("myPlan.applications")}</h2>
        <Applications matches={matches} employers={byId(employers)} />
      </section>
    </>
  );
}

/** The participant's applications, to read: changing them is the specialist's work. */
function Applications({ matches, employers }: { matches: RecordOf<"job_matches">[]; employers: Map<string, RecordOf<"employers">> }) {
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
