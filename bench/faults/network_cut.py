"""Fault: the network is cut while a phone pulls.

A small TCP proxy (asyncio) stands between the phone and gunicorn and cuts a share of the
connections partway through the response: at a random byte (in the headers, or anywhere in
the body), by a reset or by a plain close. The phone pulls page by page (limit 20, gzip as
browsers ask for it), applies a page and stores its cursor only when the whole page arrived,
and after a failure pulls again from the last stored cursor, as the app does. Between its
syncs another phone of the same specialist adds, edits and deletes records (straight to
gunicorn), and a colleague adds records the phone may not see. At the end the phone's store
must equal a clean full pull (same records, same versions, same data).

    .venv/bin/python bench/faults/network_cut.py

Exits 0 on pass, 1 with the reason on fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import http.client
import json
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.faults.harness import (
    CheckFailedError,
    PushLog,
    UnansweredError,
    fill,
    log,
    login,
    main_wrapper,
    new_batch,
    private_cluster,
    push_until_acknowledged,
)
from bench.load.server import free_port, gunicorn

ROUNDS = 6
PAGE = 20
CUT_SHARE = 0.45  # of the proxied connections
DEADLINE = 300


class CuttingProxy:
    """Forwards 127.0.0.1:<port> to the upstream port; cuts some responses partway."""

    def __init__(self, upstream: int, rng: random.Random, share: float) -> None:
        self.upstream, self.rng, self.share = upstream, rng, share
        self.port = free_port()
        self.connections = self.cuts = self.cuts_in_body = 0
        self.size_hint = 4000  # bytes of a whole answer; grows with what passes
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.AbstractServer | None = None

    def start(self) -> None:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self.loop
        ).result(timeout=10)

    def stop(self) -> None:
        async def shut() -> None:
            if self.server is not None:
                self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shut(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        cut_at = None
        if self.rng.random() < self.share:
            cut_at = self.rng.randrange(0, self.size_hint)
        reset = self.rng.random() < 0.5
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            writer.transport.abort()
            return

        async def to_upstream() -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await reader.read(65536):
                    up_writer.write(data)
                    await up_writer.drain()

        async def to_client() -> None:
            sent, head, header_end = 0, bytearray(), -1
            with contextlib.suppress(OSError):
                while data := await up_reader.read(65536):
                    if header_end < 0:
                        head += data[:8192]
                        found = head.find(b"\r\n\r\n")
                        header_end = found + 4 if found >= 0 else -1
                    if cut_at is not None and sent + len(data) > cut_at:
                        writer.write(data[: cut_at - sent])
                        with contextlib.suppress(OSError):
                            await writer.drain()
                        self.cuts += 1
                        self.cuts_in_body += 0 <= header_end < cut_at
                        if reset:
                            writer.transport.abort()  # RST
                        else:
                            writer.close()  # FIN: a short body
                        return
                    writer.write(data)
                    await writer.drain()
                    sent += len(data)
                self.size_hint = max(self.size_hint, sent)

        upstream_task = asyncio.ensure_future(to_upstream())
        await to_client()
        upstream_task.cancel()
        for closing in (up_writer, writer):
            with contextlib.suppress(Exception):
                closing.close()


@dataclass
class Device:
    """A phone's synced records: (entity, id) -> (version, data), and its stored cursor."""

    token: str
    records: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    cursor: str | None = None
    pages: int = 0
    failures: int = 0
    failure_kinds: dict[str, int] = field(default_factory=dict)

    def _page(self, port: int) -> dict[str, Any]:
        path = f"/api/v1/sync/pull?limit={PAGE}" + (
            f"&cursor={quote(self.cursor)}" if self.cursor else ""
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(
                "GET",
                path,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Accept-Encoding": "gzip",
                    "Connection": "close",
                },
            )
            response = conn.getresponse()
            raw = response.read()
            if response.status != 200:
                raise UnansweredError(f"HTTP {response.status}")
            if response.getheader("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            return dict(json.loads(raw))
        except (OSError, http.client.HTTPException, EOFError, ValueError) as error:
            raise UnansweredError(type(error).__name__) from error
        finally:
            conn.close()

    def sync(self, port: int, deadline: float) -> None:
        """Pull until has_more is false; a page counts only once it is whole and applied."""
        while True:
            try:
                body = self._page(port)
            except UnansweredError as error:
                self.failures += 1
                kind = str(error)
                self.failure_kinds[kind] = self.failure_kinds.get(kind, 0) + 1
                if time.monotonic() > deadline:
                    raise CheckFailedError("the phone could not finish its sync") from error
                time.sleep(0.02)
                continue  # again from the last stored cursor
            # Apply the page, then store its cursor: one step, as the app's transaction.
            if body.get("reset"):
                self.records.clear()
            for change in body["changes"]:
                key = (change["entity"], change["id"])
                if change["op"] == "upsert":
                    self.records[key] = (change["version"], change["data"])
                else:  # delete or evict
                    self.records.pop(key, None)
            self.cursor = body["cursor"]
            self.pages += 1
            if not body["has_more"]:
                return


def _edits(rng: random.Random, device: Device, round_: int) -> Iterator[dict[str, Any]]:
    """Edits of contacts and deletions of meetings the other phone holds."""
    contacts = sorted(k for k in device.records if k[0] == "employer_contacts")
    meetings = sorted(k for k in device.records if k[0] == "meetings")
    for key in rng.sample(contacts, min(5, len(contacts))):
        version, _ = device.records[key]
        yield {
            "mutation_id": str(uuid.uuid4()),
            "entity": key[0],
            "op": "upsert",
            "id": key[1],
            "base_version": version,
            "data": {"notes": f"Endret i runde {round_}", "mode": rng.choice(("phone", "email"))},
        }
    for key in rng.sample(meetings, min(3, len(meetings))):
        version, _ = device.records[key]
        yield {
            "mutation_id": str(uuid.uuid4()),
            "entity": key[0],
            "op": "delete",
            "id": key[1],
            "base_version": version,
            "data": {},
        }


def run() -> str:
    rng = random.Random(5)
    with private_cluster() as cluster:
        log(f"private PostgreSQL on port {cluster.port}; filling")
        me, colleague = fill(cluster.url)[:2]
        server_log = Path(tempfile.mkdtemp(prefix="feltlogg-faults-")) / "gunicorn.log"
        with gunicorn(cluster.url, server_log, workers=2, threads=4) as app:
            proxy = CuttingProxy(app.port, rng, CUT_SHARE)
            proxy.start()
            try:
                deadline = time.monotonic() + DEADLINE
                phone = Device(login(app.port, me.email))
                other = Device(login(app.port, me.email))
                colleague_token = login(app.port, colleague.email)
                pushes, colleague_pushes = PushLog(), PushLog()
                phone.sync(proxy.port, deadline)  # the first sync, through the cut network
                log(f"first sync: {len(phone.records)} records in {phone.pages} pages")
                for round_ in range(1, ROUNDS + 1):
                    other.sync(app.port, deadline)  # straight: it knows the versions
                    mutations = new_batch(me, 16, rng) + list(_edits(rng, other, round_))
                    push_until_acknowledged(app.port, other.token, pushes, mutations, deadline)
                    push_until_acknowledged(
                        app.port,
                        colleague_token,
                        colleague_pushes,
                        new_batch(colleague, 10, rng),
                        deadline,
                    )
                    phone.sync(proxy.port, deadline)
                clean = Device(phone.token)
                clean.sync(app.port, deadline)  # a new phone, no faults
            finally:
                proxy.stop()
        log(
            f"{proxy.connections} connections through the proxy, {proxy.cuts} cut "
            f"({proxy.cuts_in_body} after the first bytes)"
        )
    if proxy.cuts == 0 or phone.failures == 0:
        raise CheckFailedError("no pull was cut: the fault did not happen")
    if pushes.statuses.get("applied", 0) != len(pushes.sent):
        raise CheckFailedError(f"the other phone's changes were not all applied: {pushes.statuses}")
    mine = {key: version for key, (version, _) in phone.records.items()}
    truth = {key: version for key, (version, _) in clean.records.items()}
    if mine != truth:
        missing = sorted(set(truth) - set(mine))[:3]
        extra = sorted(set(mine) - set(truth))[:3]
        stale = [k for k in truth if k in mine and mine[k] != truth[k]][:3]
        raise CheckFailedError(
            f"the phone's store differs from a clean pull: {len(truth)} records in the clean "
            f"pull, {len(mine)} on the phone; missing {missing}, extra {extra}, stale {stale}"
        )
    differing = [k for k in truth if phone.records[k][1] != clean.records[k][1]]
    if differing:
        raise CheckFailedError(f"same versions but different data for {differing[:3]}")
    deleted = sum(1 for m in pushes.sent if m["op"] == "delete")
    edited = sum(1 for m in pushes.sent if m["op"] == "upsert" and m["base_version"])
    return (
        f"{proxy.connections} pulls through the proxy, {proxy.cuts} cut partway "
        f"({proxy.cuts_in_body} after the first bytes; failures seen by the phone: "
        f"{phone.failure_kinds}); {ROUNDS} rounds of changes from another phone "
        f"({len(pushes.sent) - deleted - edited} new, {edited} edits, {deleted} deletions) "
        f"and a colleague; the phone's {len(mine)} records equal a clean full pull "
        f"(ids, versions and data)"
    )


if __name__ == "__main__":
    main_wrapper(run)
