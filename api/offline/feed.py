"""The change feed of the app's database. Its tables belong to `db.metadata` (and so to the
migrations) from import on; its session hooks are installed by api.offline.setup.init_sync."""

from __future__ import annotations

from api.extensions import db
from sync.feed import ChangeFeed

feed = ChangeFeed(db.metadata)
