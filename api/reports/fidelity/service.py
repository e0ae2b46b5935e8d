"""The IPS-25 fidelity items that logged data can score (domain.md, "Numbers the product reports
on"), each with the measured value, the anchors it was scored on, and the rows behind it.

The period is [from, to], both dates in local time (Europe/Oslo). By default it is the 13 whole
ISO weeks up to the last completed week: `to` is the Sunday before today, `from` is 90 days
before `to`. It may be at most two years long (731 days, both ends included). Deleted records
count for nothing, anywhere. Participants, and their jobs, count for the specialist they have
now. A cap is reported whenever the evidence limits the score, with the score the value alone
would have had.

- **Weeks in the period**: the ISO weeks lying wholly within [from, to]; there must be one.
- **Caseload size** (item 1): per specialist, participants on their caseload active on `to`
  (enrolled on or before `to`, not closed before it), over their FTE (percent / 100). The
  team's value is all those participants over all the specialists' full-time equivalents.
  5: 20 or fewer, 4: up to 25, 3: up to 30, 2: up to 40, 1: more.
- **Rapid job search** (item 15): participants who entered the programme in [from, to]; days
  from entry to the local date of the first face-to-face employer contact about them (by any
  specialist, on or before `to`; a contact before entry is day 0). The mean over those who
  have had one; the others are listed with the days so far. 5: 30 or fewer, 4: up to 60,
  3: up to 150, 2: up to 270, 1: more.
- **Frequent employer contact** (item 17): per specialist, face-to-face (in person) employer
  contacts in the weeks over the number of weeks; the mean over specialists. 1: under 2,
  2: under 4, 3: under 5, 4: under 6, 5: 6 or more. Capped by the supervisor's reviews: with
  no specialist-week reviewed at most 2; with fewer than 3 in 4 reviewed at most 3.
- **Jobs obtained**: job matches of the specialists' participants started in [from, to].
- **Diversity of job types** (item 19): a job differs when its type (trimmed, case-insensitive)
  is not the type of any job of the same participant started on an earlier day (any time
  before); a first job differs. Jobs without a type are left out (and listed). The share of
  jobs that differ. 1: under 50 %, 2: under 60 %, 3: under 70 %, 4: under 85 %, 5: 85 % or more.
- **Diversity of employers** (item 20): distinct employers over jobs obtained; the same bins.
- **Competitive jobs** (item 21): competitive jobs over jobs obtained. 1: under 65 %,
  2: under 75 %, 3: under 85 %, 4: under 95 %, 5: 95 % or more.
- **Time-unlimited follow-along** (item 23): a job is followed as described when a meeting
  with the participant that was held or is planned (not cancelled, not a no-show) falls, by
  local date, on days 0-3 after the start, in each of days 0-6, 7-13, 14-20 and 21-27, and in
  every 30-day window after that (28-57, 58-87, ...). A job is checked up to its end or `to`,
  whichever comes first, against whole windows only; a job with no whole window yet (started
  or ended within 3 days) is left out and listed. The share of jobs followed as described.
  1: under 20 %, 2: under 40 %, 3: under 60 %, 4: under 85 %, 5: 85 % or more, and a 5 also
  needs one job followed as described for 365 days or more (so a period over a year): else 4.
- **Community-based services** (item 24): per specialist, minutes of meetings held or planned
  (not cancelled, not a no-show) starting in the weeks, in community settings over all; the
  mean over specialists who had meetings (the others are listed). 1: under 30 %, 2: under 40 %,
  3: under 50 %, 4: under 65 %, 5: 65 % or more.

An item without data to score has no score and no value, and says why. Values are exact
fractions while scoring, rounded to 4 decimals in the report. The other 17 items need a human
reviewer; the total is the sum of the scored items only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select

from api.accounts.models import User
from api.activity.models import FACE_TO_FACE_MODES, EmployerContact, Meeting
from api.extensions import db
from api.jobs.models import JobMatch
from api.participants.models import Participant
from api.reports.weekly.service import NOT_HELD
from api.reports.weeks import IsoWeek, week_range
from api.reviews.models import WeekReview

DEFAULT_DAYS_BEFORE_TO = 90  # with `to` on a Sunday: 13 whole weeks
MAX_PERIOD_DAYS = 731  # two years, with a leap day
NO_WHOLE_WEEK = "The period must hold at least one whole week (Monday to Sunday)."
FOLLOWED_A_YEAR_DAYS = 365
FIRST_CONTACT_DAYS = 3  # follow-along within 3 days of the start
WEEKLY_WINDOWS = ((0, 6), (7, 13), (14, 20), (21, 27))
MONTHLY_WINDOW_DAYS = 30

Real = Fraction | float | int


@dataclass(frozen=True)
class ItemDefinition:
    item: str
    number: int
    title: str
    unit: str
    anchors: tuple[str, str, str, str, str]  # for scores 1 to 5

    def anchor_rows(self) -> list[dict[str, Any]]:
        return [{"score": n, "text": text} for n, text in enumerate(self.anchors, start=1)]


DIVERSITY_ANCHORS = (
    "under 50 %",
    "50 % to under 60 %",
    "60 % to under 70 %",
    "70 % to under 85 %",
    "85 % or more",
)

ITEMS = {
    item.item: item
    for item in (
        ItemDefinition(
            "caseload_size",
            1,
            "Caseload size",
            "participants per full-time specialist",
            (
                "more than 40",
                "over 30 up to 40",
                "over 25 up to 30",
                "over 20 up to 25",
                "20 or fewer",
            ),
        ),
        ItemDefinition(
            "rapid_job_search",
            15,
            "Rapid search for competitive job",
            "days",
            (
                "more than 270",
                "over 150 up to 270",
                "over 60 up to 150",
                "over 30 up to 60",
                "30 or fewer",
            ),
        ),
        ItemDefinition(
            "frequent_employer_contact",
            17,
            "Job development: frequent employer contact",
            "face-to-face contacts per specialist per week",
            ("under 2", "2 to under 4", "4 to under 5", "5 to under 6", "6 or more"),
        ),
        ItemDefinition(
            "diversity_of_job_types",
            19,
            "Diversity of job types",
            "share of jobs obtained",
            DIVERSITY_ANCHORS,
        ),
        ItemDefinition(
            "diversity_of_employers",
            20,
            "Diversity of employers",
            "share of jobs obtained",
            DIVERSITY_ANCHORS,
        ),
        ItemDefinition(
            "competitive_jobs",
            21,
            "Competitive jobs",
            "share of jobs obtained",
            (
                "under 65 %",
                "65 % to under 75 %",
                "75 % to under 85 %",
                "85 % to under 95 %",
                "95 % or more",
            ),
        ),
        ItemDefinition(
            "time_unlimited_follow_along",
            23,
            "Time-unlimited follow-along supports",
            "share of jobs obtained",
            (
                "under 20 % (rarely)",
                "20 % to under 40 %",
                "40 % to under 60 %",
                "60 % to under 85 %",
                "85 % or more, with a job followed as described for a year or more",
            ),
        ),
        ItemDefinition(
            "community_based_services",
            24,
            "Community-based services",
            "share of meeting time in the community",
            (
                "under 30 %",
                "30 % to under 40 %",
                "40 % to under 50 %",
                "50 % to under 65 %",
                "65 % or more",
            ),
        ),
    )
}

# The IPS-25 items that need a human reviewer: the logs cannot score them.
NEEDS_REVIEWER = (
    ("employment_services_staff", 2, "Employment services staff"),
    ("vocational_generalists", 3, "Vocational generalists"),
    (
        "integration_through_team_assignment",
        4,
        "Integration of rehabilitation with mental health treatment through team assignment",
    ),
    (
        "integration_through_team_contact",
        5,
        "Integration of rehabilitation with mental health treatment through frequent team "
        "member contact",
    ),
    (
        "collaboration_with_vocational_rehabilitation",
        6,
        "Collaboration between employment specialists and vocational rehabilitation counsellors",
    ),
    ("vocational_unit", 7, "Vocational unit"),
    ("role_of_employment_supervisor", 8, "Role of employment supervisor"),
    ("zero_exclusion_criteria", 9, "Zero exclusion criteria"),
    ("agency_focus_on_competitive_employment", 10, "Agency focus on competitive employment"),
    ("executive_team_support", 11, "Executive team support for supported employment"),
    ("work_incentives_planning", 12, "Work incentives planning"),
    ("disclosure", 13, "Disclosure"),
    ("work_based_vocational_assessment", 14, "Ongoing, work-based vocational assessment"),
    ("individualized_job_search", 16, "Individualized job search"),
    ("quality_of_employer_contact", 18, "Job development: quality of employer contact"),
    ("individualized_follow_along", 22, "Individualized follow-along supports"),
    (
        "assertive_engagement_and_outreach",
        25,
        "Assertive engagement and outreach by integrated treatment team",
    ),
)


# --- the period ------------------------------------------------------------------------------


def default_last(today: date) -> date:
    """The Sunday that ended the last completed week (the one before today)."""
    return today - timedelta(days=today.isoweekday())


def default_first(last: date) -> date:
    """90 days before `last`: with `last` on a Sunday, 13 whole weeks."""
    return last - timedelta(days=DEFAULT_DAYS_BEFORE_TO)


def period_too_long(first: date, last: date) -> bool:
    return (last - first).days + 1 > MAX_PERIOD_DAYS


def whole_weeks(first: date, last: date) -> list[IsoWeek]:
    """The ISO weeks lying wholly within [first, last] (Monday to Sunday)."""
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    sunday = last - timedelta(days=(last.weekday() + 1) % 7)
    if monday > sunday:
        return []
    return week_range(IsoWeek.of(monday), IsoWeek.of(sunday))


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of a local day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


# --- scoring ---------------------------------------------------------------------------------


def exact(value: Real) -> Fraction:
    """A float as the decimal it prints as (0.3 is 3/10), so that bin edges are exact."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def score_caseload_size(per_full_time: Real) -> int:
    value = exact(per_full_time)
    for score, most in ((5, 20), (4, 25), (3, 30), (2, 40)):
        if value <= most:
            return score
    return 1


