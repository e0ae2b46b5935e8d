"""What the app needs to know of the server's settings, to check input as the server will."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app

from api.access import current_actor
from api.common.crud import ApiBlueprint

blp = ApiBlueprint(
    "settings", __name__, url_prefix="/api/v1", description="The server's settings for the app."
)


class SettingsSchema(ma.Schema):
    activity_max_days_back = ma.fields.Integer(
        required=True,
        metadata={
            "description": "How many days before it was logged a contact or meeting may have "
            "happened; 0: no limit."
        },
    )
    timezone = ma.fields.String(
        required=True, metadata={"description": "What weeks and 'today' are counted in."}
    )


@blp.route("/settings", methods=["GET"])
@blp.response(200, SettingsSchema)
def settings() -> dict[str, Any]:
    """The rules the app checks input against before it is sent (the server checks them too)."""
    current_actor()
    config = current_app.config
    return {
        "activity_max_days_back": int(config.get("ACTIVITY_MAX_DAYS_BACK") or 0),
        "timezone": config["FELTLOGG_TIMEZONE"],
    }
