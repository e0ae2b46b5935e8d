"""The progress of a first sync: the first page says how many records the whole sync brings
(`total`, docs/sync.md), so that the app can show a percentage."""

from __future__ import annotations

import uuid
from typing import Any

from api.access import actor_for
from api.common.model import utcnow
from api.extensions import db
from api.offline.setup import feed, registry
from sync.pull import _first_sync_total
from tests.test_sync import Device, mutation


def upserts(pages: list[dict[str, Any]]) -> int:
    return sum(c["op"] == "upsert" for page in pages for c in page["changes"])


def _caseload(make: Any) -> Any:
    """A specialist with a few participants, employers and contacts, next to rows they may
    not see (a colleague's participant, another team's employer) and a deleted employer."""
    specialist = make.user("specialist")
    employers = [make.employer(specialist) for _ in range(4)]
    for n in range(3):
        participant = make.participant(specialist)
        make.consent(participant)
        make.meeting(participant)
        make.step(participant)
        make.goal(participant)
        make.job_match(participant, employers[n])
    for employer in employers:
        make.employer_contact(specialist, employer)
        make.employer_contact(specialist, employer)
    make.participant(make.user("specialist", team=specialist.team))
    make.employer(make.team())
    gone = make.employer(specialist)
    gone.deleted_at = utcnow()
    db.session.commit()
    return specialist


def test_the_first_page_says_how_many_records_the_whole_first_sync_brings(client, make, login):
    specialist = _caseload(make)
    device = Device(client, login(specialist))
    pages = device.pages(limit=7)
    assert len(pages) > 3
    assert pages[0]["total"] == upserts(pages) == 4 + 3 * 6 + 8
    assert all("total" not in page for page in pages[1:])

    # The same count when everything fits on one page.
    whole = Device(client, device.headers).pages(limit=500)
    assert len(whole) == 1 and whole[0]["total"] == upserts(pages)


def test_later_pulls_carry_no_total(client, make, login):
    specialist = _caseload(make)
    headers = login(specialist)
    device = Device(client, headers)
    device.pages(limit=7)

    assert "total" not in device.pull_page()  # nothing new
    employer_id = str(uuid.uuid4())
    [created] = device.push(mutation("employers", employer_id, {"name": "Ny arbeidsgiver AS"}))
    assert created["status"] == "applied"
    pages = device.pages(limit=7)
    assert [c["id"] for page in pages for c in page["changes"]] == [employer_id]
    assert all("total" not in page for page in pages)


def test_a_user_who_sees_nothing_is_told_total_0(client, make, login):
    _caseload(make)
    nobody = make.user("specialist")  # a team of their own, with nothing in it
    pages = Device(client, login(nobody)).pages(limit=7)
    assert pages == [pages[0]] and pages[0]["changes"] == []
    assert pages[0]["total"] == 0


def test_the_count_covers_what_the_pages_hand_out_for_every_kind_of_user(client, make, login):
    """The count itself (a first sync that fits on one page does without it)."""
    specialist = _caseload(make)
    participant = make.participant(specialist)
    make.meeting(participant)
    linked = make.participant_user(participant)
    unlinked = make.user("participant", team=specialist.team)
    supervisor = make.user("supervisor", team=specialist.team)
    nobody = make.user("specialist")
    for user in (specialist, linked, unlinked, supervisor, nobody):
        expected = upserts(Device(client, login(user)).pages(limit=500))
        base, _ = feed.high_water(db.session)
        db.session.rollback()
        assert _first_sync_total(db.session, registry, actor_for(user), base) == expected
        assert expected > 0 or user in (unlinked, nobody)


def test_a_reset_says_the_total_on_its_first_page_too(client, make, login):
    specialist = _caseload(make)
    device = Device(client, login(specialist))
    device.pages(limit=7)
    feed.reset_user(db.session, specialist.id)  # everything they may see changed
    db.session.commit()

    pages = device.pages(limit=7)
    assert pages[0]["reset"] is True
    assert pages[0]["total"] == upserts(pages) == 4 + 3 * 6 + 8
    assert all("total" not in page for page in pages[1:])