def score_frequent_employer_contact(per_week: Real) -> int:
    value = exact(per_week)
    for score, under in ((1, 2), (2, 4), (3, 5), (4, 6)):
        if value < under:
            return score
    return 5


def review_cap(reviewed_weeks: int, specialist_weeks: int) -> tuple[int, str] | None:
    """The most the employer-contact item may score, by how many specialist-weeks a supervisor
    marked as reviewed, and why; None when the reviews allow any score."""
    if reviewed_weeks == 0:
        return 2, "No week in the period was marked as reviewed."
    if Fraction(reviewed_weeks, specialist_weeks) < Fraction(3, 4):
        return 3, (
            f"{reviewed_weeks} of {specialist_weeks} specialist-weeks were marked as reviewed: "
            "a score of 4 or 5 needs 3 in 4 or more."
        )
    return None


def _score_share(share: Real, unders: Sequence[str]) -> int:
    value = exact(share)
    for score, under in enumerate(unders, start=1):
        if value < Fraction(under):
            return score
    return 5


def score_community_based_services(share: Real) -> int:
    return _score_share(share, ("0.30", "0.40", "0.50", "0.65"))


def score_rapid_job_search(mean_days: Real) -> int:
    value = exact(mean_days)
    for score, most in ((5, 30), (4, 60), (3, 150), (2, 270)):
        if value <= most:
            return score
    return 1


