"""The directory's controlled vocabularies, each with its Swedish label.

The values are stored in the database, sent in the API and exported as HSDS taxonomy terms:
renaming a value is a data migration. Labels are what people read.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from avhopp.platform.labels import register_labels

if TYPE_CHECKING:
    from collections.abc import Iterable


class OperationType(StrEnum):
    """Who runs an organisation, which decides whom it may take and whether it can protect."""

    AUTHORITY = "authority"
    NON_AUTHORITY = "non_authority"
    PUBLIC_ACTOR = "public_actor"


class AreaKind(StrEnum):
    """The kind of area a catchment lists."""

    COUNTRY = "country"
    COUNTY = "county"
    MUNICIPALITY = "municipality"
    POLICE_REGION = "police_region"


class ThreatRequirement(StrEnum):
    """What a service requires about a threat against the person."""

    NONE = "none"
    THREAT = "threat"
    POLICE_CONFIRMED = "police_confirmed"


class DrugPolicy(StrEnum):
    """What a service asks about drugs."""

    NO_REQUIREMENT = "no_requirement"
    WORKING_TOWARDS = "working_towards"
    DRUG_FREE = "drug_free"


class TargetGroup(StrEnum):
    """The kind of group a person leaves (or, for relatives, whom they support)."""

    MC_GANG = "mc_gang"
    NEIGHBOURHOOD_GROUP = "neighbourhood_group"
    WHITE_POWER = "white_power"
    VIOLENT_EXTREMISM = "violent_extremism"
    HONOUR_CONTEXT = "honour_context"
    FAMILY_BASED = "family_based"
    OTHER_CRIMINAL_GROUP = "other_criminal_group"
    RELATIVES = "relatives"


class Intervention(StrEnum):
    """An intervention (insats) a service offers; the brief's list, plus guidance."""

    GUIDANCE = "guidance"
    THREAT_ASSESSMENT = "threat_assessment"
    PROTECTION = "protection"
    EMERGENCY_HOUSING = "emergency_housing"
    SUPPORTED_HOUSING = "supported_housing"
    RELOCATION = "relocation"
    CONTACT_PERSON = "contact_person"
    CONVERSATIONAL_SUPPORT = "conversational_support"
    PRACTICAL_SUPPORT = "practical_support"
    FINANCIAL_AID = "financial_aid"
    ADDICTION_CARE = "addiction_care"
    MEDICAL_ASSESSMENT = "medical_assessment"
    THERAPY = "therapy"
    INFLUENCE_PROGRAMME = "influence_programme"
    OCCUPATION = "occupation"
    EDUCATION = "education"
    LONG_TERM_HOUSING = "long_term_housing"
    DEBT_COUNSELLING = "debt_counselling"
    SOCIAL_NETWORK = "social_network"
    FAMILY_SUPPORT = "family_support"
    PROTECTED_IDENTITY = "protected_identity"


def bit(value: TargetGroup | Intervention) -> int:
    """The value's bit: 1 shifted by its place in its vocabulary.

    Stored (a service's `target_group_bits` and `intervention_bits`), so search counts its facets
    with integer tests instead of unnesting arrays: a new value goes last, never between others,
    or the stored bits would name other values (the test pins the order).
    """
    return 1 << list(type(value)).index(value)


def bits(values: Iterable[TargetGroup | Intervention]) -> int:
    """The values' bits together."""
    combined = 0
    for value in values:
        combined |= bit(value)
    return combined


class FundingRule(StrEnum):
    """Who pays for a person's support."""

    FREE = "free"
    HOME_MUNICIPALITY_PAYS = "home_municipality_pays"


class CapacityStatus(StrEnum):
    """Whether a service takes new people now."""

    OPEN = "open"
    LIMITED = "limited"
    FULL = "full"
    UNKNOWN = "unknown"


class ContactChannel(StrEnum):
    """How a service can be reached."""

    PHONE = "phone"
    TEXT_MESSAGE = "text_message"
    EMAIL = "email"
    CHAT = "chat"
    VISIT = "visit"


class ServiceStatus(StrEnum):
    """HSDS's service status."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


class Weekday(StrEnum):
    """A weekday as in iCalendar's BYDAY (which HSDS schedules use)."""

    MO = "MO"
    TU = "TU"
    WE = "WE"
    TH = "TH"
    FR = "FR"
    SA = "SA"
    SU = "SU"


class ThreatLevel(StrEnum):
    """How serious the threat against the person is, as far as is known."""

    NONE = "none"
    LATENT = "latent"
    SERIOUS = "serious"


