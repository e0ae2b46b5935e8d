"""A property-based model of offline sync: several devices and the server, through the real API.

Hypothesis drives a state machine against the Flask app on a real database. Three phones edit,
create and delete shared records offline: two for specialist js1, one for js2. A supervisor's
phone and an admin's phone only pull. Phones push and pull in any order; some push responses are
lost, so the phone sends the same mutations again with its next push. The admin moves
participants between js1 and js2, and old tombstones are purged (phones that are too far behind
start over). Each phone is a small client that follows docs/sync.md. It keeps `synced`, what the
server last told it, and an `outbox` of mutations; what its user sees is `synced` with the
outbox applied on top.

Invariants:

1. Convergence and eviction. After a pull reaches `has_more: false`, a phone holds exactly what
   a pull with no cursor returns for its user: the same records, versions and data. Records
   the phone still has unsent changes for are skipped until those go out. So a phone keeps
   nothing its user can no longer see. At the end every phone pushes and pulls until nothing is
   left, and then the comparison covers every record.
2. No silent loss. Field values are unique, so every accepted write can be traced. Each value a
   push wrote (`applied` or `merged`) must still be there at the end in one of three ways: it is
   the field's current value; it is the `kept_value` or `other_value` of a conflict on that
   record and field; or a later accepted edit replaced it after its user had seen it (the value
   was on their phone when they edited). "Seen" is what makes an overwrite deliberate, so an
   edit built on stale data with a fresh `base_version` still counts as a loss.
3. Exactly once. A mutation is accepted at most once; a resent one answers `duplicate` with the
   first result; a push that accepts nothing new commits no change (the feed's high-water mark
   stays put). A `merged` result brings exactly the conflict rows it names, owned by the pushing
   user; an `applied` result brings none.
4. Rejections. Model bookkeeping predicts each outcome: an edit of a record its user can see
   and that is not deleted is accepted; an edit of a deleted record is rejected as deleted; a
   record the user can't see is rejected. A rejected mutation is dropped from the outbox and
   changes nothing: its values end up in no record and no conflict, and no row remembers it.
5. "merged: the next pull brings the record and the conflict" (docs/sync.md). After a merged
   result the phone shows its own value until then, and its next complete pull includes that
   record. So that this holds for any cursor, the merged record must re-enter the feed above
   the high-water mark from before the push.

Kept small for CI: a fixed world of eleven records, 40 examples of up to 25 steps,
derandomized (the same runs every time), no example database. Users sign in once per test;
each example empties the synced tables and seeds them again.
"""

from __future__ import annotations

import itertools
import json
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.common.model import utcnow
from api.conflicts.models import Conflict
from api.employers.models import Employer
from api.extensions import db
from api.offline.setup import feed
from api.participants.models import Participant
from api.plans.models import PlanStep
from sync.purge import purge_tombstones
from tests.factories import Factory

