"""Weekly activity per specialist against the IPS targets (domain.md, "Numbers the product
reports on"). Every count is by the week in which the thing happened, in local time, whenever
it was logged or synced."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, select

from api.activity.models import EmployerContact, Meeting
from api.extensions import db
from api.participants.models import Participant
from api.reports.weeks import IsoWeek
from api.reviews.models import WeekReview

# The IPS targets a supervisor looks at (IPS-25 anchors for a score of 5).
TARGETS = {"face_to_face_employer_contacts": 6, "community_share": 0.65, "caseload": 20}
DEFAULT_WEEKS = 12
MAX_WEEKS = 106  # two years and a bit
# Meetings that did not take place count for nothing.
NOT_HELD = ("cancelled", "no_show")


@dataclass
class WeekCounts:
    face_to_face_employer_contacts: int = 0
    employer_contacts: int = 0
    participant_meetings: int = 0
    community_minutes: int = 0
    meeting_minutes: int = 0
    caseload: int = 0

    @property
    def community_share(self) -> float | None:
        """Share of logged meeting time spent in community settings; None with no meetings."""
        if not self.meeting_minutes:
            return None
        return round(self.community_minutes / self.meeting_minutes, 4)

    def add(self, other: WeekCounts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_row(self, week: IsoWeek) -> dict[str, Any]:
        return {
            "week": str(week),
            "face_to_face_employer_contacts": self.face_to_face_employer_contacts,
            "employer_contacts": self.employer_contacts,
            "participant_meetings": self.participant_meetings,
            "community_share": self.community_share,
            "caseload": self.caseload,
        }


def _week_index(column: Any, weeks: Sequence[IsoWeek], zone: ZoneInfo) -> Any:
    """Which of `weeks` a timestamp falls in, as a SQL expression (the same on SQLite and
    PostgreSQL): the local week boundaries are computed here, as instants in UTC."""
    bounds = [week.starts_at(zone) for week in weeks[1:]]
    if not bounds:
        return literal(0)
    return case(*((column < bound, index) for index, bound in enumerate(bounds)), else_=len(bounds))


def _in_weeks(column: Any, weeks: Sequence[IsoWeek], zone: ZoneInfo) -> ColumnElement[bool]:
    return and_(column >= weeks[0].starts_at(zone), column < weeks[-1].shifted(1).starts_at(zone))


def _last_changes(
    ids: Sequence[uuid.UUID], weeks: Sequence[IsoWeek], zone: ZoneInfo
) -> dict[tuple[uuid.UUID, int], datetime]:
    """(specialist, week index) -> the last time their contacts or meetings of that week were
    written (created, edited or deleted: tombstones count), by when the work happened."""
    last: dict[tuple[uuid.UUID, int], datetime] = {}
    for model, happened in ((EmployerContact, "contacted_at"), (Meeting, "starts_at")):
        column = getattr(model, happened)
        week = _week_index(column, weeks, zone).label("week")
        rows = db.session.execute(
            select(model.specialist_id, week, func.max(model.updated_at))
            .where(model.specialist_id.in_(ids), _in_weeks(column, weeks, zone))
            .group_by(model.specialist_id, week)
        )
        for specialist_id, index, changed in rows:
            key = (specialist_id, index)
            if key not in last or changed > last[key]:
                last[key] = changed
    return last


def weekly_activity(
    specialists: Sequence[tuple[uuid.UUID, str]],
    weeks: Sequence[IsoWeek],
    zone: ZoneInfo,
) -> dict[str, Any]:
    """Per specialist per week, and the team's totals, for consecutive `weeks`."""
    ids = [specialist_id for specialist_id, _ in specialists]
    counts = {(s, i): WeekCounts() for s in ids for i in range(len(weeks))}

    contacts = (
        select(
            EmployerContact.specialist_id,
            _week_index(EmployerContact.contacted_at, weeks, zone).label("week"),
            EmployerContact.mode,
        )
        .where(
            EmployerContact.specialist_id.in_(ids),
            EmployerContact.deleted_at.is_(None),
            _in_weeks(EmployerContact.contacted_at, weeks, zone),
        )
        .subquery()
    )
    for specialist_id, index, in_person, total in db.session.execute(
        select(
            contacts.c.specialist_id,
            contacts.c.week,
            func.count().filter(contacts.c.mode == "in_person"),
            func.count(),
        ).group_by(contacts.c.specialist_id, contacts.c.week)
    ):
        row = counts[(specialist_id, index)]
        row.face_to_face_employer_contacts, row.employer_contacts = in_person, total

    meetings = (
        select(
            Meeting.specialist_id,
            _week_index(Meeting.starts_at, weeks, zone).label("week"),
            Meeting.setting,
            Meeting.duration_minutes,
        )
        .where(
            Meeting.specialist_id.in_(ids),
            Meeting.deleted_at.is_(None),
            Meeting.status.not_in(NOT_HELD),
            _in_weeks(Meeting.starts_at, weeks, zone),
        )
        .subquery()
    )
    for specialist_id, index, held, community, minutes in db.session.execute(
        select(
            meetings.c.specialist_id,
            meetings.c.week,
            func.count(),
            func.sum(
                case((meetings.c.setting == "community", meetings.c.duration_minutes), else_=0)
            ),
            func.sum(meetings.c.duration_minutes),
        ).group_by(meetings.c.specialist_id, meetings.c.week)
    ):
        row = counts[(specialist_id, index)]
        row.participant_meetings = held
        row.community_minutes, row.meeting_minutes = int(community or 0), int(minutes or 0)

    # Caseload: participants on the specialist's caseload today who were in the programme at
    # some point of the week (entered by its Sunday, not closed before its Monday).
    for specialist_id, enrolled_on, closed_on in db.session.execute(
        select(Participant.specialist_id, Participant.enrolled_on, Participant.closed_on).where(
            Participant.specialist_id.in_(ids), Participant.deleted_at.is_(None)
        )
    ):
        for index, week in enumerate(weeks):
            if enrolled_on <= week.sunday and (closed_on is None or closed_on >= week.monday):
                counts[(specialist_id, index)].caseload += 1

    # (specialist, year, week) -> when the supervisor marked it reviewed
    reviewed = {
        (row.specialist_id, row.iso_year, row.iso_week): row.reviewed_at
        for row in db.session.execute(
            select(
                WeekReview.specialist_id,
                WeekReview.iso_year,
                WeekReview.iso_week,
                WeekReview.reviewed_at,
            ).where(
                WeekReview.specialist_id.in_(ids),
                WeekReview.deleted_at.is_(None),
                WeekReview.iso_year.between(weeks[0].year, weeks[-1].year),
            )
        )
    }
    last_change = _last_changes(ids, weeks, zone) if reviewed else {}

    def changed_after_review(specialist_id: uuid.UUID, index: int) -> bool:
        """Work of a reviewed week logged, edited or deleted after the review (logged late)."""
        week = weeks[index]
        reviewed_at = reviewed.get((specialist_id, week.year, week.week))
        changed = last_change.get((specialist_id, index))
        return reviewed_at is not None and changed is not None and changed > reviewed_at

    rows = []
    team = [WeekCounts() for _ in weeks]
    for specialist_id, name in specialists:
        specialist_weeks = []
        for index, week in enumerate(weeks):
            row = counts[(specialist_id, index)]
            team[index].add(row)
            specialist_weeks.append(
                {
                    **row.as_row(week),
                    "reviewed": (specialist_id, week.year, week.week) in reviewed,
                    "changed_after_review": changed_after_review(specialist_id, index),
                }
            )
        rows.append({"specialist_id": specialist_id, "name": name, "weeks": specialist_weeks})

    people = len(specialists)
    return {
        "from": str(weeks[0]),
        "to": str(weeks[-1]),
        "weeks": [str(week) for week in weeks],
        "targets": TARGETS,
        "specialists": rows,
        "team": {
            "specialists": people,
            "weeks": [
                {
                    **total.as_row(week),
                    # per specialist, for comparing teams of different sizes
                    "face_to_face_employer_contacts_per_specialist": (
                        round(total.face_to_face_employer_contacts / people, 2) if people else None
                    ),
                    "reviewed_specialists": sum(
                        1 for s, _ in specialists if (s, week.year, week.week) in reviewed
                    ),
                }
                for week, total in zip(weeks, team, strict=True)
            ],
        },
    }
