"""The tombstone horizon: old tombstones go, and devices older than them start over."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from api.common.model import utcnow
from api.employers.models import Employer
from api.extensions import db
from api.offline.setup import feed
from sync.purge import purge_tombstones


def _age_tombstone(employer_id):
    """Backdate a deletion without it counting as a new change (the clock moving on)."""
    table = Employer.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == employer_id)
        .values(deleted_at=utcnow() - timedelta(days=400))
    )
    db.session.commit()


def _pull(client, headers, cursor=None):
    query = {"cursor": cursor} if cursor else {}
    response = client.get("/api/v1/sync/pull", headers=headers, query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_a_device_older_than_the_purged_tombstones_is_told_to_start_over(client, make, login):
    specialist = make.user("specialist")
    headers = login(specialist)
    gone, kept = make.employer(specialist).id, make.employer(specialist).id
    old_device = _pull(client, headers)
    assert {c["id"] for c in old_device["changes"]} == {str(gone), str(kept)}

    client.delete(f"/api/v1/employers/{gone}", headers=headers)
    up_to_date = _pull(client, headers, old_device["cursor"])  # a device that saw the delete
    assert [c["op"] for c in up_to_date["changes"]] == ["delete"]

    _age_tombstone(gone)
    assert purge_tombstones(db.session, feed, utcnow() - timedelta(days=180)) == 1
    db.session.commit()
    assert db.session.scalar(select(Employer.id).where(Employer.id == gone)) is None

    stale = _pull(client, headers, old_device["cursor"])
    assert stale["reset"] is True
    assert {c["id"] for c in stale["changes"]} == {str(kept)}
    current = _pull(client, headers, stale["cursor"])
    assert (current["reset"], current["changes"]) == (False, [])
    assert _pull(client, headers, up_to_date["cursor"])["reset"] is False


def test_a_tombstone_still_referenced_is_kept(client, make, login):
    specialist = make.user("specialist")
    employer = make.employer(specialist)
    make.employer_contact(specialist, employer)
    employer.deleted_at = utcnow() - timedelta(days=400)
    db.session.commit()
    assert purge_tombstones(db.session, feed, utcnow() - timedelta(days=180)) == 0
    db.session.commit()
    assert db.session.get(Employer, employer.id) is not None


def test_purge_from_the_command_line(app, make):
    specialist = make.user("specialist")
    employer = make.employer(specialist)
    employer.deleted_at = utcnow() - timedelta(days=400)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ips", "purge-tombstones", "--days", "90"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 tombstones" in result.output
