"""The gap-free cursor: a change committed after a pull returned cursor C is returned by a pull
from C, whatever order concurrent transactions committed in (docs/sync.md, "Why the cursor has
no gaps").

These tests use real concurrent transactions: sessions of their own on the app's engine (the
feed's hooks are installed on the Session class, so they stamp at commit like any request), and
threads where one transaction must wait for another. They run on SQLite and on PostgreSQL; on
SQLite one writer holds the database at a time, so the interleavings that matter happen on
PostgreSQL, where writers truly overlap.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

from api.activity.models import EmployerContact
from api.common.model import new_id, utcnow
from api.conflicts.models import Conflict
from api.employers.models import Employer
from api.extensions import db
from api.offline.setup import feed, registry
from api.participants.models import Participant
from sync import push as sync_push
from sync.cursor import Position
from tests.factories import valid_org_number

PULL = "/api/v1/sync/pull"
MODELS = {
    "employers": Employer,
    "participants": Participant,
    "employer_contacts": EmployerContact,
    "conflicts": Conflict,
}
WAIT = 10  # seconds: a generous bound on any wait, so that a broken engine fails, not hangs


class Device:
    """A device that pulls from its cursor, remembering where each page began."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.cursor: str | None = None
        # (entity, id, the cursor of the page it came in)
        self.received: list[tuple[str, uuid.UUID, Position | None]] = []
        self.positions: list[Position] = []
        self.versions: dict[tuple[str, uuid.UUID], int] = {}

    def page(self, limit: int = 500) -> dict[str, Any]:
        query: dict[str, Any] = {"limit": limit}
        if self.cursor:
            query["cursor"] = self.cursor
        response = self.client.get(PULL, query_string=query, headers=self.headers)
        assert response.status_code == 200, response.json
        body = response.json
        before = Position.decode(self.cursor) if self.cursor else None
        for change in body["changes"]:
            assert change["entity"] in MODELS and change["op"] == "upsert", change
            self.received.append((change["entity"], uuid.UUID(change["id"]), before))
            self.versions[(change["entity"], uuid.UUID(change["id"]))] = change["version"]
        self.cursor = body["cursor"]
        self.positions.append(Position.decode(self.cursor))
        return body

    def sync(self, limit: int = 500) -> list[uuid.UUID]:
        """Pull until nothing more is waiting; the ids received, in order."""
        start = len(self.received)
        while self.page(limit)["has_more"]:
            pass
        return [record_id for _, record_id, _ in self.received[start:]]

    @property
    def position(self) -> Position:
        assert self.cursor is not None
        return Position.decode(self.cursor)


def open_session(engine: Engine) -> Session:
    """A transaction of its own, beside the app's; on PostgreSQL a lock wait that would hang
    (a broken engine) fails instead."""
    session = Session(engine)
    if engine.dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL lock_timeout = '{WAIT}s'"))
    return session


def an_employer(team_id: uuid.UUID, name: str, org_number: str | None = None) -> Employer:
    return Employer(id=new_id(), team_id=team_id, name=name, org_number=org_number)


def a_participant(team_id: uuid.UUID, specialist_id: uuid.UUID, name: str) -> Participant:
    return Participant(
        id=new_id(),
        team_id=team_id,
        specialist_id=specialist_id,
        first_name=name,
        last_name="Samtidig",
        enrolled_on=date(2026, 9, 1),
        status="active",
    )


