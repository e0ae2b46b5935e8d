/**
 * Job matches as a pipeline: lead → applied → interview → offer → hired → ended (or declined).
 * On a phone: active or ended ones, searchable by participant, employer and title, a page at a
 * time. Each can be moved on, corrected or removed.
 */
import { useState } from "preact/hooks";
import {
  type JobMatchFormValues,
  addJobMatch,
  deleteJobMatch,
  hoursOf,
  jobMatchFormOf,
  setJobMatchStatus,
  undoChange,
  updateJobMatch,
} from "../actions";
import { db, showSnack } from "../app";
import { places, useUnsavedChanges } from "../formGuard";
import { t, tEnum } from "../i18n";
import { viewRecord } from "../outbox";
import { STATUSES, fullName, isActive, matchesSearch, withEmployerConsent } from "../queries";
import type { JobMatch, RecordOf } from "../types";
import { Empty, Title, byId, useRecords } from "./common";
import { type Problems, ProblemText, TextField, hasProblems, tooLong, useFocusFirstProblem, useLoadedRecord, validDate, withoutEmpty } from "./EditParticipant";
import { TITLE_MAX } from "../limits";

/** How many matches a page shows at first, and how many more each "Vis flere" adds. */
export const PAGE_SIZE = 20;

/** Where a match stands: still in play (or in the job), or over. */
export const ENDED: readonly JobMatch["status"][] = ["ended", "declined", "rejected"];
export type JobFilter = "active" | "ended" | "all";

export function isEndedMatch(match: Pick<JobMatch, "status">): boolean {
  return ENDED.includes(match.status ?? "lead");
}

/** The matches a filter and a search show, in pipeline order, the most recently changed first within a step. */
export function filterMatches<M extends Pick<JobMatch, "status" | "job_title" | "participant_id" | "employer_id"> & { id: string; updated_at?: string | null }>(
  matches: M[],
  filter: JobFilter,
  query: string,
  participantName: (id: string) => string,
  employerName: (id: string) => string,
): M[] {
  const order = new Map(STATUSES.map((s, i) => [s, i]));
  return matches
    .filter((m) => filter === "all" || (filter === "ended") === isEndedMatch(m))
    .filter((m) => matchesSearch(`${m.job_title ?? ""} ${participantName(m.participant_id)} ${employerName(m.employer_id)}`, query))
    .sort(
      (a, b) =>
        (order.get(a.status ?? "lead") ?? 0) - (order.get(b.status ?? "lead") ?? 0) ||
        (b.updated_at ?? "~").localeCompare(a.updated_at ?? "~") ||
        a.id.localeCompare(b.id),
    );
}

const FILTERS: JobFilter[] = ["active", "ended", "all"];

