"""GET /participants/<id>/export and POST /participants/<id>/erase."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Response

from api.access import current_actor
from api.audit.service import access_entries, note_reads, record_access
from api.common.crud import ApiBlueprint
from api.extensions import abort, db
from api.participants.models import Participant
from api.rights.schemas import EraseSchema, ErasureSchema, ParticipantExportSchema
from api.rights.service import erase_participant, export_participant, participant_for_rights

blp = ApiBlueprint(
    "rights",
    __name__,
    url_prefix="/api/v1",
    description="A participant's copy of their data, and erasure when they leave.",
)


@blp.route("/participants/<uuid:participant_id>/export", methods=["GET"])
@blp.response(
    200,
    ParticipantExportSchema,
    headers={
        "Content-Disposition": {
            "description": 'attachment; filename="feltlogg-deltaker-<id>.json"',
            "schema": {"type": "string"},
        }
    },
)
@blp.alt_response(403, description="Supervisors do not export participants' data.")
@blp.alt_response(404, description="No participant with this id that you may export.")
def export(participant_id: uuid.UUID) -> Any:
    """A copy of everything held about a participant, as a JSON download (the participant
    themself, their specialist, or an admin)."""
    actor = current_actor(("participant", "specialist", "admin"))
    participant = participant_for_rights(actor, participant_id)
    if participant is None:
        abort(404, message="No participant with this id that you may export.")
    document = export_participant(participant)
    note_reads(access_entries(actor, "export", "participants", [participant]))
    filename = f"feltlogg-deltaker-{participant.id}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@blp.route("/participants/<uuid:participant_id>/erase", methods=["POST"])
@blp.arguments(EraseSchema)
@blp.response(200, ErasureSchema)
@blp.alt_response(404, description="No participant with this id.")
@blp.alt_response(
    422,
    description="The confirmation is missing or wrong, or the participant "
    "has not left the programme.",
)
def erase(data: dict[str, Any], participant_id: uuid.UUID) -> Any:
    """Anonymise a participant who has left (admin): names, contact details and free text go;
    ids, dates and statuses stay, so the reports count the same. Erasing twice is harmless."""
    actor = current_actor(("admin",))
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        abort(404, message="No participant with this id.")
    result = erase_participant(participant, data["confirm"])
    record_access(access_entries(actor, "erase", "participants", [participant]))
    db.session.commit()
    return result
