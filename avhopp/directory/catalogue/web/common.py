"""What the directory's pages share: the form's options, labels, the acting member."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from enum import StrEnum


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


# The public page asks the person in everyday words, not in the professionals' terms; the values
# are the same, so the search and its reasons do not change.
_PLAIN = {
    ThreatLevel.NONE: "Nej",
    ThreatLevel.LATENT: "Jag är rädd att bli hotad",
    ThreatLevel.SERIOUS: "Ja, jag är hotad",
    ThreatScope.UNKNOWN: "Vet inte",
    ThreatScope.LOCAL: "Bara där jag bor",
    ThreatScope.REGIONAL: "I flera kommuner eller i hela länet",
    ThreatScope.NATIONAL: "I hela Sverige",
    TargetGroup.MC_GANG: "Ett mc-gäng",
    TargetGroup.NEIGHBOURHOOD_GROUP: "Ett gäng i förorten eller stadsdelen",
    TargetGroup.WHITE_POWER: "Vit makt",
    TargetGroup.VIOLENT_EXTREMISM: "En annan grupp som vill använda våld för sina idéer",
    TargetGroup.HONOUR_CONTEXT: "Familj eller släkt som styr med hot om våld (heder)",
    TargetGroup.FAMILY_BASED: "Ett kriminellt nätverk inom släkten",
    TargetGroup.OTHER_CRIMINAL_GROUP: "Ett annat kriminellt gäng eller nätverk",
    TargetGroup.RELATIVES: "Jag är anhörig till någon i en sådan grupp",
    Intervention.THREAT_ASSESSMENT: "Att någon bedömer hur farligt det är",
    Intervention.EMERGENCY_HOUSING: "Någonstans att bo direkt",
    Intervention.SUPPORTED_HOUSING: "Ett boende där någon stöttar mig",
    Intervention.CONTACT_PERSON: "En person som finns där för mig",
    Intervention.CONVERSATIONAL_SUPPORT: "Någon att prata med",
    Intervention.FINANCIAL_AID: "Pengar att leva på",
    Intervention.ADDICTION_CARE: "Hjälp att sluta med droger eller alkohol",
    Intervention.MEDICAL_ASSESSMENT: "Hjälp med hälsan, också den psykiska",
    Intervention.INFLUENCE_PROGRAMME: "Ett program för att lämna kriminaliteten",
    Intervention.OCCUPATION: "Jobb eller något att göra om dagarna",
    Intervention.LONG_TERM_HOUSING: "Ett eget boende på sikt",
    Intervention.DEBT_COUNSELLING: "Hjälp med skulder",
    Intervention.SOCIAL_NETWORK: "Nya människor att umgås med",
    Intervention.PROTECTED_IDENTITY: "Att min adress hålls hemlig",
    SubstanceUse.NONE: "Nej",
    SubstanceUse.TRYING_TO_STOP: "Ja, men jag försöker sluta",
    SubstanceUse.ACTIVE: "Ja",
    CustodyStatus.NEITHER: "Nej",
    CustodyStatus.IN_CUSTODY: "Jag sitter i häkte eller fängelse",
    CustodyStatus.ON_PROBATION: "Jag har frivård eller övervakning",
}


def _plain(options: tuple[Choice, ...], values: type[StrEnum]) -> tuple[Choice, ...]:
    return tuple(Choice(choice.value, _PLAIN.get(values(choice.value), choice.label)) for choice in options)


@cache
def public_situation_options() -> SituationOptions:
    """The situation form's choices in everyday words, for the public page."""
    options = situation_options()
    return replace(
        options,
        threat_levels=_plain(options.threat_levels, ThreatLevel),
        threat_scopes=_plain(options.threat_scopes, ThreatScope),
        target_groups=_plain(options.target_groups, TargetGroup),
        interventions=_plain(options.interventions, Intervention),
        substance_uses=_plain(options.substance_uses, SubstanceUse),
        custody_statuses=_plain(options.custody_statuses, CustodyStatus),
    )


@cache
def result_labels() -> dict[str, str]:
    """Labels the results show, by value: verdicts, operation types, weekdays (their values do not overlap)."""
    return labels_of(Verdict) | labels_of(OperationType) | labels_of(Weekday)


# END
