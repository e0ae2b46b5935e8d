"""A whole country's worth of IPS field work, for benchmarks and load tests.

`generate(connection)` fills a migrated, empty database with teams, their supervisors and
specialists, participants, team employers, employer contacts, meetings, job matches and week
reviews, ending today (Europe/Oslo). Everything is drawn from `random.Random(seed)`, so the
same seed and `now` give the same data, ids included. Rows go in with SQLAlchemy Core in large
batches; every synced row gets what the app's write path would give it: version 1, its field
versions, and one number from the change-feed counter (as if the whole data set were one
committed transaction).

Run on its own to time the generator:

    .venv/bin/python bench/national.py [--scale 0.1] [--database-url postgresql://...]

Without --database-url it creates, migrates and drops a private database on BENCH_DATABASE_URL's
server (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, Table, insert
from sqlalchemy.orm import Session

from api.accounts.models import Team, User
from api.activity.models import EmployerContact, Meeting
from api.config import DEFAULT_TIMEZONE
from api.demo.names import FIRST_NAMES as DEMO_FIRST_NAMES
from api.demo.names import INDUSTRIES as DEMO_INDUSTRIES
from api.demo.names import LAST_NAMES as DEMO_LAST_NAMES
from api.demo.names import MORE_FIRST_NAMES, MORE_LAST_NAMES
from api.demo.team import QUIET_WEEKS
from api.employers.models import Employer
from api.employers.org_number import check_digit
from api.jobs.models import JobMatch
from api.offline.setup import feed
from api.participants.models import Consent, Participant
from api.reviews.models import WeekReview
from sync.feed import FEED_COLUMNS

PASSWORD = "bench1234"
ADMIN_EMAIL = "admin@bench.no"
BATCH = 5_000  # rows per executemany
ENROLMENT_DAYS = 730  # participants entered over the two years before today

# The demo's names and a few more: a country has more people than one team.
FIRST_NAMES = (*DEMO_FIRST_NAMES, *MORE_FIRST_NAMES)
LAST_NAMES = (*DEMO_LAST_NAMES, *MORE_LAST_NAMES)
CITIES = (
    "Oslo",
    "Bergen",
    "Trondheim",
    "Stavanger",
    "Kristiansand",
    "Tromsø",
    "Drammen",
    "Fredrikstad",
    "Sandnes",
    "Sarpsborg",
    "Skien",
    "Bodø",
    "Ålesund",
    "Sandefjord",
    "Arendal",
    "Tønsberg",
    "Haugesund",
    "Moss",
    "Porsgrunn",
    "Hamar",
    "Larvik",
    "Halden",
    "Lillehammer",
    "Molde",
    "Harstad",
    "Gjøvik",
    "Kongsberg",
    "Steinkjer",
    "Kristiansund",
    "Narvik",
    "Alta",
    "Mo",
)
INDUSTRIES = tuple(DEMO_INDUSTRIES)
EMPLOYER_WORDS = (
    "Fjord",
    "Nord",
    "Vest",
    "Sør",
    "Øst",
    "Sentrum",
    "Havne",
    "Torg",
    "Bro",
    "Dal",
    "Fjell",
    "Kyst",
    "Skog",
    "Elve",
    "Sjø",
    "Stasjons",
    "Gamle",
    "Nye",
    "Lyse",
    "Solvang",
)
EMPLOYER_KINDS = (
    "Dagligvare",
    "Kafé",
    "Hotell",
    "Bygg",
    "Logistikk",
    "Omsorg",
    "Renhold",
    "Interiør",
    "Bakeri",
    "Bilpleie",
    "Kino",
    "Hage",
    "Kontorservice",
    "Mekaniske",
    "Gjenbruk",
)
# (job title, job type): the job types the diversity item compares
JOBS = (
    ("Butikkmedarbeider", "Butikkarbeid"),
    ("Kjøkkenassistent", "Kjøkkenarbeid"),
    ("Kafémedarbeider", "Servering"),
    ("Renholder", "Renhold"),
    ("Hjelpearbeider", "Bygg og anlegg"),
    ("Lagermedarbeider", "Lagerarbeid"),
    ("Sjåførassistent", "Transport"),
    ("Assistent i bofellesskap", "Omsorgsarbeid"),
    ("Vaktmesterassistent", "Vaktmester"),
    ("Verkstedmedarbeider", "Håndverk"),
    ("Produksjonsmedarbeider", "Produksjon"),
    ("Bilpleier", "Bilpleie"),
    ("Kinovert", "Kundeservice"),
    ("Gartnerassistent", "Grøntarbeid"),
    ("Kontormedarbeider", "Kontorarbeid"),
)
CONTACT_PURPOSES = (
    "Bli kjent med bedriften",
    "Presentere deltaker",
    "Avklare arbeidsoppgaver",
    "Oppfølging etter oppstart",
    "Spørre om ledige stillinger",
    None,
)
OTHER_MODES = ("phone", "phone", "phone", "email", "video")
MEETING_KINDS = (
    ("job_search", 30),
    ("follow_along", 20),
    ("career_profile", 12),
    ("interview_preparation", 10),
    ("three_party", 8),
    ("benefits_counselling", 6),
    ("intake", 4),
    ("other", 10),
)
PLACES = ("Biblioteket", "Kafé i sentrum", "Deltakers arbeidsplass", "NAV-kontoret", None)
# (status, weight) of a job match that is not, or not yet, a job
PIPELINE = (("lead", 12), ("applied", 20), ("interview", 8), ("offer", 3))
NOT_A_JOB = (("declined", 5), ("rejected", 22))
END_REASONS = ("quit", "dismissed", "temporary_job_ended", "better_job", "other")
# Parents before children.
ORDER = tuple(
    model.__table__
    for model in (
        Team,
        User,
        Participant,
        Consent,
        Employer,
        EmployerContact,
        Meeting,
        JobMatch,
        WeekReview,
    )
)


@dataclass
class TeamLogins:
    id: uuid.UUID
    name: str
    supervisor_email: str
    specialist_emails: list[str]


@dataclass
class NationalDataSet:
    """What generate() made: the logins (all with PASSWORD) and row counts per table."""

    teams: list[TeamLogins]
    admin_email: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass
class _Person:
    id: uuid.UUID
    enrolled_on: date
    closed_on: date | None
    consents: bool

    def active_on(self, day: date) -> bool:
        return self.enrolled_on <= day and (self.closed_on is None or day < self.closed_on)


@dataclass
class _Specialist:
    """A specialist and how they work: each a little differently. Part-timers do less; over
    the year, quiet weeks included, that is about 5 employer contacts and 8 meetings a week."""

    id: uuid.UUID
    team_id: uuid.UUID
    supervisor_id: uuid.UUID
    people: list[_Person]
    employer_ids: list[uuid.UUID]
    in_person: float
    community: float
    contacts_mean: float
    meetings_mean: float


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([value for value, _ in pairs], [weight for _, weight in pairs])[0]


class _Ids:
    """UUIDv7s as the app makes them (api.common.model.new_id: they sort by creation time), but
    from a seeded generator, so that the same seed and `now` give the same ids."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"ids-{seed}")

    def __call__(self, when: datetime) -> uuid.UUID:
        millis = int(when.timestamp() * 1000) & ((1 << 48) - 1)
        rand = self.rng.getrandbits(74)
        return uuid.UUID(
            int=millis << 80
            | 0x7 << 76
            | (rand >> 62) << 64
            | 0b10 << 62
            | (rand & ((1 << 62) - 1))
        )


