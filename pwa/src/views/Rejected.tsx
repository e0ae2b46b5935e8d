/** Changes the server refused, with its reason: fix and send again, or discard. */
import { useState } from "preact/hooks";
import { discardRejected, retryRejected } from "../actions";
import { db, showSnack } from "../app";
import type { OutboxEntry } from "../db";
import { useLive } from "../hooks";
import { t, formatDateTime, tEnum } from "../i18n";
import { rejectedEntries } from "../outbox";
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
  if (Array.isArray(value)) return value.map(String).join(" ");
  if (value && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function RejectedItem({ entry }: { entry: OutboxEntry }) {
  const participants = useRecords("participants");
  const fields = Object.keys(entry.errors ?? {}).filter((f) => f in entry.data || f !== "_schema");
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
  return (
    <li class="card">
      <h2>{tEnum("entity", entry.entity)} · {entry.op === "delete" ? t("rejected.deletion") : t("rejected.change")}</h2>
      <p class="muted">{formatDateTime(entry.created_at)}</p>
      <p class="error">{entry.detail || t("rejected.noDetail")}</p>
      <form class="form compact" onSubmit={resend}>
        {fields.map((f) => (
          <div class="field" key={f}>
            <label for={`fix-${entry.seq}-${f}`}>{tEnum("field", f)}</label>
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
            <p class="hint" id={`fix-${entry.seq}-${f}-error`}>{errorText(entry.errors?.[f])}</p>
          </div>
        ))}
        <div class="row">
          <button type="submit" class="button primary">{t("rejected.retry")}</button>
          <button
            type="button"
            class="button danger"
            onClick={async () => {
              await discardRejected(entry.seq!);
              showSnack(t("rejected.discarded"));
            }}
          >
            {t("rejected.discard")}
          </button>
        </div>
      </form>
    </li>
  );
}
