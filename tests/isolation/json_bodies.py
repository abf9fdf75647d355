"""Well-formed JSON bodies for the harness's API doors, made from each route's declared body type.

A form sent to a JSON route is refused as malformed before the route looks at the object its path
names, which would test nothing. So the harness sends the smallest body the route's type accepts,
every id in it forged: a field named like a registered kind of object gets tenant B's object, any
other id tenant B's own id. The route then reaches its service, which must answer "not found".
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
import msgspec.inspect as mi
from litestar.enums import RequestEncodingType
from litestar.params import BodyKwarg

from avhopp.directory.catalogue.web.api import ProposalIn
from avhopp.platform.times import swedish_date
from avhopp.tenants.networks.web.api import DocumentIn, VersionIn
from tests.directory.conftest import organization as organization_entry

if TYPE_CHECKING:
    from collections.abc import Callable

    from litestar.handlers.http_handlers import HTTPRouteHandler

    from tests.isolation.harness import ForeignWorld


def json_body_type(handler: HTTPRouteHandler) -> Any:
    """The type of the route's JSON body, or None when it takes none."""
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None or not isinstance(data.kwarg_definition, BodyKwarg):
        return None
    return data.annotation if data.kwarg_definition.media_type == RequestEncodingType.JSON else None


def forged_json(body_type: Any, world: ForeignWorld) -> Any:
    """The smallest body of `body_type` that decodes, naming tenant B's objects wherever it takes an id.

    A body type whose smallest body is refused before the route looks at the ids in it (it needs
    one of its optional parts, or a valid entry) has a body of its own in `REACHING_BODIES`.
    """
    reaching = REACHING_BODIES.get(body_type)
    return reaching(world) if reaching else _example(mi.type_info(body_type), world, "")


def _proposal_of_foreign_draft(world: ForeignWorld) -> Any:
    """A valid organisation entry under the id of tenant B's unpublished draft."""
    return {"organization": msgspec.to_builtins(organization_entry(id=world.draft_organization_id))}


def _document_into_foreign_space(world: ForeignWorld) -> Any:
    """A PDF (recognised by its first bytes) for tenant B's county network, naming B's meeting."""
    return {"title": "Dokument", "content": base64.b64encode(b"%PDF-1.7").decode(), "meeting_id": str(world.meeting_id)}


def _version_of_foreign_document(_world: ForeignWorld) -> Any:
    return {"content": base64.b64encode(b"%PDF-1.7").decode()}


REACHING_BODIES: dict[Any, Callable[[ForeignWorld], Any]] = {
    ProposalIn: _proposal_of_foreign_draft,
    DocumentIn: _document_into_foreign_space,
    VersionIn: _version_of_foreign_document,
}


def _forged_id(world: ForeignWorld, name: str) -> str:
    try:
        return world.value_for(name)
    except LookupError:
        return str(world.tenant_id)


_SCALARS: dict[type[mi.Type], Callable[[Any], Any]] = {
    mi.StrType: lambda kind: "x" * max(1, kind.min_length or 0),
    mi.IntType: lambda kind: kind.ge if kind.ge is not None else 1,
    mi.FloatType: lambda kind: kind.ge if kind.ge is not None else 1.0,
    mi.BoolType: lambda _kind: False,
    mi.EnumType: lambda kind: next(iter(kind.cls)).value,
    mi.LiteralType: lambda kind: kind.values[0],
    mi.DateType: lambda _kind: swedish_date().isoformat(),
    mi.DateTimeType: lambda _kind: datetime.now(UTC).isoformat(),
    mi.DictType: lambda _kind: {},
}
_SEQUENCES = (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)


def _example(kind: mi.Type, world: ForeignWorld, name: str) -> Any:
    if isinstance(kind, mi.Metadata):
        return _example(kind.type, world, name)
    if isinstance(kind, mi.StructType):
        return {field.encode_name: _example(field.type, world, field.name) for field in kind.fields if field.required}
    if isinstance(kind, mi.UnionType):
        return _example(next(t for t in kind.types if not isinstance(t, mi.NoneType)), world, name)
    if isinstance(kind, mi.UUIDType):
        return _forged_id(world, name)
    if isinstance(kind, _SEQUENCES):
        return [_example(kind.item_type, world, name)] * (kind.min_length or 0)
    make = _SCALARS.get(type(kind))
    return None if make is None else make(kind)
