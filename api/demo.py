"""The demo team: about six months of believable field work, ending today (`flask ips seed-demo`).

Everything is drawn from one seeded random generator, so the same day gives the same data; dates
are relative to today in the product's time zone, so the reports always show recent weeks.
No text anywhere mentions health: the product must not hold it, and neither does its demo.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from math import sqrt
from typing import Any

import click
from sqlalchemy import select

from api.activity.models import EmployerContact, Meeting, TeamMeeting
from api.auth.service import hash_password
from api.common.model import new_id, utcnow
from api.common.time import local_zone
from api.employers.models import Employer
from api.employers.org_number import check_digit
from api.extensions import db
from api.jobs.models import JobMatch
from api.participants.models import CareerProfile, Consent, Participant
from api.plans.models import PlanGoal, PlanStep
from api.reviews.models import WeekReview
from api.teams.models import Team, User

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


class DemoAlreadySeeded(click.ClickException):
    """The demo logins exist already; seeding again would duplicate the team."""


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

FIRST_NAMES = (
    "Anders",
    "Line",
    "Thomas",
    "Kristin",
    "Henrik",
    "Silje",
    "Øyvind",
    "Camilla",
    "Espen",
    "Hanne",
    "Martin",
    "Nina",
    "Stian",
    "Ida",
    "Lars",
    "Maria",
    "Eirik",
    "Tone",
    "Kjetil",
    "Marius",
    "Ane",
    "Sigurd",
    "Hilde",
    "Fredrik",
    "Mona",
    "Jørgen",
    "Lene",
    "Vegard",
    "Amina",
    "Ali",
    "Piotr",
    "Sofie",
    "Håkon",
    "Guro",
    "Even",
    "Randi",
)
LAST_NAMES = (
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Halvorsen",
    "Lund",
    "Moen",
    "Strand",
    "Solheim",
    "Brekke",
    "Vik",
    "Myklebust",
    "Hauge",
    "Sæther",
    "Fosse",
    "Rasmussen",
    "Nowak",
)

# name, industry, street address (Bergen area)
EMPLOYERS = (
    ("Nygårdshøyden Dagligvare AS", "Dagligvare", "Nygårdsgaten 31, 5015 Bergen"),
    ("Fana Matsenter AS", "Dagligvare", "Østre Nesttunvegen 4, 5221 Nesttun"),
    ("Laksevåg Nærbutikk AS", "Dagligvare", "Damsgårdsveien 120, 5160 Laksevåg"),
    ("Bryggen Hotelldrift AS", "Hotell og restaurant", "Bryggen 7, 5003 Bergen"),
    ("Kafé Sjøboden AS", "Hotell og restaurant", "Strandkaien 2, 5013 Bergen"),
    ("Fløyen Kantine og Catering AS", "Hotell og restaurant", "Kalfarveien 31, 5018 Bergen"),
    ("Vestbygg Entreprenør AS", "Bygg og anlegg", "Kanalveien 54, 5068 Bergen"),
    ("Sotra Tak og Fasade AS", "Bygg og anlegg", "Sartorvegen 12, 5353 Straume"),
    ("Bergen Malerservice AS", "Bygg og anlegg", "Wergelandsveien 9, 5011 Bergen"),
    ("Kokstad Lager og Logistikk AS", "Lager og logistikk", "Kokstaddalen 20, 5257 Kokstad"),
    ("Vestlandsfrakt AS", "Lager og logistikk", "Sandviksveien 80, 5035 Bergen"),
    ("Hordaland Grossist AS", "Lager og logistikk", "Liamyrane 6, 5132 Nyborg"),
    (
        "Fyllingsdalen Omsorgssenter",
        "Helse og omsorg",
        "Folke Bernadottes vei 40, 5147 Fyllingsdalen",
    ),
    ("Solstrand Bofellesskap AS", "Helse og omsorg", "Hamreveien 3, 5221 Nesttun"),
    ("Sentrum Renhold AS", "Renhold", "Kong Oscars gate 18, 5017 Bergen"),
    ("Vestrent Renholdsservice AS", "Renhold", "Fabrikkgaten 5, 5059 Bergen"),
    ("Sykkelhuset Bergen AS", "Varehandel", "Vestre Torggaten 14, 5015 Bergen"),
    ("Vestlandske Gjenbruk AS", "Varehandel", "Møhlenprisbakken 1, 5006 Bergen"),
    ("Torget Interiør AS", "Varehandel", "Torgallmenningen 8, 5014 Bergen"),
    ("Nordnes Bakeri AS", "Bakeri og næringsmiddel", "Nordnesgaten 22, 5005 Bergen"),
    ("Danmarksplass Bilpleie AS", "Bilpleie og verksted", "Fjøsangerveien 30, 5054 Bergen"),
    ("Bergen Kinodrift AS", "Kultur og fritid", "Neumanns gate 3, 5015 Bergen"),
    ("Grønn Hage Anleggsgartner AS", "Grøntanlegg", "Ytre Arna 11, 5265 Ytre Arna"),
    ("Kontorhjelpen Vest AS", "Kontor og administrasjon", "Lars Hilles gate 19, 5008 Bergen"),
    ("Møllendal Bryggeri AS", "Industri", "Møllendalsveien 17, 5009 Bergen"),
)

# industry -> (what a participant says they want, [(job title, job type), ...])
INDUSTRIES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "Dagligvare": (
        "jobb i butikk",
        (
            ("Butikkmedarbeider", "Butikkarbeid"),
            ("Varepåfyller", "Butikkarbeid"),
            ("Kassemedarbeider", "Butikkarbeid"),
        ),
    ),
    "Hotell og restaurant": (
        "jobb på kjøkken eller kafé",
        (
            ("Kjøkkenassistent", "Kjøkkenarbeid"),
            ("Oppvasker", "Kjøkkenarbeid"),
            ("Kafémedarbeider", "Servering"),
            ("Romassistent", "Renhold"),
        ),
    ),
    "Bygg og anlegg": (
        "praktisk arbeid på byggeplass",
        (("Hjelpearbeider", "Bygg og anlegg"), ("Malerhjelper", "Bygg og anlegg")),
    ),
    "Lager og logistikk": (
        "lagerarbeid",
        (
            ("Lagermedarbeider", "Lagerarbeid"),
            ("Plukker", "Lagerarbeid"),
            ("Sjåførassistent", "Transport"),
        ),
    ),
    "Helse og omsorg": (
        "arbeid med mennesker",
        (
            ("Assistent i bofellesskap", "Omsorgsarbeid"),
            ("Kantinemedarbeider", "Kjøkkenarbeid"),
            ("Vaktmesterassistent", "Vaktmester"),
        ),
    ),
    "Renhold": ("renhold, gjerne tidlig på dagen", (("Renholder", "Renhold"),)),
    "Varehandel": (
        "jobb i butikk",
        (
            ("Butikkmedarbeider", "Butikkarbeid"),
            ("Verkstedmedarbeider", "Håndverk"),
            ("Lagermedarbeider", "Lagerarbeid"),
        ),
    ),
    "Bakeri og næringsmiddel": (
        "jobb i bakeri",
        (("Bakeriassistent", "Produksjon"), ("Butikkmedarbeider", "Butikkarbeid")),
    ),
    "Bilpleie og verksted": ("arbeid med biler", (("Bilpleier", "Bilpleie"),)),
    "Kultur og fritid": ("jobb på kino eller i kulturlivet", (("Kinovert", "Kundeservice"),)),
    "Grøntanlegg": ("utendørs arbeid i park og hage", (("Gartnerassistent", "Grøntarbeid"),)),
    "Kontor og administrasjon": (
        "enkelt kontorarbeid",
        (("Kontormedarbeider", "Kontorarbeid"), ("Resepsjonist", "Kundeservice")),
    ),
    "Industri": ("produksjonsarbeid", (("Produksjonsmedarbeider", "Produksjon"),)),
}

HOURS_WISHES = (
    "Vil begynne med 10 til 15 timer i uka.",
    "Ønsker dagtid, helst ikke helg.",
    "Kan jobbe kveld og helg.",
    "Vil gjerne opp i full stilling etter hvert.",
    "Ønsker rundt 20 timer i uka.",
    "Vil jobbe nær hjemmet eller langs bybanen.",
)
STRENGTHS = (
    "punktlig",
    "god med kunder",
    "liker praktisk arbeid",
    "nøyaktig",
    "god til å samarbeide",
    "lærer raskt",
    "har førerkort klasse B",
    "i god fysisk form",
    "rolig og strukturert",
    "snakker godt engelsk",
    "glad i matlaging",
    "flink med data",
    "pliktoppfyllende",
    "imøtekommende",
    "tålmodig",
)
EDUCATION = (
    "Videregående skole, studiespesialisering.",
    "Fagbrev som kokk.",
    "Påbegynt bachelor i historie.",
    "Grunnskole og ett år på videregående, byggfag.",
    "Videregående skole, salg og service.",
    "Truckførerbevis og kurs i varehandel.",
    "Fagbrev i logistikk.",
    "Videregående skole, helse- og oppvekstfag.",
)
WORK_HISTORY = (
    "Tre år som lagermedarbeider, sluttet for noen år siden. Sommerjobber på kafé.",
    "Avisbud og deltidsjobb i butikk ved siden av skolen.",
    "Har ikke hatt lønnet arbeid før; frivillig i idrettslaget i flere år.",
    "Jobbet fem år på restaurant, sist som kokk.",
    "To år som assistent i barnehage.",
    "Sesongarbeid på fiskeforedling og i gartneri.",
    "Vikar i renholdsbyrå i ett år.",
    "Kundeservice på telefon i to år.",
)
DISCLOSURE = (
    "Jobbspesialisten kan fortelle at deltakeren får oppfølging i jobbsøkingen, ikke mer.",
    "Vil selv fortelle arbeidsgiver det som trengs.",
    "Åpen om at det har vært et opphold i arbeidslivet; ingen detaljer.",
    "Ønsker at arbeidsgiver bare får vite at jobbspesialisten er en støtte i oppstarten.",
    "Vil ikke at IPS nevnes for arbeidsgiver før etter intervjuet.",
)

GENERAL_PURPOSES = (
    "Bli kjent med bedriften",
    "Kartlegge behov for arbeidskraft",
    "Følge opp tidligere besøk",
    "Spørre om sommerjobber",
    "Presentere jobbspesialistens rolle",
)
GENERAL_OUTCOMES = (
    "Ingen ledige stillinger nå; ta kontakt igjen om to måneder.",
    "Trenger folk til helgevakter; vil gjerne få CV-er.",
    "Hyggelig møte med daglig leder; åpen for å prøve deltidsstillinger.",
    "Ansetter før sommeren; avtalt nytt møte.",
    "Fikk en omvisning og snakket med verneombudet.",
    "Kontaktpersonen var opptatt; ringer igjen neste uke.",
    "Ønsker kandidater som kan jobbe tidlig morgen.",
)
CANDIDATE_OUTCOMES = (
    "Arbeidsgiver vil gjerne møte kandidaten.",
    "CV levert til daglig leder.",
    "Avtalt intervju.",
    "Ikke aktuelt nå, men tar vare på CV-en.",
    "Ønsker en samtale med kandidaten neste uke.",
)
FOLLOW_UP_OUTCOMES = (
    "Leder er fornøyd; alt går fint.",
    "Avtalt flere timer fra neste måned.",
    "Justerte arbeidsoppgavene litt.",
    "Avklarte turnus for de neste ukene.",
)
CONTACT_NOTES = {
    "in_person": (
        "Snakket med butikksjefen.",
        "Ta med CV-er neste gang.",
        "Kort besøk i lunsjen.",
        "Ny kontaktperson i personalavdelingen.",
        None,
        None,
    ),
    "phone": ("Ringte daglig leder.", None),
    "email": ("Sendte e-post med informasjon om IPS.", None),
    "video": ("Kort videomøte med personalsjefen.", None),
}
COMMUNITY_PLACES = (
    "Kafé på Torgallmenningen",
    "Biblioteket i Strømgaten",
    "Kafé i Marken",
    "Hjemme hos deltakeren",
    "Gåtur langs Nordnes",
    "Kjøpesenteret på Lagunen",
    "Kafé på Åsane senter",
)
OFFICE_PLACES = ("Kontoret i Kaigaten", "NAV-kontoret")
MEETING_NOTES = {
    "intake": ("Første samtale: gikk gjennom hvordan IPS fungerer og ønsker for jobb.",),
    "career_profile": (
        "Fylte ut karriereprofilen sammen.",
        "Snakket om tidligere jobber og hva som fungerte.",
    ),
    "job_search": (
        "Gikk gjennom ledige stillinger på finn.no.",
        "Skrev søknad sammen.",
        "Besøkte to butikker og leverte CV.",
        "Laget en liste over aktuelle bedrifter.",
    ),
    "interview_preparation": (
        "Øvde på vanlige intervjuspørsmål.",
        "Planla reisen til intervjuet og hva som er lurt å ta med.",
    ),
    "benefits_counselling": (
        "Regnet på hvordan lønn påvirker ytelsene fra NAV.",
        "Gikk gjennom frikortgrensen og meldekort.",
    ),
    "follow_along": (
        "Snakket om hvordan de første ukene på jobb har gått.",
        "Møttes i lunsjpausen på arbeidsplassen.",
        "Gikk gjennom vaktlisten for neste måned.",
    ),
    "three_party": (
        "Trepartsmøte med NAV-veileder om lønnstilskudd og arbeidstid.",
        "Møte med behandler og deltaker om oppstart i jobb.",
    ),
    "other": ("Hjalp til med å bestille nytt skattekort.", "Ordnet bankkort og BankID."),
}
NEXT_STEPS = (
    "Deltakeren oppdaterer CV-en før neste møte.",
    "Jobbspesialisten ringer to bedrifter.",
    "Søke på to stillinger innen fredag.",
    "Møtes på arbeidsplassen neste uke.",
    "Deltakeren tar med attester neste gang.",
    "Besøke bakeriet sammen på torsdag.",
)
TEAM_MEETING_NOTES = (
    "Behandlingsteamet: gjennomgang av nye henvisninger og jobbsøkere.",
    "Drøftet hvem som ønsker jobb og neste steg for hver enkelt.",
    "Orienterte teamet om jobbstarter denne uka.",
)
REVIEW_MANY_VISITS = "Gjennomgått. Godt med besøk ute hos arbeidsgivere."
REVIEW_FEW_VISITS = "Gjennomgått; få besøk hos arbeidsgivere denne uka, planlegg flere."
REVIEW_COMMENTS = ("Gjennomgått.", "Fin variasjon i bransjer.", None, None, None)
PARTICIPANT_STEPS = (
    "Oppdatere CV-en",
    "Lage profil på finn.no",
    "Finne fram attester fra tidligere jobber",
    "Øve på å presentere seg selv",
    "Søke på to stillinger",
    "Besøke to butikker i sentrum",
    "Sjekke busstider til aktuelle arbeidsplasser",
    "Kjøpe arbeidssko",
)
SPECIALIST_STEPS = (
    "Ringe {employer} om mulig intervju",
    "Avtale møte med leder hos {employer}",
    "Sende CV-en til {employer}",
    "Undersøke lønnstilskudd med NAV-veileder",
    "Spørre {employer} om helgevakter",
)
END_REASONS = ("temporary_job_ended", "quit", "better_job", "dismissed", "other")

FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 17), (12, 24), (12, 25), (12, 26), (12, 31)}
QUIET_WEEKS = {28, 29, 30, 31, 52, 53, 1}  # fellesferie and Christmas: fewer hands at work


def _org_numbers(rng: random.Random, count: int) -> list[str]:
    """Valid, distinct organisation numbers (the check digit is skipped where none exists)."""
    numbers: list[str] = []
    while len(numbers) < count:
        first_eight = f"9{rng.randrange(10_000_000):07d}"
        digit = check_digit(first_eight)
        if digit is not None and f"{first_eight}{digit}" not in numbers:
            numbers.append(f"{first_eight}{digit}")
    return numbers


def _ascii(text: str) -> str:
    return text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace(" ", "")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _workday(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def _next_workday(day: date) -> date:
    while not _workday(day):
        day += timedelta(days=1)
    return day


@dataclass
class _Job:
    row: JobMatch
    interview_on: date | None
    started_on: date | None
    ended_on: date | None


@dataclass
class _Person:
    """A participant as the generator follows them through the months."""

    row: Participant
    specialist: User
    industries: tuple[str, ...]
    closed_on: date | None
    paused_from: date | None = None
    # (when, granted) for consent to contact employers, in time order
    employer_consent: list[tuple[datetime, bool]] = field(default_factory=list)
    jobs: list[_Job] = field(default_factory=list)
    last_met: date | None = None
    latest_held: Meeting | None = None

    def active_on(self, day: date) -> bool:
        if day < self.row.enrolled_on:
            return False
        if self.closed_on is not None and day >= self.closed_on:
            return False
        return self.paused_from is None or day < self.paused_from

    def may_name_to_employers(self, when: datetime) -> bool:
        granted = False
        for recorded_at, value in self.employer_consent:
            if recorded_at <= when:
                granted = value
        return granted

    def working_on(self, day: date) -> _Job | None:
        for job in self.jobs:
            if (
                job.started_on
                and job.started_on <= day
                and (job.ended_on is None or day < job.ended_on)
            ):
                return job
        return None


class _DemoTeam:
    """Builds the team's rows in memory, a story at a time, and flushes them in a few batches."""

    def __init__(self, now: datetime) -> None:
        self.rng = random.Random(SEED)
        self.zone = local_zone()
        self.now = now
        self.today = now.astimezone(self.zone).date()
        self.first_monday = _monday(self.today - timedelta(days=HISTORY_DAYS))
        self.horizon = self.today + timedelta(days=PLANNING_DAYS)
        self.team_id = new_id()
        self.rows: dict[str, list[Any]] = {}
        self.people: list[_Person] = []
        self.employers: list[Employer] = []
        self.users: dict[str, User] = {}
        self.busy: dict[tuple[uuid.UUID, date], list[tuple[int, int]]] = {}
        self.week_counts: dict[tuple[str, uuid.UUID, date], int] = {}

    # --- small helpers -----------------------------------------------------------------------

    def add(self, kind: str, row: Any) -> Any:
        self.rows.setdefault(kind, []).append(row)
        return row

    def flush(self, *kinds: str) -> None:
        for kind in kinds:
            db.session.add_all(self.rows.get(kind, []))
        db.session.flush()

    def at(self, day: date, minute_of_day: int) -> datetime:
        return datetime(
            day.year, day.month, day.day, minute_of_day // 60, minute_of_day % 60, tzinfo=self.zone
        )

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def book(
        self, who: uuid.UUID, day: date, minutes: int, *, past: bool | None
    ) -> datetime | None:
        """A free slot in the working day (08:00 to 16:00, 15 minutes between appointments).

        past=True: the appointment is over by now; False: it starts later than now; None: either.
        """
        taken = self.busy.setdefault((who, day), [])
        for _ in range(12):
            start = self.rng.randrange(8 * 60, 16 * 60 - minutes + 1, 15)
            end = start + minutes
            if any(start < b_end + 15 and b_start < end + 15 for b_start, b_end in taken):
                continue
            when = self.at(day, start)
            if past is True and when + timedelta(minutes=minutes) > self.now:
                continue
            if past is False and when < self.now + timedelta(minutes=30):
                continue
            taken.append((start, end))
            return when
        return None

    def reserve(self, who: uuid.UUID, day: date, start: int, minutes: int) -> datetime:
        self.busy.setdefault((who, day), []).append((start, start + minutes))
        return self.at(day, start)

    def count(self, kind: str, who: uuid.UUID, day: date) -> None:
        key = (kind, who, _monday(day))
        self.week_counts[key] = self.week_counts.get(key, 0) + 1

    def counted(self, kind: str, who: uuid.UUID, day: date) -> int:
        return self.week_counts.get((kind, who, _monday(day)), 0)

    # --- people ------------------------------------------------------------------------------

    def seed_people(self, password_hash: str) -> None:
        self.add("teams", Team(id=self.team_id, name=TEAM_NAME))
        for email, name, role in STAFF:
            self.users[email] = self.add(
                "users",
                User(
                    id=new_id(),
                    email=email,
                    name=name,
                    role=role,
                    password_hash=password_hash,
                    team_id=None if role == "admin" else self.team_id,
                ),
            )
        caseloads = sum(style.caseload for style in STYLES.values())
        names = list(
            zip(
                self.rng.sample(FIRST_NAMES, caseloads),
                self.rng.sample(LAST_NAMES, caseloads),
                strict=True,
            )
        )
        for email, style in STYLES.items():
            specialist = self.users[email]
            for index in range(style.caseload):
                first, last = DELTAKER1_NAME if not self.people else names.pop()
                self.seed_participant(
                    specialist,
                    first,
                    last,
                    closing=index >= style.caseload - style.closed,
                    recent=index in (1, 2),
                    pausing=email == "js2@demo.no" and index == 3,
                )
        deltaker1 = self.people[0].row
        login = self.add(
            "users",
            User(
                id=new_id(),
                email=PARTICIPANT_LOGIN,
                name=f"{deltaker1.first_name} {deltaker1.last_name}",
                role="participant",
                password_hash=password_hash,
                team_id=self.team_id,
            ),
        )
        deltaker1.user_id = login.id
        deltaker1.email = PARTICIPANT_LOGIN
        self.flush("teams")
        self.flush("users")

    def seed_participant(
        self, specialist: User, first: str, last: str, *, closing: bool, recent: bool, pausing: bool
    ) -> None:
        rng = self.rng
        if not self.people:  # deltaker1: well into the job search, with something on the go
            age = 75
        elif closing:
            age = rng.randint(200, ENROLMENT_DAYS)
        elif pausing:
            age = rng.randint(90, 200)
        elif recent:
            age = rng.randint(8, 45)
        else:
            age = max(8, int(ENROLMENT_DAYS * sqrt(rng.random())))
        enrolled_on = self.today - timedelta(days=age)
        closed_on = None
        if closing:
            closed_on = min(enrolled_on + self.days(60, 170), self.today - self.days(7, 30))
        participant = Participant(
            id=new_id(),
            team_id=self.team_id,
            specialist_id=specialist.id,
            first_name=first,
            last_name=last,
            enrolled_on=enrolled_on,
            closed_on=closed_on,
            status="closed" if closing else "paused" if pausing else "active",
            working_at_entry=bool(self.people) and rng.random() < 0.15,
            phone=f"{rng.choice('49')}{rng.randint(0, 99):02d} {rng.randint(0, 99):02d} "
            f"{rng.randint(0, 999):03d}",
            email=f"{_ascii(first)}.{_ascii(last)}@eksempel.no" if rng.random() < 0.5 else None,
        )
        industries = tuple(rng.sample(sorted(INDUSTRIES), 2))
        if not self.people:
            industries = ("Dagligvare", "Hotell og restaurant")
        person = _Person(participant, specialist, industries, closed_on)
        if pausing:
            person.paused_from = self.today - self.days(20, 40)
        self.people.append(person)
        self.add("participants", participant)

    # --- consents and career profiles ----------------------------------------------------------

    def consent(
        self, person: _Person, counterpart: str, granted: bool, day: date, note: str | None = None
    ) -> datetime:
        when = min(
            self.at(day, self.rng.randrange(9 * 60, 15 * 60, 15)), self.now - timedelta(hours=1)
        )
        self.add(
            "consents",
            Consent(
                team_id=self.team_id,
                participant_id=person.row.id,
                counterpart=counterpart,
                granted=granted,
                recorded_at=when,
                recorded_by=person.specialist.id,
                note=note,
            ),
        )
        return when

    def seed_consents_and_profiles(self) -> None:
        rng = self.rng
        for index, person in enumerate(self.people):
            day = person.row.enrolled_on + self.days(0, 3)
            if index == 0 or rng.random() < 0.92:
                when = self.consent(
                    person, "employers", True, day, "Samtykke gitt i første samtale."
                )
                person.employer_consent.append((when, True))
            else:
                when = self.consent(
                    person,
                    "employers",
                    False,
                    day,
                    "Ønsker å ta kontakt med arbeidsgivere selv foreløpig.",
                )
                person.employer_consent.append((when, False))
            self.consent(person, "therapist", index == 0 or rng.random() < 0.85, day)
            self.consent(person, "nav", index == 0 or rng.random() < 0.9, day)
            age = (self.today - person.row.enrolled_on).days
            if index == 0 or (age >= 21 and rng.random() < 0.9) or rng.random() < 0.5:
                self.add("career_profiles", self.career_profile(person))
        # Two decisions changed later: withdrawal takes effect at once.
        long_standing = [
            p
            for p in self.people[1:]
            if p.closed_on is None
            and p.employer_consent[-1][1]
            and (self.today - p.row.enrolled_on).days > 90
        ]
        if not long_standing:
            return
        first, second = long_standing[0], long_standing[len(long_standing) // 2]
        when = self.consent(
            first,
            "employers",
            False,
            self.today - self.days(15, 40),
            "Trekker samtykket; vil søke jobb på egen hånd en periode.",
        )
        first.employer_consent.append((when, False))
        self.consent(
            second,
            "therapist",
            False,
            self.today - self.days(20, 60),
            "Ønsker ikke lenger at jobbspesialisten snakker med behandler.",
        )

    def career_profile(self, person: _Person) -> CareerProfile:
        rng = self.rng
        wishes = ", eventuelt ".join(INDUSTRIES[i][0] for i in person.industries)
        strengths = rng.sample(STRENGTHS, 3)
        return CareerProfile(
            team_id=self.team_id,
            participant_id=person.row.id,
            job_preferences=f"Ønsker {wishes}. {rng.choice(HOURS_WISHES)}",
            strengths=f"{strengths[0][0].upper()}{strengths[0][1:]}, {strengths[1]} "
            f"og {strengths[2]}.",
            education=rng.choice(EDUCATION),
            work_history=rng.choice(WORK_HISTORY),
            disclosure_preference=rng.choice(DISCLOSURE),
        )

    # --- employers and job matches -------------------------------------------------------------

    def seed_employers(self) -> None:
        contacts = [
            f"{f} {s}"
            for f, s in zip(
                self.rng.sample(FIRST_NAMES, len(EMPLOYERS)),
                self.rng.sample(LAST_NAMES, len(EMPLOYERS)),
                strict=True,
            )
        ]
        numbers = _org_numbers(self.rng, len(EMPLOYERS))
        for (name, industry, address), number, person in zip(
            EMPLOYERS, numbers, contacts, strict=True
        ):
            self.employers.append(
                self.add(
                    "employers",
                    Employer(
                        id=new_id(),
                        team_id=self.team_id,
                        name=name,
                        org_number=number,
                        industry=industry,
                        address=address,
                        contact_person=person,
                        phone=f"55 {self.rng.randint(10, 99)} {self.rng.randint(10, 99)} "
                        f"{self.rng.randint(10, 99)}",
                        notes=self.rng.choice(
                            (
                                "Ring før besøk.",
                                "Daglig leder treffes best tidlig.",
                                "Har ansatt via IPS før.",
                                None,
                                None,
                            )
                        ),
                    ),
                )
            )
        self.flush("employers", "participants")

    def employer_for(self, person: _Person) -> Employer:
        used = {job.row.employer_id for job in person.jobs}
        preferred = [
            e for e in self.employers if e.industry in person.industries and e.id not in used
        ]
        if preferred and self.rng.random() < 0.75:
            return self.rng.choice(preferred)
        return self.rng.choice([e for e in self.employers if e.id not in used])

    def job(self, person: _Person, employer: Employer, lead_on: date, fate: str) -> _Job:
        """A job match whose status is wherever its story has got to by today."""
        rng = self.rng
        industry = employer.industry or "Dagligvare"
        title, job_type = rng.choice(INDUSTRIES[industry][1])
        applied = lead_on + self.days(2, 10)
        interview = applied + self.days(5, 18)
        offer = interview + self.days(2, 7)
        start = offer + self.days(7, 21)
        stages: list[tuple[date, str]] = [(lead_on, "lead")]
        if fate != "stalled":
            stages.append((applied, "applied"))
        if fate == "rejected":
            if rng.random() < 0.5:
                stages.append((applied + self.days(7, 20), "rejected"))
            else:
                stages += [(interview, "interview"), (interview + self.days(3, 10), "rejected")]
        elif fate == "declined":
            stages += [
                (interview, "interview"),
                (offer, "offer"),
                (offer + self.days(1, 4), "declined"),
            ]
        elif fate == "hired":
            stages += [(interview, "interview"), (offer, "offer"), (start, "hired")]
            if rng.random() < 0.35:
                stages.append((start + self.days(30, 150), "ended"))
        as_of = min(self.today, person.closed_on or self.today)
        status = "lead"
        reached: dict[str, date] = {}
        for day, stage in stages:
            if day <= as_of:
                status = stage
                reached[stage] = day
        competitive = rng.random() < 0.85
        hours = rng.choice((8.0, 10.0, 12.0, 15.0, 16.0, 20.0, 20.0, 24.0, 30.0, 37.5))
        notes = None if competitive else "Lønnstilskudd fra NAV det første halvåret."
        if status == "interview" and interview > self.today - timedelta(days=3):
            notes = "Intervju avtalt."
        row = JobMatch(
            team_id=self.team_id,
            participant_id=person.row.id,
            employer_id=employer.id,
            job_title=title,
            job_type=job_type,
            status=status,
            competitive=competitive,
            started_on=reached.get("hired"),
            ended_on=reached.get("ended"),
            end_reason=rng.choice(END_REASONS) if "ended" in reached else None,
            hours_per_week=hours if status in ("offer", "hired", "ended") else None,
            notes=notes,
        )
        job = _Job(
            self.add("job_matches", row),
            reached.get("interview"),
            reached.get("hired"),
            reached.get("ended"),
        )
        person.jobs.append(job)
        return job

    def seed_job_matches(self) -> None:
        rng = self.rng
        for person in self.people[1:]:
            end = min(self.today, person.closed_on or self.today) - timedelta(days=2)
            cursor = person.row.enrolled_on + self.days(10, 40)
            while cursor < end and len(person.jobs) < 4:
                recent = cursor > self.today - timedelta(days=30)
                fate = rng.choices(
                    ("hired", "rejected", "declined", "stalled"),
                    weights=(20, 50, 10, 20 if recent else 5),
                )[0]
                job = self.job(person, self.employer_for(person), cursor, fate)
                self.lead_contact(person, job, cursor)
                if job.ended_on:
                    cursor = job.ended_on + self.days(7, 30)
                elif job.started_on:
                    break
                else:
                    cursor += self.days(10, 30)
        started = [job.row for person in self.people for job in person.jobs if job.started_on]
        if started and all(row.competitive for row in started):
            # The demo shows the difference: at least one start is with a wage subsidy.
            started[len(started) // 2].competitive = False
            started[len(started) // 2].notes = "Lønnstilskudd fra NAV det første halvåret."
        self.seed_deltaker1_jobs()

    def lead_contact(self, person: _Person, job: _Job, day: date) -> None:
        """The specialist presents the candidate to the employer, if the participant allows."""
        day = _next_workday(day)
        if day >= self.today:
            return
        employer_id = job.row.employer_id
        purpose = "Presentere kandidat"
        self.employer_contact(
            person.specialist,
            day,
            employer_id,
            person=person,
            purpose=purpose,
            outcome=self.rng.choice(CANDIDATE_OUTCOMES),
        )

    def seed_deltaker1_jobs(self) -> None:
        person = self.people[0]
        by_name = {e.name: e for e in self.employers}
        rejected = self.job(
            person,
            by_name["Fana Matsenter AS"],
            person.row.enrolled_on + timedelta(days=14),
            "rejected",
        )
        self.lead_contact(person, rejected, person.row.enrolled_on + timedelta(days=14))
        interview = self.job(
            person, by_name["Kafé Sjøboden AS"], self.today - timedelta(days=18), "stalled"
        )
        interview.row.status = "interview"
        interview.row.job_title = "Kafémedarbeider"
        interview.row.job_type = "Servering"
        interview.row.hours_per_week = 15.0
        interview.row.notes = "Intervju avtalt om to dager."
        self.lead_contact(person, interview, self.today - timedelta(days=18))
        applied = self.job(
            person, by_name["Nordnes Bakeri AS"], self.today - timedelta(days=9), "stalled"
        )
        applied.row.status = "applied"
        applied.row.job_title = "Butikkmedarbeider"
        applied.row.job_type = "Butikkarbeid"

    # --- employer contacts, meetings, team meetings -------------------------------------------

    def employer_contact(
        self,
        specialist: User,
        day: date,
        employer_id: uuid.UUID,
        *,
        person: _Person | None = None,
        purpose: str,
        outcome: str | None,
        mode: str | None = None,
    ) -> EmployerContact | None:
        if day < self.first_monday:
            return None  # before the history the demo shows
        style = STYLES[specialist.email]
        if mode is None:
            mode = "in_person"
            if self.rng.random() > style.in_person_share:
                mode = self.rng.choices(("phone", "email", "video"), weights=(6, 3, 1))[0]
        when = self.book(specialist.id, day, 45 if mode == "in_person" else 15, past=True)
        if when is None:
            return None
        if person is not None and not person.may_name_to_employers(when):
            person = None
            purpose = self.rng.choice(GENERAL_PURPOSES)
            outcome = self.rng.choice(GENERAL_OUTCOMES)
        self.count("contacts", specialist.id, day)
        if mode == "in_person":
            self.count("visits", specialist.id, day)
        return self.add(
            "employer_contacts",
            EmployerContact(
                team_id=self.team_id,
                employer_id=employer_id,
                specialist_id=specialist.id,
                participant_id=person.row.id if person else None,
                contacted_at=when,
                # Written up a couple of hours later, as specialists in the field do.
                logged_at=min(when + timedelta(hours=2), self.now),
                mode=mode,
                purpose=purpose,
                outcome=outcome,
                notes=self.rng.choice(CONTACT_NOTES[mode]),
            ),
        )

    def meeting(
        self,
        person: _Person,
        day: date,
        kind: str,
        *,
        minutes: int | None = None,
        place: str | None = None,
    ) -> Meeting | None:
        rng = self.rng
        if (
            not self.first_monday <= day <= self.horizon
            or not person.active_on(day)
            or not _workday(day)
        ):
            return None
        specialist = person.specialist
        minutes = minutes or rng.choice((30, 45, 60, 60, 60, 75, 90, 120))
        when = self.book(specialist.id, day, minutes, past=None)
        if when is None:
            return None
        community = rng.random() < STYLES[specialist.email].community_share
        if kind in ("three_party", "intake"):
            community = rng.random() < 0.3
        if place is not None:
            community = place not in OFFICE_PLACES
        if place is None:
            place = rng.choice(COMMUNITY_PLACES if community else OFFICE_PLACES)
        held = when + timedelta(minutes=minutes) <= self.now
        status = "planned"
        if held:
            status = rng.choices(("held", "cancelled", "no_show"), weights=(94, 4, 2))[0]
        meeting = Meeting(
            id=new_id(),
            team_id=self.team_id,
            participant_id=person.row.id,
            specialist_id=specialist.id,
            starts_at=when,
            # A meeting is booked ahead or written up when it is over.
            logged_at=min(when + timedelta(minutes=minutes), self.now),
            duration_minutes=minutes,
            setting="community" if community else "office",
            place=place,
            kind=kind,
            status=status,
            agreed_next_steps=rng.choice(NEXT_STEPS) if status == "held" else None,
            notes=rng.choice(MEETING_NOTES[kind]) if status == "held" else None,
        )
        self.count("meetings", specialist.id, day)
        if status == "held":
            person.last_met = day
            if person.latest_held is None or person.latest_held.starts_at < when:
                person.latest_held = meeting
        return self.add("meetings", meeting)

    def workplace(self, job: _Job) -> str:
        employer = next(e for e in self.employers if e.id == job.row.employer_id)
        return f"Arbeidsplassen ({employer.name})"

    def seed_milestones(self) -> None:
        """Meetings and contacts that follow from each participant's story."""
        for person in self.people:
            enrolled = person.row.enrolled_on
            if enrolled >= self.first_monday:
                self.meeting(
                    person, _next_workday(enrolled), "intake", minutes=self.rng.choice((60, 90))
                )
                self.meeting(person, _next_workday(enrolled + self.days(6, 14)), "career_profile")
            for job in person.jobs:
                if job.interview_on and job.interview_on > self.first_monday:
                    self.meeting(
                        person,
                        _next_workday(job.interview_on - self.days(2, 4)),
                        "interview_preparation",
                    )
                if job.started_on:
                    self.follow_along(person, job)

    def follow_along(self, person: _Person, job: _Job) -> None:
        """Within three days of the start, weekly the first month, then about monthly."""
        assert job.started_on is not None
        last = min(job.ended_on or self.horizon, person.closed_on or self.horizon, self.horizon)
        offsets = [self.rng.randint(1, 3), 7, 14, 21, 28]
        while offsets[-1] < (last - job.started_on).days:
            offsets.append(offsets[-1] + self.rng.randint(24, 35))
        for offset in offsets:
            day = _next_workday(job.started_on + timedelta(days=offset))
            if self.first_monday <= day < last:
                self.meeting(person, day, "follow_along", place=self.workplace(job))
            if offset in (7, 28) or (offset > 28 and self.rng.random() < 0.4):
                contact_day = _next_workday(day + self.days(0, 2))
                if self.first_monday <= contact_day < min(last, self.today + timedelta(days=1)):
                    self.employer_contact(
                        person.specialist,
                        contact_day,
                        job.row.employer_id,
                        person=person,
                        purpose="Følge opp etter jobbstart",
                        outcome=self.rng.choice(FOLLOW_UP_OUTCOMES),
                    )

    def meeting_kind(self, person: _Person, day: date) -> tuple[str, str | None]:
        job = person.working_on(day)
        if job is not None:
            kind = self.rng.choices(
                ("follow_along", "job_search", "benefits_counselling", "three_party", "other"),
                weights=(40, 20, 20, 12, 8),
            )[0]
            return kind, self.workplace(job) if kind == "follow_along" else None
        early = (day - person.row.enrolled_on).days < 60
        kind = self.rng.choices(
            ("job_search", "career_profile", "benefits_counselling", "three_party", "other"),
            weights=(70, 12 if early else 2, 8, 6, 4),
        )[0]
        return kind, None

    def seed_weeks(self) -> None:
        supervisor = self.users["leder@demo.no"]
        monday = self.first_monday
        while monday <= self.horizon:
            quiet = monday.isocalendar()[1] in QUIET_WEEKS
            days = [monday + timedelta(days=n) for n in range(5)]
            workdays = [d for d in days if _workday(d) and d <= self.horizon]
            for email in STYLES:
                specialist = self.users[email]
                if workdays:
                    self.fill_meetings(specialist, workdays, quiet)
                    self.fill_contacts(specialist, [d for d in workdays if d <= self.today], quiet)
                self.week_review(supervisor, specialist, monday, quiet)
            monday += timedelta(days=7)
        # Whatever the dice said, the last working day shows the job being done.
        last_workday = self.today - timedelta(days=1)
        while not _workday(last_workday):
            last_workday -= timedelta(days=1)
        for email in STYLES:
            specialist = self.users[email]
            done = any(
                c.specialist_id == specialist.id
                and c.mode == "in_person"
                and c.contacted_at.astimezone(self.zone).date() == last_workday
                for c in self.rows.get("employer_contacts", [])
            )
            if not done:
                self.general_contact(specialist, last_workday, mode="in_person")

    def seed_team_meetings(self) -> None:
        """The weekly treatment-team meeting, and NAV once a month; booked before anything else."""
        monday = self.first_monday
        while monday <= self.today:
            quiet = monday.isocalendar()[1] in QUIET_WEEKS
            for email in STYLES:
                self.team_meetings(self.users[email], monday, quiet)
            monday += timedelta(days=7)

    def team_meetings(self, specialist: User, monday: date, quiet: bool) -> None:
        tuesday = _next_workday(monday + timedelta(days=1))
        if quiet and self.rng.random() < 0.5:
            return
        when = self.reserve(specialist.id, tuesday, 9 * 60, 90)
        if when + timedelta(minutes=90) <= self.now:
            self.add(
                "team_meetings",
                TeamMeeting(
                    team_id=self.team_id,
                    specialist_id=specialist.id,
                    starts_at=when,
                    duration_minutes=90,
                    kind="treatment_team",
                    notes=self.rng.choice(TEAM_MEETING_NOTES),
                ),
            )
        thursday = monday + timedelta(days=3)
        if thursday.day <= 7 and _workday(thursday):  # first Thursday of the month: NAV
            when = self.reserve(specialist.id, thursday, 13 * 60, 60)
            if when + timedelta(minutes=60) <= self.now:
                self.add(
                    "team_meetings",
                    TeamMeeting(
                        team_id=self.team_id,
                        specialist_id=specialist.id,
                        starts_at=when,
                        duration_minutes=60,
                        kind="nav",
                        notes="Samarbeidsmøte med NAV-veilederne om felles deltakere.",
                    ),
                )

    def fill_meetings(self, specialist: User, workdays: list[date], quiet: bool) -> None:
        rng = self.rng
        target = rng.randint(2, 5) if quiet else rng.randint(6, 12)
        missing = target - self.counted("meetings", specialist.id, workdays[0])
        for _ in range(max(0, missing)):
            day = rng.choice(workdays)
            if day > self.today and rng.random() < 0.4:
                continue  # not everything next week is booked yet
            caseload = [p for p in self.people if p.specialist is specialist and p.active_on(day)]
            if not caseload:
                continue
            # Whoever has waited longest is likeliest next; people in work need less.
            weights = [
                (1 + min(21, max(0, (day - (p.last_met or p.row.enrolled_on)).days)))
                * (0.5 if p.working_on(day) else 1.0)
                for p in caseload
            ]
            person = rng.choices(caseload, weights=weights)[0]
            kind, place = self.meeting_kind(person, day)
            self.meeting(person, day, kind, place=place)

    def fill_contacts(self, specialist: User, workdays: list[date], quiet: bool) -> None:
        if not workdays:
            return
        low, high = STYLES[specialist.email].contacts_per_week
        target = self.rng.randint(1, 3) if quiet else self.rng.randint(low, high)
        for _ in range(3 * target):  # a full day means trying another one
            if self.counted("contacts", specialist.id, workdays[0]) >= target:
                break
            self.general_contact(specialist, self.rng.choice(workdays))

    def general_contact(self, specialist: User, day: date, mode: str | None = None) -> None:
        """Job development; now and then on behalf of a participant who allows it."""
        rng = self.rng
        candidates = [
            p
            for p in self.people
            if p.specialist is specialist and p.active_on(day) and p.working_on(day) is None
        ]
        if candidates and rng.random() < 0.25:
            person = rng.choice(candidates)
            employer = self.employer_for(person)
            self.employer_contact(
                specialist,
                day,
                employer.id,
                person=person,
                mode=mode,
                purpose="Presentere kandidat",
                outcome=rng.choice(CANDIDATE_OUTCOMES),
            )
        else:
            self.employer_contact(
                specialist,
                day,
                rng.choice(self.employers).id,
                mode=mode,
                purpose=rng.choice(GENERAL_PURPOSES),
                outcome=rng.choice(GENERAL_OUTCOMES),
            )

    def week_review(self, supervisor: User, specialist: User, monday: date, quiet: bool) -> None:
        """The supervisor looks at last week's log early the next week, most weeks."""
        rng = self.rng
        next_monday = monday + timedelta(days=7)
        if rng.random() < (0.3 if quiet else 0.1):
            return
        reviewed_at = self.at(next_monday + self.days(0, 2), rng.randrange(8 * 60, 15 * 60, 5))
        if reviewed_at > self.now:
            return
        year, week, _ = monday.isocalendar()
        visits = self.counted("visits", specialist.id, monday)
        comment = rng.choice(REVIEW_COMMENTS)
        if visits >= 6 and rng.random() < 0.5:
            comment = REVIEW_MANY_VISITS
        elif visits < 4 and not quiet:
            comment = REVIEW_FEW_VISITS
        self.add(
            "week_reviews",
            WeekReview(
                team_id=self.team_id,
                specialist_id=specialist.id,
                iso_year=year,
                iso_week=week,
                reviewed_by=supervisor.id,
                reviewed_at=reviewed_at,
                comment=comment,
            ),
        )

    # --- plans ---------------------------------------------------------------------------------

    def goal(
        self, person: _Person, title: str, status: str = "active", description: str | None = None
    ) -> PlanGoal:
        return self.add(
            "plan_goals",
            PlanGoal(
                id=new_id(),
                team_id=self.team_id,
                participant_id=person.row.id,
                title=title,
                status=status,
                description=description,
                target_on=self.today + self.days(30, 120) if status == "active" else None,
            ),
        )

    def step(
        self,
        person: _Person,
        goal: PlanGoal,
        title: str,
        owner: str,
        due_in: int,
        done: bool = False,
    ) -> None:
        due_on = self.today + timedelta(days=due_in)
        done_at = None
        if done:
            done_day = min(due_on, self.today - timedelta(days=1))
            done_at = self.at(done_day, self.rng.randrange(9 * 60, 20 * 60, 5))
        meeting = person.latest_held
        self.add(
            "plan_steps",
            PlanStep(
                team_id=self.team_id,
                participant_id=person.row.id,
                goal_id=goal.id,
                meeting_id=meeting.id if meeting is not None and not done else None,
                title=title,
                due_on=due_on,
                done_at=done_at,
                owner=owner,
            ),
        )

    def seed_plans(self) -> None:
        rng = self.rng
        for person in self.people[1:]:
            if person.closed_on is not None:
                continue
            job = person.working_on(self.today)
            employer_name = self.employer_for(person).name
            if job is not None:
                self.goal(person, f"Få jobb som {job.row.job_title.lower()}", "achieved")
                goal = self.goal(
                    person,
                    "Trives i jobben og øke stillingen etter hvert",
                    description="Ønsker flere timer når rutinene sitter.",
                )
                options = [
                    ("Avklare vaktene for neste måned med lederen", "participant"),
                    ("Bestille nytt skattekort", "participant"),
                    ("Følge opp med lederen om flere timer", "specialist"),
                ]
            else:
                industry = person.industries[0]
                goal = self.goal(
                    person,
                    f"Få lønnet jobb innen {industry.lower()}",
                    description=f"Ønsker {INDUSTRIES[industry][0]}.",
                )
                options = [(title, "participant") for title in rng.sample(PARTICIPANT_STEPS, 4)]
                options += [
                    (rng.choice(SPECIALIST_STEPS).format(employer=employer_name), "specialist")
                ]
            if person.paused_from is not None:
                options = options[:1]
            rng.shuffle(options)
            count = min(len(options), rng.randint(2, 5))
            for index, (title, owner) in enumerate(options[:count]):
                done = index == 0 and rng.random() < 0.6
                due_in = -rng.randint(3, 20) if done else rng.randint(-3, 14)
                self.step(person, goal, title, owner, due_in, done)
        self.seed_deltaker1_plan()

    def seed_deltaker1_plan(self) -> None:
        person = self.people[0]
        self.goal(person, "Ha en oppdatert CV og søknad klar", "achieved")
        goal = self.goal(
            person,
            "Få deltidsjobb i butikk eller kafé",
            description="Starte med rundt 15 timer i uka, dagtid.",
        )
        self.step(person, goal, "Oppdatere CV-en", "participant", -20, done=True)
        self.step(
            person, goal, "Søke på stillingen hos Nordnes Bakeri", "participant", -9, done=True
        )
        self.step(person, goal, "Øve på intervjuspørsmål", "participant", 1)
        self.step(person, goal, "Finne fram attest fra sommerjobben", "participant", 2)
        self.step(person, goal, "Ringe Fana Matsenter om helgevakter", "specialist", 3)
        self.step(person, goal, "Besøke to butikker i sentrum og levere CV", "participant", 6)

    def seed_deltaker1_meetings(self) -> None:
        person = self.people[0]
        tomorrow = _next_workday(self.today + timedelta(days=1))
        self.meeting(
            person, tomorrow, "interview_preparation", minutes=60, place="Kafé på Torgallmenningen"
        )
        self.meeting(
            person,
            _next_workday(tomorrow + timedelta(days=4)),
            "job_search",
            minutes=90,
            place="Biblioteket i Strømgaten",
        )

    def summary(self) -> dict[str, int]:
        order = (
            "teams",
            "users",
            "participants",
            "consents",
            "career_profiles",
            "employers",
            "employer_contacts",
            "meetings",
            "team_meetings",
            "job_matches",
            "plan_goals",
            "plan_steps",
            "week_reviews",
        )
        return {kind: len(self.rows.get(kind, [])) for kind in order}


def seed_demo(now: datetime | None = None) -> dict[str, int]:
    """Seed the demo team into the session and flush; the caller commits.

    Returns how many rows of each kind were added. `now` (timezone-aware) fixes "today" for
    tests; it defaults to the current time.
    """
    taken = db.session.scalars(select(User.email).where(User.email.in_(DEMO_EMAILS))).all()
    if taken or db.session.scalar(select(Team.id).where(Team.name == TEAM_NAME)) is not None:
        raise DemoAlreadySeeded(
            f"The demo team is there already ({', '.join(sorted(taken)) or TEAM_NAME}); "
            "not seeding it twice. Use an empty database for the demo."
        )
    demo = _DemoTeam(now or utcnow())
    demo.seed_people(hash_password(PASSWORD))
    demo.seed_employers()
    demo.seed_consents_and_profiles()
    demo.seed_job_matches()
    demo.flush("consents", "career_profiles", "job_matches")
    demo.seed_team_meetings()
    demo.seed_deltaker1_meetings()
    demo.seed_milestones()
    demo.seed_weeks()
    demo.flush("meetings", "employer_contacts", "team_meetings", "week_reviews")
    demo.seed_plans()
    demo.flush("plan_goals", "plan_steps")
    return demo.summary()
