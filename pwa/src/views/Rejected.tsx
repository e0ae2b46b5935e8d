/**
 * Changes the server refused, explained in the user's language by the result's code: fix the
 * named fields and send again, or, where sending again cannot succeed, only discard (with undo).
 */
import { useState } from "preact/hooks";
import { discardRejected, restoreRejected, retryRejected } from "../actions";
import { db, showSnack } from "../app";
import type { OutboxEntry } from "../db";
import { useLive } from "../hooks";
import { capitalize, lang, t, formatDateTime, tEnum } from "../i18n";
import { fieldMessageText } from "../problems";
import { canResend, isKnownRejection, rejectedEntries } from "../outbox";
import { fullName } from "../queries";
import { Empty, Title, useRecords } from "./common";

export function Rejected() {
  const entries = useLive(() => rejectedEntries(db), [], [] as OutboxEntry[]);
  return (
    <>
      <Title>{t("rejected.title")}</Title>
      <p>{t("rejected.intro")}</p>
      {entries.length === 0 ? <Empty>{t("rejected.empty")}</Empty> : (
        <ul class="list plain">
          {entries.map((entry) => <RejectedItem key={entry.seq} entry={entry} />)}
        </ul>
      )}
    </>
  );
}

function errorText(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? fieldMessageText(v) : errorText(v))).join(" ");
  if (typeof value === "string") return fieldMessageText(value);
  if (value && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${tEnum("field", key)}: ${errorText(inner)}`)
      .join(" ");
  }
  return String(value);
}

/** The fields the user may correct: those the server named; for a taken unique value, the text fields sent. */
function correctableFields(entry: OutboxEntry): string[] {
  const named = Object.keys(entry.errors ?? {}).filter((f) => f !== "_schema");
  if (named.length > 0 || entry.code !== "constraint" || entry.op === "delete") return named;
  return Object.keys(entry.data).filter((f) => typeof entry.data[f] === "string" && !f.endsWith("_id") && !f.endsWith("_at"));
}

function RejectedItem({ entry }: { entry: OutboxEntry }) {
  const participants = useRecords("participants");
  const known = isKnownRejection(entry.code);
  const resendable = canResend(entry.code);
  const fields = resendable ? correctableFields(entry) : [];
  const errors = Object.entries(entry.errors ?? {});
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f, entry.data[f] === null || entry.data[f] === undefined ? "" : String(entry.data[f])])),
  );
  async function resend(event: Event) {
    event.preventDefault();
    const corrected: Record<string, unknown> = {};
    for (const f of fields) {
      const original = entry.data[f];
      const value = values[f] ?? "";
      corrected[f] = typeof original === "number" ? Number(value) : value === "" ? null : value;
    }
    await retryRejected(entry.seq!, corrected);
    showSnack(t("rejected.resent"));
  }
  async function discardIt() {
    const removed = await discardRejected(entry.seq!);
    showSnack(t("rejected.discarded"), removed ? () => restoreRejected(removed) : undefined);
  }
  return (
    <li class="card">
      <h2>{tEnum("entity", entry.entity)} · {entry.op === "delete" ? t("rejected.deletion") : t("rejected.change")}</h2>
      <p class="muted">{formatDateTime(entry.created_at)}</p>
      <p class="error">{known ? tEnum("rejectedCode", entry.code) : t("rejected.unknownCode")}</p>
      {/* The server's own English words, for a code this version does not know: only in English. */}
      {!known && entry.detail && lang() === "en" && (
        <details class="details">
          <summary>{t("rejected.details")}</summary>
          <p lang="en">{entry.detail}</p>
        </details>
      )}
      {!resendable && errors.length > 0 && (
        <>
          <h3 class="small-heading">{t("rejected.fieldErrors")}</h3>
          <dl class="field-errors">
            {errors.map(([f, message]) => (
              <div key={f}>
                <dt>{f === "_schema" ? t("rejected.formError") : capitalize(tEnum("field", f))}</dt>
                <dd>{errorText(message)}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {!resendable ? (
        <>
          <p>{t("rejected.cannotResend")}</p>
          <div class="row">
            <button type="button" class="button danger" onClick={() => void discardIt()}>{t("rejected.discard")}</button>
          </div>
        </>
      ) : (
        <form class="form compact" onSubmit={resend}>
          {entry.errors?._schema !== undefined && <p class="hint">{errorText(entry.errors._schema)}</p>}
          {fields.map((f) => (
            <div class="field" key={f}>
              <label for={`fix-${entry.seq}-${f}`}>{capitalize(tEnum("field", f))}</label>
              {f === "participant_id" ? (
                <select id={`fix-${entry.seq}-${f}`} value={values[f] ?? ""} onChange={(e) => setValues({ ...values, [f]: e.currentTarget.value })} aria-describedby={`fix-${entry.seq}-${f}-error`}>
                  <option value="">{t("rejected.noParticipant")}</option>
                  {participants.map((p) => (
                    <option key={p.id} value={p.id}>{fullName(p)}</option>
                  ))}
                </select>
              ) : (
                <input id={`fix-${entry.seq}-${f}`} type="text" value={values[f] ?? ""} onInput={(e) => setValues({ ...values, [f]: e.currentTarget.value })} aria-describedby={`fix-${entry.seq}-${f}-error`} />
              )}
              <p class="hint" id={`fix-${entry.seq}-${f}-error`}>{entry.errors?.[f] === undefined ? "" : errorText(entry.errors[f])}</p>
            </div>
          ))}
          <div class="row">
            <button type="submit" class="button primary">{t("rejected.retry")}</button>
            <button type="button" class="button danger" onClick={() => void discardIt()}>{t("rejected.discard")}</button>
          </div>
        </form>
      )}
    </li>
  );
}
