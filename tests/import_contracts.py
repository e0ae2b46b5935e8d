"""An import contract of our own, for `lint-imports` (pyproject.toml, [tool.importlinter]).

`areas_forbidden`: the source modules import no package of `api` but the shared ones. The
packages are found in the import graph, as the app finds its areas (api/areas.py), so a new area
is covered by existing: nothing lists it.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter import ContractCheck, fields
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.domain.imports import ModuleExpression


class AreasForbiddenContract(ForbiddenContract):
    """A forbidden contract whose forbidden modules are every package directly under `parent`
    except the `shared` ones (and the source modules themselves)."""

    type_name = "areas_forbidden"

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    parent = fields.StringField()
    shared = fields.SetField(subfield=fields.StringField(), required=False)
    # The forbidden contract's own options, which this one fills in or leaves at their default.
    forbidden_modules = fields.SetField(subfield=fields.ModuleExpressionField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    allow_indirect_imports = fields.BooleanField(required=False, default=False)
    as_packages = fields.BooleanField(required=False, default=True)
    broken_contract_guidance = fields.TextField(required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        parent: str = self.parent  # type: ignore[assignment]
        shared = set(self.shared or ())  # type: ignore[arg-type]
        packages = sorted(
            child
            for child in graph.find_children(parent)
            if graph.find_children(child) and child not in shared
        )
        if not packages:
            raise ValueError(f"No packages found under {parent}: is the contract's parent right?")
        self.forbidden_modules = {ModuleExpression(name) for name in packages}
        return super().check(graph, verbose)
