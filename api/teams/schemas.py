"""Schemas for teams and user accounts."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.accounts.models import ROLES
from api.auth.schemas import PasswordLinkSchema
from api.common.schema import EMAIL_MAX, TITLE_MAX, Text, choice, text, whole_number


class TeamSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    id = fields.UUID(dump_only=True)
    name = text(TITLE_MAX, required=True)
    created_at = fields.AwareDateTime(dump_only=True)


class UserSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    id = fields.UUID(dump_only=True)
    email = fields.Email(required=True, validate=validate.Length(max=EMAIL_MAX))
    name = text(TITLE_MAX, required=True)
    role = choice(ROLES, required=True)
    team_id = fields.UUID(allow_none=True)
    is_active = fields.Boolean()
    fte = whole_number(1, 100, metadata={"description": "Percent of a full-time position."})
    password = Text(
        load_only=True,
        validate=validate.Length(min=1, max=1000),
        metadata={
            "description": "Leave out to send the new user a one-time link with which they "
            "choose their own password (the answer's password_link)."
        },
    )
    password_link = fields.Nested(
        PasswordLinkSchema,
        dump_only=True,
        metadata={"description": "Only in the answer that created the account without a password."},
    )
    participant_id = fields.UUID(
        load_only=True,
        allow_none=True,
        metadata={"description": "For a participant login: the participant record it belongs to."},
    )
    created_at = fields.AwareDateTime(dump_only=True)


class UserFilterSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    team_id = fields.UUID()
    role = choice(ROLES)
    include_inactive = fields.Boolean(load_default=False)