def score_diversity(share: Real) -> int:
    """Diversity of job types and of employers."""
    return _score_share(share, ("0.50", "0.60", "0.70", "0.85"))


def score_competitive_jobs(share: Real) -> int:
    return _score_share(share, ("0.65", "0.75", "0.85", "0.95"))


def score_follow_along(share: Real) -> int:
    return _score_share(share, ("0.20", "0.40", "0.60", "0.85"))


def follow_along_cap(followed_a_year: int) -> tuple[int, str] | None:
    if followed_a_year:
        return None
    return 4, "A 5 needs a job followed as described for 365 days or more; none was."


def mean(values: Iterable[Fraction]) -> Fraction | None:
    listed = list(values)
    return sum(listed, Fraction(0)) / len(listed) if listed else None


# --- the rules behind the values ---------------------------------------------------------------


def days_to_first_contact(enrolled_on: date, first_contact_on: date) -> int:
    """A contact before programme entry counts as day 0."""
    return max(0, (first_contact_on - enrolled_on).days)


def normalized_job_type(job_type: str | None) -> str | None:
    text = (job_type or "").strip().casefold()
    return text or None


def job_type_differs(job_type: str, earlier_types: Iterable[str | None]) -> bool:
    """Whether a job's type differs from every earlier job's (jobs without a type aside)."""
    mine = normalized_job_type(job_type)
    return all(normalized_job_type(other) != mine for other in earlier_types)


