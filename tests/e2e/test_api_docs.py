"""The API's documentation page, /api/docs, in Chromium: it renders the operations from the
pinned Swagger UI the app serves itself, and makes no request to another host."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Flask
from playwright.sync_api import expect

from api import SWAGGER_UI


def test_the_docs_page_shows_the_operations_and_asks_no_other_host(new_context, base_url):
    context = new_context()
    asked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    # Should the page ask another host after all, the request is recorded, and goes nowhere.
    elsewhere = re.compile(rf"^(?!{re.escape(base_url)}/)")
    context.route(elsewhere, lambda route: route.abort())
    page = context.new_page()
    page.goto("/api/docs")
    expect(page.get_by_role("heading", name=re.compile("Feltlogg API"))).to_be_visible()
    test_push = page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/push/test$"))
    expect(test_push).to_be_visible()
    # An operation opens with its description, read from /api/openapi.json.
    test_push.click()
    expect(page.get_by_text("PUSH_TEST_DEADLINE_SECONDS").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    network = [url for url in asked if not url.startswith(("data:", "blob:"))]
    assert network, "no request was recorded"
    assert [url for url in network if not url.startswith(f"{base_url}/")] == []
    for path in ("/api/docs", "/api/openapi.json", "/api/docs/swagger-ui/swagger-ui-bundle.js"):
        assert f"{base_url}{path}" in network, (path, network)


def pinned_sums() -> dict[str, str]:
    text = (SWAGGER_UI / "SOURCE.txt").read_text()
    return {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.M)}


def test_the_files_served_are_the_pinned_release(app: Flask):
    client = app.test_client()
    sums = pinned_sums()
    served: dict[str, Any] = {}
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        response = client.get(f"/api/docs/swagger-ui/{name}")
        assert response.status_code == 200, name
        served[name] = hashlib.sha256(response.get_data()).hexdigest()
        assert served[name] == sums[name], f"{name} is not the file SOURCE.txt pins"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/api/docs/swagger-ui/swagger-ui-bundle.js").mimetype in (
        "text/javascript",
        "application/javascript",
    )
    # Only Swagger UI's own files are served from there.
    for name in ("SOURCE.txt", "LICENSE", "..%2F__init__.py", "nothing.js"):
        assert client.get(f"/api/docs/swagger-ui/{name}").status_code == 404, name
    page = client.get("/api/docs")
    assert b"/api/docs/swagger-ui/swagger-ui-bundle.js" in page.data
    assert not re.search(rb"""(?:src|href)="https?://""", page.data)
    policy = page.headers["Content-Security-Policy"]
    assert not re.search(r"https?://", policy), policy
