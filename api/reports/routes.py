"""The reports' blueprint: every report's route, in the order of the OpenAPI document."""

from __future__ import annotations

from api.common.crud import ApiBlueprint
from api.reports.fidelity.routes import ROUTE as FIDELITY
from api.reports.outcomes.routes import ROUTE as OUTCOMES
from api.reports.weekly.routes import ROUTE as WEEKLY

blp = ApiBlueprint("reports", __name__, url_prefix="/api/v1", description="Reports.")

for route in (WEEKLY, FIDELITY, OUTCOMES):
    route.add_to(blp)
