"""REST routes for job matches."""

from api.common.crud import ApiBlueprint, register_crud
from api.entities import ENTITIES

blp = ApiBlueprint(
    "jobs",
    __name__,
    url_prefix="/api/v1",
    description="Job matches.",
)

register_crud(blp, ENTITIES["job_matches"])
