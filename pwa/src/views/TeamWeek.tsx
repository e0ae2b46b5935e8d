/** The supervisor's week: each specialist's counts against the targets, a 12-week trend, review. */
import { useEffect, useState } from "preact/hooks";
import { markWeekReviewed, undoChange } from "../actions";
import { cachedReport, downloadReportCsv, refreshReport } from "../reports";
import { db, showSnack } from "../app";
import { useLive } from "../hooks";
import { lang, t, formatDateTime, formatNumber, formatPercent } from "../i18n";
import { addWeeks, osloWeek, parseWeek } from "../time";
import { all } from "../queries";
import type { RecordOf, SignedInUser, TeamWeek, WeeklyReport, WeeklyReportWeek } from "../types";
import { Empty, Title } from "./common";

const TREND_WEEKS = 12;

export function TeamWeek({ specialistId }: { user: SignedInUser; specialistId: string | undefined }) {
  const thisWeek = osloWeek(new Date());
  const from = addWeeks(thisWeek, -(TREND_WEEKS - 1));
  // The kept report and the reviews, read together: the cards appear at once, whole.
  const local = useLive(
    async () => {
      const [cached, reviews] = await Promise.all([cachedReport("weekly"), all(db, "week_reviews")]);
      return { cached, reviews };
    },
    [],
    undefined as { cached: Awaited<ReturnType<typeof cachedReport<"weekly">>>; reviews: RecordOf<"week_reviews">[] } | undefined,
  );
  const cached = local?.cached;
  const reviews = local?.reviews ?? [];
  const [status, setStatus] = useState<"loading" | "ok" | "offline" | "unavailable">("loading");
  const [week, setWeek] = useState(thisWeek);

  async function refresh() {
    setStatus("loading");
    setStatus(await refreshReport("weekly", { from, to: thisWeek }));
  }
  useEffect(() => {
    void refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [from, thisWeek]);

  const report = cached?.report;
  const reviewOf = (sid: string, label: string) => {
    const { year, week: n } = parseWeek(label);
    return reviews.find((r) => r.specialist_id === sid && r.iso_year === year && r.iso_week === n && !r.deleted_at);
  };
  const weekNumber = parseWeek(week).week;
  const specialists = report ? [...report.specialists].sort((a, b) => (a.specialist_id === specialistId ? -1 : b.specialist_id === specialistId ? 1 : a.name.localeCompare(b.name, "nb"))) : [];
  const team = report?.team.weeks.find((w) => w.week === week);

  return (
    <>
      <Title>{t("team.title", { week: weekNumber })}</Title>
      <div class="row week-picker">
        <button type="button" class="button small" onClick={() => setWeek(addWeeks(week, -1))} disabled={report ? !report.weeks.includes(addWeeks(week, -1)) : true}>
          {t("team.previousWeek")}
        </button>
        <button type="button" class="button small" onClick={() => setWeek(addWeeks(week, 1))} disabled={week === thisWeek}>
          {t("team.nextWeek")}
        </button>
        <button type="button" class="button small" onClick={() => void refresh()} disabled={status === "loading"}>{t("team.refresh")}</button>
        <button
          type="button"
          class="button small"
          onClick={async () => {
            const outcome = await downloadReportCsv("weekly", { from, to: thisWeek }, lang(), `feltlogg-uker-${from}-${thisWeek}.csv`);
            if (outcome !== "ok") showSnack(t(outcome === "offline" ? "team.csvOffline" : "team.csvUnavailable"));
          }}
        >
          {t("team.downloadCsv")}
        </button>
      </div>
      <p class="muted" role="status">
        {status === "loading" && t("team.loading")}
        {status === "offline" && (cached ? t("team.offlineCached", { time: formatDateTime(cached.fetched_at) }) : t("team.offlineNone"))}
        {status === "unavailable" && (cached ? t("team.unavailableCached", { time: formatDateTime(cached.fetched_at) }) : t("team.unavailable"))}
        {status === "ok" && cached && t("team.updated", { time: formatDateTime(cached.fetched_at) })}
      </p>
      <p class="transfer-link"><a href="#/transfer">{t("transfer.teamLink")}</a></p>
      {!local && <p>{t("app.loading")}</p>}
      {local && !report && status !== "loading" && <Empty>{t("team.noReport")}</Empty>}
      {report && team && (
        <section class="card">
          <h2>{t("team.teamTotals")}</h2>
          <WeekNumbers row={team} report={report} />
        </section>
      )}
      {report && specialists.length === 0 && <Empty>{t("team.noSpecialists")}</Empty>}
      {report &&
        specialists.map((s) => {
          const row = s.weeks.find((w) => w.week === week);
          const review = reviewOf(s.specialist_id, week);
          const reviewed = Boolean(row?.reviewed) || review !== undefined;
          return (
            <section key={s.specialist_id} class="card specialist" aria-labelledby={`spec-${s.specialist_id}`}>
              <h2 id={`spec-${s.specialist_id}`}>{s.name}</h2>
              {row ? <WeekNumbers row={row} report={report} /> : <Empty>{t("team.noData")}</Empty>}
              <Trend weeks={report.weeks} rows={s.weeks} target={report.targets.face_to_face_employer_contacts} name={s.name} />
              {reviewed ? (
                <>
                  <p class="ok">✓ {t("team.reviewed", { week: weekNumber })}</p>
                  {row?.changed_after_review && <p class="warning changed-after-review">{t("team.changedAfterReview")}</p>}
                  {review?.comment && <blockquote class="review-comment">{review.comment}</blockquote>}
                </>
              ) : (
                <ReviewForm specialistId={s.specialist_id} name={s.name} week={week} />
              )}
            </section>
          );
        })}
    </>
  );
}

/** Mark a week as reviewed, with an optional comment that the specialist sees; undo for a while. */
function ReviewForm({ specialistId, name, week }: { specialistId: string; name: string; week: string }) {
  const [comment, setComment] = useState("");
  const weekNumber = parseWeek(week).week;
  const fieldId = `review-comment-${specialistId}`;
  return (
    <form
      class="review-form"
      onSubmit={async (event) => {
        event.preventDefault();
        const token = await markWeekReviewed(specialistId, week, comment);
        setComment("");
        showSnack(t("team.reviewedSaved", { name, week: weekNumber }), () => undoChange(token));
      }}
    >
      <label for={fieldId}>{t("team.reviewComment")}</label>
      <textarea id={fieldId} rows={2} maxLength={2000} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" class="button primary">
        {t("team.markReviewed", { week: weekNumber })}
      </button>
    </form>
  );
}

/**
 * One week's numbers against the targets. The targets are per specialist, so for the team's
 * totals face-to-face contacts are compared per specialist and the caseload has no maximum.
 */
function WeekNumbers({ row, report }: { row: WeeklyReportWeek | TeamWeek; report: WeeklyReport }) {
  const targets = report.targets;
  const team = "face_to_face_employer_contacts_per_specialist" in row;
  const perSpecialist = team ? row.face_to_face_employer_contacts_per_specialist : row.face_to_face_employer_contacts;
  return (
    <dl class="numbers">
      <div class={perSpecialist !== null && perSpecialist >= targets.face_to_face_employer_contacts ? "ok" : "below"}>
        <dt>{t("team.faceToFace")}</dt>
        {team ? (
          <dd>
            {row.face_to_face_employer_contacts}
            {perSpecialist !== null && (
              <span class="meta"> {t("team.perSpecialist", { value: formatNumber(perSpecialist), target: targets.face_to_face_employer_contacts })}</span>
            )}
          </dd>
        ) : (
          <dd>{t("week.ofTarget", { value: row.face_to_face_employer_contacts, target: targets.face_to_face_employer_contacts })}</dd>
        )}
      </div>
      <div>
        <dt>{t("team.contacts")}</dt>
        <dd>{row.employer_contacts}</dd>
      </div>
      <div>
        <dt>{t("team.meetings")}</dt>
        <dd>{row.participant_meetings}</dd>
      </div>
      <div class={row.community_share !== null && row.community_share >= targets.community_share ? "ok" : "below"}>
        <dt>{t("team.community")}</dt>
        <dd>{t("week.shareOfTarget", { value: formatPercent(row.community_share), target: formatPercent(targets.community_share) })}</dd>
      </div>
      <div>
        <dt>{t("team.caseload")}</dt>
        <dd>{team ? row.caseload : t("week.ofMax", { value: row.caseload, max: targets.caseload })}</dd>
      </div>
    </dl>
  );
}

/** Face-to-face employer contacts per week as bars, with the target as a dashed line. */
export function Trend({ weeks, rows, target, name }: { weeks: string[]; rows: WeeklyReportWeek[]; target: number; name: string }) {
  const shown = weeks.slice(-TREND_WEEKS);
  const values = shown.map((w) => rows.find((r) => r.week === w)?.face_to_face_employer_contacts ?? 0);
  const max = Math.max(target + 2, ...values);
  const width = 300;
  const height = 90;
  const barWidth = width / shown.length;
  const y = (v: number) => height - 14 - (v / max) * (height - 24);
  const summary = t("team.trendSummary", {
    name,
    weeks: shown.length,
    values: values.join(", "),
    target,
  });
  return (
    <figure class="trend">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary} preserveAspectRatio="none">
        {values.map((v, i) => (
          <rect key={shown[i]} x={i * barWidth + 2} y={y(v)} width={barWidth - 4} height={Math.max(0, height - 14 - y(v))} class={v >= target ? "bar ok" : "bar"} />
        ))}
        <line x1={0} x2={width} y1={y(target)} y2={y(target)} class="target" />
        {shown.map((w, i) =>
          i % 3 === 2 || i === shown.length - 1 ? (
            <text key={w} x={i * barWidth + barWidth / 2} y={height - 2} text-anchor="middle" class="axis">
              {parseWeek(w).week}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption>{t("team.trendCaption", { target })}</figcaption>
    </figure>
  );
}
