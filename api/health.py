"""Liveness and database health for monitoring."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.extensions import db

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> Any:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        body = {
            "status": "error",
            "database": f"error: {type(exc).__name__}",
            "detail": "The database cannot be reached.",
        }
        return jsonify(body), 503
    return jsonify({"status": "ok", "database": "ok"})