def follow_along_windows(started_on: date, until: date) -> list[tuple[int, int]]:
    """The windows (first and last day after the start) a job is checked against: within 3
    days, each of the first 4 weeks, then every 30 days; whole windows up to `until` only."""
    windows = [(0, FIRST_CONTACT_DAYS), *WEEKLY_WINDOWS]
    first = WEEKLY_WINDOWS[-1][1] + 1
    while started_on + timedelta(days=first + MONTHLY_WINDOW_DAYS - 1) <= until:
        windows.append((first, first + MONTHLY_WINDOW_DAYS - 1))
        first += MONTHLY_WINDOW_DAYS
    return [w for w in windows if started_on + timedelta(days=w[1]) <= until]


def missed_follow_along_windows(
    started_on: date, until: date, meeting_days: Iterable[date]
) -> list[tuple[int, int]]:
    """The whole windows up to `until` without a meeting."""
    offsets = {(day - started_on).days for day in meeting_days}
    return [
        (first, last)
        for first, last in follow_along_windows(started_on, until)
        if not any(first <= offset <= last for offset in offsets)
    ]


# --- the report ------------------------------------------------------------------------------


def _rounded(value: Fraction | None) -> float | None:
    return None if value is None else float(round(value, 4))


def _item(
    key: str,
    value: Fraction | None,
    score: int | None,
    evidence: dict[str, Any],
    reason: str | None = None,
    cap: tuple[int, str] | None = None,
) -> dict[str, Any]:
    definition = ITEMS[key]
    capped = score if score is None or cap is None else min(score, cap[0])
    return {
        "item": key,
        "number": definition.number,
        "title": definition.title,
        "score": capped,
        "reason": reason if score is None else None,
        "value": _rounded(value),
        "unit": definition.unit,
        "anchors": definition.anchor_rows(),
        "cap": (
            None
            if cap is None or score is None
            else {"max_score": cap[0], "reason": cap[1], "uncapped_score": score}
        ),
        "evidence": evidence,
    }


NO_SPECIALISTS = "No specialists to report on."


def _caseload_size(ids: list[uuid.UUID], last: date, fte: dict[uuid.UUID, int]) -> dict[str, Any]:
    active = dict(
        db.session.execute(
            select(Participant.specialist_id, func.count())
            .where(
                Participant.specialist_id.in_(ids),
                Participant.deleted_at.is_(None),
                Participant.enrolled_on <= last,
                or_(Participant.closed_on.is_(None), Participant.closed_on >= last),
            )
            .group_by(Participant.specialist_id)
        ).all()
    )
    rows = [
        {
            "specialist_id": str(s),
            "participants": active.get(s, 0),
            "fte": fte[s],
            "per_full_time": _rounded(Fraction(active.get(s, 0) * 100, fte[s])),
        }
        for s in ids
    ]
    participants, percent = sum(active.values()), sum(fte[s] for s in ids)
    evidence = {
        "on": last.isoformat(),
        "participants": participants,
        "full_time_equivalents": _rounded(Fraction(percent, 100)),
        "specialists": rows,
    }
    if not ids:
        return _item("caseload_size", None, None, evidence, NO_SPECIALISTS)
    value = Fraction(participants * 100, percent)
    return _item("caseload_size", value, score_caseload_size(value), evidence)


