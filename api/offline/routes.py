"""The sync endpoints the field app uses: push its outbox, pull what changed."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import orjson
from flask import Response, request
from werkzeug.exceptions import HTTPException

from api.access import current_actor
from api.audit.service import note_reads, pull_entries
from api.common.crud import ApiBlueprint
from api.extensions import abort, db
from api.observability import metrics
from api.offline.setup import MIN_SCHEMA_VERSION, feed, registry
from sync.cursor import CursorError, Position
from sync.pull import pull
from sync.push import PushSchema, attach_records, push_and_commit

blp = ApiBlueprint(
    "sync",
    __name__,
    url_prefix="/api/v1/sync",
    description="Offline sync: push the outbox, pull changes. See docs/sync.md.",
)


class PullArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    cursor = ma.fields.String(
        validate=ma.validate.Length(max=500),
        metadata={"description": "From the previous pull; leave out for everything you may see."},
    )
    limit = ma.fields.Integer(load_default=500, validate=ma.validate.Range(min=1, max=2000))
    schema_version = ma.fields.Integer(validate=ma.validate.Range(min=0, max=10_000))


class ChangeSchema(ma.Schema):
    entity = ma.fields.String()
    id = ma.fields.UUID()
    op = ma.fields.String(metadata={"enum": ["upsert", "delete", "evict"]})
    version = ma.fields.Integer(allow_none=True)
    data = ma.fields.Dict(allow_none=True)


class PullResultSchema(ma.Schema):
    changes = ma.fields.List(ma.fields.Nested(ChangeSchema))
    cursor = ma.fields.String()
    has_more = ma.fields.Boolean()
    reset = ma.fields.Boolean(
        metadata={
            "description": "Drop every synced record and keep only what this and later pages say "
            "(your cursor was older than the tombstone horizon)."
        }
    )
    total = ma.fields.Integer(
        metadata={
            "description": "Only on the first page of a first sync (no cursor, or a reset): how "
            "many records the whole first sync brings, for showing progress. Records changed "
            "meanwhile can make the real number differ a little."
        }
    )


class MutationResultSchema(ma.Schema):
    """The answer to the mutation at the same position in the request."""

    mutation_id = ma.fields.UUID(
        allow_none=True,
        metadata={"description": "Null only for a malformed mutation sent without a valid id."},
    )
    status = ma.fields.String(metadata={"enum": ["applied", "merged", "duplicate", "rejected"]})
    code = ma.fields.String(
        metadata={
            "description": "For rejected: why, as a stable code the app translates "
            "(docs/sync.md lists them)."
        }
    )
    version = ma.fields.Integer()
    original_status = ma.fields.String()
    conflicts = ma.fields.List(ma.fields.String())
    detail = ma.fields.String()
    errors = ma.fields.Dict()
    retry = ma.fields.Boolean(
        metadata={
            "description": "Rejected only because another write got in the way: keep the "
            "mutation in the outbox and send it again with the next push."
        }
    )
    data = ma.fields.Dict(
        metadata={
            "description": "For an upsert that was applied or merged (or a duplicate of one): "
            "the record as the server now holds it, in the shape a pull sends, when it is still "
            "at `version`. Store it, and the pull that brings the same record back has nothing "
            "new to write."
        }
    )


class PushResultSchema(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(MutationResultSchema))


class UpgradeRequired(HTTPException):
    """426; werkzeug has no exception for it, so abort(426) would end in a 500."""

    code = 426


def _check_schema_version(version: int | None) -> None:
    if version is not None and version < MIN_SCHEMA_VERSION:
        error = UpgradeRequired()
        error.data = {  # type: ignore[attr-defined]
            "message": "This version of the app is too old for the server: update the app "
            "(your unsynced changes stay on the phone until you do).",
            "errors": {"schema_version": f"At least {MIN_SCHEMA_VERSION} is accepted."},
        }
        raise error


@blp.route("/push", methods=["POST"])
@blp.arguments(PushSchema)
@blp.response(200, PushResultSchema)
@blp.alt_response(426, description="The app's schema version is no longer accepted.")
@blp.alt_response(429, description="Too many pushes from this user; see Retry-After.")
def push_route(body: dict[str, Any]) -> Response:
    """Apply mutations in order, each exactly once; one rejected does not stop the rest."""
    actor = current_actor()
    _check_schema_version(body["schema_version"])
    results = push_and_commit(
        db.session, registry, feed, actor, body["client_id"], body["mutations"]
    )
    attach_records(db.session, registry, actor, body["mutations"], results)
    db.session.rollback()  # the records were only read
    metrics.record_push(results, request.content_length)
    # Already wire data, with the records as a pull sends them: encoded like a pull's answer.
    return Response(orjson.dumps({"results": results}), mimetype="application/json")


@blp.route("/pull", methods=["GET"])
@blp.arguments(PullArgsSchema, location="query")
@blp.response(200, PullResultSchema)
@blp.alt_response(426, description="The app's schema version is no longer accepted.")
def pull_route(args: dict[str, Any]) -> Any:
    """Changes since the cursor that you may see, in the order the server committed them."""
    actor = current_actor()
    header = request.headers.get("X-Schema-Version", "")
    version = args.get("schema_version")  # 0 is a version too: not `or`
    _check_schema_version(
        version if version is not None else (int(header) if header.isdigit() else None)
    )
    try:
        cursor = Position.decode(args["cursor"]) if args.get("cursor") else None
    except CursorError as error:
        abort(400, str(error), errors={"cursor": str(error)})
    result = pull(db.session, registry, feed, actor, cursor, args["limit"])
    # Each participant's rows on the page are a read of their data (written after the response).
    note_reads(pull_entries(actor, result.changes))
    db.session.rollback()  # a read: end the transaction rather than hold a snapshot
    # Already wire data: skip a second pass through the response schema (a full sync is
    # thousands of changes), and encode with orjson, several times faster than the standard
    # library here. The schema above still documents the shape.
    body = {
        "changes": result.changes,
        "cursor": result.cursor,
        "has_more": result.has_more,
        "reset": result.reset,
    }
    if result.total is not None:
        body["total"] = result.total
    data = orjson.dumps(body)
    metrics.record_pull(cursor is None, result.reset, len(result.changes), len(data))
    return Response(data, mimetype="application/json")
