"""The HSDS API's taxonomy filters, as tests on the fields of a service's stored document.

A term belongs to the fields whose extension owns it (`attributes.SERVICE_EXTENSIONS`); a
taxonomy, to every field carried in it. The database then filters and pages, so a request
decodes and converts one page of services, not the catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from avhopp.directory.catalogue.hsds.attributes import SERVICE_EXTENSIONS, Extension, Shape
from avhopp.directory.catalogue.hsds.taxonomy import find_taxonomy, find_term
from avhopp.directory.catalogue.service import FieldShape, FieldTest

if TYPE_CHECKING:
    from uuid import UUID

_SHAPES = {
    Shape.ONE: FieldShape.ONE,
    Shape.MANY: FieldShape.MANY,
    Shape.FLAG: FieldShape.FLAG,
    Shape.TEXT: FieldShape.TEXT,
}


def _test(extension: Extension, code: str | None) -> FieldTest:
    # A flag or a text field is one fixed term: holding it is the whole test.
    fixed = extension.shape in {Shape.FLAG, Shape.TEXT}
    return FieldTest(extension.field, _SHAPES[extension.shape], None if fixed else code)


def service_filters(taxonomy_term_id: UUID | None, taxonomy_id: UUID | None) -> tuple[tuple[FieldTest, ...], ...]:
    """One group of alternatives per filter given; an unknown term or taxonomy gives a group no service meets."""
    groups: list[tuple[FieldTest, ...]] = []
    if taxonomy_term_id is not None:
        term = find_term(taxonomy_term_id)
        owners = [] if term is None else [extension for extension in SERVICE_EXTENSIONS if extension.owns(term)]
        groups.append(tuple(_test(extension, None if term is None else term.code) for extension in owners))
    if taxonomy_id is not None:
        taxonomy = find_taxonomy(taxonomy_id)
        carried = [extension for extension in SERVICE_EXTENSIONS if extension.taxonomy == taxonomy]
        groups.append(tuple(_test(extension, None) for extension in carried))
    return tuple(groups)
