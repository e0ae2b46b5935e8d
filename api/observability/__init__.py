"""What the app tells its operators: a request id on every request and log line, one access-log
line per request, and Prometheus metrics at /metrics (see docs/deploy.md).

create_app() calls configure_logging() before it reads the configuration, and
init_observability() before anything else registers a hook, so that its after_request hook runs
last, on the response as it leaves (compressed, with every header).
"""

from __future__ import annotations

import logging
from time import perf_counter

from flask import Flask, Response, request

from api.observability.logs import (
    REQUEST_ID_HEADER,
    request_id_from,
    request_id_var,
)
from api.observability.metrics import init_metrics, observe_request

access_log = logging.getLogger("feltlogg.access")
UNMATCHED = "(unmatched)"  # 404s and 405s: never the raw path, which may carry anything


def init_observability(app: Flask) -> None:
    init_metrics(app)

    @app.before_request
    def _start_request() -> None:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request_id_var.set(request_id)
        request.feltlogg_request = (request_id, perf_counter())  # type: ignore[attr-defined]

    @app.after_request
    def _finish_request(response: Response) -> Response:
        started = getattr(request, "feltlogg_request", None)
        if started is None:
            return response
        request_id, start = started
        seconds = perf_counter() - start
        response.headers[REQUEST_ID_HEADER] = request_id
        rule = request.url_rule
        route = rule.rule if rule is not None else UNMATCHED
        observe_request(route, request.method, response.status_code, seconds)
        if access_log.isEnabledFor(logging.INFO):
            actor = getattr(request, "feltlogg_actor", None)
            access_log.info(
                "%s %s %s %.1f ms",
                request.method,
                route,
                response.status_code,
                seconds * 1000,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 2),
                    "size": 0 if response.status_code == 304 else response.content_length,
                    "user_id": str(actor.id) if actor is not None else None,
                },
            )
        return response

    @app.teardown_request
    def _forget_request_id(error: BaseException | None) -> None:
        request_id_var.set(None)
