"""The OpenAPI document: valid OpenAPI 3, every /api/v1 route in it, errors as problem+json."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

PROBLEM_JSON = "application/problem+json"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def spec(client: Any) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return dict(response.json)


def openapi_path(rule: str) -> str:
    """Flask's `/participants/<uuid:record_id>` is OpenAPI's `/participants/{record_id}`."""
    return re.sub(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>", r"{\1}", rule)


def api_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


def resolve(spec: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in item:
        *_, section, name = item["$ref"].split("/")
        item = spec["components"][section][name]
    return item


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    methods = {"get", "put", "post", "delete", "patch"}
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in methods
    ]


def test_the_path_conversion_matches_openapi_templates() -> None:
    assert openapi_path("/api/v1/meetings/<uuid:record_id>") == "/api/v1/meetings/{record_id}"
    assert openapi_path("/api/v1/a/<int(min=1):n>/<name>") == "/api/v1/a/{n}/{name}"
    assert openapi_path("/api/v1/employers") == "/api/v1/employers"


def test_the_document_is_valid_openapi_3(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    validate(spec)  # raises with the offending part of the document when it is not


def test_every_api_route_is_documented_with_its_methods(app: Flask, spec: dict[str, Any]) -> None:
    routes = api_routes(app)
    assert len(routes) > 40  # the scan found the API (it did not silently match nothing)
    missing = sorted(
        f"{method.upper()} {path}"
        for path, method in routes
        if method not in spec["paths"].get(path, {})
    )
    assert not missing, f"routes missing from /api/openapi.json: {missing}"


def test_the_document_describes_no_route_that_does_not_exist(
    app: Flask, spec: dict[str, Any]
) -> None:
    routes = api_routes(app)
    phantom = sorted(
        f"{method.upper()} {path}"
        for path, method, _ in operations(spec)
        if path.startswith("/api/v1/") and (path, method) not in routes
    )
    assert not phantom, f"documented but not served: {phantom}"


def test_every_error_response_is_documented_as_problem_json(spec: dict[str, Any]) -> None:
    wrong = []
    for path, method, operation in operations(spec):
        assert "default" in operation["responses"], f"{method.upper()} {path}: no default"
        for status, response in operation["responses"].items():
            if status != "default" and int(status) < 400:
                continue
            content = resolve(spec, response).get("content", {})
            if set(content) != {PROBLEM_JSON}:
                wrong.append(f"{method.upper()} {path} {status}: {sorted(content)}")
                continue
            schema = resolve(spec, content[PROBLEM_JSON]["schema"])
            if not {"title", "status", "detail"} <= set(schema.get("required", [])):
                wrong.append(f"{method.upper()} {path} {status}: not the Problem schema")
    assert not wrong, "error responses that are not application/problem+json:\n" + "\n".join(wrong)


def test_the_problem_schema_matches_what_the_api_sends(client: Any, spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["properties"]["status"]["type"] == "integer"
    assert problem["properties"]["errors"]["type"] == "object"
    body = client.get("/api/v1/employers").json  # no token: a 401 problem document
    assert set(problem["required"]) <= set(body)


def test_success_responses_are_json(spec: dict[str, Any]) -> None:
    """JSON always; reports may also be CSV (format=csv)."""
    wrong = []
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                continue
            content = resolve(spec, response).get("content", {})
            allowed = {"application/json"}
            if path.startswith("/api/v1/reports/"):
                allowed.add("text/csv")
            if content and ("application/json" not in content or set(content) - allowed):
                wrong.append(f"{method.upper()} {path} {status}: {sorted(content)}")
    assert not wrong, wrong


def test_request_bodies_refuse_unknown_fields(spec: dict[str, Any]) -> None:
    """The document says what the API does: an unknown field is an error, not ignored."""
    lenient = []
    for path, method, operation in operations(spec):
        body = operation.get("requestBody")
        if not body:
            continue
        assert set(body["content"]) == {"application/json"}, f"{method.upper()} {path}"
        schema = resolve(spec, body["content"]["application/json"]["schema"])
        if schema.get("additionalProperties") is not False:
            lenient.append(f"{method.upper()} {path}")
    assert not lenient, f"bodies documented as accepting unknown fields: {lenient}"


def test_patch_documents_if_match_and_412(spec: dict[str, Any]) -> None:
    patch = spec["paths"]["/api/v1/meetings/{record_id}"]["patch"]
    assert any(p["in"] == "header" and p["name"] == "If-Match" for p in patch["parameters"])
    assert "412" in patch["responses"]


def test_the_docs_page_answers(client: Any) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "swagger" in page.lower()
    assert "/api/openapi.json" in page


def test_the_copy_the_field_app_is_typed_against_is_current(spec: dict[str, Any]) -> None:
    """pwa/src/api.d.ts is generated from pwa/openapi.json; after an API change run
    `make openapi` so that the app's types follow."""
    committed = json.loads((Path(__file__).parent.parent / "pwa" / "openapi.json").read_text())
    assert committed == spec, "pwa/openapi.json is out of date: run `make openapi`"