def seq_of(record_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    db.session.rollback()
    seqs: dict[uuid.UUID, int] = {}
    for model in MODELS.values():
        rows = db.session.execute(select(model.id, model.seq).where(model.id.in_(record_ids)))
        seqs.update({row.id: row.seq for row in rows})
    return seqs


def committed_high_water() -> int:
    db.session.rollback()
    return feed.high_water(db.session)[0]


def an_employer_contact(
    team_id: uuid.UUID, specialist_id: uuid.UUID, employer_id: uuid.UUID
) -> EmployerContact:
    return EmployerContact(
        id=new_id(),
        team_id=team_id,
        specialist_id=specialist_id,
        employer_id=employer_id,
        contacted_at=utcnow(),
        mode="phone",
    )


def _start(make: Any, login: Any, client: Any) -> tuple[Any, Device]:
    specialist = make.user("specialist")
    make.employer(specialist)  # the feed's counter row exists, as after the migration
    device = Device(client, login(specialist))
    assert len(device.sync()) == 1
    return specialist, device


def test_a_transaction_that_commits_after_a_later_one_is_still_pulled_from_the_cursor(
    client, make, login
):
    specialist, device = _start(make, login, client)
    team_id = specialist.team_id
    engine = db.engine
    early, late = open_session(engine), open_session(engine)
    try:
        slow = an_employer(team_id, "Startet først AS")
        early.add(slow)
        if engine.dialect.name != "sqlite":
            # Its row is written now and committed last. (SQLite lets one writer at a time
            # hold the database, so there the write itself has to wait for the commit.)
            early.flush()
        fast = an_employer(team_id, "Startet sist AS")
        slow_id, fast_id = slow.id, fast.id
        late.add(fast)
        late.commit()

        assert device.sync() == [fast_id]  # the device's cursor is now past the later one
        early.commit()
        assert device.sync() == [slow_id]  # ... and the earlier one still arrives
        assert device.sync() == []
    finally:
        early.close()
        late.close()
    seqs = seq_of([slow_id, fast_id])
    assert seqs[slow_id] > seqs[fast_id]  # numbered in commit order, not in write order


def _committer(
    engine: Engine,
    record: Employer,
    holding: threading.Event,
    release: threading.Event,
    taken: dict[uuid.UUID, int],
    errors: list[BaseException],
) -> Callable[[], None]:
    """A transaction that stops inside its commit, after the feed stamped its rows with a
    number (the counter is held), until `release` is set."""
    record_id = record.id

    def run() -> None:
        session = open_session(engine)
        try:
            # A listener on this session runs after the feed's listener on the Session class.
            @event.listens_for(session, "before_commit")
            def hold_the_counter(inner: Session) -> None:
                taken[record_id] = inner.execute(
                    select(Employer.seq).where(Employer.id == record_id)
                ).scalar_one()
                holding.set()
                if not release.wait(WAIT):
                    raise TimeoutError("never released")

            session.add(record)
            session.commit()
        except BaseException as error:
            errors.append(error)
            holding.set()
        finally:
            session.close()

    return run


def test_a_writer_holding_the_counter_makes_the_next_one_wait_and_pulls_skip_no_number(
    client, make, login
):
    specialist, device = _start(make, login, client)
    team_id = specialist.team_id
    engine = db.engine
    first, second = an_employer(team_id, "Først AS"), an_employer(team_id, "Nummer to AS")
    first_id, second_id = first.id, second.id
    first_holding, release_first = threading.Event(), threading.Event()
    second_holding, release_second = threading.Event(), threading.Event()
    taken: dict[uuid.UUID, int] = {}
    errors: list[BaseException] = []
    before = committed_high_water()
    one = threading.Thread(
        target=_committer(engine, first, first_holding, release_first, taken, errors)
    )
    two = threading.Thread(
        target=_committer(engine, second, second_holding, release_second, taken, errors)
    )
    try:
        one.start()
        assert first_holding.wait(WAIT) and not errors, errors
        assert taken[first_id] == before + 1  # its number is taken, not yet committed

        assert device.sync() == []  # nothing committed: the cursor does not move past it
        assert device.position.seq == before

        two.start()
        time.sleep(0.3)
        assert not second_holding.is_set(), (
            "the second writer got a number while the first held one"
        )
        assert device.sync() == []
        assert device.position.seq == before

        release_first.set()
        one.join(WAIT)
        assert second_holding.wait(WAIT) and not errors, errors
        assert taken[second_id] == taken[first_id] + 1
        # The first is committed, the second holds the next number: the device gets the first
        # and stops right there.
        assert device.sync() == [first_id]
        assert device.position.seq == taken[first_id]

        release_second.set()
        two.join(WAIT)
        assert device.sync() == [second_id]
    finally:
        release_first.set()
        release_second.set()
        for thread in (one, two):
            if thread.ident is not None:  # started
                thread.join(WAIT)
    assert not errors, errors
    assert not one.is_alive() and not two.is_alive()
    assert seq_of([first_id, second_id]) == taken


WRITERS = 4


def test_many_writers_and_a_device_pulling_meanwhile_lose_nothing_and_never_go_back(
    client, make, login
):
    specialist, device = _start(make, login, client)
    team_id, specialist_id = specialist.team_id, specialist.id  # plain values for the threads
    [(_, employer_id, _)] = device.received
    start = len(device.received)
    engine = db.engine
    postgres = engine.dialect.name == "postgresql"
    pulls = 60 if postgres else 20  # on SQLite writers queue anyway; keep it short there
    committed: list[uuid.UUID] = []
    errors: list[BaseException] = []
    enough = threading.Event()

    def writer(number: int) -> None:
        rng = random.Random(number)

        def one_row(n: int, k: int) -> Any:
            # Entities far apart in the sync order: a pull reads them in separate queries.
            kind = rng.randrange(3)
            if kind == 0:
                return an_employer(team_id, f"Skriver {number} nr {n}.{k} AS")
            if kind == 1:
                return a_participant(team_id, specialist_id, f"S{number}x{n}x{k}")
            return an_employer_contact(team_id, specialist_id, employer_id)

        def slow_commit(session: Session) -> None:
            time.sleep(rng.uniform(0, 0.003))  # after the feed took its number: a slow commit

        try:
            for n in range(400):
                if enough.is_set():
                    return
                session = open_session(engine)
                event.listen(session, "before_commit", slow_commit)
                try:
                    rows = [one_row(n, k) for k in range(rng.choice((1, 1, 2, 3)))]
                    row_ids = [row.id for row in rows]
                    session.add_all(rows)
                    if postgres:  # see the first test
                        session.flush()
                    time.sleep(rng.uniform(0, 0.01))  # commits land in another order
                    session.commit()
                    committed.extend(row_ids)
                finally:
                    session.close()
                time.sleep(rng.uniform(0, 0.02))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        sizes = random.Random(0)
        for _ in range(pulls):
            # Mostly keeping up with the writers; now and then a small page, whose position
            # lies inside one number.
            device.page(limit=sizes.choice((3, 200, 200)))
    finally:
        enough.set()
        for thread in threads:
            thread.join(WAIT)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    device.sync()

    received = device.received[start:]
    received_ids = [record_id for _, record_id, _ in received]
    assert len(committed) > WRITERS
    assert len(received_ids) == len(set(received_ids)), "a row was delivered twice"
    assert set(received_ids) == set(committed), "a committed row was never delivered"

    seqs = seq_of(received_ids)
    keys = [
        (seqs[record_id], registry.index(entity), record_id.int)
        for entity, record_id, _ in received
    ]
    assert keys == sorted(keys), "rows arrived out of feed order"
    for (entity, record_id, cursor), key in zip(received, keys, strict=True):
        # Each row lies after the position its page started from: nothing at or below a
        # position already handed to the device turns up later.
        assert cursor is not None
        assert key > _key(cursor), (entity, record_id, key, cursor)
    seen = [position.seq for position in device.positions]
    assert seen == sorted(seen), "the cursor went back"


def _key(position: Position) -> tuple[int, int, int]:
    """A cursor position as a sort key (seq, entity index, id): rows come after it."""
    after_id = 2**128 if position.id is None else position.id.int  # None: after all of them
    return (position.seq, position.entity, after_id)


def test_a_push_that_waits_for_another_writers_row_does_not_deadlock_with_it(client, make, login):
    """A push must not hold the counter while it still has mutations to apply: a mutation
    that waits for a row another transaction holds, while that transaction waits for the
    counter to commit, would be a deadlock (and the push a 500)."""
    specialist, device = _start(make, login, client)
    [(_, employer_id, _)] = device.received
    headers = device.headers
    team_id = specialist.team_id
    engine = db.engine
    org_number = valid_org_number(271828)
    errors: list[BaseException] = []
    written = threading.Event()

    def other_writer() -> None:
        """Registers the same employer as the push is about to, and commits once the push
        waits for it (on SQLite, where writers take turns, after a moment)."""
        session = open_session(engine)
        try:
            session.add(an_employer(team_id, "Kom først AS", org_number))
            session.flush()
            written.set()
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline and not _someone_waits_for_a_lock(engine):
                time.sleep(0.02)
            session.commit()
        except BaseException as error:
            errors.append(error)
            written.set()
        finally:
            session.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    try:
        assert written.wait(WAIT)
        first_contact, second_contact = new_id(), new_id()
        contact = {"employer_id": str(employer_id), "contacted_at": "2026-11-20T10:00:00+01:00"}
        body = {
            "client_id": str(uuid.uuid4()),
            "schema_version": 1,
            "mutations": [
                _upsert("employer_contacts", first_contact, contact),
                _upsert("employers", new_id(), {"name": "Kom sist AS", "org_number": org_number}),
                _upsert("employer_contacts", second_contact, contact),
            ],
        }
        response = client.post("/api/v1/sync/push", json=body, headers=headers)
    finally:
        thread.join(WAIT)
    assert not errors, errors
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    # Refused by the check (the other one committed first) or by the database (it had not).
    refusal = results[1]["detail"] + str(results[1].get("errors"))
    assert "organisation number" in refusal or "already has this employer" in refusal
    received = device.sync()
    assert set(received) == {first_contact, second_contact} | {
        record_id
        for (record_id,) in db.session.execute(
            select(Employer.id).where(Employer.org_number == org_number)
        )
    }


def _upsert(entity: str, record_id: uuid.UUID, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "mutation_id": str(uuid.uuid4()),
        "entity": entity,
        "op": "upsert",
        "id": str(record_id),
        "base_version": None,
        "data": data,
    }


def _someone_waits_for_a_lock(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        time.sleep(0.3)  # SQLite has no lock table to look at: give the push a moment
        return True
    with engine.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            ).scalar()
        )


