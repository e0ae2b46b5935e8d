"""The areas of the API, found rather than listed.

An area is a package of `api` with tables (its models.py) or REST routes of its own (its
routes.py). Importing an area registers its entities (api.common.entity). An area that declares
entities gets its REST routes from them: a blueprint named after the package, described by the
first line of the package's docstring, with the five routes of each of its entities
(`register_crud`), in the order the area declares them. So a new area is wired in by existing:
nothing outside its package names it.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from flask_smorest import Blueprint

from api.common.crud import ApiBlueprint, register_crud
from api.entities import ENTITIES

API_PACKAGE = Path(__file__).resolve().parent

# The entity areas' sections of the API document (tags, paths, schemas) come in this order, as
# they always have; an area not named here comes after them, by name.
DOCUMENT_ORDER = (
    "api.participants",
    "api.employers",
    "api.activity",
    "api.jobs",
    "api.plans",
    "api.reviews",
    "api.conflicts",
)


def import_areas() -> None:
    """Import every area, so that ENTITIES holds every entity (imports are cached: cheap to
    call again)."""
    for module in pkgutil.iter_modules([str(API_PACKAGE)], "api."):
        folder = API_PACKAGE / module.name.removeprefix("api.")
        if module.ispkg and any((folder / f).is_file() for f in ("models.py", "routes.py")):
            importlib.import_module(module.name)


def entity_areas() -> list[str]:
    """The packages that declare entities, in the order of the API document."""
    import_areas()
    found = {entity.area for entity in ENTITIES.values()}
    last = len(DOCUMENT_ORDER)
    return sorted(
        found, key=lambda a: (DOCUMENT_ORDER.index(a) if a in DOCUMENT_ORDER else last, a)
    )


def entity_blueprints() -> list[Blueprint]:
    """Each entity area's REST routes: the five routes of each of its entities."""
    blueprints = []
    for area in entity_areas():
        package = importlib.import_module(area)
        description = (package.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        if not description:
            raise LookupError(f"{area} has no docstring to describe its part of the API.")
        blp = ApiBlueprint(
            area.removeprefix("api."), area, url_prefix="/api/v1", description=description
        )
        for entity in ENTITIES.values():
            if entity.area == area:
                register_crud(blp, entity)
        blueprints.append(blp)
    return blueprints
