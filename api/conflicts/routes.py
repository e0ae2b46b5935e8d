"""REST routes for conflicts left by concurrent edits."""

from api.common.crud import ApiBlueprint, register_crud
from api.entities import ENTITIES

blp = ApiBlueprint(
    "conflicts",
    __name__,
    url_prefix="/api/v1",
    description="Conflicts left by concurrent edits.",
)

register_crud(blp, ENTITIES["conflicts"])
