"""Writes that meet other writes: never a 500, every mutation applied once.

Two pushes that touch the same employer from two sides (one creates job matches for it, which
puts the employer back in the feed; the other edits it) used to deadlock at commit on PostgreSQL,
answering 500 for a whole batch. And REST writes that lose a race (an edit, a delete, a
participant's deletion cascading to their plan) used to escape as 500. These tests run the
writes at the same moment, many times, on the real database. On SQLite writers take turns, so
the same tests check only that the answers and the data are right.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from api.activity.models import EmployerContact
from api.common.model import new_id
from api.employers.models import Employer
from api.extensions import db
from api.jobs.models import JobMatch
from api.participants.models import Participant
from api.plans.models import PlanGoal, PlanStep
from sync import feed as sync_feed

PUSH = "/api/v1/sync/push"
WAIT = 30


def _upsert(entity: str, record_id: uuid.UUID, data: dict[str, Any], base: int | None = None):
    return {
        "mutation_id": str(uuid.uuid4()),
        "entity": entity,
        "op": "upsert",
        "id": str(record_id),
        "base_version": base,
        "data": data,
    }


def _at_once(*work: Callable[[], Any]) -> list[Any]:
    """Run the callables in threads released together; their results, or raise the first
    error one of them met."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(WAIT)
            results[index] = job()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert not errors, errors
    return results


def _rounds() -> int:
    return 50 if db.engine.dialect.name == "postgresql" else 10


def test_pushes_creating_job_matches_and_editing_their_employer_at_once_never_fail(
    app: Flask, make, login
):
    """One specialist's phone creates job matches for an employer while a colleague's phone
    edits that employer (and goes on to log contacts, so it holds the employer's row for a
    while before it commits): 50 times, every push answers 200 and every mutation is applied
    exactly once."""
    team = make.team()
    js1 = make.user("specialist", team=team)
    js2 = make.user("specialist", team=team)
    participant = make.participant(js1)
    make.consent(participant, "employers")
    employer = make.employer(js1)
    employer_id = employer.id
    headers1, headers2 = login(js1), login(js2)
    client_a, client_b = str(uuid.uuid4()), str(uuid.uuid4())
    created_matches: list[str] = []
    created_contacts: list[str] = []
    statuses: Counter[str] = Counter()

    for round_number in range(_rounds()):
        db.session.rollback()
        version = db.session.get(Employer, employer_id).version
        matches = [
            _upsert(
                "job_matches",
                new_id(),
                {
                    "participant_id": str(participant.id),
                    "employer_id": str(employer_id),
                    "job_title": f"Lagermedarbeider {round_number}.{n}",
                },
            )
            for n in range(2)
        ]
        edit = _upsert(
            "employers", employer_id, {"industry": f"Bransje {round_number}"}, base=version
        )
        contacts = [
            _upsert(
                "employer_contacts",
                new_id(),
                {"employer_id": str(employer_id), "contacted_at": "2026-11-20T10:00:00+01:00"},
            )
            for _ in range(20)
        ]

        def push(headers: dict[str, str], client_id: str, mutations: list[Any]) -> Any:
            body = {"client_id": client_id, "schema_version": 1, "mutations": mutations}
            return app.test_client().post(PUSH, json=body, headers=headers)

        first, second = _at_once(
            lambda m=matches: push(headers1, client_a, m),
            lambda e=edit, c=contacts: push(headers2, client_b, [e, *c]),
        )
        for response in (first, second):
            assert response.status_code == 200, (round_number, response.json)
            statuses.update(r["status"] for r in response.json["results"])
        assert {r["status"] for r in first.json["results"]} == {"applied"}, first.json
        assert {r["status"] for r in second.json["results"]} <= {"applied", "merged"}, second.json
        created_matches += [m["id"] for m in matches]
        created_contacts += [c["id"] for c in contacts]

    db.session.rollback()
    assert statuses["rejected"] == 0
    for model, ids in ((JobMatch, created_matches), (EmployerContact, created_contacts)):
        stored = db.session.scalar(
            select(func.count()).select_from(model).where(model.id.in_([uuid.UUID(i) for i in ids]))
        )
        assert stored == len(ids)
    assert db.session.get(Employer, employer_id).industry == f"Bransje {_rounds() - 1}"


