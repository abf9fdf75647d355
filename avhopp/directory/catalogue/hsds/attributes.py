"""Our domain extensions as HSDS attributes: which field becomes which taxonomy term and link type.

HSDS has no fields for threat requirements, target groups, interventions, who pays and the
like; its hook for them is `attributes`, each linking an object to a taxonomy term, with a
`link_type` saying what the term describes and an optional `value`. Four shapes occur:

* one: a single-valued vocabulary field, always attached (e.g. `threat_requirement`);
* many: a tuple of vocabulary values, one attribute per value, in order (e.g. `target_groups`);
* flag: a yes/no field, whose term is attached only when the answer is yes;
* text: free text carried in `value` under a fixed term (e.g. `source_note`), attached when not empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from avhopp.directory.catalogue.hsds.ids import derived_id, numbered
from avhopp.directory.catalogue.hsds.taxonomy import (
    CAPACITY_STATUS,
    CONTACT_CHANNEL,
    DRUG_POLICY,
    FUNDING_RULE,
    INTERVENTION,
    OPERATION_TYPE,
    PROVENANCE,
    SERVICE_FLAG,
    TARGET_GROUP,
    THREAT_REQUIREMENT,
    TIME_ZONE,
    VISIBILITY,
    Clock,
    Provenance,
    ServiceFlag,
    Taxonomy,
    Term,
    Visibility,
    find_term,
    term_of,
    term_to_hsds,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from avhopp.directory.catalogue.hsds.reading import JsonObject, JsonPath, Reader

_TRUE, _FALSE = "true", "false"


class Shape(Enum):
    """How a field's value becomes attributes."""

    ONE = "one"
    MANY = "many"
    FLAG = "flag"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Extension:
    """One field carried as attributes."""

    field: str
    link_type: str
    taxonomy: Taxonomy
    shape: Shape
    fixed: StrEnum | None = None
    """The term of a flag or text field."""

    def owns(self, term: Term) -> bool:
        """Whether an attribute with `term` belongs to this field."""
        return term.taxonomy == self.taxonomy and (self.fixed is None or term.value is self.fixed)


@dataclass(frozen=True, slots=True)
class Owner:
    """The object attributes describe: its HSDS table (`link_entity`) and id (`link_id`)."""

    entity: str
    id: UUID


SERVICE_EXTENSIONS: tuple[Extension, ...] = (
    Extension("threat_requirement", "eligibility", THREAT_REQUIREMENT, Shape.ONE),
    Extension("police_report_required", "eligibility", SERVICE_FLAG, Shape.FLAG, ServiceFlag.POLICE_REPORT_REQUIRED),
    Extension("accepts_serious_threat", "eligibility", SERVICE_FLAG, Shape.FLAG, ServiceFlag.ACCEPTS_SERIOUS_THREAT),
    Extension(
        "accepts_local_serious_threat",
        "eligibility",
        SERVICE_FLAG,
        Shape.FLAG,
        ServiceFlag.ACCEPTS_LOCAL_SERIOUS_THREAT,
    ),
    Extension("reaches_custody", "eligibility", SERVICE_FLAG, Shape.FLAG, ServiceFlag.REACHES_CUSTODY),
    Extension("custody_only", "eligibility", SERVICE_FLAG, Shape.FLAG, ServiceFlag.CUSTODY_ONLY),
    Extension("drug_policy", "eligibility", DRUG_POLICY, Shape.ONE),
    Extension("target_groups", "target_group", TARGET_GROUP, Shape.MANY),
    Extension("interventions", "intervention", INTERVENTION, Shape.MANY),
    Extension("funding_rule", "funding", FUNDING_RULE, Shape.ONE),
    Extension("channels", "contact_channel", CONTACT_CHANNEL, Shape.MANY),
    Extension("anonymous_contact", "contact_channel", SERVICE_FLAG, Shape.FLAG, ServiceFlag.ANONYMOUS_CONTACT),
    Extension("capacity", "capacity", CAPACITY_STATUS, Shape.ONE),
    Extension("source_note", "provenance", PROVENANCE, Shape.TEXT, Provenance.SOURCE_NOTE),
)
ORGANIZATION_EXTENSIONS: tuple[Extension, ...] = (
    Extension("operation_type", "operation_type", OPERATION_TYPE, Shape.ONE),
)
PHONE_EXTENSIONS: tuple[Extension, ...] = (
    Extension("internal", "visibility", VISIBILITY, Shape.FLAG, Visibility.INTERNAL),
)
SCHEDULE_EXTENSIONS: tuple[Extension, ...] = (
    Extension("time_zone", "time_zone", TIME_ZONE, Shape.TEXT, Clock.TIME_ZONE),
)


