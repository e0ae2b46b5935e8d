/**
 * When it happened: a date and a time that start at now, with "I dag", "I går" and a day picker
 * bounded by how far back the server takes work (GET /api/v1/settings); no future for a contact.
 */
import { useEffect } from "preact/hooks";
import { db } from "../app";
import { useLive } from "../hooks";
import { formatDateTime, t } from "../i18n";
import { type ServerSettings, type WhenProblem, type WhenRule, type WhenValue, cachedSettings, dayChoices, refreshSettings, whenProblem } from "../settings";

/** The server's settings as this phone last had them; fetched again when a form opens. */
export function useServerSettings(): ServerSettings | undefined {
  useEffect(() => {
    void refreshSettings();
  }, []);
  return useLive(() => cachedSettings(db), [], undefined as ServerSettings | undefined);
}

/** The rule's check, with the earliest time written as the user reads times. */
export function checkWhen(value: WhenValue, rule: WhenRule, loggedAt: Date, now = new Date()): WhenProblem | undefined {
  return whenProblem(value, rule, loggedAt, now, (instant) => formatDateTime(instant.toISOString()));
}

export interface WhenFieldProps {
  id: string;
  legend: string;
  value: WhenValue;
  onChange: (value: WhenValue) => void;
  rule: WhenRule;
  /** When the work was (or is being) logged: the bound counts back from it. */
  loggedAt: Date;
  problem?: WhenProblem | undefined;
}

export function WhenField({ id, legend, value, onChange, rule, loggedAt, problem }: WhenFieldProps) {
  const choices = dayChoices(rule, loggedAt, new Date());
  const hint = rule.maxDaysBack > 0 ? t(rule.future ? "when.hintBackAndAhead" : "when.hintBack", { days: rule.maxDaysBack }) : rule.future ? "" : t("when.hintNoFuture");
  const describedBy = [hint ? `${id}-hint` : "", problem ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const quick = [
    { day: choices.today, label: t("when.today") },
    { day: choices.yesterday, label: t("when.yesterday") },
  ];
  return (
    <fieldset class="field when" aria-describedby={describedBy}>
      <legend>{legend}</legend>
      <div class="quick-days">
        {quick.map(({ day, label }) => (
          <button
            key={label}
            type="button"
            class="chip"
            aria-pressed={value.date === day ? "true" : "false"}
            disabled={choices.min !== undefined && day < choices.min}
            onClick={() => onChange({ ...value, date: day })}
          >
            {label}
          </button>
        ))}
      </div>
      <div class="when-inputs">
        <div class="field">
          <label for={`${id}-date`}>{t("when.date")}</label>
          <input
            id={`${id}-date`}
            type="date"
            value={value.date}
            min={choices.min}
            max={choices.max}
            required
            aria-invalid={problem && problem.key !== "when.needTime" ? "true" : undefined}
            onInput={(e) => onChange({ ...value, date: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for={`${id}-time`}>{t("when.time")}</label>
          <input
            id={`${id}-time`}
            type="time"
            value={value.time}
            required
            aria-invalid={problem && problem.key !== "when.needDate" ? "true" : undefined}
            onInput={(e) => onChange({ ...value, time: e.currentTarget.value })}
          />
        </div>
      </div>
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {problem && <p class="error field-error" id={`${id}-error`} role="alert">{t(problem.key, problem.vars)}</p>}
    </fieldset>
  );
}
