"""Our vocabularies as HSDS taxonomies: complete, stable, Swedish, and valid."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest

from avhopp.directory.catalogue.hsds.ids import NAMESPACE, derived_id
from avhopp.directory.catalogue.hsds.taxonomy import (
    TAXONOMIES,
    Clock,
    Provenance,
    ServiceFlag,
    Visibility,
    find_taxonomy,
    find_term,
    hsds_taxonomies,
    hsds_taxonomy_terms,
    term_of,
)
from avhopp.directory.catalogue.hsds.validation import hsds_problems
from avhopp.directory.catalogue.seed import SEED_NAMESPACE
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
    from enum import StrEnum

VOCABULARIES = (
    OperationType,
    TargetGroup,
    Intervention,
    ThreatRequirement,
    DrugPolicy,
    FundingRule,
    CapacityStatus,
    ContactChannel,
    ServiceFlag,
    Visibility,
    Provenance,
    Clock,
)


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda vocabulary: vocabulary.__name__)
def test_every_value_is_a_term_with_its_code(vocabulary: type[StrEnum]) -> None:
    [taxonomy] = [taxonomy for taxonomy in TAXONOMIES if taxonomy.vocabulary is vocabulary]
    terms = {term["code"]: term for term in hsds_taxonomy_terms(taxonomy.id)}
    assert list(terms) == [value.value for value in vocabulary]
    for value in vocabulary:
        term = term_of(value)
        assert terms[value.value]["id"] == str(term.id)
        assert terms[value.value]["taxonomy_id"] == str(taxonomy.id)
        assert find_term(term.id) == term


def test_names_are_the_swedish_labels() -> None:
    assert term_of(TargetGroup.MC_GANG).name == label(TargetGroup.MC_GANG) == "MC-gäng"
    assert term_of(Intervention.PROTECTED_IDENTITY).name == "Skyddade personuppgifter"
    assert term_of(ServiceFlag.POLICE_REPORT_REQUIRED).name == "Polisanmälan krävs"
    # Values that other vocabularies share (ThreatLevel.NONE, ThreatScope.UNKNOWN) keep their own labels.
    assert term_of(ThreatRequirement.NONE).name == "Ingen hotbild krävs"
    assert term_of(CapacityStatus.UNKNOWN).name == "Okänt"


def test_names_are_distinct_within_each_taxonomy() -> None:
    for taxonomy in TAXONOMIES:
        names = [term.name for term in taxonomy.terms]
        assert len(set(names)) == len(names), taxonomy.key


def test_ids_are_stable_name_based_uuids() -> None:
    # Published ids: consumers filter on them, so a change here breaks them.
    assert str(NAMESPACE) == "6bd298a0-4b38-53e0-8e0d-209d23ea22ac"
    assert str(term_of(TargetGroup.RELATIVES).id) == "0384b398-2812-50a8-a37f-340ac1d58edf"
    assert str(term_of(TargetGroup.RELATIVES).taxonomy.id) == "cd92b297-9671-566a-8772-c331f1b8159d"
    assert term_of(TargetGroup.RELATIVES).id == uuid5(NAMESPACE, "taxonomy_term/target_group/relatives")
    assert find_taxonomy(UUID(str(hsds_taxonomies()[0]["id"]))) == TAXONOMIES[0]
    ids = [term["id"] for term in hsds_taxonomy_terms()] + [taxonomy["id"] for taxonomy in hsds_taxonomies()]
    assert len(set(ids)) == len(ids)


def test_same_string_values_in_different_vocabularies_are_different_terms() -> None:
    assert term_of(ThreatRequirement.NONE) != term_of(CapacityStatus.UNKNOWN)
    assert term_of(ContactChannel.PHONE).taxonomy.key == "contact_channel"


def test_a_vocabulary_that_is_not_published_has_no_term() -> None:
    from avhopp.directory.catalogue.vocabulary import ThreatLevel  # noqa: PLC0415 - only this test needs it

    with pytest.raises(LookupError):
        term_of(ThreatLevel.SERIOUS)


def test_taxonomies_and_terms_validate() -> None:
    for taxonomy in hsds_taxonomies():
        assert hsds_problems("taxonomy", taxonomy) == []
    for term in hsds_taxonomy_terms():
        assert hsds_problems("taxonomy_term", term) == []
        assert term["language"] == "sv"


def test_the_documented_identifier_scheme_is_the_one_used() -> None:
    documented = (Path(__file__).parents[2] / "docs" / "katalog.md").read_text(encoding="utf-8")
    assert str(NAMESPACE) in documented
    assert uuid5(NAMESPACE_URL, "urn:avhopp:hsds") == NAMESPACE
    assert str(SEED_NAMESPACE) in documented
    assert f"`taxonomy/drug_policy` = `{derived_id('taxonomy', 'drug_policy')}`" in documented
    term = derived_id("taxonomy_term", "drug_policy", "drug_free")
    assert f"`taxonomy_term/drug_policy/drug_free` = `{term}`" in documented
    assert term_of(DrugPolicy.DRUG_FREE).id == term
