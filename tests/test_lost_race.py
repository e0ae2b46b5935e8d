"""A write that loses a race with another transaction: a clear 409 over REST, a retry in sync."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from api.extensions import db
from api.participants.models import Participant


@contextmanager
def someone_saves_first(
    participant_id: uuid.UUID, phone: str, *, same_connection: bool = False
) -> Iterator[None]:
    """Just before the request writes, someone else changes the same row: another connection
    that commits, or (where the request already holds SQLite's write lock) a change slipped in
    on the request's own connection, which the ORM's version check sees just the same."""
    fired = []

    def interleave(session: Session, flush_context: object, instances: object) -> None:
        if fired:
            return
        fired.append(True)
        table = Participant.__table__
        bump = (
            update(table)
            .where(table.c.id == participant_id)
            .values(version=table.c.version + 1, phone=phone)
        )
        if same_connection:
            session.connection().execute(bump)
            return
        with db.engine.connect() as other:
            other.execute(bump)
            other.commit()

    event.listen(Session, "before_flush", interleave)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", interleave)


def test_a_rest_update_that_loses_a_race_gets_409_and_changes_nothing(client, make, login):
    specialist = make.user("specialist")
    participant_id = make.participant(specialist).id
    headers = login(specialist)
    # On SQLite a writing request holds the write lock from its start: nobody else can write.
    sqlite = db.engine.dialect.name == "sqlite"
    with someone_saves_first(participant_id, "41111111", same_connection=sqlite):
        response = client.patch(
            f"/api/v1/participants/{participant_id}", headers=headers, json={"last_name": "Berg"}
        )
    assert response.status_code == 409, response.json
    assert "same moment" in response.json["detail"]
    after = client.get(f"/api/v1/participants/{participant_id}", headers=headers).json
    # (On SQLite the other change rode on the request's connection and was rolled back too.)
    assert (after["last_name"], after["phone"]) == ("Hansen", None if sqlite else "41111111")


def test_a_pushed_edit_that_loses_a_race_is_retried_on_the_fresh_row(client, make, login):
    specialist = make.user("specialist")
    participant_id = make.participant(specialist).id
    headers = login(specialist)
    body = {
        "client_id": str(uuid.uuid4()),
        "schema_version": 1,
        "mutations": [
            {
                "mutation_id": str(uuid.uuid4()),
                "entity": "participants",
                "op": "upsert",
                "id": str(participant_id),
                "base_version": 1,
                "data": {"last_name": "Berg"},
            }
        ],
    }
    with someone_saves_first(participant_id, "41111111", same_connection=True):
        response = client.post("/api/v1/sync/push", headers=headers, json=body)
    assert response.status_code == 200, response.json
    assert response.json["results"][0]["status"] == "applied", response.json
    after = client.get(f"/api/v1/participants/{participant_id}", headers=headers).json
    assert after["last_name"] == "Berg"
