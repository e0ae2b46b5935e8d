"""REST routes for job-search plans: goals and steps."""

from api.common.crud import ApiBlueprint, register_crud
from api.entities import ENTITIES

blp = ApiBlueprint(
    "plans",
    __name__,
    url_prefix="/api/v1",
    description="Job-search plans: goals and steps.",
)

register_crud(blp, ENTITIES["plan_goals"])
register_crud(blp, ENTITIES["plan_steps"])
