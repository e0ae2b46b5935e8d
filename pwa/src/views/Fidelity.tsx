/** Fidelity evidence as a profile of the IPS-25 items the logs can score, and the quarter's
 * outcomes; both readable offline from the last fetch, both downloadable as CSV. */
import { useEffect, useState } from "preact/hooks";
import { showSnack } from "../app";
import { useLive } from "../hooks";
import { type MessageKey, formatDate, formatDateTime, formatNumber, formatPercent, formatQuarter, lang, t, tCount, tEnum } from "../i18n";
import { type ReportStatus, cachedReport, downloadReportCsv, refreshReport } from "../reports";
import type { FidelityItem, FidelityReport, OutcomeNumbers, OutcomesReport, SignedInUser } from "../types";
import { Empty, Title } from "./common";

const END_REASONS = ["quit", "dismissed", "temporary_job_ended", "better_job", "other", "unknown"] as const;

/** The quarter before the one `day` is in, as 2026-Q3. */
export function previousQuarter(day: Date): string {
  const year = day.getFullYear();
  const quarter = Math.floor(day.getMonth() / 3) + 1;
  return quarter === 1 ? `${year - 1}-Q4` : `${year}-Q${quarter - 1}`;
}

/** `quarter` shifted by `by` quarters. */
export function shiftQuarter(quarter: string, by: number): string {
  const [year, q] = quarter.split("-Q").map(Number) as [number, number];
  const index = year * 4 + (q - 1) + by;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
}

function StatusLine({ status, fetchedAt }: { status: ReportStatus | "loading"; fetchedAt: string | undefined }) {
  return (
    <p class="muted" role="status">
      {status === "loading" && t("team.loading")}
      {status === "offline" && (fetchedAt ? t("team.offlineCached", { time: formatDateTime(fetchedAt) }) : t("team.offlineNone"))}
      {status === "unavailable" && (fetchedAt ? t("team.unavailableCached", { time: formatDateTime(fetchedAt) }) : t("team.unavailable"))}
      {status === "ok" && fetchedAt && t("team.updated", { time: formatDateTime(fetchedAt) })}
    </p>
  );
}

async function download(key: "fidelity" | "outcomes", query: Record<string, string>, filename: string) {
  const outcome = await downloadReportCsv(key, query, lang(), filename);
  if (outcome !== "ok") showSnack(t(outcome === "offline" ? "team.csvOffline" : "team.csvUnavailable"));
}

export function Fidelity(_: { user: SignedInUser }) {
  const cached = useLive(() => cachedReport("fidelity"), [], undefined);
  const [status, setStatus] = useState<ReportStatus | "loading">("loading");
  async function refresh() {
    setStatus("loading");
    setStatus(await refreshReport("fidelity", {}));
  }
  useEffect(() => void refresh(), []);
  const report = cached?.report;
  return (
    <>
      <Title>{t("fidelity.title")}</Title>
      <div class="row week-picker">
        <button type="button" class="button small" onClick={() => void refresh()} disabled={status === "loading"}>
          {t("team.refresh")}
        </button>
        {report && (
          <button type="button" class="button small" onClick={() => void download("fidelity", { from: report.from, to: report.to }, `feltlogg-modelltroskap-${report.from}-${report.to}.csv`)}>
            {t("team.downloadCsv")}
          </button>
        )}
      </div>
      <StatusLine status={status} fetchedAt={cached?.fetched_at} />
      {!report && status !== "loading" && <Empty>{t("team.noReport")}</Empty>}
      {report && <FidelityProfile report={report} />}
      <Outcomes />
    </>
  );
}

function FidelityProfile({ report }: { report: FidelityReport }) {
  const scored = report.items.filter((i) => i.score !== null);
  return (
    <>
      <section class="card">
        <h2>{t("fidelity.profile")}</h2>
        <p class="muted">{tCount("fidelity.period", report.weeks.length, { from: formatDate(report.from), to: formatDate(report.to) })}</p>
        <ProfileChart items={report.items} />
        <p>
          {tCount("fidelity.total", report.total.items_scored, { score: report.total.score, max: report.total.items_scored * 5 })}
        </p>
      </section>
      {report.items.map((item) => (
        <ItemCard key={item.item} item={item} />
      ))}
      <section class="card">
        <h2>{t("fidelity.needsReviewer")}</h2>
        <p class="muted">{t("fidelity.needsReviewerHelp", { count: report.needs_reviewer.length })}</p>
        <ul class="list plain">
          {report.needs_reviewer.map((item) => (
            <li key={item.item}>
              {item.number}. {tEnum("fidelityItem", item.item) || item.title}
            </li>
          ))}
        </ul>
      </section>
      {scored.length === 0 && <Empty>{t("fidelity.nothingScored")}</Empty>}
    </>
  );
}

