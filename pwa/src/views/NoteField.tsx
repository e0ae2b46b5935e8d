/**
 * A free-text field where staff write about a participant (notes, agreed next steps, career
 * profile texts). Its description, which a screen reader reads with the field, warns that health
 * information does not belong there; the textarea stops at the server's limit, and a counter
 * appears as the text nears it.
 */
import type { ComponentChildren } from "preact";
import { t } from "../i18n";
import { type Problem, ProblemText, textLength } from "./EditParticipant";

/** The counter shows from this share of the limit on. */
export const COUNTER_FROM = 0.8;

/** Whether a text of `length` characters is near enough the limit `max` to show the counter. */
export function nearLimit(length: number, max: number): boolean {
  return length >= Math.ceil(max * COUNTER_FROM);
}

export interface NoteFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** The server's limit for this field (src/limits.ts). */
  maxLength: number;
  problem?: Problem | undefined;
  /** What to write here, above the warning. */
  hint?: ComponentChildren;
  rows?: number;
}

export function NoteField({ id, label, value, onInput, maxLength, problem, hint, rows = 3 }: NoteFieldProps) {
  const length = textLength(value);
  const counting = nearLimit(length, maxLength);
  const describedBy = [hint ? `${id}-hint` : "", `${id}-health`, counting ? `${id}-count` : "", problem ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div class="field note-field">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        maxLength={maxLength}
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={describedBy}
      />
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      <p class="hint health-warning" id={`${id}-health`}>{t("form.noHealthInfo")}</p>
      {/* Always in the page, so that a screen reader announces the count when it appears. */}
      <p class="hint char-count" id={`${id}-count`} aria-live="polite">
        {counting ? t("form.charCount", { count: length, max: maxLength }) : ""}
      </p>
      <ProblemText id={id} problem={problem} />
    </div>
  );
}
