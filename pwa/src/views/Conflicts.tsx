/**
 * Conflicts: where two devices changed the same field, the user picks the value to keep, and can
 * go to the record's own screen to see it whole.
 */
import { resolveChooseOther, resolveKeepCurrent } from "../actions";
import { db, showSnack } from "../app";
import { openConflicts, recordLink, type ConflictView, type RecordLink } from "../conflicts";
import { useLive } from "../hooks";
import { type MessageKey, t, formatDate, formatDateTime, formatNumber, tEnum } from "../i18n";
import { viewRecord } from "../outbox";
import type { Stored } from "../types";
import { Empty, Title } from "./common";

const LINK_TEXT: Record<RecordLink["target"], MessageKey> = {
  participant: "conflictLink.participant",
  profile: "conflictLink.profile",
  jobs: "conflictLink.jobs",
  employer: "conflictLink.employer",
  teamMeetings: "conflictLink.teamMeetings",
  week: "conflictLink.week",
  team: "conflictLink.team",
};

/** What a conflict is about, as a heading or a message says it: "Deltaker: Ola Nordmann". */
export function conflictSubject(conflict: ConflictView, record: Stored | undefined): string {
  const label = recordLabel(record);
  return `${tEnum("entity", conflict.entity)}${label ? `: ${label}` : ""}`;
}

/** The catalog prefix that words a field's stored values (an enum), by entity where it differs. */
function enumPrefix(entity: string, field: string): string | undefined {
  if (field === "status") {
    const byEntity: Record<string, string> = {
      job_matches: "jobStatus",
      participants: "participantStatus",
      meetings: "activityEdit.status",
      plan_goals: "goalStatus",
    };
    return byEntity[entity];
  }
  if (field === "kind") return entity === "team_meetings" ? "teamMeetingKind" : "kind";
  const byField: Record<string, string> = {
    mode: "mode",
    setting: "setting",
    owner: "owner",
    counterpart: "consentCare.name",
    end_reason: "endReason",
  };
  return byField[field];
}

/** A field's value as the user reads it: words for codes, dates and numbers as the language writes them. */
export function describeValue(value: unknown, entity = "", field = ""): string {
  if (value === null || value === undefined || value === "") return t("conflicts.emptyValue");
  if (typeof value === "boolean") return value ? t("common.yes") : t("common.no");
  if (typeof value === "number") return formatNumber(value, 2);
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value);
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
  const prefix = enumPrefix(entity, field);
  if (typeof value === "string" && prefix) return tEnum(prefix, value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function recordLabel(record: Stored | undefined): string {
  if (!record) return "";
  const name = [record.first_name, record.last_name].filter(Boolean).join(" ");
  return String(record.title ?? record.job_title ?? record.name ?? (name || ""));
}

export function Conflicts({ role }: { role: string }) {
  const conflicts = useLive(
    async () => {
      const open = await openConflicts(db);
      return Promise.all(open.map(async (c) => ({ conflict: c, record: await viewRecord(db, c.entity, c.record_id) })));
    },
    [],
    [] as { conflict: ConflictView; record: Stored | undefined }[],
  );
  return (
    <>
      <Title>{t("conflicts.title")}</Title>
      <p>{t("conflicts.intro")}</p>
      {conflicts.length === 0 ? (
        <Empty>{t("conflicts.empty")}</Empty>
      ) : (
        <ul class="list plain">
          {conflicts.map(({ conflict, record }) => {
            const what = conflictSubject(conflict, record);
            const field = tEnum("field", conflict.field);
            const link = recordLink(conflict, record, role);
            return (
              <li key={conflict.id} class="card conflict">
                <h2 id={`conflict-${conflict.id}`}>{what}</h2>
                <p>{t("conflicts.field", { field })}</p>
                {link && (
                  <p>
                    <a href={link.href} aria-describedby={`conflict-${conflict.id}`}>{t(LINK_TEXT[link.target])}</a>
                  </p>
                )}
                <dl>
                  <dt>{t("conflicts.current")}</dt>
                  <dd>{describeValue(record ? record[conflict.field] : conflict.kept_value, conflict.entity, conflict.field)}</dd>
                  <dt>{t("conflicts.other")}</dt>
                  <dd>{describeValue(conflict.other_value, conflict.entity, conflict.field)}</dd>
                </dl>
                <div class="row">
                  <button
                    type="button"
                    class="button primary"
                    onClick={async () => {
                      await resolveKeepCurrent(conflict);
                      showSnack(t("conflicts.resolved"));
                    }}
                  >
                    {t("conflicts.keepCurrent")}
                  </button>
                  <button
                    type="button"
                    class="button"
                    onClick={async () => {
                      await resolveChooseOther(conflict);
                      showSnack(t("conflicts.resolved"));
                    }}
                  >
                    {t("conflicts.useOther")}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
