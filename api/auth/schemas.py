"""Schemas of the sign-in messages."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.common.schema import EMAIL_MAX, Text, text


class LoginSchema(ma.Schema):
    email = text(EMAIL_MAX, required=True)
    password = Text(required=True, validate=ma.validate.Length(min=1, max=1000))


class SignedInUserSchema(ma.Schema):
    id = fields.UUID()
    role = fields.String()
    team_id = fields.UUID(allow_none=True)
    name = fields.String()
    email = fields.String()
    participant_id = fields.UUID(allow_none=True)


class TokenPairSchema(ma.Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "Seconds the access token lives."})
    user = fields.Nested(SignedInUserSchema)
