"""Who is in the demo team, how each specialist works, and the time the demo covers."""

from __future__ import annotations

from dataclasses import dataclass

SEED = 20_240_611

PASSWORD = "demo1234"

TEAM_NAME = "IPS-teamet Bergen"

HISTORY_DAYS = 182  # about six months of logged work

ENROLMENT_DAYS = 240  # participants entered over the last eight months

PLANNING_DAYS = 7  # meetings are already booked this far ahead

# (e-mail, name, role); the participant login is linked to the first participant of js1.
STAFF = (
    ("leder@demo.no", "Ingrid Solberg", "supervisor"),
    ("js1@demo.no", "Marte Haugland", "specialist"),
    ("js2@demo.no", "Jonas Eide", "specialist"),
    ("admin@demo.no", "Tor Lie", "admin"),
)

PARTICIPANT_LOGIN = "deltaker1@demo.no"

DEMO_EMAILS = (*(email for email, _, _ in STAFF), PARTICIPANT_LOGIN)

DELTAKER1_NAME = ("Emma", "Nygård")


@dataclass(frozen=True)
class SpecialistStyle:
    """How one specialist works: the demo's two differ, so that the reports have something to
    compare."""

    caseload: int
    closed: int
    contacts_per_week: tuple[int, int]
    in_person_share: float
    community_share: float


STYLES = {
    "js1@demo.no": SpecialistStyle(
        caseload=17, closed=3, contacts_per_week=(5, 9), in_person_share=0.85, community_share=0.5
    ),
    "js2@demo.no": SpecialistStyle(
        caseload=15, closed=2, contacts_per_week=(4, 7), in_person_share=0.75, community_share=0.48
    ),
}

END_REASONS = ("temporary_job_ended", "quit", "better_job", "dismissed", "other")

FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 17), (12, 24), (12, 25), (12, 26), (12, 31)}

QUIET_WEEKS = {28, 29, 30, 31, 52, 53, 1}  # fellesferie and Christmas: fewer hands at work
