"""What every report's route shares: how it is put on the blueprint, whose numbers the reader may
see, and the check on a period."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import marshmallow as ma
from sqlalchemy import select

from api.access import current_actor, report_specialists
from api.accounts.models import User
from api.common.crud import ApiBlueprint, refuse_unknown_query
from api.errors import DomainError
from api.extensions import db
from api.reports.export import CSV_RESPONSE


@dataclass(frozen=True)
class ReportRoute:
    """GET `path`: the query string read with `query`, the report answered as `response` (JSON)
    or, with `format=csv`, as a spreadsheet. `view` takes the parsed query."""

    path: str
    query: type[ma.Schema]
    response: type[ma.Schema]
    view: Callable[[dict[str, Any]], Any]

    def add_to(self, blp: ApiBlueprint) -> None:
        view = blp.alt_response(200, **CSV_RESPONSE)(self.view)
        view = blp.response(200, self.response)(view)
        view = blp.arguments(self.query, location="query")(view)
        blp.route(self.path, methods=["GET"])(view)


class ParsedField(ma.fields.Field):
    """A query parameter that `parse` turns into a value (a week, a quarter): `parse` raises
    ValueError saying what to fix; `hint` answers a value that is not text."""

    hint = "Write it as text."

    @staticmethod
    def parse(text: str) -> Any:
        raise NotImplementedError

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ma.ValidationError(self.hint)
        try:
            return self.parse(value)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from error


@cache
def query_parameters(query: type[ma.Schema]) -> frozenset[str]:
    """The query parameters a report's query schema reads, by their names in the URL."""
    return frozenset(field.data_key or name for name, field in query().fields.items())


def report_readers_specialists(
    query: dict[str, Any], schema: type[ma.Schema]
) -> list[tuple[uuid.UUID, str]]:
    """The active specialists (id, name) whose numbers the current user may see, by name;
    DomainError for a query parameter `schema` does not read, or a refused reader."""
    refuse_unknown_query(query_parameters(schema))
    who = report_specialists(current_actor(), query.get("team_id"))
    rows = db.session.execute(
        select(User.id, User.name).where(who, User.is_active.is_(True)).order_by(User.name)
    ).all()
    return [(row.id, row.name) for row in rows]


def refuse_reversed(first: Any, last: Any) -> None:
    if first > last:
        raise DomainError(422, "'from' comes after 'to'.", {"from": ["Must not be after 'to'."]})
