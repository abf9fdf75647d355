"""Reading the directory's HTML forms: the situation form and the service editor.

Each reader returns what it could build and a dict of field name to Swedish message, so a
page can show every problem at once next to its field.
"""

from __future__ import annotations

import re
import uuid
from datetime import time
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from avhopp.directory.catalogue.eligibility import (
    Situation,
)
from avhopp.directory.catalogue.entry import (
    Area,
    Contact,
    Location,
    OpeningHours,
    OrganizationEntry,
    Phone,
    ServiceEntry,
    validate_organization,
    validate_service,
)
from avhopp.directory.catalogue.search import (
    SearchQuery,
)
from avhopp.directory.catalogue.vocabulary import (
    AreaKind,
    CapacityStatus,
    ContactChannel,
    CustodyStatus,
    DrugPolicy,
    FundingRule,
    Intervention,
    Language,
    OperationType,
    PaymentDecision,
    ServiceStatus,
    SubstanceUse,
    TargetGroup,
    ThreatLevel,
    ThreatRequirement,
    ThreatScope,
    Weekday,
)
from avhopp.platform.identity_numbers import contains_identity_number
from avhopp.platform.labels import label
from avhopp.platform.problems import InvalidInputError, Problems
from avhopp.platform.web.forms import Choice

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from litestar.datastructures import FormMultiDict

E = TypeVar("E", bound=StrEnum)
PHONE_ROWS = 3
# The situation's questions a search answers for the person when the form leaves them unchosen.
_UNCHOSEN: dict[str, tuple[str, StrEnum]] = {
    "threat_level": ("Hotbild", ThreatLevel.NONE),
    "payment": ("Betalning", PaymentDecision.NOT_ASKED),
    "substance_use": ("Droger", SubstanceUse.NONE),
    "custody": ("Kriminalvård", CustodyStatus.NEITHER),
}
_EMPTY = ServiceEntry(id=uuid.UUID(int=0), organization_id=uuid.UUID(int=0), name="", description="", catchment=())


def choices(values: type[E]) -> tuple[Choice, ...]:
    """A vocabulary's values with their Swedish labels."""
    return tuple(Choice(member.value, label(member)) for member in values)


def language_choices(chosen: list[str]) -> tuple[Choice, ...]:
    """The languages the editor offers, and any other code the entry already has (from an import), kept as it is."""
    offered = choices(Language)
    known = {choice.value for choice in offered}
    return offered + tuple(Choice(code, code) for code in chosen if code not in known)


def _enum(form: FormMultiDict, name: str, values: type[E], default: E, errors: Problems) -> E:
    raw = str(form.get(name) or default.value)
    try:
        return values(raw)
    except ValueError:
        errors.add(name, "Välj ett av alternativen.")
        return default


def _enums(form: FormMultiDict, name: str, values: type[E], errors: Problems) -> tuple[E, ...]:
    chosen: list[E] = []
    for raw in form.getall(name, []):
        try:
            chosen.append(values(str(raw)))
        except ValueError:
            errors.add(name, "Välj bland alternativen.")
    return tuple(member for member in values if member in chosen)


def _int(form: FormMultiDict, name: str, errors: Problems, *, required: bool, what: str) -> int | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        if required:
            errors.add(name, f"Ange {what}.")
        return None
    if not raw.isdigit():
        errors.add(name, f"Ange {what} som ett heltal, till exempel 25.")
        return None
    return int(raw)


def _checked(form: FormMultiDict, name: str) -> bool:
    return form.get(name) in {"on", "true", "1"}


def _text(form: FormMultiDict, name: str) -> str:
    return str(form.get(name) or "").strip()


