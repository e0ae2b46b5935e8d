"""The demo's plans: goals and steps for the participants."""

from __future__ import annotations

from datetime import timedelta

from api.common.model import new_id
from api.demo.builder import Person
from api.demo.names import INDUSTRIES
from api.demo.texts import PARTICIPANT_STEPS, SPECIALIST_STEPS
from api.demo.weeks import Weeks
from api.plans.models import PlanGoal, PlanStep


class Plans(Weeks):
    """Goals and steps for the participants, last of all."""

    def goal(
        self, person: Person, title: str, status: str = "active", description: str | None = None
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
        person: Person,
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
