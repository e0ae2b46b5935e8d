"""REST routes for employers shared by a team."""

from api.common.crud import ApiBlueprint, register_crud
from api.entities import ENTITIES

blp = ApiBlueprint(
    "employers",
    __name__,
    url_prefix="/api/v1",
    description="Employers shared by a team.",
)

register_crud(blp, ENTITIES["employers"])
