"""Schema for employers."""

from __future__ import annotations

from marshmallow import ValidationError, fields

from api.common.schema import (
    ADDRESS_MAX,
    CATEGORY_MAX,
    LONG_TEXT_MAX,
    PHONE_MAX,
    TITLE_MAX,
    EntitySchema,
    text,
)
from api.employers.org_number import org_number_problem


def _valid_org_number(value: str) -> None:
    problem = org_number_problem(value)
    if problem:
        raise ValidationError(problem)


class EmployerSchema(EntitySchema):
    name = text(TITLE_MAX, required=True)
    org_number = fields.String(
        allow_none=True,
        validate=_valid_org_number,
        metadata={"description": "9 digits, modulus-11 checked.", "pattern": "^[0-9]{9}$"},
    )
    industry = text(CATEGORY_MAX, allow_none=True)
    address = text(ADDRESS_MAX, allow_none=True)
    contact_person = text(TITLE_MAX, allow_none=True)
    phone = text(PHONE_MAX, allow_none=True)
    notes = text(LONG_TEXT_MAX, allow_none=True)