def _frequent_employer_contact(
    ids: list[uuid.UUID], weeks: list[IsoWeek], zone: ZoneInfo
) -> dict[str, Any]:
    contacts = dict(
        db.session.execute(
            select(EmployerContact.specialist_id, func.count())
            .where(
                EmployerContact.specialist_id.in_(ids),
                EmployerContact.deleted_at.is_(None),
                EmployerContact.mode.in_(FACE_TO_FACE_MODES),
                EmployerContact.contacted_at >= weeks[0].starts_at(zone),
                EmployerContact.contacted_at < weeks[-1].shifted(1).starts_at(zone),
            )
            .group_by(EmployerContact.specialist_id)
        ).all()
    )
    in_period = {(week.year, week.week) for week in weeks}
    reviewed: dict[uuid.UUID, int] = defaultdict(int)
    for specialist_id, iso_year, iso_week in db.session.execute(
        select(WeekReview.specialist_id, WeekReview.iso_year, WeekReview.iso_week).where(
            WeekReview.specialist_id.in_(ids),
            WeekReview.deleted_at.is_(None),
            WeekReview.iso_year.between(weeks[0].year, weeks[-1].year),
        )
    ):
        if (iso_year, iso_week) in in_period:
            reviewed[specialist_id] += 1
    per_week = {s: Fraction(contacts.get(s, 0), len(weeks)) for s in ids}
    specialist_weeks = len(ids) * len(weeks)
    reviewed_weeks = sum(reviewed.values())
    evidence = {
        "weeks": len(weeks),
        "specialist_weeks": specialist_weeks,
        "reviewed_specialist_weeks": reviewed_weeks,
        "reviewed_share": _rounded(
            Fraction(reviewed_weeks, specialist_weeks) if specialist_weeks else None
        ),
        "specialists": [
            {
                "specialist_id": str(s),
                "face_to_face_contacts": contacts.get(s, 0),
                "weeks": len(weeks),
                "per_week": _rounded(per_week[s]),
                "reviewed_weeks": reviewed.get(s, 0),
            }
            for s in ids
        ],
    }
    value = mean(per_week.values())
    if value is None:
        return _item("frequent_employer_contact", None, None, evidence, NO_SPECIALISTS)
    return _item(
        "frequent_employer_contact",
        value,
        score_frequent_employer_contact(value),
        evidence,
        cap=review_cap(reviewed_weeks, specialist_weeks),
    )


def _community_based_services(
    ids: list[uuid.UUID], weeks: list[IsoWeek], zone: ZoneInfo
) -> dict[str, Any]:
    minutes = {
        specialist_id: (held, int(community or 0), int(total or 0))
        for specialist_id, held, community, total in db.session.execute(
            select(
                Meeting.specialist_id,
                func.count(),
                func.sum(case((Meeting.setting == "community", Meeting.duration_minutes), else_=0)),
                func.sum(Meeting.duration_minutes),
            )
            .where(
                Meeting.specialist_id.in_(ids),
                Meeting.deleted_at.is_(None),
                Meeting.status.not_in(NOT_HELD),
                Meeting.starts_at >= weeks[0].starts_at(zone),
                Meeting.starts_at < weeks[-1].shifted(1).starts_at(zone),
            )
            .group_by(Meeting.specialist_id)
        )
    }
    shares = {s: Fraction(c, t) for s, (_, c, t) in minutes.items() if t}
    evidence = {
        "specialists": [
            {
                "specialist_id": str(s),
                "meetings": minutes[s][0],
                "community_minutes": minutes[s][1],
                "meeting_minutes": minutes[s][2],
                "share": _rounded(shares[s]),
            }
            for s in ids
            if s in shares
        ],
        "without_meetings": [str(s) for s in ids if s not in shares],
    }
    value = mean(shares[s] for s in ids if s in shares)
    if value is None:
        reason = NO_SPECIALISTS if not ids else "No meetings were held in the weeks."
        return _item("community_based_services", None, None, evidence, reason)
    return _item("community_based_services", value, score_community_based_services(value), evidence)


def _rapid_job_search(
    ids: list[uuid.UUID], first: date, last: date, zone: ZoneInfo
) -> dict[str, Any]:
    entered = (
        Participant.specialist_id.in_(ids),
        Participant.deleted_at.is_(None),
        Participant.enrolled_on.between(first, last),
    )
    first_contact = (
        select(
            EmployerContact.participant_id,
            func.min(EmployerContact.contacted_at).label("first_at"),
        )
        .where(
            EmployerContact.participant_id.in_(select(Participant.id).where(*entered)),
            EmployerContact.deleted_at.is_(None),
            EmployerContact.mode.in_(FACE_TO_FACE_MODES),
            EmployerContact.contacted_at < local_midnight(last + timedelta(days=1), zone),
        )
        .group_by(EmployerContact.participant_id)
        .subquery()
    )
    contacted, waiting = [], []
    for participant_id, enrolled_on, first_at in db.session.execute(
        select(Participant.id, Participant.enrolled_on, first_contact.c.first_at)
        .outerjoin(first_contact, first_contact.c.participant_id == Participant.id)
        .where(*entered)
        .order_by(Participant.enrolled_on, Participant.id)
    ):
        if first_at is None:
            waiting.append(
                {
                    "participant_id": str(participant_id),
                    "enrolled_on": enrolled_on.isoformat(),
                    "days_so_far": (last - enrolled_on).days,
                }
            )
            continue
        contact_on = first_at.astimezone(zone).date()
        contacted.append(
            {
                "participant_id": str(participant_id),
                "enrolled_on": enrolled_on.isoformat(),
                "first_face_to_face_contact_on": contact_on.isoformat(),
                "days": days_to_first_contact(enrolled_on, contact_on),
            }
        )
    evidence = {
        "entered": len(contacted) + len(waiting),
        "participants": contacted,
        "without_contact_yet": waiting,
    }
    value = mean(Fraction(row["days"]) for row in contacted)
    if value is None:
        reason = (
            "No participant entered the programme in the period."
            if not waiting
            else "No participant who entered in the period has had a face-to-face employer "
            "contact yet."
        )
        return _item("rapid_job_search", None, None, evidence, reason)
    return _item("rapid_job_search", value, score_rapid_job_search(value), evidence)


