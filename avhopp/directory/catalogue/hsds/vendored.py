"""The vendored HSDS 3.1 files in `standard/`, read from the installed package.

The documents are cached and shared: callers must not change them (copy first).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

_PACKAGE = "avhopp.directory.catalogue.hsds"
_OPENAPI = "openapi.json"


def _read(*parts: str) -> dict[str, object]:
    text = files(_PACKAGE).joinpath("standard", *parts).read_text(encoding="utf-8")
    document = json.loads(text)
    if not isinstance(document, dict):
        raise TypeError(f"{'/'.join(parts)} is not a JSON object")
    return document


@cache
def schema_names() -> tuple[str, ...]:
    """The names of the HSDS object schemas, e.g. "service" for `schema/service.json`."""
    folder = files(_PACKAGE).joinpath("standard", "schema")
    return tuple(
        sorted(
            entry.name.removesuffix(".json")
            for entry in folder.iterdir()
            if entry.name.endswith(".json") and entry.name != _OPENAPI
        )
    )


@cache
def schema_document(name: str) -> dict[str, object]:
    """The JSON Schema of one HSDS object, e.g. "service"."""
    if name not in schema_names():
        raise ValueError(f"HSDS has no schema called {name!r}")
    return _read("schema", f"{name}.json")


@cache
def openapi_document() -> dict[str, object]:
    """The HSDS API description (OpenAPI 3.1)."""
    return _read("schema", _OPENAPI)


@cache
def datapackage_descriptor() -> dict[str, object]:
    """The HSDS tabular data package descriptor."""
    return _read("datapackage.json")