/** The scored items as horizontal bars from 1 to 5: the fidelity profile at a glance. */
function ProfileChart({ items }: { items: FidelityItem[] }) {
  const rowHeight = 26;
  const labelWidth = 150;
  const width = 320;
  const barSpace = width - labelWidth - 24;
  const height = items.length * rowHeight + 18;
  const summary = items.map((i) => `${tEnum("fidelityItem", i.item)}: ${i.score ?? t("fidelity.noScore")}`).join("; ");
  return (
    <figure class="trend profile">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t("fidelity.chartSummary", { items: summary })}>
        {[1, 2, 3, 4, 5].map((s) => (
          <line key={s} x1={labelWidth + (s / 5) * barSpace} x2={labelWidth + (s / 5) * barSpace} y1={0} y2={height - 16} class="grid" />
        ))}
        {items.map((item, i) => {
          const y = i * rowHeight + 4;
          const score = item.score ?? 0;
          return (
            <g key={item.item}>
              <text x={0} y={y + 14} class="axis label">
                {shorten(tEnum("fidelityItem", item.item), 24)}
              </text>
              <rect x={labelWidth} y={y} width={(score / 5) * barSpace} height={rowHeight - 8} class={score >= 4 ? "bar ok" : "bar"} />
              <text x={labelWidth + (score / 5) * barSpace + 4} y={y + 14} class="axis">
                {item.score ?? "–"}
              </text>
            </g>
          );
        })}
        {[1, 2, 3, 4, 5].map((s) => (
          <text key={s} x={labelWidth + (s / 5) * barSpace} y={height - 2} text-anchor="middle" class="axis">
            {s}
          </text>
        ))}
      </svg>
      <figcaption>{t("fidelity.chartCaption")}</figcaption>
    </figure>
  );
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function formatValue(item: FidelityItem): string {
  if (item.value === null) return "–";
  if (item.unit.startsWith("share")) return formatPercent(item.value);
  return formatNumber(item.value);
}

/** Why an item has no score: the server's reasons are fixed sentences, each said here. */
const REASONS: Record<string, MessageKey> = {
  "No specialists to report on.": "fidelityReason.noSpecialists",
  "No meetings were held in the weeks.": "fidelityReason.noMeetings",
  "No participant entered the programme in the period.": "fidelityReason.noEntries",
  "No participant who entered in the period has had a face-to-face employer contact yet.": "fidelityReason.noFirstContact",
  "No jobs were obtained in the period.": "fidelityReason.noJobs",
  "No job obtained in the period has a job type.": "fidelityReason.noJobTypes",
  "No job obtained has had 3 days of follow-along yet.": "fidelityReason.noFollowAlong",
};

export function reasonText(reason: string): string {
  const key = REASONS[reason];
  return key ? t(key) : t("fidelity.noData");
}

/** Why the score is capped, from the item and the evidence (the server's reason is English). */
export function capText(item: Pick<FidelityItem, "item" | "evidence">, max: number): string {
  if (item.item === "frequent_employer_contact") {
    const reviewed = Number(item.evidence.reviewed_specialist_weeks ?? 0);
    const weeks = Number(item.evidence.specialist_weeks ?? 0);
    if (max <= 2 || reviewed === 0) return t("fidelity.cap", { max, reason: t("fidelityCap.noReviews") });
    return t("fidelity.cap", { max, reason: t("fidelityCap.fewReviews", { reviewed, weeks }) });
  }
  if (item.item === "time_unlimited_follow_along") return t("fidelity.cap", { max, reason: t("fidelityCap.followAlong") });
  return t("fidelity.capOnly", { max });
}

/** An anchor of the scale in the user's language (the server's text is English). */
function anchorText(item: string, score: number, fallback: string): string {
  const text = tEnum("fidelityAnchor", `${item}.${score}`);
  return text === `${item}.${score}` ? (lang() === "en" ? fallback : t("fidelity.score", { score })) : text;
}

