"""The nightly purges that keep tables from growing for ever: the log of pushed mutations at
the tombstone horizon, refresh tokens and sign-ins once they are over, the audit log after its
retention (through the PostgreSQL guard's maintenance door, and only for old entries), the
tombstones nothing refers to, and the runs of dead scheduler processes. docs/privacy.md lists
every table with what deletes it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt
import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.activity.models import EmployerContact, Meeting
from api.audit.models import AuditEvent
from api.audit.retention import purge_audit_log
from api.auth.models import RefreshToken, TokenFamily
from api.common.model import new_id, utcnow
from api.conflicts.models import Conflict
from api.employers.models import Employer
from api.extensions import db
from api.offline.setup import feed
from api.participants.models import Participant
from api.scheduler import jobs
from api.scheduler.jobs import (
    JOB_BY_NAME,
    purge_history,
    purge_old_audit_entries,
    purge_old_mutations,
    purge_sign_ins,
)
from api.scheduler.models import JobRun
from api.scheduler.runner import run_job
from sync.purge import purge_tombstones
from tests.test_sync import Device, contact_data, fresh, mutation

HORIZON = timedelta(days=180)  # SYNC_TOMBSTONE_DAYS' default
AUDIT_DAYS = 1826  # AUDIT_RETENTION_DAYS' default
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/auth/me"


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- The log of pushed mutations ------------------------------------------------------------


def _pushed_long_ago(mutation_id: str, days: int) -> None:
    """Backdate a mutation's entry in the log, as if it had been pushed `days` ago."""
    log = feed.mutations
    db.session.execute(
        update(log)
        .where(log.c.mutation_id == uuid.UUID(mutation_id))
        .values(created_at=utcnow() - timedelta(days=days))
    )
    db.session.commit()


def _world(make: Any, login: Any) -> tuple[Any, Any, dict[str, str]]:
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    make.consent(participant)
    return participant, make.employer(specialist), login(specialist)


def test_a_replay_is_a_duplicate_within_the_horizon_and_evaluated_anew_beyond_it(
    client, make, login
):
    """Two creations and an edit pushed; the response lost. Replayed, all are `duplicate`.
    The nightly purge then forgets the two pushed more than SYNC_TOMBSTONE_DAYS ago: replayed
    again, the recent one is still `duplicate`; the old creation, whose record still exists
    unchanged, and the old edit are merged again against the records, which is `applied` and
    writes nothing: no second record, no new version, nothing new in the feed, no conflict."""
    participant, employer, headers = _world(make, login)
    phone, tablet = Device(client, headers), Device(client, headers)
    old = mutation("employer_contacts", new_id(), contact_data(employer))
    recent = mutation("employer_contacts", new_id(), contact_data(employer))
    edit = mutation("participants", participant.id, {"phone": "40000000"}, base_version=1)
    first = phone.push(old, recent, edit)
    assert [(r["status"], r["version"]) for r in first] == [("applied", 1)] * 2 + [("applied", 2)]
    tablet.sync()
    _pushed_long_ago(old["mutation_id"], 181)
    _pushed_long_ago(edit["mutation_id"], 181)
    _pushed_long_ago(recent["mutation_id"], 179)
    replay = phone.push(old, recent, edit)
    assert [r["status"] for r in replay] == ["duplicate"] * 3

    assert purge_old_mutations(utcnow()) == "forgot 2 mutation results older than 180 days"
    db.session.commit()
    remembered = set(db.session.scalars(select(feed.mutations.c.mutation_id)))
    assert remembered == {uuid.UUID(recent["mutation_id"])}

    again = phone.push(old, recent, edit)
    assert [(r["status"], r["version"]) for r in again] == [
        ("applied", 1),
        ("duplicate", 1),
        ("applied", 2),
    ]
    assert count(EmployerContact) == 2
    assert {c.version for c in db.session.scalars(select(EmployerContact))} == {1}
    assert fresh(Participant, participant.id).version == 2
    assert count(Conflict) == 0
    assert tablet.sync() == []


