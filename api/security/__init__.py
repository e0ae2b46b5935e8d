"""Protection around the API: rate limits, sign-in lockout, security headers, CORS, body size.

See docs/security.md. create_app() calls init_security() once every route is registered.
"""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from api.extensions import problem
from api.security.headers import init_cors, init_headers
from api.security.limits import init_limits
from api.security.lockout import init_lockout


def _size(octets: int) -> str:
    if octets >= 1024 * 1024:
        return f"{octets / (1024 * 1024):g} MiB ({octets} bytes)"
    return f"{octets} bytes"


def init_security(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # The address, scheme and host the client used, as that many proxies report them.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    init_headers(app)
    init_cors(app)
    init_limits(app)
    init_lockout(app)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> Response:
        limit = app.config.get("MAX_CONTENT_LENGTH")
        detail = "The request body is too large"
        detail += f": the server accepts at most {_size(limit)}." if limit else "."
        return problem(413, error.name, detail)
