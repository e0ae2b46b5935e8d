"""Schema for employers."""

from __future__ import annotations

from marshmallow import ValidationError, fields

from api.common.schema import EntitySchema, text
from api.employers.org_number import org_number_problem


def _valid_org_number(value: str) -> None:
    problem = org_number_problem(value)
    if problem:
        raise ValidationError(problem)


class EmployerSchema(EntitySchema):
    name = text(200, required=True)
    org_number = fields.String(
        allow_none=True,
        validate=_valid_org_number,
        metadata={"description": "9 digits, modulus-11 checked.", "pattern": "^[0-9]{9}$"},
    )
    industry = text(100, allow_none=True)
    address = text(300, allow_none=True)
    contact_person = text(200, allow_none=True)
    phone = text(30, allow_none=True)
    notes = text(4000, allow_none=True)