@dataclass(frozen=True)
class Job:
    job_match_id: uuid.UUID
    participant_id: uuid.UUID
    employer_id: uuid.UUID
    job_type: str | None
    competitive: bool
    started_on: date
    ended_on: date | None

    def row(self) -> dict[str, Any]:
        return {
            "job_match_id": str(self.job_match_id),
            "participant_id": str(self.participant_id),
            "employer_id": str(self.employer_id),
            "started_on": self.started_on.isoformat(),
        }


NO_JOBS = "No jobs were obtained in the period."


def _jobs(ids: list[uuid.UUID], first: date, last: date) -> tuple[list[Job], list[Job]]:
    """The jobs obtained in the period, and every job of those participants up to `to`."""
    live = (JobMatch.deleted_at.is_(None), JobMatch.started_on.is_not(None))
    with_jobs = (
        select(JobMatch.participant_id)
        .join(Participant, Participant.id == JobMatch.participant_id)
        .where(
            *live,
            Participant.specialist_id.in_(ids),
            Participant.deleted_at.is_(None),
            JobMatch.started_on.between(first, last),
        )
    )
    history = []
    for (
        job_id,
        participant_id,
        employer_id,
        job_type,
        competitive,
        started_on,
        ended_on,
    ) in db.session.execute(
        select(
            JobMatch.id,
            JobMatch.participant_id,
            JobMatch.employer_id,
            JobMatch.job_type,
            JobMatch.competitive,
            JobMatch.started_on,
            JobMatch.ended_on,
        )
        .where(*live, JobMatch.started_on <= last, JobMatch.participant_id.in_(with_jobs))
        .order_by(JobMatch.started_on, JobMatch.id)
    ):
        assert started_on is not None
        history.append(
            Job(job_id, participant_id, employer_id, job_type, competitive, started_on, ended_on)
        )
    return [job for job in history if job.started_on >= first], history


def _diversity_of_job_types(obtained: list[Job], history: list[Job]) -> dict[str, Any]:
    typed = [job for job in obtained if normalized_job_type(job.job_type)]
    rows = []
    for job in typed:
        assert job.job_type is not None
        earlier = (
            other.job_type
            for other in history
            if other.participant_id == job.participant_id and other.started_on < job.started_on
        )
        rows.append(
            {
                **job.row(),
                "job_type": job.job_type,
                "differs": job_type_differs(job.job_type, earlier),
            }
        )
    differing = sum(row["differs"] for row in rows)
    evidence = {
        "jobs": rows,
        "differing": differing,
        "without_job_type": [
            str(job.job_match_id) for job in obtained if not normalized_job_type(job.job_type)
        ],
    }
    if not rows:
        reason = NO_JOBS if not obtained else "No job obtained in the period has a job type."
        return _item("diversity_of_job_types", None, None, evidence, reason)
    value = Fraction(differing, len(rows))
    return _item("diversity_of_job_types", value, score_diversity(value), evidence)


def _diversity_of_employers(obtained: list[Job]) -> dict[str, Any]:
    employers = {job.employer_id for job in obtained}
    evidence = {"jobs": [job.row() for job in obtained], "distinct_employers": len(employers)}
    if not obtained:
        return _item("diversity_of_employers", None, None, evidence, NO_JOBS)
    value = Fraction(len(employers), len(obtained))
    return _item("diversity_of_employers", value, score_diversity(value), evidence)