export function JobMatches() {
  const matches = useRecords("job_matches");
  const people = byId(useRecords("participants"));
  const firms = byId(useRecords("employers"));
  const [filter, setFilter] = useState<JobFilter>("active");
  const [query, setQuery] = useState("");
  const [shown, setShown] = useState(PAGE_SIZE);
  const found = filterMatches(matches, filter, query, (id) => fullName(people.get(id)), (id) => firms.get(id)?.name ?? "");
  return (
    <>
      <Title>{t("jobs.title")}</Title>
      <p><a class="button primary" href="#/jobs/new">{t("jobs.new")}</a></p>
      <fieldset class="field segmented">
        <legend>{t("jobList.show")}</legend>
        {FILTERS.map((f) => (
          <label key={f} class="segment">
            <input
              type="radio"
              name="job-filter"
              value={f}
              checked={filter === f}
              onChange={() => {
                setFilter(f);
                setShown(PAGE_SIZE);
              }}
            />
            <span>{t(`jobList.filter.${f}`)}</span>
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for="job-search">{t("jobList.search")}</label>
        <input
          id="job-search"
          type="search"
          value={query}
          autoComplete="off"
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            setShown(PAGE_SIZE);
          }}
        />
      </div>
      {matches.length === 0 ? (
        <Empty>{t("jobs.empty")}</Empty>
      ) : found.length === 0 ? (
        <Empty>{t("common.noMatch")}</Empty>
      ) : (
        <>
          <p class="muted" role="status">{t("jobList.showing", { shown: Math.min(shown, found.length), total: found.length })}</p>
          <ul class="list plain job-list">
            {found.slice(0, shown).map((m) => (
              <li key={m.id} class="match">
                <div>
                  <strong>{m.job_title}</strong>
                  <span class="meta">
                    {fullName(people.get(m.participant_id))} · {firms.get(m.employer_id)?.name ?? ""}
                    {m.competitive === false ? ` · ${t("jobs.subsidised")}` : ""}
                  </span>
                </div>
                <div class="match-actions">
                  <label class="inline-label" for={`status-${m.id}`}>
                    {t("jobs.status")}
                    <span class="sr-only"> {t("jobs.statusFor", { title: m.job_title })}</span>
                  </label>
                  <select
                    id={`status-${m.id}`}
                    value={m.status ?? "lead"}
                    onChange={async (e) => {
                      await setJobMatchStatus(m.id, e.currentTarget.value as JobMatch["status"]);
                      showSnack(t("jobs.moved"));
                    }}
                  >
                    {STATUSES.map((s) => (
                      <option key={s} value={s}>{tEnum("jobStatus", s)}</option>
                    ))}
                  </select>
                  <a class="row-action" href={`#/jobs/${m.id}/edit`} aria-label={t("jobEdit.editNamed", { title: m.job_title })}>{t("jobEdit.edit")}</a>
                </div>
              </li>
            ))}
          </ul>
          {shown < found.length && (
            <button type="button" class="button" onClick={() => setShown((n) => n + PAGE_SIZE)}>
              {t("jobList.showMore", { count: Math.min(PAGE_SIZE, found.length - shown) })}
            </button>
          )}
        </>
      )}
    </>
  );
}

export type JobMatchProblems = Problems<"participant_id" | "employer_id" | "job_title" | "started_on" | "ended_on" | "hours_per_week">;

/** The server's rules for a job match (api/jobs/schemas.py and rules.py). */
export function validateJobMatch(form: JobMatchFormValues): JobMatchProblems {
  const hours = hoursOf(form.hours_per_week);
  const problems: JobMatchProblems = {
    participant_id: form.participant_id ? undefined : { key: "jobEdit.needParticipant" },
    employer_id: form.employer_id ? undefined : { key: "jobEdit.needEmployer" },
    job_title: form.job_title.trim() ? tooLong(form.job_title, TITLE_MAX) : { key: "jobEdit.needTitle" },
    hours_per_week: hours === null || (hours > 0 && hours <= 80) ? undefined : { key: "jobEdit.badHours" },
  };
  if (form.started_on && !validDate(form.started_on)) problems.started_on = { key: "form.badDate" };
  else if (!form.started_on && (form.status === "hired" || form.status === "ended")) problems.started_on = { key: "jobEdit.needStart" };
  if (form.ended_on && !validDate(form.ended_on)) problems.ended_on = { key: "form.badDate" };
  else if (!form.ended_on && form.status === "ended") problems.ended_on = { key: "jobEdit.needEnd" };
  else if (form.ended_on && form.started_on && !problems.started_on && form.ended_on < form.started_on) problems.ended_on = { key: "jobEdit.endBeforeStart" };
  return withoutEmpty(problems);
}

const ORDER = ["participant_id", "employer_id", "job_title", "started_on", "ended_on", "hours_per_week"] as const;
const idOf = (field: (typeof ORDER)[number]) => `job-${field.replace(/_/g, "-")}`;
const END_REASONS = ["quit", "dismissed", "temporary_job_ended", "better_job", "other"] as const;

export function NewJobMatch() {
  const [initial] = useState(() => jobMatchFormOf(undefined));
  return <JobMatchForm initial={initial} />;
}

/** Correct or remove a job match. */
export function EditJobMatch({ id }: { id: string }) {
  const loaded = useLoadedRecord(() => viewRecord(db, "job_matches", id) as Promise<RecordOf<"job_matches"> | undefined>, [id]);
  if (loaded === null) return <p>{t("app.loading")}</p>;
  if (!loaded.record) {
    return (
      <>
        <Title>{t("jobEdit.notFound")}</Title>
        <p><a href="#/jobs">{t("nav.jobs")}</a></p>
      </>
    );
  }
  return <JobMatchForm key={id} initial={jobMatchFormOf(loaded.record)} match={loaded.record} />;
}

function JobMatchForm({ initial, match }: { initial: JobMatchFormValues; match?: RecordOf<"job_matches"> }) {
  const participants = useRecords("participants");
  const employers = useRecords("employers");
  const consents = useRecords("consents");
  const [before] = useState(initial);
  const [form, setForm] = useState(initial);
  const [problems, setProblems] = useState<JobMatchProblems>({});
  const [attempt, setAttempt] = useState(0);
  const [saving, setSaving] = useState(false);
  const editing = match !== undefined;
  const guard = useUnsavedChanges(JSON.stringify(form) !== JSON.stringify(before) && !saving);
  useFocusFirstProblem(problems, ORDER, idOf, attempt);
  const consented = withEmployerConsent(consents);
  const eligible = participants.filter((p) => isActive(p) && consented.has(p.id));
  const participant = participants.find((p) => p.id === form.participant_id);
  const fallback = "#/jobs";

  function set<K extends keyof JobMatchFormValues>(field: K, value: JobMatchFormValues[K]) {
    setForm((f) => ({ ...f, [field]: value }));
  }

  async function save(event: Event) {
    event.preventDefault();
    if (saving) return;
    const found = validateJobMatch(form);
    setProblems(found);
    if (hasProblems(found)) {
      setAttempt((n) => n + 1);
      return;
    }
    setSaving(true);
    if (match) {
      const token = await updateJobMatch(match.id, before, form);
      if (token) showSnack(t("jobEdit.saved", { title: form.job_title.trim() }), () => undoChange(token));
      else showSnack(t("form.noChanges"));
    } else {
      const token = await addJobMatch(form);
      showSnack(t("jobs.saved"), () => undoChange(token));
    }
    guard.leave(places.back(fallback));
  }

  async function remove() {
    if (!match || saving) return;
    setSaving(true);
    const token = await deleteJobMatch(match.id);
    showSnack(t("jobEdit.deleted", { title: match.job_title }), () => undoChange(token));
    guard.leave(places.back(fallback));
  }

  return (
    <>
      <Title>{editing ? t("jobEdit.title", { title: before.job_title }) : t("jobs.new")}</Title>
      <form class="form" onSubmit={save} noValidate>
        {editing ? (
          <p><strong>{t("meeting.participant")}:</strong> {fullName(participant)}</p>
        ) : (
          <div class="field">
            <label for={idOf("participant_id")}>{t("meeting.participant")}</label>
            <select
              id={idOf("participant_id")}
              required
              value={form.participant_id}
              onChange={(e) => set("participant_id", e.currentTarget.value)}
              aria-invalid={problems.participant_id ? "true" : undefined}
              aria-describedby={`${idOf("participant_id")}-hint${problems.participant_id ? ` ${idOf("participant_id")}-error` : ""}`}
            >
              <option value="">{t("meeting.chooseParticipant")}</option>
              {eligible.map((p) => (
                <option key={p.id} value={p.id}>{fullName(p)}</option>
              ))}
            </select>
            <p class="hint" id={`${idOf("participant_id")}-hint`}>{t("contact.consentHint")}</p>
            <ProblemText id={idOf("participant_id")} problem={problems.participant_id} />
          </div>
        )}
        <div class="field">
          <label for={idOf("employer_id")}>{t("jobs.employer")}</label>
          <select
            id={idOf("employer_id")}
            required
            value={form.employer_id}
            onChange={(e) => set("employer_id", e.currentTarget.value)}
            aria-invalid={problems.employer_id ? "true" : undefined}
            aria-describedby={problems.employer_id ? `${idOf("employer_id")}-error` : undefined}
          >
            <option value="">{t("jobs.chooseEmployer")}</option>
            {[...employers].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "", "nb")).map((e) => (
              <option key={e.id} value={e.id}>{e.name}</option>
            ))}
          </select>
          <ProblemText id={idOf("employer_id")} problem={problems.employer_id} />
        </div>
        <TextField id={idOf("job_title")} label={t("jobs.jobTitle")} value={form.job_title} onInput={(v) => set("job_title", v)} problem={problems.job_title} maxLength={TITLE_MAX} required />
        <div class="field switch">
          <input id="job-competitive" type="checkbox" checked={form.competitive} onChange={(e) => set("competitive", e.currentTarget.checked)} />
          <label for="job-competitive">{t("jobs.competitive")}</label>
        </div>
        {editing && (
          <>
            <div class="field">
              <label for="job-status">{t("jobs.status")}</label>
              <select id="job-status" value={form.status} onChange={(e) => set("status", e.currentTarget.value as JobMatchFormValues["status"])}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>{tEnum("jobStatus", s)}</option>
                ))}
              </select>
            </div>
            <TextField id={idOf("started_on")} type="date" label={t("jobEdit.startedOn")} value={form.started_on} onInput={(v) => set("started_on", v)} problem={problems.started_on} min="1900-01-01" max="2999-12-31" />
            <TextField id={idOf("ended_on")} type="date" label={t("jobEdit.endedOn")} value={form.ended_on} onInput={(v) => set("ended_on", v)} problem={problems.ended_on} min={form.started_on || "1900-01-01"} max="2999-12-31" />
            {(form.status === "ended" || form.end_reason) && (
              <div class="field">
                <label for="job-end-reason">{t("jobEdit.endReason")}</label>
                <select id="job-end-reason" value={form.end_reason} onChange={(e) => set("end_reason", e.currentTarget.value as JobMatchFormValues["end_reason"])}>
                  <option value="">{t("endReason.unknown")}</option>
                  {END_REASONS.map((r) => (
                    <option key={r} value={r}>{tEnum("endReason", r)}</option>
                  ))}
                </select>
              </div>
            )}
            <TextField id={idOf("hours_per_week")} label={t("jobEdit.hours")} inputMode="text" value={form.hours_per_week} onInput={(v) => set("hours_per_week", v)} problem={problems.hours_per_week} />
          </>
        )}
        <div class="row form-buttons">
          <button type="submit" class="button primary" disabled={saving}>{editing ? t("form.saveChanges") : t("common.save")}</button>
          <a class="button" href={places.back(fallback)}>{t("common.cancel")}</a>
        </div>
        {editing && (
          <button type="button" class="button danger" disabled={saving} onClick={remove}>{t("jobEdit.delete")}</button>
        )}
      </form>
    </>
  );
}