class ThreatScope(StrEnum):
    """How far the threat reaches."""

    UNKNOWN = "unknown"
    LOCAL = "local"
    REGIONAL = "regional"
    NATIONAL = "national"


class SubstanceUse(StrEnum):
    """Whether the person uses drugs now, as far as is known."""

    NONE = "none"
    TRYING_TO_STOP = "trying_to_stop"
    ACTIVE = "active"


class CustodyStatus(StrEnum):
    """Whether the person is deprived of liberty or under the probation service's supervision."""

    NEITHER = "neither"
    IN_CUSTODY = "in_custody"
    ON_PROBATION = "on_probation"


class PaymentDecision(StrEnum):
    """Whether the home municipality's social services have agreed to pay."""

    NOT_ASKED = "not_asked"
    AGREED = "agreed"
    REFUSED = "refused"


class Language(StrEnum):
    """A language a service is given in (ISO 639): the ones the editor offers; other codes an import brings are kept."""

    SV = "sv"
    EN = "en"
    AR = "ar"
    FA = "fa"
    PRS = "prs"
    PS = "ps"
    SO = "so"
    TI = "ti"
    AM = "am"
    KU = "ku"
    TR = "tr"
    BS = "bs"
    HR = "hr"
    SR = "sr"
    SQ = "sq"
    PL = "pl"
    RU = "ru"
    UK = "uk"
    RO = "ro"
    ES = "es"
    FR = "fr"
    DE = "de"
    FI = "fi"
    FIT = "fit"
    SE = "se"
    ROM = "rom"
    YI = "yi"
    SWL = "swl"
    """Svenskt teckenspråk (ISO 639-3 swl)."""


