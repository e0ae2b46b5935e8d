"""The change feed of the app's database. Its tables belong to `db.metadata` (and so to the
migrations) from import on; its session hooks are installed by api.offline.setup.init_sync."""

from __future__ import annotations

from api.extensions import db
from sync.feed import ChangeFeed

# Every synced row carries its team; no one but an administrator sees another team's rows.
feed = ChangeFeed(db.metadata, partition_column="team_id")