function ItemCard({ item }: { item: FidelityItem }) {
  return (
    <section class="card fidelity-item" aria-labelledby={`item-${item.item}`}>
      <h2 id={`item-${item.item}`}>
        {item.number}. {tEnum("fidelityItem", item.item) || item.title}
      </h2>
      <p class="big">{item.score === null ? t("fidelity.noScore") : t("fidelity.score", { score: item.score })}</p>
      <p>
        {t("fidelity.measured")}: {formatValue(item)} <span class="muted">({tEnum("fidelityUnit", item.unit) || item.unit})</span>
      </p>
      {item.score === null && <p class="muted">{reasonText(item.reason ?? "")}</p>}
      {item.cap && "max_score" in item.cap && <p class="below">{capText(item, item.cap.max_score)}</p>}
      <details>
        <summary>{t("fidelity.anchors")}</summary>
        <ol class="anchors">
          {item.anchors.map((a) => (
            <li key={a.score} value={a.score} class={a.score === item.score ? "current" : undefined}>
              {anchorText(item.item, a.score, a.text)}
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}

function Outcomes() {
  const [quarter, setQuarter] = useState(previousQuarter(new Date()));
  const cached = useLive(() => cachedReport("outcomes"), [], undefined);
  const [status, setStatus] = useState<ReportStatus | "loading">("loading");
  async function refresh(q: string) {
    setStatus("loading");
    setStatus(await refreshReport("outcomes", { quarter: q }));
  }
  useEffect(() => void refresh(quarter), [quarter]);
  const report: OutcomesReport | undefined = cached?.report;
  const thisQuarter = shiftQuarter(previousQuarter(new Date()), 1);
  return (
    <section class="card" aria-labelledby="outcomes-title">
      <h2 id="outcomes-title">{t("outcomes.title", { quarter: formatQuarter(report?.quarter ?? quarter) })}</h2>
      <div class="row week-picker">
        <button type="button" class="button small" onClick={() => setQuarter(shiftQuarter(quarter, -1))}>
          {t("outcomes.previous")}
        </button>
        <button type="button" class="button small" onClick={() => setQuarter(shiftQuarter(quarter, 1))} disabled={quarter === thisQuarter}>
          {t("outcomes.next")}
        </button>
        {report && (
          <button type="button" class="button small" onClick={() => void download("outcomes", { quarter: report.quarter }, `feltlogg-resultater-${report.quarter}.csv`)}>
            {t("team.downloadCsv")}
          </button>
        )}
      </div>
      <StatusLine status={status} fetchedAt={cached?.fetched_at} />
      {report ? <OutcomeList numbers={report.team} report={report} /> : status !== "loading" && <Empty>{t("team.noReport")}</Empty>}
      {report &&
        report.specialists.map((s) => (
          <details key={s.specialist_id}>
            <summary>{s.name}</summary>
            <OutcomeList numbers={s} report={report} />
          </details>
        ))}
    </section>
  );
}

function OutcomeList({ numbers, report }: { numbers: OutcomeNumbers; report: OutcomesReport }) {
  const b = report.benchmarks;
  return (
    <dl class="numbers">
      <div class={numbers.employment_rate !== null && numbers.employment_rate >= b.average ? "ok" : "below"}>
        <dt>{t("outcomes.employmentRate")}</dt>
        <dd>
          {formatPercent(numbers.employment_rate)}{" "}
          <span class="meta">
            {t("outcomes.ofDenominator", { employed: numbers.employed, denominator: numbers.denominator })}
          </span>
          <span class="meta"> {t("outcomes.benchmarks", { minimal: formatPercent(b.minimal), average: formatPercent(b.average), excellent: formatPercent(b.excellent) })}</span>
        </dd>
      </div>
      <div>
        <dt>{t("outcomes.jobStarts")}</dt>
        <dd>{t("outcomes.starts", { all: numbers.job_starts, competitive: numbers.competitive_job_starts })}</dd>
      </div>
      <div>
        <dt>{t("outcomes.daysToFirstJob")}</dt>
        <dd>
          {numbers.median_days_to_first_job === null
            ? "–"
            : t("outcomes.daysAndJobs", {
                days: tCount("outcomes.days", numbers.median_days_to_first_job),
                jobs: tCount("outcomes.firstJobs", numbers.first_job_starts),
              })}
        </dd>
      </div>
      <div>
        <dt>{t("outcomes.retention")}</dt>
        <dd>
          {formatPercent(numbers.retention_90_days)} <span class="meta">{t("outcomes.retained", { retained: numbers.retained_90_days, cohort: numbers.retention_cohort })}</span>
        </dd>
      </div>
      <div>
        <dt>{t("outcomes.jobsEnded")}</dt>
        <dd>
          {numbers.jobs_ended}
          {numbers.jobs_ended > 0 && (
            <span class="meta">
              {" "}
              ({END_REASONS.filter((r) => numbers.ended_by_reason[r] > 0)
                .map((r) => `${tEnum("endReason", r)}: ${numbers.ended_by_reason[r]}`)
                .join(", ")})
            </span>
          )}
        </dd>
      </div>
    </dl>
  );
}
