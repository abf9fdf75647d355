"""Who can help this person: each service's verdict for one situation, with its reasons in Swedish.

Pure domain code: no database, no clock, no I/O. Each rule looks at one thing (where the
person is registered, age, group, threat, payment, drugs, custody, needs, capacity) and says met,
met on a named condition, or not met. A service is eligible when every rule is met,
eligible on conditions when none fails but some are conditional, and not eligible when
any rule fails. Every rule's finding is kept, so a "no" always says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING
from uuid import UUID  # noqa: TC003 - a dataclass field's type

from avhopp.directory.catalogue.entry import catchment_municipalities
from avhopp.directory.catalogue.vocabulary import (
    AreaKind,
    CapacityStatus,
    CustodyStatus,
    DrugPolicy,
    FundingRule,
    Intervention,
    PaymentDecision,
    ServiceStatus,
    SubstanceUse,
    TargetGroup,
    ThreatLevel,
    ThreatRequirement,
    ThreatScope,
)
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.labels import label, register_labels
from avhopp.platform.problems import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from avhopp.directory.catalogue.entry import Area, ServiceEntry

ADULT_AGE = 18
MAX_AGE = 120

# The reasons of the rules on threat scope, drugs and custody are fixed sentences, so the
# pages can translate them (the English catalogue has each of them as a message id).
LOCAL_THREAT_CONDITION = (
    "Om personen kan bo på en annan ort: verksamheten kan inte skydda, men hotet är bara lokalt, "
    "och då är skyddet att flytta härifrån."
)
LOCAL_THREAT_ONLY = (
    "Tar emot vid en allvarlig hotbild bara om hotet är lokalt; skyddet är då att flytta härifrån. "
    "Vid ett akut hot: ring 112; kontakta annars polisen."
)
DRUG_FREE_UNMET = (
    "Kräver att personen är drogfri. Första steget är missbruksvård, som socialtjänsten i hemkommunen "
    "kan ordna; därefter kan verksamheten bli aktuell."
)
DRUG_FREE_CONDITION = (
    "Om personen blir drogfri: verksamheten kräver drogfrihet, men ett återfall behöver inte stänga dörren."
)
DRUG_FREE_MET = "Kräver drogfrihet, och inget missbruk är känt."
WORKING_TOWARDS_CONDITION = (
    "Om personen börjar minska och sluta med drogerna: verksamheten kräver inte drogfrihet från början, "
    "men ett missbruk ska hela tiden minska."
)
WORKING_TOWARDS_MET = "Kräver att personen är drogfri eller försöker bli det, och det stämmer."
CUSTODY_ONLY_UNMET = (
    "Bara för personer som är frihetsberövade eller står under frivårdens tillsyn; det är inte personen."
)
CUSTODY_ONLY_MET = "För personer som är frihetsberövade eller står under frivårdens tillsyn, som personen."
FIXED_REASONS = (
    LOCAL_THREAT_CONDITION,
    LOCAL_THREAT_ONLY,
    DRUG_FREE_UNMET,
    DRUG_FREE_CONDITION,
    DRUG_FREE_MET,
    WORKING_TOWARDS_CONDITION,
    WORKING_TOWARDS_MET,
    CUSTODY_ONLY_UNMET,
    CUSTODY_ONLY_MET,
)
"""Every fixed reason, so a test can hold the English catalogue to them."""


class Verdict(StrEnum):
    """A service's answer for one situation, best first."""

    ELIGIBLE = "eligible"
    CONDITIONAL = "conditional"
    NOT_ELIGIBLE = "not_eligible"


register_labels(
    (
        (Verdict.ELIGIBLE, "Kan ta emot"),
        (Verdict.CONDITIONAL, "Kan ta emot om ett villkor uppfylls"),
        (Verdict.NOT_ELIGIBLE, "Kan inte ta emot"),
    )
)


@dataclass(frozen=True, slots=True)
class Situation:
    """What is known about the person who needs help; nothing that identifies them."""

    home_municipality_code: str
    age: int
    threat_level: ThreatLevel = ThreatLevel.NONE
    threat_scope: ThreatScope = ThreatScope.UNKNOWN
    police_confirmed_threat: bool = False
    target_group: TargetGroup | None = None
    needs: frozenset[Intervention] = frozenset()
    payment: PaymentDecision = PaymentDecision.NOT_ASKED
    substance_use: SubstanceUse = SubstanceUse.NONE
    custody: CustodyStatus = CustodyStatus.NEITHER

    def __post_init__(self) -> None:
        """Refuse an unknown municipality or an impossible age, naming the field."""
        if self.home_municipality_code not in _municipality_names():
            raise InvalidInputError.one("home_municipality_code", f"Okänd kommunkod: {self.home_municipality_code!r}.")
        if not 0 <= self.age <= MAX_AGE:
            raise InvalidInputError.one("age", f"Åldern måste vara mellan 0 och {MAX_AGE} år.")
        if self.police_confirmed_threat and self.threat_level is ThreatLevel.NONE:
            raise InvalidInputError.one(
                "police_confirmed_threat", "Polisen kan inte ha bekräftat en hotbild som inte finns."
            )