def test_phones_pushing_at_once_over_http_with_pulls_between_lose_no_change(
    app, client, make, login, caplog
):
    """Several phones push through the real endpoint at the same time: batches of new contacts
    and stale edits of the same employers (so merges, conflicts and retried races happen),
    while another device pulls. Every push is answered, and the device ends up with every
    contact exactly once and every employer as the server has it."""
    specialist, device = _start(make, login, client)
    [(_, first_employer, _)] = device.received
    employer_ids = [first_employer] + [make.employer(specialist).id for _ in range(2)]
    headers = device.headers
    postgres = db.engine.dialect.name == "postgresql"
    batches = 12 if postgres else 4
    answers: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (mutation, result)
    errors: list[BaseException] = []

    def phone(number: int) -> None:
        rng = random.Random(number)
        http = app.test_client()
        client_id = str(uuid.uuid4())
        try:
            for n in range(batches):
                mutations = [
                    _upsert(
                        "employer_contacts",
                        new_id(),
                        {
                            "employer_id": str(rng.choice(employer_ids)),
                            "contacted_at": "2026-11-20T10:00:00+01:00",
                        },
                    )
                    for _ in range(rng.randrange(1, 6))
                ]
                edit = _upsert(
                    "employers", rng.choice(employer_ids), {"industry": f"Bransje {number}.{n}"}
                )
                edit["base_version"] = 1  # offline since the first sync: always stale
                mutations.insert(rng.randrange(len(mutations) + 1), edit)
                body = {"client_id": client_id, "schema_version": 1, "mutations": mutations}
                response = http.post("/api/v1/sync/push", json=body, headers=headers)
                assert response.status_code == 200, response.json
                answers.extend(zip(mutations, response.json["results"], strict=True))
                time.sleep(rng.uniform(0, 0.01))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    sizes = random.Random(1)
    while any(thread.is_alive() for thread in threads):
        device.page(limit=sizes.choice((2, 50, 500)))
    for thread in threads:
        thread.join(WAIT)
    # the cause behind a 500, as the app logged it
    assert not errors, [errors] + [r.exc_text or r.getMessage() for r in caplog.records]
    device.sync()

    statuses = Counter(result["status"] for _, result in answers)
    assert set(statuses) <= {"applied", "merged"}, [
        result for _, result in answers if result["status"] not in ("applied", "merged")
    ]
    assert statuses["merged"] > 0  # the stale edits really met each other
    contacts = [
        record_id for entity, record_id, _ in device.received if entity == "employer_contacts"
    ]
    pushed = {uuid.UUID(m["id"]) for m, _ in answers if m["entity"] == "employer_contacts"}
    assert len(contacts) == len(set(contacts)), "a contact was delivered twice"
    assert set(contacts) == pushed, "a pushed contact never reached the device"

    db.session.rollback()
    for record_id in employer_ids:
        server = db.session.get(Employer, record_id)
        assert device.versions[("employers", record_id)] == server.version
    # Every edit that lost a field to a later one is kept in a conflict.
    merged = sum(1 for _, result in answers if result["status"] == "merged")
    assert db.session.scalar(select(func.count()).select_from(Conflict)) >= merged


