"""REST routes for employer contacts, participant meetings and team meetings."""

from api.common.crud import ApiBlueprint, register_crud
from api.entities import ENTITIES

blp = ApiBlueprint(
    "activity",
    __name__,
    url_prefix="/api/v1",
    description="Employer contacts, participant meetings and team meetings.",
)

register_crud(blp, ENTITIES["employer_contacts"])
register_crud(blp, ENTITIES["meetings"])
register_crud(blp, ENTITIES["team_meetings"])