def test_a_creation_replayed_beyond_the_horizon_is_merged_into_a_record_changed_since(
    client, make, login
):
    """The hazard docs/sync.md names: once forgotten, a creation replayed after another device
    changed the record is merged as an edit made before that change, so the replayed value
    wins and the newer one is kept as a conflict (the default rule, client wins)."""
    _, employer, headers = _world(make, login)
    phone, tablet = Device(client, headers), Device(client, headers)
    contact_id = new_id()
    created = mutation("employer_contacts", contact_id, contact_data(employer, purpose="Først"))
    phone.push(created)
    tablet.sync()
    [changed] = tablet.push(
        mutation("employer_contacts", contact_id, {"purpose": "Senere"}, base_version=1)
    )
    assert (changed["status"], changed["version"]) == ("applied", 2)
    _pushed_long_ago(created["mutation_id"], 181)
    purge_old_mutations(utcnow())
    db.session.commit()

    [replayed] = phone.push(created)
    assert (replayed["status"], replayed["conflicts"]) == ("merged", ["purpose"])
    assert fresh(EmployerContact, contact_id).purpose == "Først"
    [conflict] = db.session.scalars(select(Conflict)).all()
    assert (conflict.kept_value, conflict.other_value) == ("Først", "Senere")


# --- Refresh tokens and sign-ins -------------------------------------------------------------


def _sign_in(client: Any, user: Any) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": "demo1234"})
    assert response.status_code == 200, response.json
    return response.json


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_used_refresh_token_is_kept_until_it_expires_so_its_reuse_is_still_caught(client, make):
    user = make.user("specialist")
    first = _sign_in(client, user)
    rotated = client.post(REFRESH, headers=_bearer(first["refresh_token"]))
    assert rotated.status_code == 200, rotated.json
    assert (
        purge_sign_ins(utcnow())
        == "removed 0 expired refresh tokens, 0 sign-ins and 0 password links"
    )
    db.session.commit()
    assert count(RefreshToken) == 2
    # The first token, stolen and presented again an hour after its use (not the race of two
    # parts of one app refreshing at once): the sign-in is ended on every device.
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.used_at.is_not(None))
        .values(used_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    reused = client.post(REFRESH, headers=_bearer(first["refresh_token"]))
    assert reused.status_code == 401
    assert "already used" in reused.json["detail"]
    assert client.get(ME, headers=_bearer(rotated.json["access_token"])).status_code == 401


def _family_of(tokens: dict[str, Any]) -> uuid.UUID:
    return uuid.UUID(
        jwt.decode(tokens["refresh_token"], options={"verify_signature": False})["fam"]
    )


def test_expired_refresh_tokens_and_their_sign_ins_go_and_nothing_comes_back(client, make):
    """Two phones signed in; one sign-in's refresh token has expired (REFRESH_TOKEN_DAYS after
    it was issued). The purge removes that token and that sign-in, and keeps the other. Tokens
    of the removed sign-in that are still within their own expiry are refused from then on: a
    sign-in that no longer exists counts as revoked, so removing it lets nothing back in."""
    user = make.user("specialist")
    over, going_on = _sign_in(client, user), _sign_in(client, user)
    ended = _family_of(over)
    db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == ended)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.execute(
        update(TokenFamily)
        .where(TokenFamily.id == ended)
        .values(created_at=utcnow() - timedelta(days=30, seconds=1))
    )
    db.session.commit()
    assert client.get(ME, headers=_bearer(over["access_token"])).status_code == 200

    assert (
        purge_sign_ins(utcnow())
        == "removed 1 expired refresh tokens, 1 sign-ins and 0 password links"
    )
    db.session.commit()
    assert set(db.session.scalars(select(TokenFamily.id))) == {_family_of(going_on)}
    assert set(db.session.scalars(select(RefreshToken.family_id))) == {_family_of(going_on)}
    assert client.get(ME, headers=_bearer(over["access_token"])).status_code == 401
    assert client.post(REFRESH, headers=_bearer(over["refresh_token"])).status_code == 401
    assert client.get(ME, headers=_bearer(going_on["access_token"])).status_code == 200
    assert client.post(REFRESH, headers=_bearer(going_on["refresh_token"])).status_code == 200
    assert count(TokenFamily) == 1


