"""The areas of the API, found rather than listed.

An area is a package of `api` with REST routes (its routes.py). Importing an area registers its
entities (api.common.entity); an area that declares entities has its routes as the blueprint
`blp` in its routes.py. So a new area is wired in by existing: nothing outside its package
names it.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from flask_smorest import Blueprint

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
        if module.ispkg and (folder / "routes.py").is_file():
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
    """Each entity area's REST routes (the `blp` of its routes.py)."""
    blueprints = []
    for area in entity_areas():
        routes = importlib.import_module(f"{area}.routes")
        if not isinstance(getattr(routes, "blp", None), Blueprint):
            raise LookupError(f"{area}.routes has no blueprint `blp` with its entities' routes.")
        blueprints.append(routes.blp)
    return blueprints
