"""Our controlled vocabularies as HSDS taxonomies and taxonomy terms.

Each vocabulary (an enum in `vocabulary.py`, or one of the few small enums below for yes/no
properties, phone visibility and provenance) is one HSDS taxonomy; each value is a term whose
`code` is the enum value and whose `name` is the Swedish label. Ids are name-based UUIDs, so a
term keeps its id across exports and installations: consumers may filter on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from avhopp.directory.catalogue.hsds.ids import derived_id
from avhopp.directory.catalogue.vocabulary import (
    CapacityStatus,
    ContactChannel,
    DrugPolicy,
    FundingRule,
    Intervention,
    OperationType,
    TargetGroup,
    ThreatRequirement,
)
from avhopp.platform.labels import label

if TYPE_CHECKING:
    from uuid import UUID

TAXONOMY_VERSION = "1"
LANGUAGE = "sv"


class ServiceFlag(StrEnum):
    """A yes/no property of a service; the term is attached only when the answer is yes."""

    POLICE_REPORT_REQUIRED = "police_report_required"
    ACCEPTS_SERIOUS_THREAT = "accepts_serious_threat"
    ACCEPTS_LOCAL_SERIOUS_THREAT = "accepts_local_serious_threat"
    REACHES_CUSTODY = "reaches_custody"
    CUSTODY_ONLY = "custody_only"
    ANONYMOUS_CONTACT = "anonymous_contact"


class Visibility(StrEnum):
    """Who may see a detail; public details carry no visibility term."""

    INTERNAL = "internal"


class Clock(StrEnum):
    """What a schedule's times are; the attribute's value holds the IANA name of their time zone."""

    TIME_ZONE = "time_zone"


class Provenance(StrEnum):
    """Where an entry's facts come from; the attribute's value holds the text."""

    SOURCE_NOTE = "source_note"


_OWN_LABELS: dict[tuple[type[StrEnum], str], str] = {
    (ServiceFlag, ServiceFlag.POLICE_REPORT_REQUIRED.value): "Polisanmälan krävs",
    (ServiceFlag, ServiceFlag.ACCEPTS_SERIOUS_THREAT.value): "Tar emot personer med allvarlig hotbild",
    (ServiceFlag, ServiceFlag.ACCEPTS_LOCAL_SERIOUS_THREAT.value): (
        "Tar emot vid allvarlig hotbild bara om hotet är lokalt (skyddet är att flytta)"
    ),
    (ServiceFlag, ServiceFlag.REACHES_CUSTODY.value): "Når personer i häkte och anstalt",
    (ServiceFlag, ServiceFlag.CUSTODY_ONLY.value): "Bara för personer i häkte, anstalt eller frivård",
    (ServiceFlag, ServiceFlag.ANONYMOUS_CONTACT.value): "Går att kontakta anonymt",
    (Visibility, Visibility.INTERNAL.value): "Visas bara för inloggade yrkespersoner",
    (Provenance, Provenance.SOURCE_NOTE.value): "Uppgifternas källa",
    (Clock, Clock.TIME_ZONE.value): "Tidszon (IANA-namn)",
}


def swedish_label(value: StrEnum) -> str:
    """The Swedish name of a vocabulary value as published in HSDS (vocabulary.label, or ours above)."""
    return _OWN_LABELS.get((type(value), value.value)) or label(value)


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """One published vocabulary."""

    key: str
    name: str
    description: str
    vocabulary: type[StrEnum]

    @property
    def id(self) -> UUID:
        """The stable HSDS id."""
        return derived_id("taxonomy", self.key)

    @property
    def uri(self) -> str:
        """A persistent name for the taxonomy."""
        return f"urn:avhopp:taxonomy:{self.key}"

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every term, in the vocabulary's order."""
        return tuple(Term(self, value) for value in self.vocabulary)


@dataclass(frozen=True, slots=True)
class Term:
    """One value of a published vocabulary."""

    taxonomy: Taxonomy
    value: StrEnum

    @property
    def id(self) -> UUID:
        """The stable HSDS id."""
        return derived_id("taxonomy_term", self.taxonomy.key, self.value.value)

    @property
    def code(self) -> str:
        """The enum value, as stored in our database."""
        return self.value.value

    @property
    def name(self) -> str:
        """The Swedish label."""
        return swedish_label(self.value)

    @property
    def uri(self) -> str:
        """A persistent name for the term."""
        return f"{self.taxonomy.uri}:{self.code}"


