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
from typing import TYPE_CHECKING, Any
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
    from collections.abc import Callable, Iterable

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

# Reasons with names, numbers or labels in them: Swedish message ids with named fields, which the
# pages translate before filling in (see `Reason.in_language`).
STATUS_UNMET = "Tjänsten är inte aktiv ({status})."
RESIDENCE_COUNTRY = "Tar emot personer från hela landet."
RESIDENCE_NONE = "Verksamheten har inte angett vilka den tar emot."
RESIDENCE_MET = "Tar emot folkbokförda i {areas}, och personen är folkbokförd i {home}."
RESIDENCE_UNMET = "Tar bara emot folkbokförda i {areas}. Personen är folkbokförd i {home}."
AGE_TOO_YOUNG = "Tar emot från {low} års ålder; personen är {age} år."
AGE_TOO_YOUNG_CHILD = (
    "Tar emot från {low} års ålder; personen är {age} år. "
    "Den som är under 18 år får stöd genom socialtjänsten i sin hemkommun."
)
AGE_TOO_OLD = "Tar emot till och med {high} års ålder; personen är {age} år."
AGE_MET = "Personens ålder ({age} år) ligger inom verksamhetens åldersgräns."
GROUP_MET = "Vänder sig till {groups}."
GROUP_UNMET = "Vänder sig bara till {groups}, inte till {group}."
NEEDS_UNMET = "Erbjuder inget av det som behövs ({wanted})."
NEEDS_MET = "Erbjuder {offered}."
NEEDS_PARTLY = "Erbjuder {offered}. Erbjuder inte {missing}."
SERIOUS_THREAT_MET = "Kan ge stöd också vid en allvarlig hotbild."
SERIOUS_THREAT_NATIONAL = (
    "Kan ge stöd också vid en allvarlig hotbild. "
    "Hotet är nationellt, så skydd och boende kan behöva ordnas långt från hemorten."
)


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
class Labels:
    """Labels inside a reason (groups, needs, a status): translated, in small letters, listed with "och"."""

    labels: tuple[str, ...]


def _listing(names: Iterable[str], gettext: Callable[[str], str] | None = None) -> str:
    items = list(names)
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {gettext('och') if gettext else 'och'} " + items[-1]


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule's finding: a Swedish sentence (`message`, the message id) with its values filled in.

    A value is a name or a number, kept as written, or `Labels`, which are translated.
    """

    finding: Finding
    message: str
    values: tuple[tuple[str, str | Labels], ...] = ()

    @property
    def text(self) -> str:
        """The reason in Swedish."""
        return self.in_language(lambda message: message)

    def in_language(self, gettext: Callable[[str], str]) -> str:
        """The reason in the language of `gettext` (which answers the Swedish text where it has none)."""
        filled: dict[str, Any] = {}
        for name, value in self.values:
            if isinstance(value, Labels):
                filled[name] = _listing((gettext(each).lower() for each in value.labels), gettext)
            else:
                filled[name] = value
        return gettext(self.message).format(**filled)


def _reason(finding: Finding, message: str, **values: str | Labels) -> Reason:
    return Reason(finding, message, tuple(values.items()))


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


def _status(service: ServiceEntry, _situation: Situation) -> Reason | None:
    if service.status is ServiceStatus.ACTIVE:
        return None
    return _reason(Finding.UNMET, STATUS_UNMET, status=Labels((label(service.status),)))


def _residence(service: ServiceEntry, situation: Situation) -> Reason:
    home = _municipality_names()[situation.home_municipality_code]
    if any(area.kind is AreaKind.COUNTRY for area in service.catchment):
        return Reason(Finding.MET, RESIDENCE_COUNTRY)
    if not service.catchment:
        # Validation refuses an empty catchment; an entry that skipped it takes nobody.
        return Reason(Finding.UNMET, RESIDENCE_NONE)
    areas = _listing(area_name(area) for area in service.catchment)
    if situation.home_municipality_code in catchment_municipalities(service.catchment):
        return _reason(Finding.MET, RESIDENCE_MET, areas=areas, home=home)
    return _reason(Finding.UNMET, RESIDENCE_UNMET, areas=areas, home=home)


def _age(service: ServiceEntry, situation: Situation) -> Reason | None:
    low, high = service.minimum_age, service.maximum_age
    age = str(situation.age)
    if low is not None and situation.age < low:
        message = AGE_TOO_YOUNG_CHILD if situation.age < ADULT_AGE <= low else AGE_TOO_YOUNG
        return _reason(Finding.UNMET, message, low=str(low), age=age)
    if high is not None and situation.age > high:
        return _reason(Finding.UNMET, AGE_TOO_OLD, high=str(high), age=age)
    if low is None and high is None:
        return None
    return _reason(Finding.MET, AGE_MET, age=age)


def _target_group(service: ServiceEntry, situation: Situation) -> Reason | None:
    if not service.target_groups or situation.target_group is None:
        return None
    groups = Labels(tuple(label(group) for group in service.target_groups))
    if situation.target_group in service.target_groups:
        return _reason(Finding.MET, GROUP_MET, groups=groups)
    return _reason(Finding.UNMET, GROUP_UNMET, groups=groups, group=Labels((label(situation.target_group),)))


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
        if situation.threat_scope is ThreatScope.NATIONAL:
            return Reason(Finding.MET, SERIOUS_THREAT_NATIONAL)
        return Reason(Finding.MET, SERIOUS_THREAT_MET)
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

    def needs(chosen: Iterable[Intervention]) -> Labels:
        return Labels(tuple(sorted((label(need) for need in chosen), key=str.lower)))

    if not offered:
        return _reason(Finding.UNMET, NEEDS_UNMET, wanted=needs(situation.needs))
    missing = situation.needs - offered
    if missing:
        return _reason(Finding.MET, NEEDS_PARTLY, offered=needs(offered), missing=needs(missing))
    return _reason(Finding.MET, NEEDS_MET, offered=needs(offered))


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