def _terms(extension: Extension, value: object) -> list[tuple[Term, str | None]]:
    """The terms (with values) a field's value becomes."""
    if extension.shape is Shape.ONE and isinstance(value, StrEnum):
        return [(term_of(value), None)]
    if extension.shape is Shape.MANY and isinstance(value, tuple):
        return [(term_of(item), None) for item in value if isinstance(item, StrEnum)]
    if extension.shape is Shape.FLAG and extension.fixed is not None:
        return [(term_of(extension.fixed), None)] if value is True else []
    if extension.shape is Shape.TEXT and extension.fixed is not None and isinstance(value, str):
        return [(term_of(extension.fixed), value)] if value else []
    raise TypeError(f"{extension.field}: unexpected value {value!r}")


def attributes_to_hsds(
    link_entity: str, link_id: UUID, extensions: Sequence[Extension], values: Mapping[str, object]
) -> list[JsonObject]:
    """The HSDS attributes of an object, in the order of `extensions` and of each tuple."""
    found = [
        (extension, term, value)
        for extension in extensions
        for term, value in _terms(extension, values[extension.field])
    ]
    keys = numbered(str(term.id) for _, term, _ in found)
    attributes: list[JsonObject] = []
    for key, (extension, term, value) in zip(keys, found, strict=True):
        attribute: JsonObject = {
            "id": str(derived_id("attribute", link_entity, link_id, key)),
            "link_id": str(link_id),
            "link_type": extension.link_type,
            "link_entity": link_entity,
            "taxonomy_term_id": str(term.id),
            "label": term.name,
            "taxonomy_term": term_to_hsds(term),
        }
        if value is not None:
            attribute["value"] = value
        attributes.append(attribute)
    return attributes


def _term_of_attribute(reader: Reader, attribute: Mapping[str, object], path: JsonPath) -> Term | None:
    # HSDS names the term by `taxonomy_term_id`; a nested `taxonomy_term` alone is accepted too.
    nested = attribute.get("taxonomy_term")
    if "taxonomy_term_id" in attribute or not isinstance(nested, dict):
        source, where, key = attribute, path, "taxonomy_term_id"
    else:
        source, where, key = nested, (*path, "taxonomy_term"), "id"
    raw = reader.text(source, key, where, required=True)
    if not raw:
        return None
    try:
        term = find_term(UUID(raw))
    except ValueError:
        term = None
    if term is None:
        reader.problem((*where, key), f"Okänd taxonomiterm {raw!r}: bara Avhopps egna termer kan tas emot.")
    return term


def _flag(reader: Reader, attribute: Mapping[str, object], path: JsonPath) -> bool:
    value = reader.text(attribute, "value", path)
    if value not in {"", _TRUE, _FALSE}:
        reader.problem((*path, "value"), f"Ska vara tomt, {_TRUE} eller {_FALSE}, inte {value!r}.")
    return value != _FALSE


def _check_link(
    reader: Reader, attribute: Mapping[str, object], path: JsonPath, owner: Owner, extension: Extension
) -> None:
    for key, expected in (
        ("link_entity", owner.entity),
        ("link_id", str(owner.id)),
        ("link_type", extension.link_type),
    ):
        value = reader.text(attribute, key, path)
        if value and value.lower() != expected:
            reader.problem((*path, key), f"Ska vara {expected!r} för den här termen, inte {value!r}.")


def attributes_from_hsds(
    reader: Reader, data: Mapping[str, object], path: JsonPath, owner: Owner, extensions: Sequence[Extension]
) -> dict[str, object]:
    """The fields that an object's attributes carry; a field without attributes is left out (its default)."""
    fields: dict[str, object] = {}
    many: dict[str, list[StrEnum]] = {}
    for attribute_path, attribute in reader.objects(data, "attributes", path):
        term = _term_of_attribute(reader, attribute, attribute_path)
        if term is None:
            continue
        extension = next((candidate for candidate in extensions if candidate.owns(term)), None)
        if extension is None:
            reader.problem(
                (*attribute_path, "taxonomy_term_id"),
                f"Termen {term.name!r} ({term.taxonomy.name}) kan inte anges för {owner.entity}.",
            )
            continue
        _check_link(reader, attribute, attribute_path, owner, extension)
        if extension.shape is Shape.MANY:
            many.setdefault(extension.field, []).append(term.value)
        elif extension.field in fields:
            reader.problem(
                (*attribute_path, "taxonomy_term_id"), f"Fältet {extension.field} anges av mer än ett attribut."
            )
        elif extension.shape is Shape.ONE:
            fields[extension.field] = term.value
        elif extension.shape is Shape.FLAG:
            fields[extension.field] = _flag(reader, attribute, attribute_path)
        else:
            fields[extension.field] = reader.text(attribute, "value", attribute_path)
    return fields | {field: tuple(values) for field, values in many.items()}
