"""The change feed: every committed change to a synced row gets a sequence number in commit order.

How the cursor stays gap-free under concurrent writers: a transaction that changed synced rows
takes the next number from a one-row counter as the very last thing before it commits, and
stamps its rows with it. The counter's row lock is held until that commit, so number N+1 cannot
be handed out before N is committed. A reader first reads the counter (the highest committed
number, `high_water`) and only returns changes up to it: everything up to it is already committed
and visible, whatever order the transactions started or wrote in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

# The engine works with a plain Session or a scoped one (as Flask-SQLAlchemy gives).
AnySession = Session | scoped_session[Any]

# An eviction of everything: the user's devices drop all synced data and pull afresh.
RESET = "*"

# A `since` after every number: a first sync has nothing to start again from.
NEVER = 2**62


# The partition of rows that have none: a change to one may concern anyone.
EVERYWHERE = uuid.UUID(int=0)


class PullState(NamedTuple):
    high_water: int
    purged: int
    reset: bool  # the user's devices were told to start again since the cursor
    # Whether anything the user may see could have changed since the cursor: False only when
    # neither their partition nor rows of no partition were stamped since, and they were not
    # sent an eviction.
    moved: bool


# What a transaction has changed, in session.info until it commits: (model, id) pairs, new
# objects whose id the flush assigns, (user id, entity, record id) evictions, and the (model, id)
# pairs put back in the feed without being written (touch), whose rows it has not locked yet.
PENDING = ("sync_touched", "sync_new", "sync_evictions", "sync_unlocked")

# Columns the feed owns; a change to only these is not a change of the record.
FEED_COLUMNS = frozenset({"seq", "field_versions", "version", "updated_at", "created_at"})


class FeedColumns:
    """Mixed into every synced model: its place in the feed, and when each field last changed."""

    seq: Mapped[int] = mapped_column(
        BigInteger, nullable=False, default=0, server_default="0", index=True
    )
    # {field: the record version in which the field last changed}, for field-by-field merge.
    field_versions: Mapped[dict[str, int]] = mapped_column(
        JSON, nullable=False, default=dict, server_default="{}"
    )


class ChangeFeed:
    """Owns the feed's tables and the session hooks that stamp changes."""

    def __init__(self, metadata: MetaData, partition_column: str | None = None) -> None:
        self.models: set[type[Any]] = set()
        self._pull_state: Any = None  # the statement, built on first use
        # Rows carry the partition they belong to in this column (a team, say): no principal
        # with a partition sees rows of another (see `partitions` below).
        self.partition_column = partition_column
        self.state = Table(
            "sync_state",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("seq", BigInteger, nullable=False),
            # Tombstones and evictions at or below this number may have been purged.
            Column("purged_seq", BigInteger, nullable=False, server_default="0"),
        )
        # The last number that stamped a row of each partition; EVERYWHERE for rows without
        # one. A pull that finds neither its partition's nor EVERYWHERE's past its cursor, and
        # no eviction of its own, has nothing to read: it answers without a look at the
        # entities' tables (most pulls, when other teams are busy).
        self.partitions = Table(
            "sync_partitions",
            metadata,
            Column("partition", Uuid, primary_key=True),
            Column("seq", BigInteger, nullable=False),
        )
        self.mutations = Table(
            "sync_mutations",
            metadata,
            Column("client_id", Uuid, primary_key=True),
            Column("mutation_id", Uuid, primary_key=True),
            Column("user_id", Uuid, nullable=False),
            Column("result", JSON, nullable=False),
            Column(
                "created_at",
                DateTime(timezone=True),
                nullable=False,
                server_default=func.current_timestamp(),
            ),
        )
        self.evictions = Table(
            "sync_evictions",
            metadata,
            Column(
                "id",
                BigInteger().with_variant(Integer, "sqlite"),
                primary_key=True,
                autoincrement=True,
            ),
            Column("seq", BigInteger, nullable=False),
            Column("user_id", Uuid, nullable=False),
            Column("entity", String(50), nullable=False),
            Column("record_id", Uuid, nullable=False),
            Index("ix_sync_evictions_user_seq", "user_id", "seq"),
        )

    def track(self, model: type[Any]) -> None:
        self.models.add(model)

    def install(self, target: Any = Session) -> None:
        """Listen on `target` (a Session class or sessionmaker) for changes to tracked models."""
        event.listen(target, "before_flush", self._before_flush)
        event.listen(target, "before_commit", self._before_commit)
        event.listen(target, "after_commit", self._after_commit)
        event.listen(target, "after_rollback", self._after_rollback)
        event.listen(target, "after_transaction_create", self._savepoint_begins)
        event.listen(target, "after_transaction_end", self._savepoint_ends)

    # --- recording ---------------------------------------------------------------------------

    def evict(
        self,
        session: AnySession,
        user_ids: Iterable[uuid.UUID],
        entity: str,
        record_ids: Iterable[uuid.UUID],
    ) -> None:
        """Tell these users' devices, at their next pull, to drop these records."""
        pending = session.info.setdefault("sync_evictions", [])
        for user_id in user_ids:
            pending.extend((user_id, entity, record_id) for record_id in record_ids)

    def reset_user(self, session: AnySession, user_id: uuid.UUID) -> None:
        """Everything this user may see changed: their devices start over at the next pull."""
        session.info.setdefault("sync_evictions", []).append((user_id, RESET, user_id))

    def touch(self, session: AnySession, model: type[Any], record_ids: Iterable[uuid.UUID]) -> None:
        """Put records back in the feed unchanged, e.g. for a user who can newly see them."""
        pairs = [(model, i) for i in record_ids]
        session.info.setdefault("sync_touched", []).extend(pairs)
        session.info.setdefault("sync_unlocked", []).extend(pairs)

    def _before_flush(self, session: Session, flush_context: Any, instances: Any) -> None:
        # Pending changes are append-only lists, so that a savepoint is three lengths to go
        # back to (see _savepoint_begins).
        touched = session.info.setdefault("sync_touched", [])
        for obj in list(session.new) + list(session.dirty):
            model = type(obj)
            if model not in self.models:
                continue
            state = inspect(obj)
            if obj in session.new:
                obj.field_versions = {
                    attr.key: 1
                    for attr in state.mapper.column_attrs
                    if attr.key not in FEED_COLUMNS and getattr(obj, attr.key) is not None
                }
            else:
                changed = [
                    attr.key
                    for attr in state.attrs
                    if attr.key not in FEED_COLUMNS and attr.history.has_changes()
                ]
                if not changed:
                    continue
                next_version = (obj.version or 0) + 1
                obj.field_versions = {
                    **(obj.field_versions or {}),
                    **dict.fromkeys(changed, next_version),
                }
            if obj.id is None:  # the id comes from a column default, during this flush
                session.info.setdefault("sync_new", []).append(obj)
            else:
                touched.append((model, obj.id))

    def _before_commit(self, session: Session) -> None:
        if session.in_nested_transaction():
            # A savepoint: its changes are stamped at the real commit. Taking the counter here
            # would hold it while the rest of the transaction runs, and a writer holding a row
            # this transaction goes on to wait for would wait for the counter: a deadlock.
            return
        session.flush()
        touched: dict[type[Any], set[uuid.UUID]] = {}
        for model, record_id in session.info.pop("sync_touched", []):
            touched.setdefault(model, set()).add(record_id)
        for obj in session.info.pop("sync_new", []):
            if obj.id is not None:
                touched.setdefault(type(obj), set()).add(obj.id)
        evictions = session.info.pop("sync_evictions", [])
        unlocked = session.info.pop("sync_unlocked", [])
        if not any(touched.values()) and not evictions:
            return
        self._lock_before_counter(session, unlocked)
        seq = self.next_seq(session)
        partitions: set[uuid.UUID] = set()
        for model, ids in touched.items():
            table = model.__table__
            column = table.c.get(self.partition_column) if self.partition_column else None
            id_list = list(ids)
            for start in range(0, len(id_list), 500):
                stamp = (
                    update(table)
                    .where(table.c.id.in_(id_list[start : start + 500]))
                    .values(seq=seq)
                )
                if column is None:
                    session.execute(stamp)
                    partitions.add(EVERYWHERE)
                else:
                    found = session.execute(stamp.returning(column)).scalars()
                    partitions.update(EVERYWHERE if p is None else p for p in found)
        if self.partition_column and partitions:
            self._mark_partitions(session, partitions, seq)
        if evictions:
            session.execute(
                insert(self.evictions),
                [
                    {"seq": seq, "user_id": user_id, "entity": entity, "record_id": record_id}
                    for user_id, entity, record_id in evictions
                ],
            )

    def _mark_partitions(self, session: Session, partitions: set[uuid.UUID], seq: int) -> None:
        """Note `seq` as the last number of these partitions. Taken after the counter, whose
        lock orders the writers, so these rows are locked in the same order by everyone."""
        dialect = session.get_bind().dialect.name
        upsert: Any = {"postgresql": pg_insert, "sqlite": sqlite_insert}[dialect](self.partitions)
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=[self.partitions.c.partition], set_={"seq": upsert.excluded.seq}
            ),
            [{"partition": partition, "seq": seq} for partition in sorted(partitions)],
        )

    @staticmethod
    def _lock_before_counter(session: Session, pairs: list[tuple[type[Any], uuid.UUID]]) -> None:
        """Lock the rows this transaction stamps but did not write, before it takes the counter.

        Locks are then always taken rows first, counter last. Otherwise a transaction holding
        the counter could wait here for a row that another transaction holds while that one
        waits for the counter: a deadlock (a job match created for an employer that a colleague
        is editing). In one order, the other commits first and this one follows. (SQLite has
        one writer at a time.)"""
        if not pairs or session.get_bind().dialect.name != "postgresql":
            return
        by_model: dict[type[Any], set[uuid.UUID]] = {}
        for model, record_id in pairs:
            by_model.setdefault(model, set()).add(record_id)
        for model in sorted(by_model, key=lambda m: m.__tablename__):
            table = model.__table__
            id_list = sorted(by_model[model])
            for start in range(0, len(id_list), 500):
                session.execute(
                    select(table.c.id)
                    .where(table.c.id.in_(id_list[start : start + 500]))
                    .order_by(table.c.id)
                    .with_for_update(key_share=True)
                )

    def _forget(self, session: Session) -> None:
        for key in PENDING:
            session.info.pop(key, None)

    def _after_commit(self, session: Session) -> None:
        if not session.in_nested_transaction():  # a savepoint's changes wait for the commit
            self._forget(session)

    def _after_rollback(self, session: Session) -> None:
        if not session.in_nested_transaction():
            self._forget(session)
            return
        # A savepoint rolled back: forget what changed since it began, keep what came before.
        savepoint = session.get_nested_transaction()
        lengths = session.info.get("sync_savepoints", {}).get(savepoint, (0,) * len(PENDING))
        for key, length in zip(PENDING, lengths, strict=True):
            del session.info.setdefault(key, [])[length:]

    def _savepoint_begins(self, session: Session, transaction: Any) -> None:
        if transaction.nested:
            session.info.setdefault("sync_savepoints", {})[transaction] = tuple(
                len(session.info.get(key, ())) for key in PENDING
            )

    def _savepoint_ends(self, session: Session, transaction: Any) -> None:
        session.info.get("sync_savepoints", {}).pop(transaction, None)

    # --- reading -----------------------------------------------------------------------------

    def next_seq(self, session: AnySession) -> int:
        """The next number; its row lock is held until this transaction ends (see module doc)."""
        taken = session.execute(
            update(self.state)
            .where(self.state.c.id == 1)
            .values(seq=self.state.c.seq + 1)
            .returning(self.state.c.seq)
        ).scalar()
        if taken is None:  # a database whose counter row was never made (or was emptied)
            session.execute(insert(self.state).values(id=1, seq=1, purged_seq=0))
            return 1
        return int(taken)

    def must_reset(self, session: AnySession, user_id: uuid.UUID, since: int, upto: int) -> bool:
        ev = self.evictions.c
        return (
            session.execute(
                select(ev.id)
                .where(ev.user_id == user_id, ev.entity == RESET, ev.seq > since, ev.seq <= upto)
                .limit(1)
            ).first()
            is not None
        )

    def pull_state(
        self,
        session: AnySession,
        user_id: uuid.UUID,
        since: int | None,
        partition: uuid.UUID | None = None,
    ) -> PullState:
        """What a pull needs to know first, in one statement: the highest committed number,
        the number up to which history was purged, whether the user's devices were told to
        start again after `since` (a reset eviction, up to the high-water mark), whether
        anything of `partition` (or of no partition) or an eviction of the user's was numbered
        after `since`."""
        if self._pull_state is None:
            st, ev, marks = self.state.c, self.evictions.c, self.partitions.c
            user = bindparam("user_id", type_=ev.user_id.type)
            after = bindparam("since", type_=BigInteger())

            def evicted(*where: Any) -> Any:
                found = select(ev.id).where(
                    ev.user_id == user, ev.seq > after, ev.seq <= st.seq, *where
                )
                return found.limit(1).exists()

            def mark(key: Any) -> Any:
                return select(marks.seq).where(marks.partition == key).scalar_subquery()

            self._pull_state = select(
                st.seq,
                st.purged_seq,
                evicted(ev.entity == RESET),
                evicted(),
                mark(bindparam("partition", type_=marks.partition.type)),
                mark(EVERYWHERE),
            ).where(st.id == 1)
        row = session.execute(
            self._pull_state,
            {
                "user_id": user_id,
                "since": NEVER if since is None else since,
                "partition": partition or EVERYWHERE,
            },
        ).first()
        if row is None:
            return PullState(0, 0, False, True)
        high_water, purged, reset, evicted, own, everywhere = row
        moved = (
            self.partition_column is None
            or partition is None
            or since is None
            or bool(evicted)
            or max(own or 0, everywhere or 0) > since
        )
        return PullState(int(high_water), int(purged), bool(reset), moved)

    def high_water(self, session: AnySession) -> tuple[int, int]:
        """(the highest committed number, the number up to which history was purged)."""
        row = session.execute(
            select(self.state.c.seq, self.state.c.purged_seq).where(self.state.c.id == 1)
        ).first()
        return (int(row.seq), int(row.purged_seq)) if row else (0, 0)
