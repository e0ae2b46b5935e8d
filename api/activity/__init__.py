"""What a specialist does: employer contacts, participant meetings, team meetings."""

from __future__ import annotations

from api.access import on_caseload, own_participant_rows, own_rows, specialist_writes, team_rows
from api.activity.models import EmployerContact, Meeting, TeamMeeting
from api.activity.rules import prepare_employer_contact, prepare_meeting, prepare_team_meeting
from api.activity.schemas import EmployerContactSchema, MeetingSchema, TeamMeetingSchema
from api.common.entity import Entity, register_entity

register_entity(
    Entity(
        "employer_contacts",
        EmployerContact,
        EmployerContactSchema,
        specialist_writes(
            {"specialist": own_rows(EmployerContact), "supervisor": team_rows(EmployerContact)},
            reasons={"specialist": "own_records"},
        ),
        references={
            "employer_id": "employers",
            "specialist_id": "specialists",
            "participant_id": "participants",
        },
        prepare=prepare_employer_contact,
        filters=("employer_id", "participant_id", "specialist_id", "mode"),
        time_column="contacted_at",
        label="employer contact",
        sync_position=8,
        example={
            "contacted_at": "2026-11-18T10:00:00+01:00",
            "mode": "phone",
            "purpose": "Bli kjent",
        },
        erased={"purpose": None, "outcome": None, "notes": None},
        append_only=True,
        app_indexes=("employer_id", "participant_id"),
    )
)
register_entity(
    Entity(
        "meetings",
        Meeting,
        MeetingSchema,
        specialist_writes(
            {
                "specialist": on_caseload(Meeting),
                "supervisor": team_rows(Meeting),
                "participant": own_participant_rows(Meeting),
            },
            # Participants see their meetings, but not the specialist's notes about them.
            hidden={"participant": frozenset({"notes"})},
        ),
        references={"specialist_id": "specialists", "participant_id": "participants"},
        prepare=prepare_meeting,
        filters=("participant_id", "specialist_id", "setting", "kind", "status"),
        time_column="starts_at",
        label="meeting",
        sync_position=6,
        example={
            "starts_at": "2026-11-18T10:00:00+01:00",
            "duration_minutes": 45,
            "setting": "community",
            "kind": "job_search",
        },
        caseload=True,
        erased={"place": None, "agreed_next_steps": None, "notes": None},
        append_only=True,
        app_indexes=("participant_id",),
    )
)
register_entity(
    Entity(
        "team_meetings",
        TeamMeeting,
        TeamMeetingSchema,
        specialist_writes(
            {"specialist": own_rows(TeamMeeting), "supervisor": team_rows(TeamMeeting)}
        ),
        references={"specialist_id": "specialists"},
        prepare=prepare_team_meeting,
        filters=("specialist_id", "kind"),
        time_column="starts_at",
        label="team meeting",
        sync_position=9,
        example={
            "starts_at": "2026-11-18T10:00:00+01:00",
            "duration_minutes": 60,
            "kind": "treatment_team",
        },
        append_only=True,
    )
)
