/** The job-search plan: goals and their steps, ticked off with a chance to undo. */
import { useState } from "preact/hooks";
import { addGoal, addStep, deleteStep, setStepDone, undoChange } from "../actions";
import { showSnack } from "../app";
import { t, formatDate, tEnum } from "../i18n";
import { goalsWithSteps } from "../queries";
import { osloDate, todayOslo } from "../time";
import type { PlanGoal, PlanStep } from "../types";
import { Empty } from "./common";

type Step = PlanStep & { id: string };
type Goal = PlanGoal & { id: string };

export interface PlanProps {
  goals: Goal[];
  steps: Step[];
  /** Who is looking: a participant may tick only their own steps, and is spoken to as "du". */
  viewer: "participant" | "specialist";
  /** Steps with a change of the viewer's still waiting to be sent. */
  unsent?: ReadonlySet<string>;
}

export function Plan({ goals, steps, viewer, unsent }: PlanProps) {
  const grouped = goalsWithSteps(goals, steps);
  if (goals.length === 0 && steps.length === 0) {
    return <Empty>{viewer === "participant" ? t("plan.emptyParticipant") : t("plan.empty")}</Empty>;
  }
  return (
    <div class="plan">
      {grouped.goals.map(({ goal, steps: goalSteps }) => (
        <div key={goal.id} class="goal">
          <h3>
            {goal.title} {goal.status && goal.status !== "active" && <span class="tag">{tEnum("goalStatus", goal.status)}</span>}
          </h3>
          {goal.description && <p>{goal.description}</p>}
          {goalSteps.length === 0 ? <p class="muted">{t("plan.noSteps")}</p> : <StepList steps={goalSteps} viewer={viewer} unsent={unsent} />}
        </div>
      ))}
      {grouped.loose.length > 0 && (
        <div class="goal">
          <h3>{grouped.goals.length ? t("plan.otherSteps") : t("plan.steps")}</h3>
          <StepList steps={grouped.loose} viewer={viewer} unsent={unsent} />
        </div>
      )}
    </div>
  );
}

function StepList({ steps, viewer, unsent }: { steps: Step[]; viewer: PlanProps["viewer"]; unsent: PlanProps["unsent"] }) {
  return (
    <ul class="steps">
      {steps.map((step) => (
        <StepItem key={step.id} step={step} viewer={viewer} waiting={unsent?.has(step.id) ?? false} />
      ))}
    </ul>
  );
}

/** Who does a step, said to the one looking: a participant reads "Du" or "Jobbspesialisten din". */
function ownerText(step: Step, viewer: PlanProps["viewer"]): string {
  const owner = step.owner ?? "participant";
  if (viewer === "participant") return owner === "specialist" ? t("yourPlan.specialistDoes") : t("yourPlan.youDo");
  return t("step.owner", { owner: tEnum("owner", owner) });
}

function StepItem({ step, viewer, waiting }: { step: Step; viewer: PlanProps["viewer"]; waiting: boolean }) {
  const canTick = viewer === "specialist" || step.owner === "participant";
  const overdue = !step.done_at && step.due_on && step.due_on < todayOslo();
  const id = `step-${step.id}`;
  async function toggle(done: boolean) {
    const token = await setStepDone(step, done);
    showSnack(done ? t("step.ticked", { title: step.title }) : t("step.unticked", { title: step.title }), () => undoChange(token));
  }
  async function remove() {
    const token = await deleteStep(step.id);
    showSnack(t("step.deleted", { title: step.title }), () => undoChange(token));
  }
  const meta = [
    step.due_on ? t("step.due", { date: formatDate(step.due_on) }) : null,
    ownerText(step, viewer),
    step.done_at ? t("step.doneOn", { date: formatDate(osloDate(step.done_at)) }) : null,
    waiting ? t("yourPlan.notSent") : null,
  ].filter(Boolean);
  return (
    <li class={`step ${step.done_at ? "done" : ""} ${overdue ? "overdue" : ""}`}>
      {canTick ? (
        <input id={id} type="checkbox" class="tick" checked={Boolean(step.done_at)} onChange={(e) => void toggle(e.currentTarget.checked)} />
      ) : (
        <span class="tick-placeholder" aria-hidden="true" />
      )}
      <div class="step-text">
        {canTick ? <label for={id}>{step.title}</label> : <span>{step.title}</span>}
        <span class="meta">{meta.join(" · ")}{overdue ? ` · ${t("step.overdue")}` : ""}</span>
      </div>
      {viewer === "specialist" && (
        <button type="button" class="icon-button" onClick={() => void remove()} aria-label={t("step.delete", { title: step.title ?? "" })}>
          ✕
        </button>
      )}
    </li>
  );
}

export function AddStepForm({ participantId, goals }: { participantId: string; goals: Goal[] }) {
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");
  const [owner, setOwner] = useState<PlanStep["owner"]>("participant");
  const [goalId, setGoalId] = useState("");
  async function save(event: Event) {
    event.preventDefault();
    if (!title.trim()) return;
    await addStep(participantId, title, due, owner, goalId || null);
    setTitle("");
    setDue("");
    showSnack(t("step.added"));
  }
  return (
    <form class="form compact" onSubmit={save}>
      <h3>{t("step.addTitle")}</h3>
      <div class="field">
        <label for="step-title">{t("step.title")}</label>
        <input id="step-title" type="text" maxLength={200} required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="step-due">{t("step.dueOn")}</label>
        <input id="step-due" type="date" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="step-owner">{t("step.whoDoes")}</label>
        <select id="step-owner" value={owner} onChange={(e) => setOwner(e.currentTarget.value as PlanStep["owner"])}>
          <option value="participant">{tEnum("owner", "participant")}</option>
          <option value="specialist">{tEnum("owner", "specialist")}</option>
        </select>
      </div>
      {goals.length > 0 && (
        <div class="field">
          <label for="step-goal">{t("step.goal")}</label>
          <select id="step-goal" value={goalId} onChange={(e) => setGoalId(e.currentTarget.value)}>
            <option value="">{t("step.noGoal")}</option>
            {goals.map((g) => (
              <option key={g.id} value={g.id}>{g.title}</option>
            ))}
          </select>
        </div>
      )}
      <button type="submit" class="button">{t("step.add")}</button>
    </form>
  );
}

export function AddGoalForm({ participantId }: { participantId: string }) {
  const [title, setTitle] = useState("");
  async function save(event: Event) {
    event.preventDefault();
    if (!title.trim()) return;
    await addGoal(participantId, title);
    setTitle("");
    showSnack(t("goal.added"));
  }
  return (
    <form class="form compact" onSubmit={save}>
      <div class="field">
        <label for="goal-title">{t("goal.title")}</label>
        <input id="goal-title" type="text" maxLength={200} required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </div>
      <button type="submit" class="button">{t("goal.add")}</button>
    </form>
  );
}