def test_the_push_is_applied_again_when_it_loses_to_another_transaction_at_the_commit(
    app: Flask, make, login, monkeypatch
):
    """A deadlock found only at the commit rolls the whole push back; the engine applies it
    again from the start, and the phone gets one answer with every mutation applied once."""
    specialist = make.user("specialist")
    employer = make.employer(specialist)
    headers = login(specialist)
    contacts = [
        _upsert(
            "employer_contacts",
            new_id(),
            {"employer_id": str(employer.id), "contacted_at": "2026-11-20T10:00:00+01:00"},
        )
        for _ in range(3)
    ]
    lose_once = {"left": 1}
    next_seq = sync_feed.ChangeFeed.next_seq

    def deadlocked_once(self: Any, session: Any) -> int:
        if lose_once["left"]:
            lose_once["left"] -= 1
            raise _deadlock()
        return next_seq(self, session)

    monkeypatch.setattr(sync_feed.ChangeFeed, "next_seq", deadlocked_once)
    body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": contacts}
    response = app.test_client().post(PUSH, json=body, headers=headers)
    assert response.status_code == 200, response.json
    assert [r["status"] for r in response.json["results"]] == ["applied"] * 3
    assert lose_once["left"] == 0
    db.session.rollback()
    ids = [uuid.UUID(c["id"]) for c in contacts]
    assert (
        db.session.scalar(
            select(func.count()).select_from(EmployerContact).where(EmployerContact.id.in_(ids))
        )
        == 3
    )
    # And sent again, it is the same push: answered duplicate, nothing written twice.
    again = app.test_client().post(PUSH, json=body, headers=headers)
    assert [r["status"] for r in again.json["results"]] == ["duplicate"] * 3


def _deadlock() -> Exception:
    from sqlalchemy.exc import OperationalError

    class DeadlockDetectedError(Exception):
        sqlstate = "40P01"

    return OperationalError("UPDATE sync_state …", {}, DeadlockDetectedError("deadlock detected"))


def test_a_push_that_keeps_losing_at_the_commit_is_refused_as_a_whole_not_half_applied(
    app: Flask, make, login, monkeypatch
):
    """After the last attempt the push answers 409 (the app sends the batch again later), with
    nothing of it written."""
    specialist = make.user("specialist")
    employer = make.employer(specialist)
    headers = login(specialist)
    contact = _upsert(
        "employer_contacts",
        new_id(),
        {"employer_id": str(employer.id), "contacted_at": "2026-11-20T10:00:00+01:00"},
    )

    def always_deadlocked(self: Any, session: Any) -> int:
        raise _deadlock()

    monkeypatch.setattr(sync_feed.ChangeFeed, "next_seq", always_deadlocked)
    body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [contact]}
    response = app.test_client().post(PUSH, json=body, headers=headers)
    assert response.status_code == 409, response.json
    assert response.json["code"] == "concurrent_write"
    db.session.rollback()
    assert db.session.get(EmployerContact, uuid.UUID(contact["id"])) is None


ALLOWED_REST = {200, 201, 204, 404, 409, 412}


def test_concurrent_rest_writes_to_the_same_records_answer_2xx_404_409_or_412(
    app: Flask, make, login
):
    """A participant's deletion (which tombstones their plan, meetings and job matches), edits
    of the participant and of their plan goal, and the deletion of their meeting, all at once,
    many times: each answer is a success, 404, 409 or 412, never a 500, and a participant that
    was deleted took their plan with them."""
    specialist = make.user("specialist")
    headers = login(specialist)
    answers: Counter[int] = Counter()
    for round_number in range(_rounds()):
        participant = make.participant(specialist)
        goal = make.goal(participant)
        meeting = make.meeting(participant)
        make.step(participant, goal_id=goal.id)
        pid, gid, mid = participant.id, goal.id, meeting.id

        def call(method: str, path: str, json: Any = None) -> int:
            response = app.test_client().open(
                f"/api/v1/{path}", method=method, json=json, headers=headers
            )
            assert response.status_code in ALLOWED_REST, (method, path, response.json)
            return response.status_code

        results = _at_once(
            lambda p=pid: call("DELETE", f"participants/{p}"),
            lambda p=pid, n=round_number: call(
                "PATCH", f"participants/{p}", {"phone": f"4000{n:04d}"}
            ),
            lambda g=gid, n=round_number: call("PATCH", f"plan_goals/{g}", {"title": f"Mål {n}"}),
            lambda m=mid: call("DELETE", f"meetings/{m}"),
            lambda g=gid: call("DELETE", f"plan_goals/{g}"),
        )
        answers.update(results)
        db.session.rollback()
        if db.session.get(Participant, pid).deleted_at is not None:
            for model in (PlanGoal, PlanStep):
                live = db.session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(model.participant_id == pid, model.deleted_at.is_(None))
                )
                assert live == 0, (round_number, model.__name__)
    assert 500 not in answers
    assert answers[204] > 0