def test_the_same_batch_pushed_twice_at_once_is_applied_once_and_answered_duplicate(
    app, client, make, login, monkeypatch
):
    """A phone whose push timed out while the server was still applying it sends the batch
    again. The second push must wait for the first and answer `duplicate`. Here the first push
    is held after its writes, before its commit; the second is held, if it gets that far, just
    after it looked for earlier results and for the records its mutations name (none yet).
    Released in that order, a second push that did not wait would find the first's new records
    when it creates them and reject every one ("already exists"), which the app would show as
    errors to fix."""
    _, device = _start(make, login, client)
    [(_, employer_id, _)] = device.received
    mutations = [
        _upsert(
            "employer_contacts",
            new_id(),
            {"employer_id": str(employer_id), "contacted_at": "2026-11-20T10:00:00+01:00"},
        )
        for _ in range(6)
    ]
    body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": mutations}
    headers = device.headers
    first_wrote, release_first = threading.Event(), threading.Event()
    second_looked, release_second = threading.Event(), threading.Event()
    apply_creations, new_records = sync_push._apply_creations, sync_push._new_records

    def hold_the_first(*args: Any) -> Any:
        result = apply_creations(*args)
        if threading.current_thread().name == "first" and not first_wrote.is_set():
            first_wrote.set()
            assert release_first.wait(WAIT)
        return result

    def hold_the_second(*args: Any) -> Any:
        result = new_records(*args)
        if threading.current_thread().name == "second" and not second_looked.is_set():
            second_looked.set()
            assert release_second.wait(WAIT)
        return result

    monkeypatch.setattr(sync_push, "_apply_creations", hold_the_first)
    monkeypatch.setattr(sync_push, "_new_records", hold_the_second)
    answers: dict[str, list[dict[str, Any]]] = {}
    errors: list[BaseException] = []

    def send(name: str) -> None:
        try:
            response = app.test_client().post("/api/v1/sync/push", json=body, headers=headers)
            assert response.status_code == 200, response.json
            answers[name] = response.json["results"]
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=send, args=("first",), name="first")
    first.start()
    assert first_wrote.wait(WAIT)
    second = threading.Thread(target=send, args=("second",), name="second")
    second.start()
    deadline = time.monotonic() + WAIT
    while not second_looked.is_set() and not _someone_waits_for_a_lock(db.engine):
        assert time.monotonic() < deadline, "the second push neither waited nor went on"
        time.sleep(0.02)
    release_first.set()
    first.join(WAIT)
    release_second.set()
    second.join(WAIT)
    assert not errors, errors

    assert [r["status"] for r in answers["first"]] == ["applied"] * 6
    assert [r["status"] for r in answers["second"]] == ["duplicate"] * 6, answers["second"]
    db.session.rollback()
    ids = [uuid.UUID(m["id"]) for m in mutations]
    stored = db.session.scalar(
        select(func.count()).select_from(EmployerContact).where(EmployerContact.id.in_(ids))
    )
    assert stored == 6
    assert sorted(device.sync()) == sorted(ids)
