/** The specialist's week against the IPS targets, computed from the records on this phone. */
import { t, formatPercent } from "../i18n";
import { weekStats } from "../queries";
import { addWeeks, osloWeek, parseWeek } from "../time";
import type { SignedInUser } from "../types";
import { Title, useRecords } from "./common";

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
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("week.week")}</th>
              <th scope="col">{t("week.f2fShort")}</th>
              <th scope="col">{t("week.contactsShort")}</th>
              <th scope="col">{t("week.meetingsShort")}</th>
              <th scope="col">{t("week.shareShort")}</th>
              <th scope="col">{t("week.reviewed")}</th>
            </tr>
          </thead>
          <tbody>
            {stats.map((s) => (
              <tr key={s.week}>
                <th scope="row">{t("week.weekNumber", { week: parseWeek(s.week).week })}</th>
                <td>{s.faceToFace}</td>
                <td>{s.contacts}</td>
                <td>{s.meetings}</td>
                <td>{formatPercent(s.communityShare)}</td>
                <td>{reviewOf(s.week) ? t("week.reviewedYes") : t("week.reviewedNo")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
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
