"""An import-linter contract for the product's parts: one part reaches another only through its service.

A part is a package such as `avhopp.directory.catalogue`. From outside it, only its public modules
(by default `service`) may be imported; its models, tables, jobs and pages are its own. The
composition root (`allowed_importers`) wires every part's web, jobs, models and commands together
and is the one exception. A part's `web` may also reuse another part's `web.components`, the page
pieces that part offers for embedding, when they are listed in `public_modules`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from importlinter import Contract, ContractCheck, fields, output

if TYPE_CHECKING:
    from grimp import ImportGraph


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


class PartsContract(Contract):
    """Imports into a part from outside it go to its public modules only."""

    type_name = "parts"

    parts = fields.ListField(subfield=fields.StringField())
    public_modules = fields.ListField(subfield=fields.StringField())
    allowed_importers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:  # noqa: ARG002, FBT001 - import-linter's signature
        """Every import of a part's module from outside the part names a public module."""
        parts: list[str] = list(self.parts)  # type: ignore[call-overload]
        public: list[str] = list(self.public_modules)  # type: ignore[call-overload]
        allowed: list[str] = list(self.allowed_importers)  # type: ignore[call-overload]
        illegal: list[tuple[str, str, str]] = []
        for part in parts:
            inside = {module for module in graph.modules if _within(module, part)}
            for imported in sorted(inside):
                if imported == part or any(_within(imported, f"{part}.{name}") for name in public):
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(imported)):
                    if _within(importer, part) or any(_within(importer, root) for root in allowed):
                        continue
                    lines = graph.get_import_details(importer=importer, imported=imported)
                    where = ", ".join(str(detail["line_number"]) for detail in lines)
                    illegal.append((importer, imported, where))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """Name each import that bypasses a part's service."""
        for importer, imported, where in check.metadata["illegal"]:
            output.print_error(f"- {importer} -> {imported} (l.{where})", bold=False)
            output.new_line()
        output.print("Reach another part through its service (or its web.components, from a page).")