def _competitive_jobs(obtained: list[Job]) -> dict[str, Any]:
    competitive = sum(job.competitive for job in obtained)
    evidence = {
        "jobs": [{**job.row(), "competitive": job.competitive} for job in obtained],
        "competitive": competitive,
    }
    if not obtained:
        return _item("competitive_jobs", None, None, evidence, NO_JOBS)
    value = Fraction(competitive, len(obtained))
    return _item("competitive_jobs", value, score_competitive_jobs(value), evidence)


def _time_unlimited_follow_along(
    obtained: list[Job], first: date, last: date, zone: ZoneInfo
) -> dict[str, Any]:
    # One row per meeting of a participant who got a job in the period: days, not counts, matter.
    meeting_days: dict[uuid.UUID, set[date]] = defaultdict(set)
    if obtained:
        for participant_id, starts_at in db.session.execute(
            select(Meeting.participant_id, Meeting.starts_at).where(
                Meeting.participant_id.in_(sorted({job.participant_id for job in obtained})),
                Meeting.deleted_at.is_(None),
                Meeting.status.not_in(NOT_HELD),
                Meeting.starts_at >= local_midnight(first, zone),
                Meeting.starts_at < local_midnight(last + timedelta(days=1), zone),
            )
        ):
            meeting_days[participant_id].add(starts_at.astimezone(zone).date())
    judged, not_yet = [], []
    for job in obtained:
        until = min(job.ended_on, last) if job.ended_on else last
        windows = follow_along_windows(job.started_on, until)
        if not windows:
            not_yet.append({**job.row(), "followed_until": until.isoformat()})
            continue
        days = {d for d in meeting_days[job.participant_id] if job.started_on <= d <= until}
        missed = missed_follow_along_windows(job.started_on, until, days)
        judged.append(
            {
                **job.row(),
                "followed_until": until.isoformat(),
                "days_followed": (until - job.started_on).days,
                "windows": len(windows),
                "missed_windows": [
                    {
                        "from": (job.started_on + timedelta(days=a)).isoformat(),
                        "to": (job.started_on + timedelta(days=b)).isoformat(),
                    }
                    for a, b in missed
                ],
                "as_described": not missed,
            }
        )
    followed = [row for row in judged if row["as_described"]]
    a_year = sum(row["days_followed"] >= FOLLOWED_A_YEAR_DAYS for row in followed)
    evidence = {
        "jobs": judged,
        "as_described": len(followed),
        "as_described_for_a_year_or_more": a_year,
        "not_judged_yet": not_yet,
    }
    if not judged:
        reason = NO_JOBS if not obtained else "No job obtained has had 3 days of follow-along yet."
        return _item("time_unlimited_follow_along", None, None, evidence, reason)
    value = Fraction(len(followed), len(judged))
    return _item(
        "time_unlimited_follow_along",
        value,
        score_follow_along(value),
        evidence,
        cap=follow_along_cap(a_year),
    )


def fidelity_report(
    specialists: Sequence[tuple[uuid.UUID, str]], first: date, last: date, zone: ZoneInfo
) -> dict[str, Any]:
    """The data-scored IPS-25 items for `specialists` over [first, last], which must hold at
    least one whole week."""
    weeks = whole_weeks(first, last)
    if not weeks:
        raise ValueError(NO_WHOLE_WEEK)
    ids = [specialist_id for specialist_id, _ in specialists]
    fte = dict(db.session.execute(select(User.id, User.fte).where(User.id.in_(ids))).all())
    obtained, history = _jobs(ids, first, last)
    items = [
        _caseload_size(ids, last, fte),
        _rapid_job_search(ids, first, last, zone),
        _frequent_employer_contact(ids, weeks, zone),
        _diversity_of_job_types(obtained, history),
        _diversity_of_employers(obtained),
        _competitive_jobs(obtained),
        _time_unlimited_follow_along(obtained, first, last, zone),
        _community_based_services(ids, weeks, zone),
    ]
    scored = [item["score"] for item in items if item["score"] is not None]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "weeks": [str(week) for week in weeks],
        "specialists": [{"specialist_id": s, "name": name} for s, name in specialists],
        "items": items,
        "total": {"score": sum(scored), "items_scored": len(scored)},
        "needs_reviewer": [
            {"item": key, "number": number, "title": title} for key, number, title in NEEDS_REVIEWER
        ],
    }