_LABELLED: tuple[tuple[StrEnum, str], ...] = (
    (OperationType.AUTHORITY, "Myndighetsdriven avhopparverksamhet"),
    (OperationType.NON_AUTHORITY, "Icke-myndighetsdriven verksamhet"),
    (OperationType.PUBLIC_ACTOR, "Ordinarie offentlig aktör"),
    (AreaKind.COUNTRY, "Hela landet"),
    (AreaKind.COUNTY, "Län"),
    (AreaKind.MUNICIPALITY, "Kommun"),
    (AreaKind.POLICE_REGION, "Polisregion"),
    (ThreatRequirement.NONE, "Ingen hotbild krävs"),
    (ThreatRequirement.THREAT, "En hotbild krävs"),
    (ThreatRequirement.POLICE_CONFIRMED, "En hotbild som polisen har bekräftat krävs"),
    (DrugPolicy.NO_REQUIREMENT, "Inget krav på drogfrihet"),
    (DrugPolicy.WORKING_TOWARDS, "Drogfri eller på väg att bli det"),
    (DrugPolicy.DRUG_FREE, "Drogfrihet krävs"),
    (TargetGroup.MC_GANG, "MC-gäng"),
    (TargetGroup.NEIGHBOURHOOD_GROUP, "Förorts- och stadsdelsbaserade grupper"),
    (TargetGroup.WHITE_POWER, "Vit makt-miljön"),
    (TargetGroup.VIOLENT_EXTREMISM, "Annan våldsbejakande extremism"),
    (TargetGroup.HONOUR_CONTEXT, "Hedersrelaterad kontext"),
    (TargetGroup.FAMILY_BASED, "Familjebaserade nätverk"),
    (TargetGroup.OTHER_CRIMINAL_GROUP, "Andra kriminella grupper och nätverk"),
    (TargetGroup.RELATIVES, "Anhöriga"),
    (Intervention.GUIDANCE, "Råd och vägledning"),
    (Intervention.THREAT_ASSESSMENT, "Hot- och riskbedömning"),
    (Intervention.PROTECTION, "Skydd"),
    (Intervention.EMERGENCY_HOUSING, "Akut boende"),
    (Intervention.SUPPORTED_HOUSING, "Stödboende"),
    (Intervention.RELOCATION, "Flytt till annan kommun"),
    (Intervention.CONTACT_PERSON, "Kontaktperson"),
    (Intervention.CONVERSATIONAL_SUPPORT, "Samtalsstöd"),
    (Intervention.PRACTICAL_SUPPORT, "Praktiskt stöd"),
    (Intervention.FINANCIAL_AID, "Ekonomiskt bistånd"),
    (Intervention.ADDICTION_CARE, "Missbruksvård"),
    (Intervention.MEDICAL_ASSESSMENT, "Medicinsk eller psykiatrisk utredning"),
    (Intervention.THERAPY, "Terapi och behandling"),
    (Intervention.INFLUENCE_PROGRAMME, "Påverkansprogram"),
    (Intervention.OCCUPATION, "Sysselsättning och arbetsträning"),
    (Intervention.EDUCATION, "Utbildning"),
    (Intervention.LONG_TERM_HOUSING, "Långsiktigt boende"),
    (Intervention.DEBT_COUNSELLING, "Skuldrådgivning"),
    (Intervention.SOCIAL_NETWORK, "Nytt socialt nätverk"),
    (Intervention.FAMILY_SUPPORT, "Stöd till familjen"),
    (Intervention.PROTECTED_IDENTITY, "Skyddade personuppgifter"),
    (FundingRule.FREE, "Kostnadsfritt för personen och kommunen"),
    (FundingRule.HOME_MUNICIPALITY_PAYS, "Hemkommunen beslutar och betalar"),
    (CapacityStatus.OPEN, "Tar emot nya"),
    (CapacityStatus.LIMITED, "Begränsat utrymme"),
    (CapacityStatus.FULL, "Tar inte emot nya just nu"),
    (CapacityStatus.UNKNOWN, "Okänt"),
    (ContactChannel.PHONE, "Telefon"),
    (ContactChannel.TEXT_MESSAGE, "Sms"),
    (ContactChannel.EMAIL, "E-post (inte för känsliga uppgifter)"),
    (ContactChannel.CHAT, "Chatt"),
    (ContactChannel.VISIT, "Besök"),
    (ServiceStatus.ACTIVE, "Aktiv"),
    (ServiceStatus.INACTIVE, "Inaktiv"),
    (ServiceStatus.DEFUNCT, "Nedlagd"),
    (ServiceStatus.TEMPORARILY_CLOSED, "Tillfälligt stängd"),
    (Weekday.MO, "måndag"),
    (Weekday.TU, "tisdag"),
    (Weekday.WE, "onsdag"),
    (Weekday.TH, "torsdag"),
    (Weekday.FR, "fredag"),
    (Weekday.SA, "lördag"),
    (Weekday.SU, "söndag"),
    (ThreatLevel.NONE, "Ingen känd hotbild"),
    (ThreatLevel.LATENT, "Latent hotbild"),
    (ThreatLevel.SERIOUS, "Allvarlig, konkret hotbild"),
    (ThreatScope.UNKNOWN, "Okänd räckvidd"),
    (ThreatScope.LOCAL, "Lokal"),
    (ThreatScope.REGIONAL, "Regional"),
    (ThreatScope.NATIONAL, "Nationell"),
    (SubstanceUse.NONE, "Inget känt missbruk"),
    (SubstanceUse.TRYING_TO_STOP, "Använder droger men försöker sluta"),
    (SubstanceUse.ACTIVE, "Använder droger"),
    (CustodyStatus.NEITHER, "Varken frihetsberövad eller under frivårdens tillsyn"),
    (CustodyStatus.IN_CUSTODY, "Frihetsberövad (häkte eller anstalt)"),
    (CustodyStatus.ON_PROBATION, "Under frivårdens tillsyn"),
    (PaymentDecision.NOT_ASKED, "Inte tillfrågad ännu"),
    (PaymentDecision.AGREED, "Har beslutat att betala"),
    (PaymentDecision.REFUSED, "Har sagt nej"),
    (Language.SV, "Svenska"),
    (Language.EN, "Engelska"),
    (Language.AR, "Arabiska"),
    (Language.FA, "Persiska"),
    (Language.PRS, "Dari"),
    (Language.PS, "Pashto"),
    (Language.SO, "Somaliska"),
    (Language.TI, "Tigrinja"),
    (Language.AM, "Amhariska"),
    (Language.KU, "Kurdiska"),
    (Language.TR, "Turkiska"),
    (Language.BS, "Bosniska"),
    (Language.HR, "Kroatiska"),
    (Language.SR, "Serbiska"),
    (Language.SQ, "Albanska"),
    (Language.PL, "Polska"),
    (Language.RU, "Ryska"),
    (Language.UK, "Ukrainska"),
    (Language.RO, "Rumänska"),
    (Language.ES, "Spanska"),
    (Language.FR, "Franska"),
    (Language.DE, "Tyska"),
    (Language.FI, "Finska"),
    (Language.FIT, "Meänkieli"),
    (Language.SE, "Samiska"),
    (Language.ROM, "Romani"),
    (Language.YI, "Jiddisch"),
    (Language.SWL, "Svenskt teckenspråk"),
)
register_labels(_LABELLED)
