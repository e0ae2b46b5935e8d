"""The REST routes every entity gets: list, read, create, change, delete (as a tombstone)."""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import func, or_, select
from webargs.flaskparser import FlaskParser, is_json_request

from api.access import Actor, current_actor, hidden_fields_for, read_scope, rules_for
from api.common.entity import Entity
from api.common.journal import journal
from api.common.records import (
    create_record,
    delete_record,
    find_visible,
    update_record,
)
from api.common.schema import INT32_MAX, AwareDateTime, Text, hidden_fields
from api.errors import DomainError
from api.extensions import PROBLEM_JSON, ProblemSchema, db

PAGINATION_QUERY = frozenset({"page", "page_size"})
IF_MATCH_PATTERN = r'(?:W/)?"?([0-9]{1,18})"?'
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "description": 'The version the change was made from, e.g. "3"; answered 412 when '
    "the record has moved on.",
    "schema": {"type": "string", "pattern": f"^{IF_MATCH_PATTERN}$"},
}


class JsonBodyParser(FlaskParser):
    """Reads JSON bodies: anything else is 415 (not an empty body, "field missing"), and JSON
    that Python's parser gives up on (nesting too deep, a number of thousands of digits) is 400,
    like any other unreadable JSON."""

    def _raw_load_json(self, req: Any) -> Any:
        if not is_json_request(req) and req.get_data(cache=True):
            raise DomainError(
                415, f"Send the body as application/json, not {req.mimetype or 'untyped'}."
            )
        try:
            return super()._raw_load_json(req)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise  # webargs answers these: 400 "Invalid JSON body."
        except RecursionError:
            raise DomainError(
                400, "The JSON body is nested too deeply to read.", {"json": ["Nested too deeply."]}
            ) from None
        except ValueError:  # int() refuses numbers of more than 4300 digits
            raise DomainError(
                400,
                "The JSON body holds a number too long to read.",
                {"json": ["A number is too long."]},
            ) from None


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonBodyParser()
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 500}

    def alt_response(
        self,
        status_code: Any,
        response: Any = None,
        *,
        schema: Any = None,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """An error documented by its description alone is a problem document all the same."""
        if response is None and schema is None and int(status_code) >= 400:
            schema, content_type = ProblemSchema, content_type or PROBLEM_JSON
        return super().alt_response(
            status_code, response, schema=schema, content_type=content_type, **kwargs
        )


def filter_schema(entity: Entity) -> type[ma.Schema]:
    """Query parameters for a list: equality filters, a time window, a search and tombstones."""
    model_fields: dict[str, Any] = {}
    for name in entity.filters:
        column = getattr(entity.model, name)
        python_type = column.type.python_type
        if python_type is uuid.UUID:
            model_fields[name] = fields.UUID()
        elif python_type is bool:
            model_fields[name] = fields.Boolean()
        elif python_type is int:  # from the query string, so "2026" is a number here
            model_fields[name] = fields.Integer(validate=validate.Range(min=0, max=INT32_MAX))
        else:
            model_fields[name] = Text(validate=ma.validate.Length(max=100))
    if entity.time_column:
        model_fields["from"] = AwareDateTime(
            metadata={
                "description": f"Only records with {entity.time_column} at or after this time."
            }
        )
        model_fields["to"] = AwareDateTime(
            metadata={"description": f"Only records with {entity.time_column} before this time."}
        )
    if entity.search:
        model_fields["q"] = Text(
            validate=ma.validate.Length(min=1, max=100),
            metadata={"description": f"Search in {', '.join(entity.search)}."},
        )
    model_fields["include_deleted"] = fields.Boolean(
        load_default=False, metadata={"description": "Also list tombstones (deleted records)."}
    )
    schema = ma.Schema.from_dict(model_fields, name=f"{entity.model.__name__}Filters")
    schema.Meta.unknown = ma.RAISE
    return schema


def refuse_unknown_query(known: frozenset[str]) -> None:
    """webargs drops unknown query parameters; a misspelt filter must not list everything."""
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise DomainError(
            422,
            f"Unknown query parameter: {', '.join(unknown)}.",
            {name: ["Unknown query parameter."] for name in unknown},
        )


def paginated(query: Any, pagination_parameters: Any) -> list[Any]:
    """One page of an ordered query, counted and cut in SQL."""
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    if pagination_parameters.first_item >= pagination_parameters.item_count:
        return []  # past the end; and a huge page number is no SQL OFFSET (overflow)
    return list(
        db.session.scalars(
            query.offset(pagination_parameters.first_item).limit(pagination_parameters.page_size)
        ).all()
    )


def _visible_or_404(actor: Actor, entity: Entity, record_id: uuid.UUID) -> Any:
    record = find_visible(actor, entity, record_id)
    if record is None:
        raise DomainError(404, f"No {entity.human} with this id that you can see.")
    return record


def _expected_version() -> int | None:
    """An optional `If-Match: "<version>"` guards an update against a concurrent one."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    # As documented (IF_MATCH): not int()'s leniency, which also reads "+3", "٣" and "1_0".
    version = re.fullmatch(IF_MATCH_PATTERN, raw)
    if version is None:
        raise DomainError(400, 'If-Match must hold the record\'s version, e.g. If-Match: "3".')
    return int(version.group(1))


def reply_schema(entity: Entity) -> Callable[..., ma.Schema]:
    """The schema of answers: the entity's, except that the OpenAPI document does not promise a
    required field that some reader does not get (a plan step's title, for a supervisor)."""
    hidden = frozenset().union(*rules_for(entity.name).hidden.values())
    absent = tuple(n for n, f in entity.schema().fields.items() if f.required and n in hidden)
    return functools.partial(entity.schema, partial=absent) if absent else entity.schema


def register_crud(blp: Blueprint, entity: Entity) -> None:
    """Add the five routes for `entity` to `blp`, all guarded by api.access."""
    schema = entity.schema
    reply = reply_schema(entity)
    filters = filter_schema(entity)
    known_query = frozenset(filters().fields) | PAGINATION_QUERY
    model = entity.model
    path = f"/{entity.name}"

    def reader() -> Actor:
        actor = current_actor()
        if read_scope(actor, entity.name) is None:
            raise DomainError(
                403, f"A {actor.role} may not read {entity.human}.", code="not_permitted"
            )
        hidden_fields.set(hidden_fields_for(actor, entity.name))
        return actor

    def commit_or_problem(work: Any) -> Any:
        # A DomainError, or a lost race at the commit, is answered by api.errors' handlers.
        result = work()
        db.session.commit()
        return result

    @blp.route(path, endpoint=f"{entity.name}_collection")
    class Collection(MethodView):
        @blp.arguments(filters, location="query")
        @blp.response(200, reply(many=True))
        @blp.paginate()
        def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
            refuse_unknown_query(known_query)
            actor = reader()
            scope = read_scope(actor, entity.name)
            assert scope is not None  # reader() refused those who may read none
            query = select(model).where(scope)
            if not args.pop("include_deleted", False):
                query = query.where(model.deleted_at.is_(None))
            if entity.time_column:
                column = getattr(model, entity.time_column)
                if args.get("from") is not None:
                    query = query.where(column >= args.pop("from"))
                if args.get("to") is not None:
                    query = query.where(column < args.pop("to"))
            if args.get("q"):
                # % and _ are what the person typed, not wildcards
                typed = args.pop("q").lower()
                escaped = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                query = query.where(
                    or_(
                        *(
                            func.lower(getattr(model, c)).like(f"%{escaped}%", escape="\\")
                            for c in entity.search
                        )
                    )
                )
            for name in entity.filters:
                if name in args:
                    query = query.where(getattr(model, name) == args[name])
            rows = paginated(
                query.order_by(getattr(model, entity.order_by), model.id), pagination_parameters
            )
            journal().read(actor, entity.name, rows)
            return rows

        @blp.arguments(schema)
        @blp.response(201, reply())
        def post(self, data: dict[str, Any]) -> Any:
            actor = current_actor()
            hidden_fields.set(hidden_fields_for(actor, entity.name))
            return commit_or_problem(lambda: create_record(actor, entity, data))

    @blp.route(f"{path}/<uuid:record_id>", endpoint=f"{entity.name}_item")
    class Item(MethodView):
        @blp.response(200, reply())
        def get(self, record_id: uuid.UUID) -> Any:
            actor = reader()
            record = _visible_or_404(actor, entity, record_id)
            journal().read(actor, entity.name, [record])
            return record

        @blp.arguments(schema(partial=True))
        @blp.response(200, reply())
        @blp.alt_response(412, description="If-Match names another version than the record's.")
        @blp.doc(parameters=[IF_MATCH])
        def patch(self, changes: dict[str, Any], record_id: uuid.UUID) -> Any:
            actor = reader()
            record = _visible_or_404(actor, entity, record_id)
            if "id" in changes and changes.pop("id") != record_id:
                raise DomainError(
                    422,
                    "The id in the body differs from the one in the path.",
                    {"id": "Must match the path, or be left out."},
                )
            expected = _expected_version()
            return commit_or_problem(
                lambda: update_record(actor, entity, record, changes, expected)
            )

        @blp.response(204)
        def delete(self, record_id: uuid.UUID) -> None:
            actor = reader()
            record = _visible_or_404(actor, entity, record_id)
            commit_or_problem(lambda: delete_record(actor, entity, record))

    Collection.__doc__ = f"List or create {entity.human}."
    Item.__doc__ = f"Read, change or delete one of the {entity.human}."
