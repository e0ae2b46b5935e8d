"""REST routes for participants, their consents and career profiles."""

from api.common.crud import ApiBlueprint, register_crud
from api.entities import ENTITIES

blp = ApiBlueprint(
    "participants",
    __name__,
    url_prefix="/api/v1",
    description="Participants, their consents and career profiles.",
)

register_crud(blp, ENTITIES["participants"])
register_crud(blp, ENTITIES["consents"])
register_crud(blp, ENTITIES["career_profiles"])
