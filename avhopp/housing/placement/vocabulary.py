"""The placement part's codes. Codes are stored; Swedish labels are registered (English in the catalogue)."""

from __future__ import annotations

import enum

from avhopp.housing.engine.service import BatchMethod, Need, UnitType
from avhopp.platform.labels import register_labels

__all__ = [
    "DeclineReason",
    "DisputeReason",
    "Need",
    "OfferStatus",
    "Payer",
    "RequestState",
    "RiskLevel",
    "TransferStatus",
    "UnitFeature",
    "UnitState",
    "UnitType",
]


class UnitFeature(enum.StrEnum):
    """What a unit offers besides its type (supported housing is a type, as the engine reads it)."""

    ACCESSIBLE = Need.ACCESSIBLE.value
    ADDICTION_CARE = Need.ADDICTION_CARE.value


class UnitState(enum.StrEnum):
    """Where a unit stands; reserved and occupied units are never proposed."""

    AVAILABLE = "available"
    RESERVED = "reserved"
    OCCUPIED = "occupied"
    WITHDRAWN = "withdrawn"


class OfferStatus(enum.StrEnum):
    """An offer's life: pending until the unit's owner decides, or the requester withdraws it."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"
    """Accepted, but a hard constraint no longer held at that moment."""
    EXPIRED = "expired"


class DeclineReason(enum.StrEnum):
    """Why the unit's owner declines; coded so that nothing personal is written."""

    UNIT_NO_LONGER_FREE = "unit_no_longer_free"
    CANNOT_SUPPORT_NEEDS = "cannot_support_needs"
    LOCAL_RISK = "local_risk"
    CAPACITY = "capacity"
    OTHER = "other"


class RequestState(enum.StrEnum):
    """Where a request stands, read from its offers and placement."""

    OPEN = "open"
    OFFERED = "offered"
    PLACED = "placed"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class RiskLevel(enum.StrEnum):
    """The threat level the police recorded, as the unit's owner sees it; unknown without an assessment."""

    NONE = "none"
    LATENT = "latent"
    SERIOUS = "serious"
    UNKNOWN = "unknown"


class TransferStatus(enum.StrEnum):
    """A proposed transfer of payment responsibility: only an agreed one moves it."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    DISPUTED = "disputed"


class DisputeReason(enum.StrEnum):
    """Why the other municipality does not agree to a transfer; coded so that nothing personal is written."""

    DATE_TOO_EARLY = "date_too_early"
    NOT_SETTLED = "not_settled"
    """The person has not settled in the receiving municipality (e.g. the placement is temporary)."""
    AGREEMENT_DIFFERS = "agreement_differs"
    """An agreement between the municipalities says otherwise."""
    OTHER = "other"


class RoundStatus(enum.StrEnum):
    """A national round: solved by the engine, then its offers sent, or set aside."""

    SOLVED = "solved"
    SENT = "sent"
    CANCELLED = "cancelled"


class Payer(enum.StrEnum):
    """Which side pays for a stretch of a placement."""

    HOME = "home"
    RECEIVING = "receiving"


register_labels(
    (
        (UnitType.EMERGENCY_FLAT, "Jourlägenhet"),
        (UnitType.SUPPORTED_HOUSING, "Stödboende hos en verksamhet"),
        (UnitType.LONG_TERM_LEASE, "Långsiktigt kontrakt"),
        (Need.SUPPORTED_HOUSING, "Stödboende"),
        (Need.ADDICTION_CARE, "Missbruksvård"),
        (Need.ACCESSIBLE, "Tillgänglig bostad"),
        (UnitState.AVAILABLE, "Ledig"),
        (UnitState.RESERVED, "Reserverad (erbjudande pågår)"),
        (UnitState.OCCUPIED, "Bebodd"),
        (UnitState.WITHDRAWN, "Tillbakadragen"),
        (BatchMethod.EXACT, "Svaret är bevisat det bästa möjliga."),
        (BatchMethod.SOLVER_BOUNDED, "Det bästa svaret lösaren fann inom sin tidsgräns."),
        (BatchMethod.HEURISTIC, "Heuristikens svar."),
        (RoundStatus.SOLVED, "Beräknad, inte skickad"),
        (RoundStatus.SENT, "Erbjudandena skickade"),
        (RoundStatus.CANCELLED, "Avbruten"),
        (OfferStatus.PENDING, "Väntar på svar"),
        (OfferStatus.ACCEPTED, "Antaget"),
        (OfferStatus.DECLINED, "Avböjt"),
        (OfferStatus.WITHDRAWN, "Återkallat"),
        (OfferStatus.FAILED, "Kunde inte genomföras"),
        (OfferStatus.EXPIRED, "Svarstiden gick ut"),
        (DeclineReason.UNIT_NO_LONGER_FREE, "Bostaden är inte längre ledig"),
        (DeclineReason.CANNOT_SUPPORT_NEEDS, "Vi kan inte möta behoven"),
        (DeclineReason.LOCAL_RISK, "Lokal risk som gör placeringen olämplig"),
        (DeclineReason.CAPACITY, "Vi har inte kapacitet just nu"),
        (DeclineReason.OTHER, "Annat skäl"),
        (RequestState.OPEN, "Öppen"),
        (RequestState.OFFERED, "Erbjudande skickat"),
        (RequestState.PLACED, "Placerad"),
        (RequestState.ENDED, "Avslutad (utflyttad)"),
        (RequestState.WITHDRAWN, "Återkallad"),
        (RiskLevel.NONE, "Ingen känd hotbild"),
        (RiskLevel.LATENT, "Latent hot"),
        (RiskLevel.SERIOUS, "Allvarligt hot"),
        (RiskLevel.UNKNOWN, "Ingen hotbedömning"),
        (TransferStatus.PROPOSED, "Föreslagen, väntar på den andra kommunen"),
        (TransferStatus.AGREED, "Överenskommen"),
        (TransferStatus.DISPUTED, "Bestridd"),
        (DisputeReason.DATE_TOO_EARLY, "Dagen är för tidig"),
        (DisputeReason.NOT_SETTLED, "Personen har inte bosatt sig i kommunen"),
        (DisputeReason.AGREEMENT_DIFFERS, "En överenskommelse mellan kommunerna säger annat"),
        (DisputeReason.OTHER, "Annat skäl"),
        (Payer.HOME, "Hemkommunen"),
        (Payer.RECEIVING, "Mottagande kommun"),
    )
)
