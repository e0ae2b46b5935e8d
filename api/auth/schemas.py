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


class PasswordLinkCodeSchema(ma.Schema):
    code = Text(required=True, validate=ma.validate.Length(min=1, max=200))


class PasswordLinkOwnerSchema(ma.Schema):
    email = fields.String()
    name = fields.String()
    purpose = fields.String(metadata={"enum": ["invite", "reset"]})


class SetPasswordWithLinkSchema(PasswordLinkCodeSchema):
    password = Text(required=True, validate=ma.validate.Length(min=1, max=1000))


class ChangePasswordSchema(ma.Schema):
    current_password = Text(required=True, validate=ma.validate.Length(min=1, max=1000))
    new_password = Text(required=True, validate=ma.validate.Length(min=1, max=1000))


class PasswordLinkSchema(ma.Schema):
    """A one-time link, shown once to the admin who made it, to hand to its user."""

    code = fields.String(metadata={"description": "The one-time code (only its hash is kept)."})
    purpose = fields.String(metadata={"enum": ["invite", "reset"]})
    expires_at = fields.AwareDateTime()
    path = fields.String(metadata={"description": "Where in the app the code is used."})