class _Writer:
    """Buffers rows per table and writes them in batches, stamping the sync columns."""

    def __init__(self, conn: Connection | Session, seq: int, ids: _Ids) -> None:
        self.conn, self.seq, self.ids = conn, seq, ids
        self.buffers: dict[Table, list[dict[str, Any]]] = {table: [] for table in ORDER}
        self.counts = {table.name: 0 for table in ORDER}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        if row.get("id") is None:
            row["id"] = self.ids(row["created_at"])
        if "seq" in table.c:
            # What the app's write path gives a new synced row (sync.feed.ChangeFeed).
            row["field_versions"] = {
                key: 1
                for key, value in row.items()
                if value is not None and key not in FEED_COLUMNS
            }
            row["version"], row["deleted_at"], row["seq"] = 1, None, self.seq
        self.buffers[table].append(row)
        self.counts[table.name] += 1

    def flush(self) -> None:
        """Write everything buffered, parents before children, each table's rows in the order
        they were created (so that the tables are laid out on disk as in real use)."""
        for table, rows in self.buffers.items():
            rows.sort(key=lambda row: row["created_at"])
            for start in range(0, len(rows), BATCH):
                self.conn.execute(insert(table), rows[start : start + BATCH])
            rows.clear()


class _Country:
    def __init__(
        self,
        writer: _Writer,
        rng: random.Random,
        now: datetime,
        zone: ZoneInfo,
        weeks: int,
        password_hash: str,
    ) -> None:
        self.w, self.rng, self.now, self.zone = writer, rng, now, zone
        self.today = now.astimezone(zone).date()
        # When the teams, their staff and their employers were set up
        self.start = self.at(self.today - timedelta(days=ENROLMENT_DAYS + 30), 8 * 60)
        self.first_monday = _monday(self.today) - timedelta(weeks=weeks - 1)
        self.weeks = weeks
        self.password_hash = password_hash
        self.org_numbers: set[str] = set()
        self.specialists: list[_Specialist] = []

    def at(self, day: date, minute: int) -> datetime:
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.zone)

    def logged(self, when: datetime) -> datetime:
        """When the app would have stamped created_at/updated_at: soon after, never ahead."""
        return min(when + timedelta(minutes=self.rng.randint(5, 240)), self.now)

    def user(
        self, team_id: uuid.UUID | None, email: str, name: str, role: str, fte: int
    ) -> dict[str, Any]:
        row = {
            "id": self.w.ids(self.start),
            "team_id": team_id,
            "email": email,
            "name": name,
            "role": role,
            "password_hash": self.password_hash,
            "is_active": True,
            "fte": fte,
            "created_at": self.start,
            "updated_at": self.start,
        }
        self.w.add(User.__table__, row)
        return row

    def name(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def org_number(self) -> str:
        while True:
            first_eight = f"9{self.rng.randrange(10_000_000):07d}"
            digit = check_digit(first_eight)
            number = f"{first_eight}{digit}"
            if digit is not None and number not in self.org_numbers:
                self.org_numbers.add(number)
                return number

    def team(self, index: int, specialists: int, participants: int, employers: int) -> TeamLogins:
        rng, team_id = self.rng, self.w.ids(self.start)
        city = CITIES[index % len(CITIES)]
        name = f"IPS-teamet {city} {index // len(CITIES) + 1}"
        self.w.add(Team.__table__, {"id": team_id, "name": name, "created_at": self.start})
        supervisor = self.user(
            team_id, f"leder{index}@bench.no", " ".join(self.name()), "supervisor", 100
        )
        staff = []
        for n in range(specialists):
            fte = _weighted(rng, ((100, 80), (80, 10), (50, 10)))
            staff.append(
                self.user(
                    team_id, f"js{index}-{n}@bench.no", " ".join(self.name()), "specialist", fte
                )
            )
        employer_ids = [self.employer(team_id, city) for _ in range(employers)]
        for user in staff:
            caseload = max(1, round(participants * user["fte"] / 100))
            people = [self.participant(team_id, user["id"]) for _ in range(caseload)]
            self.job_matches(team_id, people, employer_ids)
            share = user["fte"] / 100
            self.specialists.append(
                _Specialist(
                    id=user["id"],
                    team_id=team_id,
                    supervisor_id=supervisor["id"],
                    people=people,
                    employer_ids=employer_ids,
                    in_person=min(0.95, max(0.2, rng.gauss(0.6, 0.12))),
                    community=min(0.95, max(0.1, rng.gauss(0.55, 0.12))),
                    contacts_mean=max(1.0, rng.gauss(5.8, 1.3)) * share,
                    meetings_mean=max(2.0, rng.gauss(9.3, 1.7)) * share,
                )
            )
        return TeamLogins(team_id, name, supervisor["email"], [user["email"] for user in staff])

    def employer(self, team_id: uuid.UUID, city: str) -> uuid.UUID:
        rng, employer_id = self.rng, self.w.ids(self.start)
        self.w.add(
            Employer.__table__,
            {
                "id": employer_id,
                "team_id": team_id,
                "name": f"{rng.choice(EMPLOYER_WORDS)} {rng.choice(EMPLOYER_KINDS)} {city} AS",
                "org_number": self.org_number(),
                "industry": rng.choice(INDUSTRIES),
                "address": f"{rng.choice(EMPLOYER_WORDS)}gata {rng.randint(1, 120)}, {city}",
                "contact_person": " ".join(self.name()) if rng.random() < 0.7 else None,
                "phone": f"{rng.choice('2345679')}{rng.randrange(10_000_000):07d}",
                "notes": None,
                "created_at": self.start,
                "updated_at": self.start,
            },
        )
        return employer_id

    def participant(self, team_id: uuid.UUID, specialist_id: uuid.UUID) -> _Person:
        rng = self.rng
        enrolled_on = self.today - timedelta(days=rng.randrange(ENROLMENT_DAYS))
        closed_on, status = None, "active"
        days_in = (self.today - enrolled_on).days
        if days_in > 90 and rng.random() < 0.3:
            closed_on, status = enrolled_on + timedelta(days=rng.randint(60, days_in)), "closed"
        elif rng.random() < 0.04:
            status = "paused"
        first, last = self.name()
        entered = self.at(enrolled_on, 9 * 60)
        person = _Person(self.w.ids(entered), enrolled_on, closed_on, rng.random() < 0.9)
        self.w.add(
            Participant.__table__,
            {
                "id": person.id,
                "team_id": team_id,
                "specialist_id": specialist_id,
                "user_id": None,
                "first_name": first,
                "last_name": last,
                "phone": f"9{rng.randrange(10_000_000):07d}" if rng.random() < 0.8 else None,
                "email": None,
                "enrolled_on": enrolled_on,
                "closed_on": closed_on,
                "status": status,
                "working_at_entry": rng.random() < 0.2,
                "created_at": entered,
                "updated_at": entered,
            },
        )
        # Consent to contact employers, recorded at intake (granted or not).
        self.w.add(
            Consent.__table__,
            {
                "id": None,  # from created_at
                "team_id": team_id,
                "participant_id": person.id,
                "counterpart": "employers",
                "granted": person.consents,
                "recorded_at": entered,
                "recorded_by": specialist_id,
                "note": None,
                "created_at": entered,
                "updated_at": entered,
            },
        )
        return person

    def job_matches(
        self, team_id: uuid.UUID, people: list[_Person], employer_ids: list[uuid.UUID]
    ) -> None:
        """About one job match per participant per year in the programme."""
        rng = self.rng
        for person in people:
            until = person.closed_on or self.today
            span = (until - person.enrolled_on).days
            expected = span / 365
            count = int(expected) + (rng.random() < expected % 1)
            for _ in range(count):
                lead_on = person.enrolled_on + timedelta(days=rng.randrange(max(span, 1)))
                status = _weighted(rng, (("job", 45), ("pipeline", 28), ("no", 27)))
                started_on = ended_on = end_reason = hours = None
                if status == "job":
                    started_on = lead_on + timedelta(days=rng.randint(14, 60))
                    status = "hired"
                    if started_on > self.today:
                        started_on, status = None, "offer"
                    elif rng.random() < 0.4:
                        ended_on = started_on + timedelta(days=rng.randint(20, 300))
                        if ended_on <= self.today:
                            status, end_reason = "ended", rng.choice(END_REASONS)
                        else:
                            ended_on = None
                    if started_on is not None:
                        hours = float(rng.choice((8, 10, 12, 15, 20, 20, 25, 30, 37.5)))
                else:
                    status = _weighted(rng, PIPELINE if status == "pipeline" else NOT_A_JOB)
                title, job_type = rng.choice(JOBS)
                created = self.at(lead_on, 12 * 60)
                self.w.add(
                    JobMatch.__table__,
                    {
                        "id": None,  # from created_at
                        "team_id": team_id,
                        "participant_id": person.id,
                        "employer_id": rng.choice(employer_ids),
                        "job_title": title,
                        "job_type": job_type,
                        "status": status,
                        "started_on": started_on,
                        "ended_on": ended_on,
                        "hours_per_week": hours,
                        "competitive": rng.random() < 0.85,
                        "end_reason": end_reason,
                        "notes": None,
                        "created_at": created,
                        "updated_at": self.at(ended_on or started_on or lead_on, 12 * 60),
                    },
                )

    def week_of_work(self, specialist: _Specialist, monday: date) -> None:
        """A specialist's employer contacts and meetings in a week, and its review."""
        rng, specialist_id, team_id = self.rng, specialist.id, specialist.team_id
        employer_ids, supervisor_id = specialist.employer_ids, specialist.supervisor_id
        in_person, community = specialist.in_person, specialist.community
        contacts_mean, meetings_mean = specialist.contacts_mean, specialist.meetings_mean
        employer_count = len(employer_ids)
        quiet = monday.isocalendar().week in QUIET_WEEKS
        workdays = [monday + timedelta(days=d) for d in range(5)]
        past_days = [day for day in workdays if day <= self.today]
        active = [p for p in specialist.people if p.active_on(workdays[-1])]
        namable = [p for p in active if p.consents]
        factor = 0.4 if quiet else 1.0
        contacts = round(rng.gauss(contacts_mean * factor, 1.5))
        for _ in range(max(0, contacts) if past_days else 0):
            when = self.at(rng.choice(past_days), rng.randrange(8 * 60, 16 * 60, 5))
            if when > self.now:
                continue
            named = rng.random() < 0.5 and namable
            self.w.add(
                EmployerContact.__table__,
                {
                    "id": None,  # from created_at
                    "team_id": team_id,
                    # the team's regulars are met more often than the rest
                    "employer_id": employer_ids[int(employer_count * rng.random() ** 2)],
                    "participant_id": rng.choice(namable).id if named else None,
                    "specialist_id": specialist_id,
                    "contacted_at": when,
                    "mode": "in_person" if rng.random() < in_person else rng.choice(OTHER_MODES),
                    "purpose": rng.choice(CONTACT_PURPOSES),
                    "outcome": None,
                    "notes": "Positiv samtale." if rng.random() < 0.3 else None,
                    "created_at": (logged := self.logged(when)),
                    "updated_at": logged,
                    "logged_at": logged,
                },
            )
        meetings = round(rng.gauss(meetings_mean * factor, 2.0))
        for _ in range(max(0, meetings) if active else 0):
            when = self.at(rng.choice(workdays), rng.randrange(8 * 60, 15 * 60 + 1, 15))
            if when > self.now:
                status = "planned"
            else:
                status = _weighted(rng, (("held", 86), ("cancelled", 8), ("no_show", 6)))
            setting = "community" if rng.random() < community else "office"
            self.w.add(
                Meeting.__table__,
                {
                    "id": None,  # from created_at
                    "team_id": team_id,
                    "participant_id": rng.choice(active).id,
                    "specialist_id": specialist_id,
                    "starts_at": when,
                    "duration_minutes": rng.choice((30, 45, 60, 60, 75, 90)),
                    "setting": setting,
                    "place": rng.choice(PLACES) if setting == "community" else None,
                    "kind": _weighted(rng, MEETING_KINDS),
                    "status": status,
                    "agreed_next_steps": None,
                    "notes": None,
                    "created_at": (logged := min(when - timedelta(days=2), self.now)),
                    "updated_at": self.logged(when) if status != "planned" else logged,
                    "logged_at": logged,
                },
            )
        # The supervisor reviews about 70 % of finished weeks, early the week after.
        next_monday = monday + timedelta(weeks=1)
        if next_monday <= self.today and rng.random() < 0.7:
            reviewed_at = self.at(
                next_monday + timedelta(days=rng.randint(0, 3)),
                rng.randrange(8 * 60, 16 * 60),
            )
            if reviewed_at <= self.now:
                iso = monday.isocalendar()
                self.w.add(
                    WeekReview.__table__,
                    {
                        "id": None,  # from created_at
                        "team_id": team_id,
                        "specialist_id": specialist_id,
                        "iso_year": iso.year,
                        "iso_week": iso.week,
                        "reviewed_by": supervisor_id,
                        "reviewed_at": reviewed_at,
                        "comment": None,
                        "created_at": reviewed_at,
                        "updated_at": reviewed_at,
                    },
                )


def generate(
    conn: Connection | Session,
    *,
    teams: int = 60,
    specialists_per_team: int = 8,
    participants_per_specialist: int = 20,
    employers_per_team: int = 150,
    weeks: int = 52,
    seed: int = 1,
    password_hash: str,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> NationalDataSet:
    """Fill an empty, migrated database through `conn`; the caller commits.

    `weeks` of logged work end with the current week (meetings later this week are planned);
    participants entered over the two years before `now`. Every login gets `password_hash`
    (api.auth.service.hash_password(PASSWORD) once: hashing is slow on purpose).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    # One number from the feed's counter, as the one transaction that wrote it all would take.
    writer = _Writer(conn, feed.next_seq(conn), _Ids(seed))  # type: ignore[arg-type]
    country = _Country(
        writer,
        random.Random(seed),
        now,
        zone or ZoneInfo(DEFAULT_TIMEZONE),
        weeks,
        password_hash,
    )
    country.user(None, ADMIN_EMAIL, "Admin Benk", "admin", 100)
    logins = [
        country.team(index, specialists_per_team, participants_per_specialist, employers_per_team)
        for index in range(teams)
    ]
    writer.flush()
    # The field work week by week, as it would have come in.
    for week in range(weeks):
        monday = country.first_monday + timedelta(weeks=week)
        for specialist in country.specialists:
            country.week_of_work(specialist, monday)
        writer.flush()
    return NationalDataSet(logins, ADMIN_EMAIL, dict(writer.counts))


def scaled(scale: float) -> dict[str, int]:
    """generate()'s size arguments for a fraction (or multiple) of the default country."""
    return {"teams": max(1, round(60 * scale))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="teams, as a share of 60")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        help="fill this migrated, empty database (and keep it) instead of a private one",
    )
    args = parser.parse_args()

    from flask_migrate import upgrade

    from api import create_app
    from api.auth.service import hash_password
    from api.extensions import db
    from tests.pgtemp import private_postgres_database

    def fill(url: str, migrate: bool) -> None:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "JWT_SECRET_KEY": "c" * 40})
        with app.app_context():
            if migrate:
                upgrade()
            start = time.perf_counter()
            with db.engine.begin() as conn:
                data = generate(
                    conn,
                    **scaled(args.scale),
                    seed=args.seed,
                    password_hash=hash_password(PASSWORD),
                )
            elapsed = time.perf_counter() - start
        for table, count in data.counts.items():
            print(f"{table:>20} {count:>9,}")
        print(f"{'total':>20} {data.rows:>9,} rows in {elapsed:.1f} s")

    if args.database_url:
        fill(args.database_url, migrate=False)
        return
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with private_postgres_database(server) as url:
        fill(url, migrate=True)


if __name__ == "__main__":
    main()
