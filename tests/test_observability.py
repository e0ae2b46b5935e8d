"""What operators see: request ids, the JSON access log, /metrics and who may read it, and how
the app's files and JSON leave the server (cache headers, compression)."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

import api
from api import create_app
from api.common.model import new_id
from api.config import engine_options
from api.observability.logs import configure_logging, make_handler, request_id_from
from api.offline.setup import SCHEMA_VERSION
from tests.push_service import PushService

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"
OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}  # an address on the internet (TEST-NET-3)


def small_app(**config: Any) -> Flask:
    """An app of its own, for settings the session's app does not have (no database needed)."""
    return create_app(
        {
            "DATABASE_URL": "sqlite://",
            "SECRET_KEY": "x" * 40,
            "JWT_SECRET_KEY": "y" * 40,
            "TESTING": True,
            **config,
        }
    )


def metric(client: FlaskClient, name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels`, as /metrics says."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.data
    total = 0.0
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every log line written meanwhile, as the app's JSON handler writes them."""
    stream = io.StringIO()
    handler = make_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    with access_log_enabled():
        yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@contextmanager
def access_log_enabled() -> Iterator[None]:
    """The migrations' logging.config.fileConfig() disables the loggers that exist when it
    runs (the test database is migrated in this process; a server's is not)."""
    access = logging.getLogger("feltlogg.access")
    disabled = access.disabled
    access.disabled = False
    try:
        yield
    finally:
        access.disabled = disabled


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def specialist_headers(make: Any, login: Any) -> tuple[Any, Any, dict[str, str]]:
    specialist = make.user("specialist")
    employer = make.employer(specialist)
    return specialist, employer, login(specialist)


def contact_mutation(employer_id: Any, **data: Any) -> dict[str, Any]:
    return {
        "mutation_id": str(new_id()),
        "entity": "employer_contacts",
        "op": "upsert",
        "id": str(new_id()),
        "base_version": None,
        "data": {
            "employer_id": str(employer_id),
            "contacted_at": "2026-11-20T10:00:00+01:00",
            "mode": "in_person",
            **data,
        },
    }


# --- Request ids ---------------------------------------------------------------------------


def test_a_sane_incoming_request_id_comes_back_in_the_response(client):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-5f2b8c1d9e0a.7:1"})
    assert response.headers["X-Request-ID"] == "nginx-5f2b8c1d9e0a.7:1"


def test_without_a_request_id_one_is_made_for_each_request(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


@pytest.mark.parametrize(
    "incoming",
    [
        "x" * 129,
        "two words",
        'quote"d',
        "tab\tseparated",
        "semi;colon",
        "-leading-dash",
        "ünicode",
        "",
    ],
)
def test_an_incoming_request_id_that_is_not_sane_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    made = response.headers["X-Request-ID"]
    assert made != incoming and len(made) == 32
    assert request_id_from(incoming) != incoming


def test_every_log_line_of_a_request_carries_its_id(log_lines):
    app = small_app()

    @app.get("/speaks")
    def speaks() -> str:
        logging.getLogger("api.somewhere").warning("something worth knowing")
        return "ok"

    response = app.test_client().get("/speaks", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200
    lines = [line for line in parsed(log_lines) if line.get("request_id") == "req-42"]
    assert [line["logger"] for line in lines] == ["api.somewhere", "feltlogg.access"]
    assert lines[0]["message"] == "something worth knowing" and lines[0]["level"] == "WARNING"


# --- The access log -------------------------------------------------------------------------


def test_one_json_access_line_per_request_with_route_status_duration_and_user(
    client, make, login, log_lines
):
    specialist, _, headers = specialist_headers(make, login)
    token = headers["Authorization"].removeprefix("Bearer ")
    secret_cursor = "c2VjcmV0LWN1cnNvci12YWx1ZQ"
    response = client.get(PULL, query_string={"cursor": secret_cursor, "limit": 5}, headers=headers)
    assert response.status_code == 400  # a cursor this server did not make
    request_id = response.headers["X-Request-ID"]

    text = log_lines.getvalue()
    access = [
        line
        for line in parsed(log_lines)
        if line["logger"] == "feltlogg.access" and line.get("request_id") == request_id
    ]
    assert len(access) == 1, text
    line = access[0]
    assert line["method"] == "GET"
    assert line["route"] == PULL  # the rule, never the path with its query string
    assert line["status"] == 400
    assert isinstance(line["duration_ms"], float) and 0 < line["duration_ms"] < 60_000
    assert line["user_id"] == str(specialist.id)
    assert line["size"] == len(response.data)
    assert line["time"].endswith("+00:00") and line["level"] == "INFO"
    for secret in (token, secret_cursor, "Authorization", "Bearer", "demo1234"):
        assert secret not in text


def test_the_sign_in_is_logged_without_the_password_or_the_tokens(client, make, log_lines):
    user = make.user("specialist")
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": "demo1234"})
    assert response.status_code == 200
    text = log_lines.getvalue()
    [line] = [
        line
        for line in parsed(log_lines)
        if line.get("request_id") == response.headers["X-Request-ID"]
        and line["logger"] == "feltlogg.access"
    ]
    assert (line["route"], line["status"], line["user_id"]) == ("/api/v1/auth/login", 200, None)
    for secret in ("demo1234", response.json["access_token"], response.json["refresh_token"]):
        assert secret not in text


def test_an_unknown_path_is_logged_as_unmatched_not_as_the_path(log_lines):
    client = small_app().test_client()
    response = client.get("/api/v1/no/such/thing?token=hemmelig")
    assert response.status_code == 404
    [line] = [
        line
        for line in parsed(log_lines)
        if line.get("request_id") == response.headers["X-Request-ID"]
    ]
    assert line["route"] == "(unmatched)" and line["status"] == 404
    assert "hemmelig" not in log_lines.getvalue() and "no/such" not in log_lines.getvalue()


def test_the_text_format_names_the_request_id_too():
    stream = io.StringIO()
    handler = make_handler("text", stream)
    access = logging.getLogger("feltlogg.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        with access_log_enabled():
            small_app().test_client().get("/healthz", headers={"X-Request-ID": "text-7"})
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    assert "INFO feltlogg.access [text-7] GET /healthz 200 " in stream.getvalue()


def test_a_log_format_that_does_not_exist_stops_the_app():
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        make_handler("xml")


def test_logging_set_up_by_the_host_is_left_alone(monkeypatch):
    root = logging.getLogger()
    theirs = logging.NullHandler()
    monkeypatch.setattr(root, "handlers", [theirs])
    configure_logging({"LOG_FORMAT": "json"})
    assert root.handlers == [theirs]
    monkeypatch.setattr(root, "handlers", [])
    level = root.level
    try:
        configure_logging({"LOG_FORMAT": "json", "LOG_LEVEL": "warning"})
        [ours] = root.handlers
        assert type(ours.formatter).__name__ == "JsonFormatter" and root.level == logging.WARNING
        configure_logging({"LOG_FORMAT": "text"})  # a second app: one handler, the new format
        [ours] = root.handlers
        assert type(ours.formatter).__name__ == "TextFormatter"
    finally:
        root.setLevel(level)


# --- /metrics -------------------------------------------------------------------------------


def test_metrics_count_requests_by_route_in_a_histogram(client):
    route = {"route": "/healthz", "method": "GET"}
    before = metric(client, "feltlogg_http_request_duration_seconds_count", **route)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    after = metric(client, "feltlogg_http_request_duration_seconds_count", **route)
    assert after == before + 3
    infinite = metric(client, "feltlogg_http_request_duration_seconds_bucket", le="+Inf", **route)
    assert infinite == after
    assert metric(client, "feltlogg_http_request_duration_seconds_sum", **route) > 0
    assert metric(client, "feltlogg_http_requests_total", status="2xx", **route) == after


def test_a_method_made_up_by_a_client_is_counted_as_other(client):
    labels = {"method": "OTHER", "route": "(unmatched)", "status": "4xx"}
    before = metric(client, "feltlogg_http_requests_total", **labels)
    assert client.open("/healthz", method="BREW").status_code == 405
    assert client.open("/x", method="PROPFIND").status_code == 405
    assert metric(client, "feltlogg_http_requests_total", **labels) == before + 2
    text = client.get("/metrics").get_data(as_text=True)
    assert "BREW" not in text and "PROPFIND" not in text


def test_metrics_count_sync_pushes_pulls_and_what_they_carried(client, make, login):
    _, employer, headers = specialist_headers(make, login)
    counted = [
        ("feltlogg_sync_pushes_total", {}),
        ("feltlogg_sync_push_mutations_count", {}),
        ("feltlogg_sync_push_mutations_sum", {}),
        ("feltlogg_sync_push_bytes_count", {}),
        ("feltlogg_sync_mutations_total", {"status": "applied"}),
        ("feltlogg_sync_mutations_total", {"status": "rejected"}),
        ("feltlogg_sync_rejected_mutations_total", {"reason": "invalid"}),
        ("feltlogg_sync_pulls_total", {"kind": "initial"}),
        ("feltlogg_sync_pulls_total", {"kind": "incremental"}),
        ("feltlogg_sync_pull_changes_sum", {}),
        ("feltlogg_sync_pull_bytes_sum", {}),
    ]
    before = {(name, *labels.items()): metric(client, name, **labels) for name, labels in counted}

    body = {
        "client_id": str(new_id()),
        "schema_version": SCHEMA_VERSION,
        "mutations": [
            contact_mutation(employer.id),
            contact_mutation(employer.id, mode="carrier_pigeon"),
        ],
    }
    pushed = client.post(PUSH, json=body, headers=headers)
    assert [r["status"] for r in pushed.json["results"]] == ["applied", "rejected"]
    first = client.get(PULL, headers=headers)
    assert first.status_code == 200 and first.json["changes"]
    again = client.get(PULL, query_string={"cursor": first.json["cursor"]}, headers=headers)
    assert again.status_code == 200

    def grew(name: str, **labels: str) -> float:
        return metric(client, name, **labels) - before[(name, *labels.items())]

    assert grew("feltlogg_sync_pushes_total") == 1
    assert grew("feltlogg_sync_push_mutations_count") == 1
    assert grew("feltlogg_sync_push_mutations_sum") == 2
    assert grew("feltlogg_sync_push_bytes_count") == 1
    assert grew("feltlogg_sync_mutations_total", status="applied") == 1
    assert grew("feltlogg_sync_mutations_total", status="rejected") == 1
    assert grew("feltlogg_sync_rejected_mutations_total", reason="invalid") == 1
    assert grew("feltlogg_sync_pulls_total", kind="initial") == 1
    assert grew("feltlogg_sync_pulls_total", kind="incremental") == 1
    assert grew("feltlogg_sync_pull_changes_sum") == len(first.json["changes"])
    assert grew("feltlogg_sync_pull_bytes_sum") == len(first.data) + len(again.data)


def test_metrics_count_conflicts_made_by_a_merge(client, make, login):
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    headers = login(specialist)
    before = metric(client, "feltlogg_sync_conflicts_total")
    merged_before = metric(client, "feltlogg_sync_mutations_total", status="merged")
    for phone in ("40000001", "40000002"):
        edit = {
            "mutation_id": str(new_id()),
            "entity": "participants",
            "op": "upsert",
            "id": str(participant.id),
            "base_version": 1,
            "data": {"phone": phone},
        }
        body = {"client_id": str(new_id()), "schema_version": SCHEMA_VERSION, "mutations": [edit]}
        assert client.post(PUSH, json=body, headers=headers).status_code == 200
    assert metric(client, "feltlogg_sync_conflicts_total") == before + 1
    assert metric(client, "feltlogg_sync_mutations_total", status="merged") == merged_before + 1


def test_metrics_count_push_deliveries_by_outcome(app, client, make, login, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_RETRY_BASE_SECONDS", 0.01)
    headers = login(make.user())
    outcomes = ("delivered", "gone")
    with PushService() as service:
        gone, flaky = service.subscription(), service.subscription()
        for browser in (gone, flaky):
            response = client.post(
                "/api/v1/push/subscriptions", json=browser.as_json(), headers=headers
            )
            assert response.status_code == 201
        service.answer(gone, 410)
        service.answer(flaky, 500)
        before = {o: metric(client, "feltlogg_push_deliveries_total", outcome=o) for o in outcomes}
        retries = metric(client, "feltlogg_push_retries_total")
        results = client.post("/api/v1/push/test", headers=headers).json["results"]
    assert sorted(r["outcome"] for r in results) == ["delivered", "gone"]
    for outcome in outcomes:
        assert metric(client, "feltlogg_push_deliveries_total", outcome=outcome) == (
            before[outcome] + 1
        )
    assert metric(client, "feltlogg_push_retries_total") == retries + 1


# --- Who may read /metrics ------------------------------------------------------------------


def test_metrics_are_not_found_from_an_address_not_allowed(client):
    refused = client.get("/metrics", environ_base=OUTSIDE)
    nothing = client.get("/no-such-file", environ_base=OUTSIDE)
    assert refused.status_code == 404
    assert refused.data == nothing.data and refused.mimetype == nothing.mimetype
    assert b"feltlogg_" not in refused.data


def test_metrics_need_the_right_token_from_elsewhere():
    client = small_app(METRICS_TOKEN="scrape-token-0123456789").test_client()
    wrong = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404
    bare = client.get(
        "/metrics", environ_base=OUTSIDE, headers={"Authorization": "scrape-token-0123456789"}
    )
    assert bare.status_code == 404
    right = client.get(
        "/metrics",
        environ_base=OUTSIDE,
        headers={"Authorization": "Bearer scrape-token-0123456789"},
    )
    assert right.status_code == 200 and b"feltlogg_http_requests_total" in right.data
    assert right.headers["Content-Type"].startswith("text/plain; version=0.0.4")


def test_metrics_allow_a_listed_network():
    client = small_app(METRICS_ALLOW=("10.1.0.0/16",)).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.0.1"}).status_code == 404
    assert client.get("/metrics").status_code == 404  # loopback is no longer in the list


def test_metrics_through_a_proxy_the_app_does_not_trust_are_refused(client):
    # nginx on the same host, TRUSTED_PROXIES not set: every request seems to come from
    # 127.0.0.1, so the forwarded header is what gives it away.
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 404


def test_metrics_through_a_trusted_proxy_go_by_the_client_address():
    client = small_app(TRUSTED_PROXIES=1).test_client()
    internet = client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    assert internet.status_code == 404
    local = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert local.status_code == 200


def test_metrics_can_be_turned_off():
    client = small_app(METRICS_ENABLED=False).test_client()
    assert client.get("/metrics").status_code == 404


def test_a_metrics_allow_list_that_does_not_parse_stops_the_app():
    with pytest.raises(RuntimeError, match="METRICS_ALLOW"):
        small_app(METRICS_ALLOW=("10.0.0.0/33",))


_METRICS_PROCESS = textwrap.dedent(
    """
    import sys
    from api import create_app
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 40,
                      "JWT_SECRET_KEY": "y" * 40, "TESTING": True})
    client = app.test_client()
    for _ in range(int(sys.argv[1])):
        assert client.get("/healthz").status_code == 200
    if sys.argv[2] == "scrape":
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
    """
)


def _metrics_process(directory: Path, requests: int, scrape: bool) -> str:
    """A process of the app (as a gunicorn worker is) that answers `requests` health checks
    with its metrics in `directory`, and with `scrape` answers /metrics too."""
    done = subprocess.run(
        [sys.executable, "-c", _METRICS_PROCESS, str(requests), "scrape" if scrape else "-"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _health_checks_counted(text: str) -> list[float]:
    return [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "feltlogg_http_request_duration_seconds_count"
        and sample.labels == {"route": "/healthz", "method": "GET"}
    ]


def test_metrics_of_several_processes_are_added_up(tmp_path):
    """gunicorn's workers are processes: with PROMETHEUS_MULTIPROC_DIR, each writes its
    numbers there and /metrics, in whichever process answers, shows the sum."""
    directory = tmp_path / "metrics"
    _metrics_process(directory, 2, scrape=False)
    _metrics_process(directory, 3, scrape=False)
    assert _health_checks_counted(_metrics_process(directory, 1, scrape=True)) == [6.0]
    assert len(list(directory.glob("*.db"))) >= 3


def test_an_ended_workers_totals_are_kept_in_the_archive_and_its_files_removed(tmp_path):
    """gunicorn replaces workers now and then; each one's files would stay and every scrape
    would read them all. The master folds an ended worker's totals into the archive files."""
    from api.observability.metrics import fold_ended_process

    directory = tmp_path / "metrics"
    for requests in (2, 3, 4):
        _metrics_process(directory, requests, scrape=False)
    ended = sorted({int(path.stem.split("_")[-1]) for path in directory.glob("*_*.db")})
    assert len(ended) == 3
    for pid in ended:
        fold_ended_process(pid, str(directory))
    assert sorted(path.name for path in directory.glob("*.db")) == [
        "counter_archive.db",
        "histogram_archive.db",
    ]
    text = _metrics_process(directory, 1, scrape=True)
    assert _health_checks_counted(text) == [10.0]
    requests_counted = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "feltlogg_http_requests_total"
        and sample.labels == {"route": "/healthz", "method": "GET", "status": "2xx"}
    ]
    assert requests_counted == [10.0]
    # Folding a process that left nothing, or twice, changes nothing.
    fold_ended_process(ended[0], str(directory))
    assert _health_checks_counted(_metrics_process(directory, 0, scrape=True)) == [10.0]


# --- The app's files: cache headers and compression ----------------------------------------


@pytest.fixture
def shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    """An app serving a built field app of its own (hashed assets, service worker, manifest)."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(
        '<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js">'
        "</script></head><body>Feltlogg</body></html>"
    )
    (dist / "assets" / "index-AbC123.js").write_text("export const x = 'feltlogg';\n" * 2000)
    (dist / "sw.js").write_text("self.addEventListener('install', () => {});\n" * 100)
    (dist / "manifest.webmanifest").write_text(json.dumps({"name": "Feltlogg", "icons": []}))
    monkeypatch.setattr(api, "PWA_DIST", dist)
    return small_app().test_client()


def test_hashed_assets_are_cached_for_a_year_and_never_revalidated(shell):
    response = shell.get("/assets/index-AbC123.js")
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert {part.strip() for part in cache.split(",")} == {
        "public",
        "max-age=31536000",
        "immutable",
    }
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/", "/index.html", "/sw.js", "/manifest.webmanifest"])
def test_the_shell_the_service_worker_and_the_manifest_are_always_revalidated(shell, path):
    response = shell.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert "immutable" not in response.headers["Cache-Control"]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_assets_are_gzipped_when_asked_and_still_revalidate_to_304(shell):
    plain = shell.get("/assets/index-AbC123.js")
    packed = shell.get("/assets/index-AbC123.js", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 10
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]
    again = shell.get(
        "/sw.js", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    )
    assert again.status_code == 200  # another file's ETag
    sw = shell.get("/sw.js", headers={"Accept-Encoding": "gzip"})
    revalidated = shell.get(
        "/sw.js", headers={"Accept-Encoding": "gzip", "If-None-Match": sw.headers["ETag"]}
    )
    assert revalidated.status_code == 304 and revalidated.data == b""


def test_a_byte_range_of_an_asset_is_not_compressed(shell):
    response = shell.get(
        "/assets/index-AbC123.js", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"}
    )
    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers and len(response.data) == 100


def test_json_is_compressed_when_the_client_accepts_it(client, make, login):
    specialist, employer, headers = specialist_headers(make, login)
    for _ in range(5):
        make.employer_contact(specialist, employer, notes="Sjefen var positiv til en praksis.")
    plain = client.get(PULL, headers=headers)
    packed = client.get(PULL, headers={**headers, "Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.data)) == plain.json
    preferred = client.get(PULL, headers={**headers, "Accept-Encoding": "gzip, deflate, br, zstd"})
    assert preferred.headers["Content-Encoding"] == "zstd"


def test_the_api_docs_page_keeps_its_script_hash_when_compressed(client):
    plain = client.get("/api/docs")
    packed = client.get("/api/docs", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]
    assert "'sha256-" in plain.headers["Content-Security-Policy"]


# --- The database pool ----------------------------------------------------------------------


def test_the_postgresql_pool_follows_the_thread_count():
    url = "postgresql+psycopg://db/feltlogg"
    assert engine_options({}, url) == {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 2}
    assert engine_options({"GUNICORN_THREADS": "8"}, url)["pool_size"] == 8
    chosen = engine_options(
        {"GUNICORN_THREADS": "8", "DATABASE_POOL_SIZE": "3", "DATABASE_MAX_OVERFLOW": "0"}, url
    )
    assert (chosen["pool_size"], chosen["max_overflow"]) == (3, 0)
    assert engine_options({"GUNICORN_THREADS": "8"}, "sqlite:///x.db") == {"pool_pre_ping": True}