def test_a_sign_in_without_tokens_goes_once_over_and_not_before(make):
    """Sign-ins left with no refresh token: one revoked more than ACCESS_TOKEN_MINUTES (15)
    ago, whose access tokens have all expired, goes; one revoked 10 minutes ago stays; one
    never revoked goes once it is older than REFRESH_TOKEN_DAYS (30), not before. A sign-in
    that still has a refresh token stays, revoked or not."""
    user = make.user("specialist")
    now = utcnow()

    def family(created_days: float, revoked_minutes: float | None) -> uuid.UUID:
        row = TokenFamily(
            user_id=user.id,
            created_at=now - timedelta(days=created_days),
            revoked_at=None
            if revoked_minutes is None
            else now - timedelta(minutes=revoked_minutes),
        )
        db.session.add(row)
        db.session.flush()
        return row.id

    gone = {family(1, 16), family(31, None), family(40, 60)}
    kept = {family(1, 10), family(29, None)}
    holding = family(40, 60)  # revoked an hour ago, but its refresh token has not expired
    db.session.add(RefreshToken(jti="live", family_id=holding, expires_at=now + timedelta(days=1)))
    db.session.commit()
    assert (
        purge_sign_ins(now) == "removed 0 expired refresh tokens, 3 sign-ins and 0 password links"
    )
    db.session.commit()
    assert not gone & set(db.session.scalars(select(TokenFamily.id)))
    assert set(db.session.scalars(select(TokenFamily.id))) == kept | {holding}


# --- The audit log ------------------------------------------------------------------------


def _audit_entries(*ages: timedelta, now: datetime) -> dict[timedelta, uuid.UUID]:
    """One entry recorded each of `ages` before `now` (inserting is all the guard allows)."""
    ids = {age: new_id() for age in ages}
    db.session.execute(
        insert(AuditEvent.__table__),
        [
            {
                "id": entry_id,
                "at": now - age,
                "actor_id": new_id(),
                "actor_role": "specialist",
                "action": "read",
                "entity": "meetings",
                "record_count": 1,
                "participant_id": new_id(),
                "reason": "own_caseload",
            }
            for age, entry_id in ids.items()
        ],
    )
    db.session.commit()
    return ids


def _left(ids: dict[timedelta, uuid.UUID]) -> set[timedelta]:
    db.session.rollback()
    present = set(db.session.scalars(select(AuditEvent.id)))
    return {age for age, entry_id in ids.items() if entry_id in present}


def test_the_audit_purge_removes_entries_older_than_the_retention_and_keeps_the_rest(app):
    with app.app_context():
        now = utcnow()
        old, young = timedelta(days=AUDIT_DAYS, hours=1), timedelta(days=AUDIT_DAYS, hours=-1)
        ids = _audit_entries(old, young, timedelta(0), now=now)
        assert app.config["AUDIT_RETENTION_DAYS"] == AUDIT_DAYS
        assert purge_old_audit_entries(now) == "removed 1 audit entries older than 1826 days"
        db.session.commit()
        assert _left(ids) == {young, timedelta(0)}