# SYNC_MODEL_EXAMPLES=500 for a longer search by hand; CI runs the fixed 40.
SETTINGS = settings(
    max_examples=int(os.environ.get("SYNC_MODEL_EXAMPLES", "40")),
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


PUSH, PULL, LOGIN = "/api/v1/sync/push", "/api/v1/sync/pull", "/api/v1/auth/login"
Key = tuple[str, str]  # (entity, id)

MODELS: dict[str, Any] = {
    "participants": Participant,
    "employers": Employer,
    "plan_steps": PlanStep,
}
# The fields phones edit: free text (and done_at), so that an edit never has side effects. Few
# of them, so that edits collide. (Plan goals are not edited: they move with their participant.)
EDITABLE = {
    "participants": ("first_name", "phone"),
    "employers": ("name", "industry"),
    "plan_steps": ("title", "done_at"),
}
NULLABLE = frozenset({"phone", "industry", "done_at"})

CREATED = object()  # the `seen` of a value that a create wrote


def ident(kind: int, n: int) -> str:
    """Ids fixed per example, so a derandomized run makes the same choices every time."""
    return str(uuid.UUID(int=(kind << 64) | n))


@dataclass
class Mutation:
    mutation_id: str
    entity: str
    op: str
    id: str
    base_version: int | None
    data: dict[str, Any]
    seen: dict[str, Any] = field(default_factory=dict)  # field -> the value the user replaced
    sent: bool = False  # has gone out at least once (and so is never changed again)

    @property
    def key(self) -> Key:
        return (self.entity, self.id)

    def wire(self) -> dict[str, Any]:
        return {
            "mutation_id": self.mutation_id,
            "entity": self.entity,
            "op": self.op,
            "id": self.id,
            "base_version": self.base_version,
            "data": self.data,
        }


@dataclass
class Phone:
    name: str
    user: str
    client_id: str
    synced: dict[Key, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    outbox: list[Mutation] = field(default_factory=list)
    cursor: str | None = None
    must_arrive: set[Key] = field(default_factory=set)  # merged: the next pull brings these

    def view(self) -> dict[Key, dict[str, Any]]:
        """What the user sees: the synced records with the outbox applied on top."""
        records = {key: dict(data) for key, (_, data) in self.synced.items()}
        deleted = {m.key for m in self.outbox if m.op == "delete"}
        for m in self.outbox:
            if m.op == "delete":
                records.pop(m.key, None)
            elif m.key in records:
                records[m.key].update(m.data)
            elif m.base_version is None and m.key not in deleted:
                records[m.key] = dict(m.data)  # made on this phone, not yet pulled
        return records

    def base_version(self, key: Key) -> int | None:
        return self.synced[key][0] if key in self.synced else None


@dataclass
class Write:
    """One field value the server accepted, in server order."""

    key: Key
    field: str
    value: Any
    seen: Any  # what the user replaced, or CREATED
    order: int
    mutation_id: str


# --- what happens in the field: one rule takes an action, so that their mix is set here ------
# (Hypothesis would otherwise switch random rules off per example, and start with the rule that
# takes the fewest arguments: with few examples, many would do little but move participants.)

EDITORS = st.sampled_from(["A1", "A2", "B1"])  # A1, A2: js1's phones; B1: js2's
ANY_PHONE = st.sampled_from(["A1", "A2", "B1", "S", "X"])  # S, X: supervisor, admin (pull only)
PICK = st.integers(0, 50)  # an index into a sorted list, modulo its length
HOT = st.sampled_from([0, 0, 0, 1])  # edits mostly go to the first record of a kind: they collide


@dataclass(frozen=True)
class Edit:
    phone: str
    target: tuple[str, str]  # (entity, field)
    pick: int  # the record
    clear: bool  # set a nullable field to null
    online: bool  # push at once


@dataclass(frozen=True)
class CreateStep:
    phone: str
    pick: int  # the participant


@dataclass(frozen=True)
class DeleteStep:
    phone: str
    pick: int


@dataclass(frozen=True)
class DeleteParticipant:
    phone: str
    pick: int


@dataclass(frozen=True)
class Push:
    phone: str
    lose_the_response: bool


@dataclass(frozen=True)
class Pull:
    phone: str
    pages: int | None  # None: until has_more is false
    limit: int
    push_first: bool


@dataclass(frozen=True)
class Transfer:
    pick: int  # the participant; the admin moves them to the other specialist


@dataclass(frozen=True)
class Purge:
    pass


BUILDS = {
    Edit: st.builds(
        Edit,
        EDITORS,
        # done_at twice: it is the field with a merge rule of its own (set wins)
        st.sampled_from(
            [(entity, name) for entity, names in EDITABLE.items() for name in names]
            + [("plan_steps", "done_at")]
        ),
        HOT,
        st.booleans(),
        st.booleans(),
    ),
    Push: st.builds(Push, EDITORS, st.booleans()),
    Pull: st.builds(
        Pull,
        ANY_PHONE,
        st.one_of(st.none(), st.integers(1, 2)),
        st.sampled_from([2, 5, 500]),
        st.booleans(),
    ),
    CreateStep: st.builds(CreateStep, EDITORS, PICK),
    DeleteStep: st.builds(DeleteStep, EDITORS, PICK),
    DeleteParticipant: st.builds(DeleteParticipant, EDITORS, PICK),
    Transfer: st.builds(Transfer, PICK),
    Purge: st.just(Purge()),
}
WEIGHTS = {
    Edit: 8,
    Push: 4,
    Pull: 4,
    CreateStep: 1,
    DeleteStep: 1,
    DeleteParticipant: 1,
    Transfer: 1,
    Purge: 1,
}


@st.composite
def actions(draw: st.DrawFn) -> Any:
    kinds = [kind for kind, weight in WEIGHTS.items() for _ in range(weight)]
    return draw(BUILDS[draw(st.sampled_from(kinds))])


def _truncate_synced_tables(session: Session) -> None:
    """Empty everything that syncs (users, teams and sign-ins stay for the next example)."""
    tables = {*(m.__table__ for m in feed.models), feed.state, feed.mutations, feed.evictions}
    for table in reversed(db.metadata.sorted_tables):
        if table in tables:
            session.execute(delete(table))
    session.execute(insert(feed.state).values(id=1, seq=0, purged_seq=0))  # as migrated
    session.commit()


def _wire_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


class SyncModel(RuleBasedStateMachine):
    app: Flask
    client: FlaskClient
    users: dict[str, str]  # label -> user id
    emails: dict[str, str]  # label -> e-mail
    headers: dict[str, dict[str, str]]  # label -> Authorization header, shared by examples

    def __init__(self) -> None:
        super().__init__()
        self.broken = True
        self.numbers = itertools.count(1)
        self.order = itertools.count(1)
        # The model's bookkeeping of the server: who owns which participant, what is deleted,
        # and every result it gave.
        self.owner: dict[str, str] = {}  # participant id -> "js1" / "js2"
        self.parent: dict[str, str] = {}  # plan goal / step id -> participant id
        self.exists: set[str] = set()
        self.deleted: set[str] = set()
        self.purged: set[str] = set()
        self.participant_deletes = 0
        self.accepted: dict[str, dict[str, Any]] = {}  # mutation id -> its first result
        self.writes: list[Write] = []
        self.rejected: dict[str, tuple[str, Mutation]] = {}  # mutation id -> (client id, m)
        self._seed()
        self.phones = [
            Phone(name, user, ident(9, i))
            for i, (name, user) in enumerate(
                [("A1", "js1"), ("A2", "js1"), ("B1", "js2"), ("S", "supervisor"), ("X", "admin")]
            )
        ]
        self.phone = {phone.name: phone for phone in self.phones}
        installed: dict[str, Phone] = {}
        for phone in self.phones:  # installed and synced before going into the field
            if phone.user in installed:
                phone.synced = dict(installed[phone.user].synced)
                phone.cursor = installed[phone.user].cursor
            else:
                self._pull(phone, pages=None, limit=500)
                installed[phone.user] = phone
        self.broken = False

    # --- the world ----------------------------------------------------------------------------

    @contextmanager
    def _db(self) -> Iterator[Session]:
        with self.app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()

    def _seed(self) -> None:
        """Employers E1, E2; js1's participants P1 (a goal, a step, a ticked-off step) and P2
        (a step); js2's P3 (a goal, a step)."""
        with self._db() as session:
            _truncate_synced_tables(session)
            make = Factory()
            specialists = {
                label: session.get_one(User, uuid.UUID(self.users[label]))
                for label in ("js1", "js2")
            }
            for n in (1, 2):
                make.employer(specialists["js1"], id=uuid.UUID(ident(1, 1000 + n)))
                self.exists.add(ident(1, 1000 + n))
            for n, label in ((1, "js1"), (2, "js1"), (3, "js2")):
                pid = ident(2, 1000 + n)
                participant = make.participant(specialists[label], id=uuid.UUID(pid))
                self.owner[pid] = label
                children: list[tuple[int, Callable[..., Any], dict[str, Any]]] = [
                    (4, make.step, {"owner": "specialist"})
                ]
                if n != 2:
                    children.append((3, make.goal, {}))
                if n == 1:
                    children.append((4, make.step, {"done_at": datetime(2026, 1, 5, tzinfo=UTC)}))
                for i, (kind, factory, kw) in enumerate(children):
                    rid = ident(kind, 1000 + n * 10 + i)
                    factory(participant, id=uuid.UUID(rid), **kw)
                    self.parent[rid] = pid
                self.exists.update([pid, *self.parent])

    def _new_value(self, phone: Phone, field_name: str, clear: bool) -> Any:
        n = next(self.numbers)
        if clear and field_name in NULLABLE:
            return None
        if field_name == "done_at":
            return (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat()
        return f"{phone.name}.{n}"

    # --- HTTP ---------------------------------------------------------------------------------

    def _request(self, method: str, user: str, url: str, **kw: Any) -> Any:
        response = self.client.open(url, method=method, headers=self.headers[user], **kw)
        if response.status_code == 401:  # the access token expired (a long shrink)
            login = self.client.post(
                LOGIN, json={"email": self.emails[user], "password": Factory.PASSWORD}
            )
            assert login.status_code == 200, login.json
            self.headers[user] = {"Authorization": f"Bearer {login.json['access_token']}"}
            response = self.client.open(url, method=method, headers=self.headers[user], **kw)
        return response

    def _get_pull(self, user: str, cursor: str | None, limit: int) -> dict[str, Any]:
        query: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            query["cursor"] = cursor
        response = self._request("GET", user, PULL, query_string=query)
        assert response.status_code == 200, response.json
        return response.json

    def _server_view(self, user: str) -> dict[Key, tuple[int, dict[str, Any]]]:
        body = self._get_pull(user, None, 2000)
        assert not body["has_more"] and not body["reset"]
        assert all(c["op"] == "upsert" for c in body["changes"])
        view = {(c["entity"], c["id"]): (c["version"], c["data"]) for c in body["changes"]}
        assert len(view) == len(body["changes"]), "a record came twice in one full pull"
        return view

    def _high_water(self) -> int:
        with self._db() as session:
            return feed.high_water(session)[0]

    def _conflict_rows(self) -> dict[str, tuple[str, str, str, str]]:
        with self._db() as session:
            return {
                str(c.id): (c.entity, str(c.record_id), c.field, str(c.user_id))
                for c in session.scalars(select(Conflict))
            }

    # --- the phone's two operations -----------------------------------------------------------

    def _pull(self, phone: Phone, pages: int | None, limit: int) -> None:
        """Pull `pages` pages (None: until has_more is false), storing each page's cursor."""
        for page in itertools.count(1):
            body = self._get_pull(phone.user, phone.cursor, limit)
            if body["reset"]:
                phone.synced.clear()  # keep the outbox
                phone.must_arrive.clear()
            for change in body["changes"]:
                key = (change["entity"], change["id"])
                phone.must_arrive.discard(key)
                if change["op"] == "upsert":
                    phone.synced[key] = (change["version"], change["data"])
                else:
                    assert change["op"] in ("delete", "evict"), change
                    phone.synced.pop(key, None)
            phone.cursor = body["cursor"]
            if not body["has_more"]:
                self._check_converged(phone)
                return
            if pages is not None and page >= pages:
                return

    def _push(self, phone: Phone, lose_response: bool) -> None:
        """Send the whole outbox; unless the response is lost, act on each result."""
        batch = list(phone.outbox)
        if not batch:
            return
        for m in batch:
            m.sent = True
        conflicts_before = self._conflict_rows()
        high_water_before = self._high_water()
        response = self._request(
            "POST",
            phone.user,
            PUSH,
            json={
                "client_id": phone.client_id,
                "schema_version": 1,
                "mutations": [m.wire() for m in batch],
            },
        )
        assert response.status_code == 200, response.json
        results = response.json["results"]
        assert [r["mutation_id"] for r in results] == [m.mutation_id for m in batch]

        expected_conflicts: Counter[tuple[str, str, str]] = Counter()
        fresh = False
        for m, result in zip(batch, results, strict=True):
            fresh |= self._server_took(phone, m, result)
            if result["status"] == "merged":
                expected_conflicts.update((m.entity, m.id, f) for f in result["conflicts"])
        conflicts_after = self._conflict_rows()
        assert set(conflicts_before) <= set(conflicts_after)
        new_rows = [row for cid, row in conflicts_after.items() if cid not in conflicts_before]
        assert Counter(row[:3] for row in new_rows) == expected_conflicts, (
            "each merged field brings exactly one conflict row",
            new_rows,
            expected_conflicts,
        )
        assert all(row[3] == self.users[phone.user] for row in new_rows), new_rows
        if not fresh:
            assert self._high_water() == high_water_before, (
                "a push that accepted nothing new changed the feed",
                results,
            )
        merged = [m for m, r in zip(batch, results, strict=True) if r["status"] == "merged"]
        if merged:  # back in the feed after every cursor handed out so far, as the next pull
            with self._db() as session:  # must bring it whatever the phone pulled meanwhile
                for m in merged:
                    record = session.get(MODELS[m.entity], uuid.UUID(m.id))
                    assert record is not None and record.seq > high_water_before, (
                        "merged, but the record did not re-enter the feed",
                        m,
                    )

        if lose_response:
            return  # the phone never heard back: everything stays in its outbox
        for m, result in zip(batch, results, strict=True):
            if result.get("retry"):
                continue  # lost a race on the server: stays in the outbox for the next push
            phone.outbox.remove(m)  # every other status means: drop it (rejected: shown)
            status, held = result["status"], phone.synced.get(m.key)
            if status == "applied" and m.op == "delete":
                phone.synced.pop(m.key, None)
            elif status == "applied" and (held is not None or m.base_version is None):
                version, data = held or (result["version"], {})
                # docs/sync.md: take the version only if nothing else was written in between
                if m.base_version is None or result["version"] == m.base_version + 1:
                    version = result["version"]
                phone.synced[m.key] = (version, {**data, **m.data})
            elif status == "merged":
                if held is not None:  # its own value shows until the next pull
                    phone.synced[m.key] = (held[0], {**held[1], **m.data})
                phone.must_arrive.add(m.key)

    # --- the model's view of the server -------------------------------------------------------

    def _visible(self, user: str, entity: str, record_id: str, data: dict[str, Any]) -> bool:
        if entity == "employers":
            return True
        if entity == "participants":
            return self.owner.get(record_id) == user
        # A deleted participant's records stay in scope as tombstones (their devices must hear)
        participant = self.parent.get(record_id) or data.get("participant_id")
        return self.owner.get(participant) == user

    def _server_took(self, phone: Phone, m: Mutation, result: dict[str, Any]) -> bool:
        """Check one result against the model and record it; True if newly accepted."""
        status = result["status"]
        if status == "duplicate":
            first = self.accepted.get(m.mutation_id)
            assert first is not None, ("duplicate of a mutation never accepted", m, result)
            assert (result["original_status"], result["version"]) == (
                first["status"],
                first["version"],
            ), (first, result)
            return False

        visible = self._visible(phone.user, m.entity, m.id, m.data)
        creating = m.op == "upsert" and m.id not in self.exists
        if m.op == "delete":
            should_accept = visible and m.id not in self.purged
        elif creating:  # for a participant who is still there
            should_accept = (
                visible
                and m.base_version is None
                and m.data.get("participant_id") not in self.deleted
            )
        else:
            should_accept = visible and m.id not in self.deleted
        if status == "rejected":
            assert not should_accept, ("a valid mutation was rejected", m, result)
            if m.op == "upsert" and visible and m.id in self.deleted - self.purged:
                assert "deleted" in result["detail"], result
            self.rejected[m.mutation_id] = (phone.client_id, m)
            return False

        assert status in ("applied", "merged"), result
        assert should_accept, ("a mutation that should fail was accepted", m, result)
        assert m.mutation_id not in self.accepted, ("accepted twice", m, result)
        assert ("conflicts" in result) == (status == "merged"), result
        if status == "merged":
            assert result["conflicts"] and set(result["conflicts"]) <= set(m.data), result
        self.accepted[m.mutation_id] = result
        self.rejected.pop(m.mutation_id, None)  # refused before, taken when sent again
        if m.op == "delete":
            self.deleted.add(m.id)
            # a participant's plan goes with them (api.participants.tombstone_caseload_records)
            self.deleted.update(rid for rid, parent in self.parent.items() if parent == m.id)
            return True
        if creating:
            self.exists.add(m.id)
            self.parent[m.id] = m.data["participant_id"]
        order = next(self.order)
        for name, value in m.data.items():
            if name in EDITABLE[m.entity]:
                seen = CREATED if creating else m.seen[name]
                self.writes.append(Write(m.key, name, value, seen, order, m.mutation_id))
        return True

    # --- invariants ---------------------------------------------------------------------------

    def _check_converged(self, phone: Phone) -> None:
        """After a complete pull the phone holds what its user may see, as the server has it."""
        server = self._server_view(phone.user)
        pending = {m.key for m in phone.outbox}
        for key in sorted(set(server) | set(phone.synced)):
            if key not in pending:
                assert phone.synced.get(key) == server.get(key), (
                    f"{phone.name} ({phone.user}) differs from the server on {key}",
                    phone.synced.get(key),
                    server.get(key),
                )
        assert not phone.must_arrive, (
            f"{phone.name}: merged, but the next pull did not bring",
            phone.must_arrive,
        )

    def _check_nothing_lost(self) -> None:
        with self._db() as session:
            rows = {
                (entity, str(row.id)): row
                for entity, model in MODELS.items()
                for row in session.scalars(select(model))
            }
            conflicts: dict[tuple[str, str, str], set[str]] = {}
            for c in session.scalars(select(Conflict)):
                values = conflicts.setdefault((c.entity, str(c.record_id), c.field), set())
                values.update([json.dumps(c.kept_value), json.dumps(c.other_value)])
            remembered = {
                (str(r.client_id), str(r.mutation_id))
                for r in session.execute(select(feed.mutations))
            }

        for w in self.writes:
            row = rows.get(w.key)
            if row is None:
                assert w.key[1] in self.purged, w
                continue
            current = _wire_value(getattr(row, w.field))
            in_conflicts = json.dumps(w.value) in conflicts.get((*w.key, w.field), set())
            replaced_knowingly = any(
                later.order > w.order
                and (later.key, later.field) == (w.key, w.field)
                and later.seen is not CREATED
                and later.seen == w.value
                for later in self.writes
            )
            assert current == w.value or in_conflicts or replaced_knowingly, (
                f"{w.key} {w.field}={w.value!r} (mutation {w.mutation_id}) was accepted, and is "
                f"neither the value ({current!r}), nor in a conflict, nor replaced by someone "
                "who had seen it",
                [x for x in self.writes if (x.key, x.field) == (w.key, w.field)],
            )

        for client_id, m in self.rejected.values():
            assert (client_id, m.mutation_id) not in remembered, ("rejected but remembered", m)
            row = rows.get(m.key)
            if m.op == "upsert" and m.id not in self.exists:
                assert row is None or m.id in self.purged, ("a rejected create made a record", m)
            for name, value in m.data.items():
                if value is None or name not in EDITABLE[m.entity]:
                    continue
                assert row is None or _wire_value(getattr(row, name)) != value, (
                    "a rejected value is in the record",
                    m,
                )
                assert json.dumps(value) not in conflicts.get((*m.key, name), set()), (
                    "a rejected value is in a conflict",
                    m,
                )

    def teardown(self) -> None:
        if self.broken:
            return  # a step failed: that is the error to report
        for phone in self.phones:  # everyone comes online
            self._push(phone, lose_response=False)
            assert not phone.outbox
        for phone in self.phones:
            self._pull(phone, pages=None, limit=7)  # checks convergence, outbox empty
        self._check_nothing_lost()

    # --- what happens in the field ------------------------------------------------------------

    def _pick(self, phone: Phone, entity: str, pick: int) -> Key | None:
        keys = sorted(key for key in phone.view() if key[0] == entity)
        return keys[pick % len(keys)] if keys else None

    def _edit(self, phone: Phone, entity: str, name: str, pick: int, clear: bool) -> None:
        """Write to the outbox; a change not yet sent from the same version takes more fields."""
        key = self._pick(phone, entity, pick)
        if key is None:
            return
        value = self._new_value(phone, name, clear)
        seen = phone.view()[key].get(name)
        base = phone.base_version(key)
        last = next((m for m in reversed(phone.outbox) if m.key == key), None)
        if last is not None and last.op == "upsert" and not last.sent and last.base_version == base:
            last.seen.setdefault(name, seen)
            last.data[name] = value
            return
        phone.outbox.append(
            Mutation(
                ident(8, next(self.numbers)),
                entity,
                "upsert",
                key[1],
                base,
                {name: value},
                {name: seen},
            )
        )

    def _delete(self, phone: Phone, entity: str, pick: int) -> None:
        key = self._pick(phone, entity, pick)
        if key is not None:
            phone.outbox.append(
                Mutation(
                    ident(8, next(self.numbers)),
                    entity,
                    "delete",
                    key[1],
                    phone.base_version(key),
                    {},
                )
            )

    @rule(action=actions())
    def act(self, action: Any) -> None:
        self.broken = True
        getattr(self, f"_do_{type(action).__name__}")(action)
        self.broken = False

    def _do_Edit(self, a: Edit) -> None:  # noqa: N802
        """Change a field; with a connection the app pushes at once."""
        phone = self.phone[a.phone]
        self._edit(phone, *a.target, a.pick, a.clear)
        if a.online:
            self._push(phone, lose_response=False)

    def _do_CreateStep(self, a: CreateStep) -> None:  # noqa: N802
        phone = self.phone[a.phone]
        key = self._pick(phone, "participants", a.pick)
        if key is not None:
            data = {
                "participant_id": key[1],
                "title": self._new_value(phone, "title", False),
                "owner": "specialist",
            }
            phone.outbox.append(
                Mutation(
                    ident(8, next(self.numbers)),
                    "plan_steps",
                    "upsert",
                    ident(5, next(self.numbers)),
                    None,
                    data,
                )
            )

    def _do_DeleteStep(self, a: DeleteStep) -> None:  # noqa: N802
        self._delete(self.phone[a.phone], "plan_steps", a.pick)

    def _do_DeleteParticipant(self, a: DeleteParticipant) -> None:  # noqa: N802
        if self.participant_deletes == 0:
            self.participant_deletes += 1
            self._delete(self.phone[a.phone], "participants", a.pick)

    def _do_Push(self, a: Push) -> None:  # noqa: N802
        self._push(self.phone[a.phone], a.lose_the_response)

    def _do_Pull(self, a: Pull) -> None:  # noqa: N802
        """Pull some pages (None: until done); the app may push its outbox first."""
        if a.push_first:
            self._push(self.phone[a.phone], lose_response=False)
        self._pull(self.phone[a.phone], a.pages, a.limit)

    def _do_Transfer(self, a: Transfer) -> None:  # noqa: N802
        live = sorted(pid for pid in self.owner if pid not in self.deleted)
        pid = live[a.pick % len(live)]
        to = "js2" if self.owner[pid] == "js1" else "js1"
        response = self._request(
            "POST",
            "admin",
            f"/api/v1/participants/{pid}/transfer",
            json={"specialist_id": self.users[to]},
        )
        assert response.status_code == 200, response.json
        self.owner[pid] = to

    def _do_Purge(self, a: Purge) -> None:  # noqa: N802
        """Time passes: tombstones get old and are purged."""
        with self._db() as session:
            for model in feed.models:  # backdated without entering the feed again
                table = model.__table__
                session.execute(
                    update(table)
                    .where(table.c.deleted_at.is_not(None))
                    .values(deleted_at=utcnow() - timedelta(days=400))
                )
            purge_tombstones(session, feed, utcnow() - timedelta(days=180))
            session.commit()
            left = {str(i) for model in MODELS.values() for i in session.scalars(select(model.id))}
        gone = {rid for rid in self.deleted if rid not in left}
        self.purged |= gone
        self.exists -= gone


def test_phones_and_server_agree_whatever_the_order_of_edits_pushes_and_pulls(
    app: Flask, client: FlaskClient
) -> None:
    make = Factory()
    with app.app_context():
        team = make.team()
        users = {
            label: make.user(role, None if role == "admin" else team)
            for label, role in (
                ("js1", "specialist"),
                ("js2", "specialist"),
                ("supervisor", "supervisor"),
                ("admin", "admin"),
            )
        }
        SyncModel.users = {label: str(u.id) for label, u in users.items()}
        SyncModel.emails = {label: u.email for label, u in users.items()}
        db.session.remove()
    SyncModel.app, SyncModel.client, SyncModel.headers = app, client, {}
    for label, email in SyncModel.emails.items():  # once per test
        response = client.post(LOGIN, json={"email": email, "password": Factory.PASSWORD})
        assert response.status_code == 200, response.json
        SyncModel.headers[label] = {"Authorization": f"Bearer {response.json['access_token']}"}
    run_state_machine_as_test(SyncModel, settings=SETTINGS)
