"""Compressed responses (Flask-Compress): JSON, the app's files and the metrics, in zstd, brotli
or gzip, whichever the client prefers of those it accepts.

A first sync pull of a caseload is megabytes of JSON that compress about tenfold: on a phone's
network that is most of the wait. The app's files are compressed as they stream from disk; their
ETags get the encoding appended (so a revalidation of the compressed copy still ends in a 304).
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress

# Flask-Compress's own list, plus problem documents; images and fonts the build already packs.
MIMETYPES = [
    "application/json",
    "application/problem+json",
    "application/javascript",
    "text/javascript",
    "application/manifest+json",
    "text/css",
    "text/html",
    "text/plain",
    "image/svg+xml",
]


def init_compression(app: Flask) -> None:
    """Register before the security headers' hook: hooks run in reverse order, and the API
    docs' policy hashes the page as it is before compression."""
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    # Fast levels: a 1.1 MB pull page takes about 6 ms in zstd 3 or brotli 1 (to about 17 %),
    # 11 ms in gzip 3; brotli 4 or gzip 6 would take 35 to 60 ms for a few percent less.
    app.config.setdefault("COMPRESS_ZSTD_LEVEL", 3)
    app.config.setdefault("COMPRESS_BR_LEVEL", 1)
    app.config.setdefault("COMPRESS_LEVEL", 3)
    # Flask-Compress leaves gzip out of streaming by default; its streaming gzip is sound,
    # and gzip is all that many clients ask for.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", ["index", "app_file"])
    app.config["COMPRESS_REGISTER"] = False
    compress = Compress()
    compress.init_app(app)

    @app.after_request
    def _compress(response: Response) -> Response:
        if response.status_code == 206:
            return response  # a byte range of the file as it is on disk: leave it so
        return compress.after_request(response)