def test_an_audit_retention_of_zero_keeps_every_entry(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_RETENTION_DAYS", 0)
    with app.app_context():
        now = utcnow()
        ids = _audit_entries(timedelta(days=20 * 365), now=now)
        assert purge_old_audit_entries(now) == "kept every audit entry (AUDIT_RETENTION_DAYS is 0)"
        db.session.commit()
        assert _left(ids) == set(ids)


def _refused(conn: Any, statement: str) -> str:
    """What PostgreSQL says when `statement` meets the guard (in a savepoint, so that the
    transaction goes on)."""
    with pytest.raises(DBAPIError) as refused, conn.begin_nested():
        conn.execute(text(statement))
    return str(refused.value)


def test_the_audit_purge_opens_the_guard_for_its_own_delete_only(app):
    """On PostgreSQL the purge deletes through the maintenance door, and the door is shut again
    before it returns: the same transaction, and the connection's next one, are refused an
    ordinary DELETE. (SQLite has no guard: there the purge is an ordinary DELETE.)"""
    with app.app_context():
        now = utcnow()
        old, young = timedelta(days=AUDIT_DAYS + 1), timedelta(days=AUDIT_DAYS - 1)
        ids = _audit_entries(old, young, now=now)
        postgresql = db.engine.dialect.name == "postgresql"
        with db.engine.connect() as conn:
            session = Session(bind=conn)
            assert purge_audit_log(session, now - timedelta(days=AUDIT_DAYS)) == 1
            if postgresql:
                refusal = _refused(conn, "DELETE FROM audit_log")
                assert "audit_log is append-only: DELETE is refused" in refusal
            session.commit()
            if postgresql:
                assert "append-only" in _refused(conn, "DELETE FROM audit_log")
                assert "append-only" in _refused(conn, "UPDATE audit_log SET reason = 'admin'")
                conn.rollback()
            session.close()
        assert _left(ids) == {young}


def test_the_nightly_history_job_purges_the_audit_log_through_the_guard(app):
    """The job as the scheduler runs it, in its transactions: on PostgreSQL it passes the
    guard, and an ordinary DELETE afterwards is still refused."""
    with app.app_context():
        slot = utcnow().replace(microsecond=0)
        ids = _audit_entries(timedelta(days=AUDIT_DAYS + 1), timedelta(days=1), now=slot)
        result = run_job(JOB_BY_NAME["history_purge"], slot)
        assert (result.outcome, result.detail) == (
            "ok",
            "removed 0 notifications and 0 job runs; removed 0 expired refresh tokens, "
            "0 sign-ins and 0 password links; removed 1 audit entries older than 1826 days",
        )
        assert _left(ids) == {timedelta(days=1)}
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                assert "append-only" in _refused(conn, "DELETE FROM audit_log")


def test_a_failing_audit_purge_fails_the_run_and_holds_back_no_other_purge(app, make, monkeypatch):
    """Say the database role may not delete from audit_log (docs/security.md suggests a role
    that cannot rewrite it): the nightly run is recorded as failed, and the purges before it
    (expired sign-ins here) are done all the same."""
    user = make.user("specialist")
    family = TokenFamily(user_id=user.id, created_at=utcnow() - timedelta(days=40))
    db.session.add(family)
    db.session.flush()
    db.session.add(
        RefreshToken(jti="old", family_id=family.id, expires_at=utcnow() - timedelta(days=10))
    )
    db.session.commit()

    def refused(session: Any, before: datetime) -> int:
        raise PermissionError("permission denied for table audit_log")

    monkeypatch.setattr(jobs, "purge_audit_log", refused)
    result = run_job(JOB_BY_NAME["history_purge"], utcnow())
    assert (result.outcome, result.detail) == (
        "failed",
        "PermissionError (see the scheduler's log)",
    )
    db.session.rollback()
    assert count(RefreshToken) == count(TokenFamily) == 0


# --- Tombstones ---------------------------------------------------------------------------


def test_a_tombstone_goes_only_when_no_row_refers_to_it(make):
    """Old tombstones go unless a row refers to them, through any of the columns that can;
    general employer contacts (no participant: a NULL reference) hold nothing back. Referring
    rows that are themselves old tombstones go first, in the same purge."""
    specialist = make.user("specialist")
    now = utcnow()
    long_ago, lately = now - HORIZON - timedelta(days=1), now - timedelta(days=10)
    employer = make.employer(specialist)
    make.employer_contact(specialist, employer)  # a general one: participant_id is NULL
    alone = make.participant(specialist, deleted_at=long_ago)
    met = make.participant(specialist, deleted_at=long_ago)
    make.meeting(met)
    with_profile = make.participant(specialist, deleted_at=long_ago)
    make.career_profile(with_profile)
    with_old_meeting = make.participant(specialist, deleted_at=long_ago)
    make.meeting(with_old_meeting, deleted_at=long_ago)
    recent = make.participant(specialist, deleted_at=lately)
    unused = make.employer(specialist, deleted_at=long_ago)
    contacted = make.employer(specialist, deleted_at=long_ago)
    make.employer_contact(specialist, contacted)
    matched = make.employer(specialist, deleted_at=long_ago)
    make.job_match(make.participant(specialist), matched)

    gone = {alone.id, with_old_meeting.id, unused.id}
    kept = {met.id, with_profile.id, recent.id, employer.id, contacted.id, matched.id}

    assert purge_tombstones(db.session, feed, now - HORIZON) == 4
    db.session.commit()
    left = set(db.session.scalars(select(Participant.id))) | set(
        db.session.scalars(select(Employer.id))
    )
    assert kept <= left and not gone & left
    assert count(Meeting) == 1  # the old tombstone went; the live meeting stays
    assert count(EmployerContact) == 2


# --- The runs of dead scheduler processes --------------------------------------------------


def test_runs_left_running_by_dead_processes_go_with_the_rest_of_the_history(make):
    """A run a killed process left "running" is history like any other once it is older than
    SCHEDULER_HISTORY_DAYS; a run still within SCHEDULER_RUN_TIMEOUT_MINUTES is not touched."""
    now = utcnow()
    month_ago = now - timedelta(days=40)
    for job, started in (("tombstone_purge", month_ago), ("history_purge", now)):
        db.session.add(
            JobRun(
                job=job,
                scheduled_for=month_ago,
                started_at=started,
                outcome="running",
                runner="dead-host:1",
            )
        )
    db.session.commit()
    assert purge_history(now) == "removed 0 notifications and 1 job runs"
    db.session.commit()
    assert set(db.session.scalars(select(JobRun.job))) == {"history_purge"}