class Finding(StrEnum):
    """What one rule found."""

    MET = "met"
    CONDITION = "condition"
    UNMET = "unmet"


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule's finding, in plain Swedish."""

    finding: Finding
    text: str


@dataclass(frozen=True, slots=True)
class Assessment:
    """One service's verdict for a situation and every reason behind it (failures first)."""

    service_id: UUID
    verdict: Verdict
    reasons: tuple[Reason, ...]
    offered_needs: frozenset[Intervention] = field(default_factory=frozenset)

    @property
    def conditions(self) -> tuple[str, ...]:
        """The named conditions of a conditional verdict."""
        return tuple(r.text for r in self.reasons if r.finding is Finding.CONDITION)


@cache
def _municipality_names() -> dict[str, str]:
    return {m.code: m.name for m in shipped_geography().municipalities}


def area_name(area: Area) -> str:
    """An area as people say it: "hela landet", "Västra Götalands län", "Göteborg", "polisregion Väst"."""
    geography = shipped_geography()
    if area.kind is AreaKind.COUNTRY:
        return "hela landet"
    if area.kind is AreaKind.COUNTY:
        return next(c.name for c in geography.counties if c.code == area.code)
    if area.kind is AreaKind.POLICE_REGION:
        return f"polisregion {geography.police_regions[area.code]}"
    return _municipality_names()[area.code]


