"""The networks part's codes. Codes are stored; labels (Swedish, English in the catalogue) are registered."""

from __future__ import annotations

import enum

from avhopp.platform.labels import register_labels


class SpaceScope(enum.StrEnum):
    """Whom a space gathers: one county's organisations, several counties', or the whole country's."""

    COUNTY = "county"
    CROSS_COUNTY = "cross_county"
    NATIONAL = "national"


class NetworkRole(enum.StrEnum):
    """What a member organisation brings to the network (Brå's proposal names these)."""

    SOCIAL_SERVICES = "social_services"
    POLICE = "police"
    PRISON_AND_PROBATION = "prison_and_probation"
    OPERATION = "operation"
    EMPLOYMENT_SERVICE = "employment_service"
    HEALTH_REGION = "health_region"
    NGO = "ngo"
    COUNTY_BOARD = "county_board"
    OTHER = "other"


class MinutesStatus(enum.StrEnum):
    """Where the minutes stand: the members see them once published."""

    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"


class OutcomeKind(enum.StrEnum):
    """A decision, or an action item someone is responsible for."""

    DECISION = "decision"
    ACTION = "action"


register_labels(
    (
        (SpaceScope.COUNTY, "Länets nätverk"),
        (SpaceScope.CROSS_COUNTY, "Nätverk över länsgränser"),
        (SpaceScope.NATIONAL, "Nationellt nätverk"),
        (NetworkRole.SOCIAL_SERVICES, "Socialtjänst"),
        (NetworkRole.POLICE, "Polisen"),
        (NetworkRole.PRISON_AND_PROBATION, "Kriminalvården"),
        (NetworkRole.OPERATION, "Avhopparverksamhet"),
        (NetworkRole.EMPLOYMENT_SERVICE, "Arbetsförmedlingen"),
        (NetworkRole.HEALTH_REGION, "Region (hälso- och sjukvård)"),
        (NetworkRole.NGO, "Ideell organisation"),
        (NetworkRole.COUNTY_BOARD, "Länsstyrelse"),
        (NetworkRole.OTHER, "Annan"),
        (MinutesStatus.DRAFT, "Utkast"),
        (MinutesStatus.APPROVED, "Justerat"),
        (MinutesStatus.PUBLISHED, "Publicerat"),
        (OutcomeKind.DECISION, "Beslut"),
        (OutcomeKind.ACTION, "Åtgärd"),
    )
)
