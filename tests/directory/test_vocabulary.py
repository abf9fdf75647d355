"""Every vocabulary value has its own Swedish label, also where two vocabularies share a value."""

from __future__ import annotations

from enum import StrEnum

import pytest

from avhopp.directory.catalogue import vocabulary
from avhopp.directory.catalogue.vocabulary import CapacityStatus, ThreatLevel, ThreatRequirement, ThreatScope
from avhopp.platform.labels import label

VOCABULARIES = [
    member
    for member in vars(vocabulary).values()
    if isinstance(member, type) and issubclass(member, StrEnum) and member is not StrEnum
]


@pytest.mark.parametrize("vocabulary_type", VOCABULARIES, ids=lambda v: v.__name__)
def test_each_value_has_a_distinct_label(vocabulary_type: type[StrEnum]) -> None:
    labels = [label(member) for member in vocabulary_type]
    assert all(labels)
    assert len(set(labels)) == len(labels)


def test_shared_values_keep_their_own_labels() -> None:
    assert label(ThreatRequirement.NONE) == "Ingen hotbild krävs"
    assert label(ThreatLevel.NONE) == "Ingen känd hotbild"
    assert label(CapacityStatus.UNKNOWN) == "Okänt"
    assert label(ThreatScope.UNKNOWN) == "Okänd räckvidd"