OPERATION_TYPE = Taxonomy(
    "operation_type",
    "Verksamhetstyp",
    "Vem som driver en organisation, vilket avgör vilka den får ta emot och om den kan ge skydd.",
    OperationType,
)
THREAT_REQUIREMENT = Taxonomy(
    "threat_requirement", "Krav på hotbild", "Vad en tjänst kräver om en hotbild mot personen.", ThreatRequirement
)
DRUG_POLICY = Taxonomy("drug_policy", "Drogpolicy", "Vad en tjänst kräver om droger.", DrugPolicy)
TARGET_GROUP = Taxonomy(
    "target_group",
    "Målgrupp",
    "Vilken sorts grupp en person lämnar, eller anhöriga som tjänsten stöder. Ingen term: alla grupper.",
    TargetGroup,
)
INTERVENTION = Taxonomy("intervention", "Insats", "Insatser som en tjänst erbjuder.", Intervention)
FUNDING_RULE = Taxonomy("funding_rule", "Betalning", "Vem som betalar för en persons stöd.", FundingRule)
CAPACITY_STATUS = Taxonomy(
    "capacity_status", "Kapacitet", "Om en tjänst tar emot nya personer just nu.", CapacityStatus
)
CONTACT_CHANNEL = Taxonomy("contact_channel", "Kontaktväg", "Hur en tjänst kan nås.", ContactChannel)
SERVICE_FLAG = Taxonomy(
    "service_flag",
    "Villkor och arbetssätt",
    "Villkor och arbetssätt som antingen gäller för en tjänst eller inte; termen anges bara när de gäller.",
    ServiceFlag,
)
VISIBILITY = Taxonomy("visibility", "Synlighet", "Vem som får se en uppgift; utan term är den offentlig.", Visibility)
PROVENANCE = Taxonomy(
    "provenance", "Ursprung", "Varifrån uppgifterna kommer, tills ägaren har bekräftat dem.", Provenance
)
TIME_ZONE = Taxonomy(
    "time_zone",
    "Tidszon",
    "Den tidszon som ett schemas tider är lokal tid i; attributets värde är zonens IANA-namn, Europe/Stockholm:"
    " svensk tid, med sommartid. HSDS eget fält timezone är en fast UTC-förskjutning och blir fel halva året.",
    Clock,
)

TAXONOMIES: tuple[Taxonomy, ...] = (
    OPERATION_TYPE,
    THREAT_REQUIREMENT,
    DRUG_POLICY,
    TARGET_GROUP,
    INTERVENTION,
    FUNDING_RULE,
    CAPACITY_STATUS,
    CONTACT_CHANNEL,
    SERVICE_FLAG,
    VISIBILITY,
    PROVENANCE,
    TIME_ZONE,
)


@cache
def _terms_by_id() -> dict[UUID, Term]:
    return {term.id: term for taxonomy in TAXONOMIES for term in taxonomy.terms}


def term_of(value: StrEnum) -> Term:
    """The published term of a vocabulary value."""
    for taxonomy in TAXONOMIES:
        if taxonomy.vocabulary is type(value):
            return Term(taxonomy, value)
    raise LookupError(f"{type(value).__name__} is not a published vocabulary")


def find_term(term_id: UUID) -> Term | None:
    """The term with this id, if it is one of ours."""
    return _terms_by_id().get(term_id)


def find_taxonomy(taxonomy_id: UUID) -> Taxonomy | None:
    """The taxonomy with this id, if it is one of ours."""
    return next((taxonomy for taxonomy in TAXONOMIES if taxonomy.id == taxonomy_id), None)


def taxonomy_to_hsds(taxonomy: Taxonomy) -> dict[str, object]:
    """An HSDS taxonomy object."""
    return {
        "id": str(taxonomy.id),
        "name": taxonomy.name,
        "description": taxonomy.description,
        "uri": taxonomy.uri,
        "version": TAXONOMY_VERSION,
    }


def term_to_hsds(term: Term) -> dict[str, object]:
    """An HSDS taxonomy_term object (without the nested taxonomy)."""
    return {
        "id": str(term.id),
        "code": term.code,
        "name": term.name,
        "description": f"{term.taxonomy.name}: {term.name}.",
        "taxonomy": term.taxonomy.uri,
        "language": LANGUAGE,
        "taxonomy_id": str(term.taxonomy.id),
        "term_uri": term.uri,
    }


def hsds_taxonomies() -> list[dict[str, object]]:
    """Every published taxonomy, as the HSDS API's `/taxonomies` lists them."""
    return [taxonomy_to_hsds(taxonomy) for taxonomy in TAXONOMIES]


def hsds_taxonomy_terms(taxonomy_id: UUID | None = None) -> list[dict[str, object]]:
    """Every published term (of one taxonomy, if `taxonomy_id` is given), as `/taxonomy_terms` lists them."""
    return [
        term_to_hsds(term)
        for taxonomy in TAXONOMIES
        if taxonomy_id is None or taxonomy.id == taxonomy_id
        for term in taxonomy.terms
    ]
