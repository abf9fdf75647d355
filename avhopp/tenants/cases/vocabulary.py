"""The cases part's codes. Codes are stored; labels (Swedish, English in the catalogue) are registered."""

from __future__ import annotations

import enum

from avhopp.directory.catalogue.service import Intervention, TargetGroup, ThreatLevel
from avhopp.platform.labels import register_labels

__all__ = [
    "ALLOWED_PHASE_CHANGES",
    "CLOSED_PHASES",
    "OPEN_PHASES",
    "AreaKind",
    "Category",
    "ContactSource",
    "EndReason",
    "Intervention",
    "InterventionStatus",
    "Phase",
    "ProtectedIdentity",
    "TargetGroup",
    "TeamRole",
    "ThreatLevel",
    "ThreatScope",
]
"""Needs, group affiliation and threat level are the directory's codes: one vocabulary everywhere."""


class ProtectedIdentity(enum.StrEnum):
    """The person's protected-identity level in the population register."""

    NONE = "none"
    CONFIDENTIALITY_MARKING = "confidentiality_marking"
    """Sekretessmarkering."""
    REGISTERED_ELSEWHERE = "registered_elsewhere"
    """Kvarskrivning: registered at the old address."""
    FICTITIOUS_IDENTITY = "fictitious_identity"
    """Fingerade personuppgifter: a new identity."""


class ContactSource(enum.StrEnum):
    """Who made the first contact."""

    PERSON = "person"
    RELATIVE = "relative"
    POLICE = "police"
    PRISON_AND_PROBATION = "prison_and_probation"
    GUIDANCE_LINE = "guidance_line"
    OTHER = "other"


class Phase(enum.StrEnum):
    """Where a case is: a draft before intake, the three phases of the work, and its two ends."""

    DRAFT = "draft"
    ACUTE = "acute"
    STABILISING = "stabilising"
    LONG_TERM = "long_term"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"


OPEN_PHASES = frozenset({Phase.DRAFT, Phase.ACUTE, Phase.STABILISING, Phase.LONG_TERM})
CLOSED_PHASES = frozenset({Phase.COMPLETED, Phase.ENDED_EARLY})

ALLOWED_PHASE_CHANGES: dict[Phase, frozenset[Phase]] = {
    Phase.DRAFT: frozenset({Phase.ACUTE, Phase.ENDED_EARLY}),
    Phase.ACUTE: frozenset({Phase.STABILISING, Phase.ENDED_EARLY}),
    Phase.STABILISING: frozenset({Phase.LONG_TERM, Phase.ACUTE, Phase.ENDED_EARLY}),
    Phase.LONG_TERM: frozenset({Phase.COMPLETED, Phase.STABILISING, Phase.ENDED_EARLY}),
    # Reopened after a relapse: many operations open the door a second time.
    Phase.COMPLETED: frozenset({Phase.ACUTE}),
    Phase.ENDED_EARLY: frozenset({Phase.ACUTE}),
}
"""From each phase, where a case may go next."""


class EndReason(enum.StrEnum):
    """Why a case ended early, or was reopened."""

    PERSON_WITHDREW = "person_withdrew"
    RETURNED_TO_CRIME = "returned_to_crime"
    NO_CONTACT = "no_contact"
    MOVED_ABROAD = "moved_abroad"
    TRANSFERRED = "transferred"
    DIED = "died"
    OTHER = "other"
    RELAPSE = "relapse"
    """Only for reopening."""


class TeamRole(enum.StrEnum):
    """A person's place in a case team."""

    RESPONSIBLE = "responsible"
    DEPUTY = "deputy"
    MEMBER = "member"
    """Staff of an organisation the consent names."""


class Category(enum.StrEnum):
    """The categories of information a consent lets the case share."""

    IDENTITY = "identity"
    THREAT_ASSESSMENT = "threat_assessment"
    ACTION_PLAN = "action_plan"
    HOUSING = "housing"
    FOLLOW_UP = "follow_up"


class ThreatScope(enum.StrEnum):
    """How far the threat reaches, as the placement engine reads it; local and regional name the areas."""

    LOCAL = "local"
    REGIONAL = "regional"
    NATIONAL = "national"


class AreaKind(enum.StrEnum):
    """What a code in a threat's scope names."""

    MUNICIPALITY = "municipality"
    COUNTY = "county"
    POLICE_REGION = "police_region"


class InterventionStatus(enum.StrEnum):
    """Where an intervention of the action plan stands."""

    PLANNED = "planned"
    ONGOING = "ongoing"
    DONE = "done"
    CANCELLED = "cancelled"


register_labels(
    (
        (ProtectedIdentity.NONE, "Inget skydd"),
        (ProtectedIdentity.CONFIDENTIALITY_MARKING, "Sekretessmarkering"),
        (ProtectedIdentity.REGISTERED_ELSEWHERE, "Kvarskrivning"),
        (ProtectedIdentity.FICTITIOUS_IDENTITY, "Fingerade personuppgifter"),
        (ContactSource.PERSON, "Personen själv"),
        (ContactSource.RELATIVE, "En anhörig"),
        (ContactSource.POLICE, "Polisen"),
        (ContactSource.PRISON_AND_PROBATION, "Kriminalvården"),
        (ContactSource.GUIDANCE_LINE, "Stödlinjen"),
        (ContactSource.OTHER, "Annan"),
        (Phase.DRAFT, "Utkast (inledande bedömning)"),
        (Phase.ACUTE, "Akut skede"),
        (Phase.STABILISING, "Stabiliserande skede"),
        (Phase.LONG_TERM, "Långsiktigt skede"),
        (Phase.COMPLETED, "Avslutat, genomfört"),
        (Phase.ENDED_EARLY, "Avbrutet"),
        (EndReason.PERSON_WITHDREW, "Personen avbröt"),
        (EndReason.RETURNED_TO_CRIME, "Återgick till kriminalitet"),
        (EndReason.NO_CONTACT, "Kontakten upphörde"),
        (EndReason.MOVED_ABROAD, "Flyttade utomlands"),
        (EndReason.TRANSFERRED, "Överlämnat till annan huvudman"),
        (EndReason.DIED, "Avliden"),
        (EndReason.OTHER, "Annat skäl"),
        (EndReason.RELAPSE, "Återfall, ärendet öppnas igen"),
        (TeamRole.RESPONSIBLE, "Ansvarig handläggare"),
        (TeamRole.DEPUTY, "Ersättare"),
        (TeamRole.MEMBER, "Deltar enligt samtycke"),
        (Category.IDENTITY, "Identitet och kontaktuppgifter"),
        (Category.THREAT_ASSESSMENT, "Hot- och riskbedömning"),
        (Category.ACTION_PLAN, "Handlingsplan"),
        (Category.HOUSING, "Boende"),
        (Category.FOLLOW_UP, "Uppföljning"),
        (ThreatScope.LOCAL, "Lokal"),
        (ThreatScope.REGIONAL, "Regional"),
        (ThreatScope.NATIONAL, "Nationell"),
        (AreaKind.MUNICIPALITY, "Kommun"),
        (AreaKind.COUNTY, "Län"),
        (AreaKind.POLICE_REGION, "Polisregion"),
        (InterventionStatus.PLANNED, "Planerad"),
        (InterventionStatus.ONGOING, "Pågår"),
        (InterventionStatus.DONE, "Genomförd"),
        (InterventionStatus.CANCELLED, "Avbruten"),
    )
)