def _listing(names: Iterable[str]) -> str:
    items = list(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def _status(service: ServiceEntry, _situation: Situation) -> Reason | None:
    if service.status is ServiceStatus.ACTIVE:
        return None
    return Reason(Finding.UNMET, f"Tjänsten är inte aktiv ({label(service.status).lower()}).")


def _residence(service: ServiceEntry, situation: Situation) -> Reason:
    home = _municipality_names()[situation.home_municipality_code]
    if any(area.kind is AreaKind.COUNTRY for area in service.catchment):
        return Reason(Finding.MET, "Tar emot personer från hela landet.")
    if not service.catchment:
        # Validation refuses an empty catchment; an entry that skipped it takes nobody.
        return Reason(Finding.UNMET, "Verksamheten har inte angett vilka den tar emot.")
    areas = _listing(area_name(area) for area in service.catchment)
    if situation.home_municipality_code in catchment_municipalities(service.catchment):
        return Reason(Finding.MET, f"Tar emot folkbokförda i {areas}, och personen är folkbokförd i {home}.")
    return Reason(Finding.UNMET, f"Tar bara emot folkbokförda i {areas}. Personen är folkbokförd i {home}.")


def _age(service: ServiceEntry, situation: Situation) -> Reason | None:
    low, high = service.minimum_age, service.maximum_age
    if low is not None and situation.age < low:
        text = f"Tar emot från {low} års ålder; personen är {situation.age} år."
        if situation.age < ADULT_AGE <= low:
            text += " Den som är under 18 år får stöd genom socialtjänsten i sin hemkommun."
        return Reason(Finding.UNMET, text)
    if high is not None and situation.age > high:
        return Reason(Finding.UNMET, f"Tar emot till och med {high} års ålder; personen är {situation.age} år.")
    if low is None and high is None:
        return None
    return Reason(Finding.MET, f"Personens ålder ({situation.age} år) ligger inom verksamhetens åldersgräns.")


def _target_group(service: ServiceEntry, situation: Situation) -> Reason | None:
    if not service.target_groups or situation.target_group is None:
        return None
    groups = _listing(label(group).lower() for group in service.target_groups)
    if situation.target_group in service.target_groups:
        return Reason(Finding.MET, f"Vänder sig till {groups}.")
    return Reason(Finding.UNMET, f"Vänder sig bara till {groups}, inte till {label(situation.target_group).lower()}.")


def _threat_requirement(service: ServiceEntry, situation: Situation) -> Reason | None:
    required = service.threat_requirement
    if required is ThreatRequirement.NONE:
        return None
    has_threat = situation.threat_level is not ThreatLevel.NONE
    if required is ThreatRequirement.THREAT:
        if has_threat:
            return Reason(Finding.MET, "Kräver en hotbild, och det finns en.")
        return Reason(Finding.UNMET, "Tar bara emot personer som är utsatta för hot.")
    if has_threat and situation.police_confirmed_threat:
        return Reason(Finding.MET, "Kräver en hotbild som polisen har bekräftat, och det har polisen gjort.")
    return Reason(
        Finding.UNMET,
        "Tar bara emot personer vars hotbild polisen har bekräftat. "
        "Polisen kan göra en hot- och riskbedömning; ingen polisanmälan behövs för det.",
    )


def _serious_threat(service: ServiceEntry, situation: Situation) -> Reason | None:
    if situation.threat_level is not ThreatLevel.SERIOUS:
        return None
    if service.accepts_serious_threat:
        text = "Kan ge stöd också vid en allvarlig hotbild."
        if situation.threat_scope is ThreatScope.NATIONAL:
            text += " Hotet är nationellt, så skydd och boende kan behöva ordnas långt från hemorten."
        return Reason(Finding.MET, text)
    if service.accepts_local_serious_threat and situation.threat_scope is ThreatScope.LOCAL:
        # Brå 2016:6: operations that cannot protect can still take someone whose threat is
        # only local, by housing them elsewhere; moving away is then the protection.
        return Reason(Finding.CONDITION, LOCAL_THREAT_CONDITION)
    if service.accepts_local_serious_threat:
        return Reason(Finding.UNMET, LOCAL_THREAT_ONLY)
    return Reason(
        Finding.UNMET,
        "Kan inte ge skydd vid en allvarlig hotbild. Vid ett akut hot: ring 112; kontakta annars polisen.",
    )


def _payment(service: ServiceEntry, situation: Situation) -> Reason | None:
    if service.funding_rule is FundingRule.FREE:
        return None
    if situation.payment is PaymentDecision.AGREED:
        return Reason(Finding.MET, "Hemkommunen betalar, och den har beslutat att göra det.")
    if situation.payment is PaymentDecision.REFUSED:
        return Reason(Finding.UNMET, "Kräver att hemkommunen betalar, och hemkommunen har sagt nej.")
    return Reason(Finding.CONDITION, "Om socialtjänsten i hemkommunen beslutar att betala för insatsen.")


def _police_report(service: ServiceEntry, _situation: Situation) -> Reason | None:
    if not service.police_report_required:
        return None
    return Reason(
        Finding.CONDITION,
        "Om personen gör en polisanmälan: den här verksamheten kräver det. "
        "Socialtjänsten och stödlinjen kräver aldrig någon anmälan.",
    )


def _custody(service: ServiceEntry, situation: Situation) -> Reason | None:
    if service.custody_only:
        if situation.custody is CustodyStatus.NEITHER:
            return Reason(Finding.UNMET, CUSTODY_ONLY_UNMET)
        return Reason(Finding.MET, CUSTODY_ONLY_MET)
    if situation.custody is not CustodyStatus.IN_CUSTODY:
        return None
    if service.reaches_custody:
        return Reason(Finding.MET, "Arbetar också med personer som är frihetsberövade.")
    return Reason(
        Finding.CONDITION, "Efter frigivningen: verksamheten arbetar inte med personer i anstalt eller häkte."
    )


def _drugs(service: ServiceEntry, situation: Situation) -> Reason | None:
    if service.drug_policy is DrugPolicy.NO_REQUIREMENT:
        return None
    use = situation.substance_use
    if service.drug_policy is DrugPolicy.DRUG_FREE:
        if use is SubstanceUse.ACTIVE:
            return Reason(Finding.UNMET, DRUG_FREE_UNMET)
        if use is SubstanceUse.TRYING_TO_STOP:
            return Reason(Finding.CONDITION, DRUG_FREE_CONDITION)
        return Reason(Finding.MET, DRUG_FREE_MET)
    if use is SubstanceUse.ACTIVE:
        return Reason(Finding.CONDITION, WORKING_TOWARDS_CONDITION)
    return Reason(Finding.MET, WORKING_TOWARDS_MET)


def _needs(service: ServiceEntry, situation: Situation) -> Reason | None:
    if not situation.needs:
        return None
    offered = situation.needs & set(service.interventions)
    if not offered:
        wanted = _listing(sorted(label(need).lower() for need in situation.needs))
        return Reason(Finding.UNMET, f"Erbjuder inget av det som behövs ({wanted}).")
    text = f"Erbjuder {_listing(sorted(label(need).lower() for need in offered))}."
    missing = situation.needs - offered
    if missing:
        text += f" Erbjuder inte {_listing(sorted(label(need).lower() for need in missing))}."
    return Reason(Finding.MET, text)


def _capacity(service: ServiceEntry, _situation: Situation) -> Reason | None:
    if service.capacity is not CapacityStatus.FULL:
        return None
    return Reason(Finding.CONDITION, "När det finns plats: verksamheten tar inte emot nya just nu.")


_RULES = (
    _status,
    _residence,
    _age,
    _target_group,
    _threat_requirement,
    _serious_threat,
    _payment,
    _police_report,
    _drugs,
    _custody,
    _needs,
    _capacity,
)
_ORDER = {Finding.UNMET: 0, Finding.CONDITION: 1, Finding.MET: 2}


def assess(service: ServiceEntry, situation: Situation) -> Assessment:
    """One service's verdict for the situation, with every reason."""
    reasons = [reason for rule in _RULES if (reason := rule(service, situation)) is not None]
    findings = {reason.finding for reason in reasons}
    if Finding.UNMET in findings:
        verdict = Verdict.NOT_ELIGIBLE
    elif Finding.CONDITION in findings:
        verdict = Verdict.CONDITIONAL
    else:
        verdict = Verdict.ELIGIBLE
    reasons.sort(key=lambda reason: _ORDER[reason.finding])
    return Assessment(
        service_id=service.id,
        verdict=verdict,
        reasons=tuple(reasons),
        offered_needs=frozenset(situation.needs & set(service.interventions)),
    )


def assess_all(services: Iterable[ServiceEntry], situation: Situation) -> list[Assessment]:
    """Every service's assessment, in the order given."""
    return [assess(service, situation) for service in services]
