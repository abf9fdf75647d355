"""Offline validation of HSDS JSON against the vendored HSDS 3.1 schemas.

Every schema is served from the package by a `referencing` registry under its upstream address,
so relative references between schema files resolve as they do upstream. The absolute references
in `openapi.json` (to the 3.0 branch and to `compiled/` files we do not vendor) are mapped to the
vendored files. The registry has no retrieval function: a reference it cannot resolve is an error,
never a network request.

Formats are checked by a fixed set of checkers of our own (uuid, email, uri, date, date-time), so
the result does not depend on which optional packages `jsonschema` happens to find installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from avhopp.directory.catalogue.hsds.vendored import openapi_document, schema_document, schema_names

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

UPSTREAM = "https://raw.githubusercontent.com/openreferral/specification/"
SCHEMA_BASE = f"{UPSTREAM}3.1-dev/schema/"
"""Where the vendored schemas live upstream; the registry serves them under these addresses."""
OPENAPI_URI = f"{SCHEMA_BASE}openapi.json"
PAGE_FIELDS = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents")
"""The fields of a paged HSDS API response; HSDS's `Page` leaves them optional, we require them all."""

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One way an instance breaks a schema: where (a JSON path) and what."""

    path: tuple[str | int, ...]
    message: str

    def __str__(self) -> str:
        where = "/".join(str(part) for part in self.path) or "(root)"
        return f"{where}: {self.message}"


def schema_uri(name: str) -> str:
    """The registry address of a vendored HSDS object schema, e.g. "service"."""
    if name not in schema_names():
        raise ValueError(f"HSDS has no schema called {name!r}")
    return f"{SCHEMA_BASE}{name}.json"


def local_schema_uri(reference: str) -> str:
    """The registry address of the vendored schema that an absolute reference in `openapi.json` means."""
    # The `compiled/` files upstream are the same schemas with references inlined; the `_list`
    # variants only leave out child arrays, which the full schemas keep optional anyway.
    name = urldefrag(reference).url.rsplit("/", 1)[-1].removesuffix(".json").removesuffix("_list")
    if not reference.startswith(UPSTREAM) or name not in schema_names():
        raise LookupError(f"no vendored schema for {reference!r}")
    return schema_uri(name)


def _references(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


@cache
def _registry() -> Registry[bool | Mapping[str, Any]]:
    resources: list[tuple[str, Resource[bool | Mapping[str, Any]]]] = [
        (schema_uri(name), DRAFT202012.create_resource(schema_document(name))) for name in schema_names()
    ]
    openapi = openapi_document()
    resources.append((OPENAPI_URI, DRAFT202012.create_resource(openapi)))
    remote = {urldefrag(reference).url for reference in _references(openapi) if "://" in reference}
    # An alias that refers onwards, rather than a second copy, keeps the relative references inside
    # the schema resolving against the vendored address.
    resources.extend(
        (reference, DRAFT202012.create_resource({"$ref": local_schema_uri(reference)})) for reference in sorted(remote)
    )
    return Registry().with_resources(resources)


def _is_uuid(instance: object) -> bool:
    return not isinstance(instance, str) or bool(_UUID.fullmatch(instance))


def _is_email(instance: object) -> bool:
    return not isinstance(instance, str) or "@" in instance


def _is_uri(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    return bool(urlsplit(instance).scheme) and not any(character.isspace() for character in instance)


def _is_date(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    return bool(_DATE.fullmatch(instance)) and bool(date.fromisoformat(instance))


def _is_date_time(instance: object) -> bool:
    return not isinstance(instance, str) or bool(datetime.fromisoformat(instance))


@cache
def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    for name, check in (
        ("uuid", _is_uuid),
        ("email", _is_email),
        ("uri", _is_uri),
        ("date", _is_date),
        ("date-time", _is_date_time),
    ):
        checker.checks(name, raises=ValueError)(check)
    return checker


def _problems(schema: dict[str, object], instance: object) -> list[SchemaProblem]:
    validator = Draft202012Validator(schema, registry=_registry(), format_checker=_format_checker())
    problems = [SchemaProblem(tuple(error.absolute_path), error.message) for error in validator.iter_errors(instance)]
    return sorted(problems, key=lambda problem: ([str(part) for part in problem.path], problem.message))


def schema_problems(schema_name: str, instance: object) -> list[SchemaProblem]:
    """Every way `instance` breaks the HSDS schema `schema_name` (e.g. "service"), with its path."""
    return _problems({"$ref": schema_uri(schema_name)}, instance)


def hsds_problems(schema_name: str, instance: object) -> list[str]:
    """Every way `instance` breaks the HSDS schema `schema_name`, as "path: message" lines; empty if valid."""
    return [str(problem) for problem in schema_problems(schema_name, instance)]


def page_problems(item_schema: str, page: object) -> list[str]:
    """Every way `page` breaks the HSDS API's paged response (`Page` in openapi.json) of `item_schema` items."""
    schema: dict[str, object] = {
        "allOf": [{"$ref": f"{OPENAPI_URI}#/components/schemas/Page"}],
        "type": "object",
        "required": list(PAGE_FIELDS),
        "properties": {"contents": {"type": "array", "items": {"$ref": schema_uri(item_schema)}}},
    }
    problems = [str(problem) for problem in _problems(schema, page)]
    if problems or not isinstance(page, dict):
        return problems
    contents = page["contents"]
    if page["size"] != len(contents):
        problems.append(f"size: {page['size']} but contents has {len(contents)} items")
    if page["empty"] != (page["total_items"] == 0):
        problems.append(f"empty: {page['empty']} but total_items is {page['total_items']}")
    return problems


def _pointer_part(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def openapi_response_problems(path: str, instance: object, *, method: str = "get") -> list[str]:
    """Every way `instance` breaks the 200 response schema of `method path` (e.g. "/services") in openapi.json."""
    paths = openapi_document()["paths"]
    if not isinstance(paths, dict) or method not in paths.get(path, {}):
        raise LookupError(f"openapi.json has no {method.upper()} {path}")
    pointer = "/".join(
        _pointer_part(part)
        for part in ("paths", path, method, "responses", "200", "content", "application/json", "schema")
    )
    return [str(problem) for problem in _problems({"$ref": f"{OPENAPI_URI}#/{pointer}"}, instance)]
