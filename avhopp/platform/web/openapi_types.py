"""How the OpenAPI document describes types that Litestar describes wrongly.

Litestar documents `datetime.time` as an ISO 8601 duration; msgspec writes and reads it as a time
of day, `HH:MM[:SS[.ffffff]]` without an offset (which is not JSON Schema's `time` format either,
that one requires an offset). A client generated from the document must be able to send one.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any

from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


class TimeOfDaySchema(OpenAPISchemaPlugin):
    """`datetime.time` as a string holding a time of day."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:  # noqa: ANN401 - Litestar's interface
        """Only `datetime.time`."""
        return value is time

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:  # noqa: ARG002
        """The pattern msgspec reads."""
        return Schema(type=OpenAPIType.STRING, pattern=TIME_OF_DAY, description="Klockslag, TT:MM eller TT:MM:SS")
