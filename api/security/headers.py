"""Security headers on every response, and CORS (closed unless CORS_ORIGINS lists origins)."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from flask import Flask, Response, request

# The field app loads nothing but its own files: no inline script or style (the built
# index.html has none; Preact sets styles through the DOM, which CSP allows).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'; object-src 'none'"
)
PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# The API's documentation page (flask-smorest's Swagger UI) loads its code from a CDN.
DOCS_ENDPOINT = "api-docs.openapi_swagger_ui"

CORS_ALLOW_HEADERS = "Authorization, Content-Type, If-Match, X-Schema-Version"
CORS_EXPOSE_HEADERS = "Retry-After, Content-Disposition, WWW-Authenticate"
CORS_MAX_AGE = "600"

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def docs_policy(swagger_ui_url: str | None, page: bytes) -> str:
    """Swagger UI's page: its CDN, its inline start-up script by hash, inline styles."""
    parts = urlsplit(swagger_ui_url or "")
    cdn = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    return (
        f"default-src 'none'; script-src 'self'{cdn}{hashes}; "
        f"style-src 'self'{cdn} 'unsafe-inline'; img-src 'self' data:{cdn}; font-src 'self'{cdn}; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
        "object-src 'none'"
    )


def init_headers(app: Flask) -> None:
    https_everywhere = app.config.get("PREFERRED_URL_SCHEME") == "https"

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint == DOCS_ENDPOINT and response.status_code == 200:
            response.headers["Content-Security-Policy"] = docs_policy(
                app.config.get("OPENAPI_SWAGGER_UI_URL"), response.get_data()
            )
        # request.is_secure follows X-Forwarded-Proto when TRUSTED_PROXIES is set.
        if request.is_secure or https_everywhere:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def init_cors(app: Flask) -> None:
    origins = frozenset(app.config.get("CORS_ORIGINS") or ())
    if not origins:
        return

    @app.after_request
    def _cors(response: Response) -> Response:
        if not request.path.startswith("/api/"):
            return response
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin not in origins:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            allowed = response.headers.get("Allow") or "GET, POST, PUT, PATCH, DELETE"
            response.headers["Access-Control-Allow-Methods"] = allowed
            response.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
            response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
        return response
