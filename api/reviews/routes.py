"""REST routes for supervisors' week reviews."""

from api.common.crud import ApiBlueprint, register_crud
from api.entities import ENTITIES

blp = ApiBlueprint(
    "reviews",
    __name__,
    url_prefix="/api/v1",
    description="Supervisors' week reviews.",
)

register_crud(blp, ENTITIES["week_reviews"])
