/** The specialist's week against the IPS targets, computed from the records on this phone. */
import { t, formatPercent } from "../i18n";
import { weekStats } from "../queries";
import { addWeeks, osloWeek, parseWeek } from "../time";
import type { RecordOf, SignedInUser } from "../types";
import { useRoute } from "../hooks";
import { type ActivityRow, ActivityList, ShowMore, Title, byId, contactRow, meetingRow, newestActivityFirst, usePaged, useRecords } from "./common";

export const TARGET_FACE_TO_FACE = 6;
export const TARGET_COMMUNITY_SHARE = 0.65;

export function MyWeek({ user }: { user: SignedInUser }) {
  const contacts = useRecords("employer_contacts");
  const meetings = useRecords("meetings");
  const reviews = useRecords("week_reviews");
  const thisWeek = osloWeek(new Date());
  const weeks = [thisWeek, addWeeks(thisWeek, -1), addWeeks(thisWeek, -2), addWeeks(thisWeek, -3)];
  const stats = weeks.map((w) => weekStats(w, user.id ?? "", contacts, meetings));
  const current = stats[0]!;
  const reviewOf = (label: string) => {
    const { year, week } = parseWeek(label);
    return reviews.find((r) => r.specialist_id === user.id && r.iso_year === year && r.iso_week === week && !r.deleted_at);
  };
  const reviewed = weeks.map((w) => ({ week: w, review: reviewOf(w) })).filter((r) => r.review !== undefined);
  const f2fOk = current.faceToFace >= TARGET_FACE_TO_FACE;
  const shareOk = current.communityShare !== null && current.communityShare >= TARGET_COMMUNITY_SHARE;
  return (
    <>
      <Title>{t("week.title", { week: parseWeek(thisWeek).week })}</Title>
      <section class="card">
        <h2>{t("week.faceToFace")}</h2>
        <p class="big">
          {t("week.ofTarget", { value: current.faceToFace, target: TARGET_FACE_TO_FACE })}
        </p>
        <Meter value={current.faceToFace} max={TARGET_FACE_TO_FACE} label={t("week.faceToFace")} />
        <p>{f2fOk ? t("week.f2fReached") : t("week.f2fLeft", { count: TARGET_FACE_TO_FACE - current.faceToFace })}</p>
      </section>
      <section class="card">
        <h2>{t("week.community")}</h2>
        <p class="big">{t("week.shareOfTarget", { value: formatPercent(current.communityShare), target: formatPercent(TARGET_COMMUNITY_SHARE) })}</p>
        <Meter value={current.communityShare ?? 0} max={1} label={t("week.community")} target={TARGET_COMMUNITY_SHARE} />
        <p>{current.communityShare === null ? t("week.noMeetings") : shareOk ? t("week.shareReached") : t("week.shareBelow")}</p>
      </section>
      <section class="card">
        <h2>{t("week.recent")}</h2>
        {/* Weeks across, numbers down: four narrow columns fit a phone held upright. */}
        <table class="table week-table">
          <colgroup>
            <col class="week-label" />
            <col span={stats.length} />
          </colgroup>
          <thead>
            <tr>
              <td />
              {stats.map((s) => (
                <th key={s.week} scope="col">{t("week.weekNumber", { week: parseWeek(s.week).week })}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{t("week.f2fShort")}</th>
              {stats.map((s) => <td key={s.week}>{s.faceToFace}</td>)}
            </tr>
            <tr>
              <th scope="row">{t("week.contactsShort")}</th>
              {stats.map((s) => <td key={s.week}>{s.contacts}</td>)}
            </tr>
            <tr>
              <th scope="row">{t("week.meetingsShort")}</th>
              {stats.map((s) => <td key={s.week}>{s.meetings}</td>)}
            </tr>
            <tr>
              <th scope="row">{t("week.shareShort")}</th>
              {stats.map((s) => <td key={s.week}>{formatPercent(s.communityShare)}</td>)}
            </tr>
            <tr>
              <th scope="row">{t("week.reviewed")}</th>
              {stats.map((s) => <td key={s.week}>{reviewOf(s.week) ? t("week.reviewedYes") : t("week.reviewedNo")}</td>)}
            </tr>
          </tbody>
        </table>
      </section>
      <WeekWork user={user} weeks={weeks} contacts={contacts} meetings={meetings} />
      <section class="card">
        <h2>{t("week.reviews")}</h2>
        {reviewed.length === 0 ? (
          <p class="empty">{t("week.noReviews")}</p>
        ) : (
          <ul class="list plain">
            {reviewed.map(({ week, review }) => (
              <li key={week}>
                <strong>{t("week.weekNumber", { week: parseWeek(week).week })}</strong>
                {review?.comment ? <blockquote class="review-comment">{review.comment}</blockquote> : <p class="muted">{t("week.reviewNoComment")}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function Meter({ value, max, label, target }: { value: number; max: number; label: string; target?: number }) {
  const ratio = Math.max(0, Math.min(1, value / max));
  return (
    <div class="meter" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={Math.round(value * 100) / 100}>
      <div class="meter-fill" style={{ width: `${ratio * 100}%` }} />
      {target !== undefined && <div class="meter-target" style={{ left: `${(target / max) * 100}%` }} />}
    </div>
  );
}

/** How many rows of a week's work show at first, and how many more each "Vis flere" adds. */
const WORK_PAGE = 15;

/** The work logged for one of the weeks, newest first, each open for correcting or removing. */
function WeekWork({ user, weeks, contacts, meetings }: { user: SignedInUser; weeks: string[]; contacts: RecordOf<"employer_contacts">[]; meetings: RecordOf<"meetings">[] }) {
  // The chosen week is in the address, so that coming back from correcting a contact shows it again.
  const asked = useRoute().query.get("week");
  const week = asked && weeks.includes(asked) ? asked : weeks[0]!;
  const people = byId(useRecords("participants"));
  const employers = byId(useRecords("employers"));
  const own = (r: { specialist_id?: string | null }) => !r.specialist_id || r.specialist_id === user.id;
  const rows = newestActivityFirst([
    ...contacts.filter((c) => own(c) && c.contacted_at && osloWeek(c.contacted_at) === week).map((c) => contactRow(c, employers, people, user.id)),
    ...meetings.filter((m) => own(m) && m.starts_at && osloWeek(m.starts_at) === week).map((m) => meetingRow(m, people, user.id)),
  ]);
  return (
    <section class="card" aria-labelledby="week-work">
      <h2 id="week-work">{t("weekLog.title")}</h2>
      <div class="field">
        <label for="week-work-week">{t("weekLog.week")}</label>
        <select id="week-work-week" value={week} onChange={(e) => location.replace(`#/week?week=${e.currentTarget.value}`)}>
          {weeks.map((w) => (
            <option key={w} value={w}>{t("week.weekNumber", { week: parseWeek(w).week })}</option>
          ))}
        </select>
      </div>
      <WeekRows key={week} rows={rows} />
    </section>
  );
}

function WeekRows({ rows }: { rows: ActivityRow[] }) {
  const paged = usePaged(rows, WORK_PAGE);
  return (
    <>
      <ActivityList rows={paged.shown} empty={t("weekLog.empty")} />
      <ShowMore more={paged.more} onClick={paged.showMore} />
    </>
  );
}
