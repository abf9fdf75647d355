"""The guidance line's codes, each with its Swedish label. Values are stored: renaming one is a data migration."""

from __future__ import annotations

from enum import StrEnum

from avhopp.platform.labels import register_labels


class Channel(StrEnum):
    """How the contact came in."""

    PHONE = "phone"
    TEXT_MESSAGE = "text_message"
    EMAIL = "email"
    CHAT = "chat"


class CallerType(StrEnum):
    """Who is calling."""

    PERSON = "person"
    RELATIVE = "relative"
    PROFESSIONAL = "professional"
    OTHER = "other"


class ProfessionalKind(StrEnum):
    """Which kind of professional, when a professional calls."""

    SOCIAL_SERVICES = "social_services"
    POLICE = "police"
    PRISON_AND_PROBATION = "prison_and_probation"
    SCHOOL = "school"
    HEALTH_CARE = "health_care"
    OTHER = "other"


class Outcome(StrEnum):
    """What came of a contact; a contact may have several."""

    INFORMATION_GIVEN = "information_given"
    REFERRED = "referred"
    CALLBACK_REQUESTED = "callback_requested"
    ADVISED_TO_CALL_112 = "advised_to_call_112"
    OUT_OF_SCOPE = "out_of_scope"
    OTHER = "other"


class Unanswered(StrEnum):
    """The answers that say the operator has no answer: the question was not asked, or nobody knew.

    Each is an answer of its own and counted as such, never folded into "no threat" or a county.
    """

    NOT_ASKED = "not_asked"
    UNKNOWN = "unknown"


class ReferralStatus(StrEnum):
    """Where a referral is: sent, opened by the receiver, then accepted or declined."""

    SENT = "sent"
    OPENED = "opened"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class CallbackStatus(StrEnum):
    """Where a callback is."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class AttemptOutcome(StrEnum):
    """How one try to call back went."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    NOT_SAFE = "not_safe"
    WRONG_NUMBER = "wrong_number"


register_labels(
    (
        (Channel.PHONE, "Telefon"),
        (Channel.TEXT_MESSAGE, "Sms"),
        (Channel.EMAIL, "E-post"),
        (Channel.CHAT, "Chatt"),
        (CallerType.PERSON, "Personen själv"),
        (CallerType.RELATIVE, "Anhörig"),
        (CallerType.PROFESSIONAL, "Yrkesverksam"),
        (CallerType.OTHER, "Annan"),
        (ProfessionalKind.SOCIAL_SERVICES, "Socialtjänsten"),
        (ProfessionalKind.POLICE, "Polisen"),
        (ProfessionalKind.PRISON_AND_PROBATION, "Kriminalvården"),
        (ProfessionalKind.SCHOOL, "Skolan"),
        (ProfessionalKind.HEALTH_CARE, "Hälso- och sjukvården"),
        (ProfessionalKind.OTHER, "Annan yrkesgrupp"),
        (Outcome.INFORMATION_GIVEN, "Information lämnad"),
        (Outcome.REFERRED, "Hänvisad till en namngiven verksamhet"),
        (Outcome.CALLBACK_REQUESTED, "Vill bli uppringd"),
        (Outcome.ADVISED_TO_CALL_112, "Uppmanad att ringa 112"),
        (Outcome.OUT_OF_SCOPE, "Utanför stödlinjens uppdrag"),
        (Outcome.OTHER, "Annat"),
        (Unanswered.NOT_ASKED, "Frågade inte"),
        (Unanswered.UNKNOWN, "Vet inte"),
        (ReferralStatus.SENT, "Skickad"),
        (ReferralStatus.OPENED, "Öppnad"),
        (ReferralStatus.ACCEPTED, "Accepterad"),
        (ReferralStatus.DECLINED, "Avböjd"),
        (CallbackStatus.OPEN, "Öppen"),
        (CallbackStatus.DONE, "Klar"),
        (CallbackStatus.CANCELLED, "Avbruten"),
        (CallbackStatus.EXPIRED, "Gick ut utan att någon nådde personen"),
        (AttemptOutcome.REACHED, "Nådde personen"),
        (AttemptOutcome.NO_ANSWER, "Inget svar"),
        (AttemptOutcome.NOT_SAFE, "Inte säkert att prata (lade på)"),
        (AttemptOutcome.WRONG_NUMBER, "Fel nummer"),
    )
)
