"""GET /audit: the admin's search of the audit log; and the hook that writes noted reads."""

from __future__ import annotations

from typing import Any

from api.access import current_actor
from api.audit.schemas import AuditEventSchema, AuditFilterSchema
from api.audit.service import count_events, search_events, write_noted_reads
from api.common.crud import PAGINATION_QUERY, ApiBlueprint, refuse_unknown_query

blp = ApiBlueprint(
    "audit",
    __name__,
    url_prefix="/api/v1",
    description="The audit log: who read or changed which participant's data (admins).",
)

# Reads of participants' data are written to the log when any route's response is ready.
blp.after_app_request(write_noted_reads)

AUDIT_QUERY = (
    frozenset(f.data_key or name for name, f in AuditFilterSchema().fields.items())
    | PAGINATION_QUERY
)


@blp.route("/audit", methods=["GET"])
@blp.arguments(AuditFilterSchema, location="query")
@blp.response(200, AuditEventSchema(many=True))
@blp.paginate()
def audit_log(args: dict[str, Any], pagination_parameters: Any) -> Any:
    """Search the audit log, newest first (admin): every read, change, export and erasure of a
    participant's data, by participant, user, action, entity, record and time."""
    current_actor(("admin",))
    refuse_unknown_query(AUDIT_QUERY)
    pagination_parameters.item_count = count_events(args)
    if pagination_parameters.first_item >= pagination_parameters.item_count:
        return []  # past the end; and a huge page number is no SQL OFFSET (overflow)
    return search_events(args, pagination_parameters.first_item, pagination_parameters.page_size)