def assumed_answers(form: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """The questions the form left unchosen, each with the answer the search took, as Swedish labels."""
    return [
        (question, label(assumed))
        for name, (question, assumed) in _UNCHOSEN.items()
        if not str((form.get(name) or [""])[0]).strip()
    ]


def _answer_or_assumed(form: FormMultiDict, name: str, kind: type[E], errors: Problems) -> E:
    return _enum(form, name, kind, kind(_UNCHOSEN[name][1]), errors)


def read_search(form: FormMultiDict, *, public: bool) -> tuple[SearchQuery | None, dict[str, str]]:
    """A search from the situation form; the public form has no filters by operation type."""
    errors = Problems()
    municipality = _text(form, "home_municipality_code")
    age = _int(form, "age", errors, required=bool(municipality), what="personens ålder")
    if age is not None and not municipality:
        errors.add("home_municipality_code", "Välj kommunen där personen är folkbokförd.")
    situation = None
    threat = _answer_or_assumed(form, "threat_level", ThreatLevel, errors)
    scope = _enum(form, "threat_scope", ThreatScope, ThreatScope.UNKNOWN, errors)
    payment = _answer_or_assumed(form, "payment", PaymentDecision, errors)
    substance_use = _answer_or_assumed(form, "substance_use", SubstanceUse, errors)
    custody = _answer_or_assumed(form, "custody", CustodyStatus, errors)
    needs = _enums(form, "needs", Intervention, errors)
    group_raw = _text(form, "target_group")
    target_group = None
    if group_raw:
        target_group = _enum(form, "target_group", TargetGroup, TargetGroup.OTHER_CRIMINAL_GROUP, errors)
    if municipality and age is not None and not errors.messages:
        try:
            situation = Situation(
                home_municipality_code=municipality,
                age=age,
                threat_level=threat,
                threat_scope=scope,
                police_confirmed_threat=_checked(form, "police_confirmed_threat"),
                target_group=target_group,
                needs=frozenset(needs),
                payment=payment,
                substance_use=substance_use,
                custody=custody,
            )
        except InvalidInputError as error:
            errors.add(error.field, error.message)
    page = _int(form, "page", errors, required=False, what="sidnummer") or 1
    text = _text(form, "text")
    if contains_identity_number(text):
        # Written in any digits or dashes: the search needs no one's identity, and a trace of one is a risk.
        errors.add("text", "Ta bort personnumret. Sökningen behöver varken namn eller personnummer.")
    if errors.messages:
        return None, errors.messages
    try:
        query = SearchQuery(
            text=text,
            situation=situation,
            include_not_eligible=not public and _checked(form, "include_not_eligible"),
            group_closed=True,
            operation_types=frozenset(() if public else _enums(form, "operation_types", OperationType, errors)),
            interventions=frozenset(_enums(form, "interventions", Intervention, errors)),
            page=page,
        )
    except InvalidInputError as error:
        errors.add(error.field, error.message)
        return None, errors.messages
    return (None, errors.messages) if errors.messages else (query, {})


def _uuid(form: FormMultiDict, name: str, errors: Problems) -> uuid.UUID | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        errors.add(name, "Okänd uppgift.")
        return None


def _time(form: FormMultiDict, name: str, errors: Problems) -> time | None:
    raw = _text(form, name)
    if not raw:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        errors.add(name, "Ange en tid som 09:00.")
        return None


def _catchment(form: FormMultiDict, errors: Problems) -> tuple[Area, ...]:
    if _text(form, "catchment_kind") == AreaKind.COUNTRY.value:
        return (Area(AreaKind.COUNTRY),)
    areas = [Area(AreaKind.COUNTY, str(code)) for code in form.getall("catchment_counties", [])]
    areas += [Area(AreaKind.POLICE_REGION, str(code)) for code in form.getall("catchment_police_regions", [])]
    areas += [Area(AreaKind.MUNICIPALITY, str(code)) for code in form.getall("catchment_municipalities", [])]
    if not areas:
        errors.add("catchment_kind", "Välj hela landet eller minst ett område.")
    return tuple(areas)


def _phones(form: FormMultiDict, existing: tuple[Phone, ...]) -> tuple[Phone, ...]:
    phones = []
    for index in range(PHONE_ROWS):
        number = _text(form, f"phone_{index}_number")
        if not number:
            continue
        phone_id = existing[index].id if index < len(existing) else uuid.uuid4()
        phones.append(
            Phone(
                id=phone_id,
                number=number,
                description=_text(form, f"phone_{index}_description"),
                public=not _checked(form, f"phone_{index}_internal"),
            )
        )
    return tuple(phones)


def _hours(form: FormMultiDict, existing: tuple[OpeningHours, ...], errors: Problems) -> tuple[OpeningHours, ...]:
    days = _enums(form, "hours_days", Weekday, errors)
    opens, closes = _time(form, "hours_opens_at", errors), _time(form, "hours_closes_at", errors)
    if not days and opens is None and closes is None:
        return ()
    if opens is None or closes is None:
        errors.add("hours_opens_at", "Ange både när telefonen öppnar och stänger.")
        return ()
    hours_id = existing[0].id if existing else uuid.uuid4()
    return (OpeningHours(id=hours_id, days=days, opens_at=opens, closes_at=closes, note=_text(form, "hours_note")),)


def _location(form: FormMultiDict, existing: tuple[Location, ...]) -> tuple[Location, ...]:
    name = _text(form, "location_name")
    if not name:
        return ()
    return (
        Location(
            id=existing[0].id if existing else uuid.uuid4(),
            name=name,
            municipality_code=_text(form, "location_municipality_code"),
            address=_text(form, "location_address"),
            postal_code=_text(form, "location_postal_code"),
            city=_text(form, "location_city"),
        ),
    )


def _contact(form: FormMultiDict, existing: tuple[Contact, ...]) -> tuple[Contact, ...]:
    title = _text(form, "contact_title")
    if not title:
        return ()
    contact_id = existing[0].id if existing else uuid.uuid4()
    return (Contact(id=contact_id, title=title, email=_text(form, "contact_email")),)


def read_service(
    form: FormMultiDict, service_id: uuid.UUID, existing: ServiceEntry | None
) -> tuple[ServiceEntry, dict[str, str]]:
    """A service entry from the editor form, and every problem with it (form and entry rules together).

    Ids of phones and places are kept from `existing`.
    """
    errors = Problems()
    organization_id = _uuid(form, "organization_id", errors)
    if organization_id is None:
        errors.add("organization_id", "Välj organisation.")
    minimum_age = _int(form, "minimum_age", errors, required=False, what="lägsta ålder")
    maximum_age = _int(form, "maximum_age", errors, required=False, what="högsta ålder")
    chosen_languages = (str(code).strip().lower() for code in form.getall("languages", []))
    languages = tuple(dict.fromkeys(code for code in chosen_languages if code))
    kept = existing or _EMPTY
    entry = ServiceEntry(
        id=service_id,
        organization_id=organization_id or uuid.UUID(int=0),
        name=_text(form, "name"),
        description=_text(form, "description"),
        catchment=_catchment(form, errors),
        status=_enum(form, "status", ServiceStatus, ServiceStatus.ACTIVE, errors),
        alternate_name=_text(form, "alternate_name"),
        url=_text(form, "url"),
        email=_text(form, "email"),
        threat_requirement=_enum(form, "threat_requirement", ThreatRequirement, ThreatRequirement.NONE, errors),
        police_report_required=_checked(form, "police_report_required"),
        accepts_serious_threat=_checked(form, "accepts_serious_threat"),
        accepts_local_serious_threat=_checked(form, "accepts_local_serious_threat"),
        reaches_custody=_checked(form, "reaches_custody"),
        custody_only=_checked(form, "custody_only"),
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        drug_policy=_enum(form, "drug_policy", DrugPolicy, DrugPolicy.NO_REQUIREMENT, errors),
        target_groups=_enums(form, "target_groups", TargetGroup, errors),
        interventions=_enums(form, "interventions", Intervention, errors),
        funding_rule=_enum(form, "funding_rule", FundingRule, FundingRule.FREE, errors),
        channels=_enums(form, "channels", ContactChannel, errors),
        anonymous_contact=_checked(form, "anonymous_contact"),
        capacity=_enum(form, "capacity", CapacityStatus, CapacityStatus.UNKNOWN, errors),
        languages=languages or ("sv",),
        eligibility_description=_text(form, "eligibility_description"),
        application_process=_text(form, "application_process"),
        # The form shows the first rows only; rows beyond them (entered through the API) are kept.
        phones=_phones(form, kept.phones) + kept.phones[PHONE_ROWS:],
        contacts=_contact(form, kept.contacts) + kept.contacts[1:],
        opening_hours=_hours(form, kept.opening_hours, errors) + kept.opening_hours[1:],
        locations=_location(form, kept.locations) + kept.locations[1:],
        verified_on=existing.verified_on if existing else None,
        source_note=existing.source_note if existing else "",
    )
    for problem in validate_service(entry):
        if problem.field != "organization_id":
            errors.add(form_field(problem.field), problem.message)
    return entry, errors.messages


def read_organization(form: FormMultiDict, organization_id: uuid.UUID) -> tuple[OrganizationEntry, dict[str, str]]:
    """An organisation entry from the editor form, and every problem with it."""
    errors = Problems()
    entry = OrganizationEntry(
        id=organization_id,
        name=_text(form, "name"),
        description=_text(form, "description"),
        operation_type=_enum(form, "operation_type", OperationType, OperationType.PUBLIC_ACTOR, errors),
        alternate_name=_text(form, "alternate_name"),
        website=_text(form, "website"),
        email=_text(form, "email"),
        organization_number=_text(form, "organization_number"),
    )
    for problem in validate_organization(entry):
        errors.add(problem.field, problem.message)
    return entry, errors.messages


_ENTRY_PATH = re.compile(r"(\w+)\[(\d+)\](?:\.(\w+))?")


def form_field(path: str) -> str:
    """The editor field that shows a problem with an entry field (`phones[1].number` -> `phone_1_number`)."""
    match = _ENTRY_PATH.fullmatch(path)
    if match is None:
        return path
    collection, index, part = match.group(1), match.group(2), match.group(3) or ""
    return {
        "phones": f"phone_{index}_{part}",
        "catchment": "catchment_kind",
        "locations": f"location_{part}",
        "opening_hours": f"hours_{part}",
        "contacts": f"contact_{part}",
    }.get(collection, collection)


def service_form_values(entry: ServiceEntry) -> dict[str, list[str]]:
    """The editor form filled in from a service entry (the inverse of `read_service`)."""
    values: dict[str, list[str]] = {
        "organization_id": [str(entry.organization_id)],
        "name": [entry.name],
        "alternate_name": [entry.alternate_name],
        "description": [entry.description],
        "status": [entry.status.value],
        "url": [entry.url],
        "email": [entry.email],
        "threat_requirement": [entry.threat_requirement.value],
        "minimum_age": ["" if entry.minimum_age is None else str(entry.minimum_age)],
        "maximum_age": ["" if entry.maximum_age is None else str(entry.maximum_age)],
        "drug_policy": [entry.drug_policy.value],
        "target_groups": [value.value for value in entry.target_groups],
        "interventions": [value.value for value in entry.interventions],
        "funding_rule": [entry.funding_rule.value],
        "channels": [value.value for value in entry.channels],
        "capacity": [entry.capacity.value],
        "languages": list(entry.languages),
        "eligibility_description": [entry.eligibility_description],
        "application_process": [entry.application_process],
        "catchment_kind": ["country" if any(a.kind is AreaKind.COUNTRY for a in entry.catchment) else "areas"],
        "catchment_counties": [a.code for a in entry.catchment if a.kind is AreaKind.COUNTY],
        "catchment_police_regions": [a.code for a in entry.catchment if a.kind is AreaKind.POLICE_REGION],
        "catchment_municipalities": [a.code for a in entry.catchment if a.kind is AreaKind.MUNICIPALITY],
    }
    for flag in (
        "police_report_required",
        "accepts_serious_threat",
        "accepts_local_serious_threat",
        "reaches_custody",
        "custody_only",
        "anonymous_contact",
    ):
        values[flag] = ["on"] if getattr(entry, flag) else []
    for index, phone in enumerate(entry.phones[:PHONE_ROWS]):
        values[f"phone_{index}_number"] = [phone.number]
        values[f"phone_{index}_description"] = [phone.description]
        values[f"phone_{index}_internal"] = [] if phone.public else ["on"]
    if entry.opening_hours:
        hours = entry.opening_hours[0]
        values["hours_days"] = [day.value for day in hours.days]
        values["hours_opens_at"] = [hours.opens_at.strftime("%H:%M")]
        values["hours_closes_at"] = [hours.closes_at.strftime("%H:%M")]
        values["hours_note"] = [hours.note]
    if entry.locations:
        place = entry.locations[0]
        values |= {
            "location_name": [place.name],
            "location_municipality_code": [place.municipality_code],
            "location_address": [place.address],
            "location_postal_code": [place.postal_code],
            "location_city": [place.city],
        }
    if entry.contacts:
        values |= {"contact_title": [entry.contacts[0].title], "contact_email": [entry.contacts[0].email]}
    return values


def organization_form_values(entry: OrganizationEntry) -> dict[str, list[str]]:
    """The organisation form filled in from an entry."""
    return {
        "name": [entry.name],
        "alternate_name": [entry.alternate_name],
        "description": [entry.description],
        "operation_type": [entry.operation_type.value],
        "website": [entry.website],
        "email": [entry.email],
        "organization_number": [entry.organization_number],
    }
