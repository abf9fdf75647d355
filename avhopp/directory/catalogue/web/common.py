"""What the directory's pages share: the form's options, labels, the acting member."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from avhopp.directory.catalogue.eligibility import Verdict
from avhopp.directory.catalogue.vocabulary import (
    CustodyStatus,
    Intervention,
    OperationType,
    PaymentDecision,
    SubstanceUse,
    TargetGroup,
    ThreatLevel,
    ThreatScope,
    Weekday,
)
from avhopp.directory.catalogue.web.forms import choices
from avhopp.platform.labels import labels_of
from avhopp.platform.web.forms import Choice, ChoiceGroup, municipality_groups


@dataclass(frozen=True, slots=True)
class SituationOptions:
    """The choices of the situation form."""

    municipalities: tuple[ChoiceGroup, ...]
    threat_levels: tuple[Choice, ...]
    threat_scopes: tuple[Choice, ...]
    target_groups: tuple[Choice, ...]
    interventions: tuple[Choice, ...]
    payments: tuple[Choice, ...]
    substance_uses: tuple[Choice, ...]
    custody_statuses: tuple[Choice, ...]
    operation_types: tuple[Choice, ...]


@cache
def situation_options() -> SituationOptions:
    """The situation form's choices (the same for every request)."""
    return SituationOptions(
        municipalities=municipality_groups(),
        threat_levels=choices(ThreatLevel),
        threat_scopes=choices(ThreatScope),
        target_groups=choices(TargetGroup),
        interventions=choices(Intervention),
        payments=choices(PaymentDecision),
        substance_uses=choices(SubstanceUse),
        custody_statuses=choices(CustodyStatus),
        operation_types=choices(OperationType),
    )


@cache
def result_labels() -> dict[str, str]:
    """Labels the results show, by value: verdicts, operation types, weekdays (their values do not overlap)."""
    return labels_of(Verdict) | labels_of(OperationType) | labels_of(Weekday)


# END
