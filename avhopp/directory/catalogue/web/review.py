"""The national coordinator's review queue: what owners proposed, against what is published."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.directory.catalogue.entry import Area, Contact, Location, OpeningHours, Phone
from avhopp.directory.catalogue.models import RevisionStatus
from avhopp.directory.catalogue.permissions import REVIEW, REVIEWING_KINDS
from avhopp.directory.catalogue.service import (
    decide_in_tenant,
    revision_for_review_in_tenant,
    revisions_for_review_in_tenant,
)
from avhopp.directory.catalogue.vocabulary import AreaKind, Language
from avhopp.directory.catalogue.web.api import reviewer_of
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.labels import label, labels_of
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.scope.request import Acting

if TYPE_CHECKING:
    from avhopp.directory.catalogue.service import Entry, RevisionView


@dataclass(frozen=True, slots=True)
class Change:
    """One field that differs between the published entry and the proposal, as people read it.

    `field` and every part of `before` and `after` are Swedish texts (labels, or what the owner
    wrote); the page translates the labels.
    """

    field: str
    before: tuple[str, ...]
    after: tuple[str, ...]


FIELD_LABELS = {
    "name": "Namn",
    "alternate_name": "Annat namn",
    "description": "Beskrivning",
    "operation_type": "Slag av verksamhet",
    "website": "Webbplats",
    "email": "E-post",
    "organization_number": "Organisationsnummer",
    "catchment": "Var personen ska vara folkbokförd",
    "status": "Status",
    "url": "Webbplats",
    "threat_requirement": "Hotbild",
    "police_report_required": "Kräver polisanmälan",
    "accepts_serious_threat": "Kan ge skydd vid allvarlig hotbild",
    "accepts_local_serious_threat": "Tar emot vid allvarlig hotbild bara om hotet är lokalt",
    "reaches_custody": "Arbetar med personer i anstalt eller häkte",
    "custody_only": "Bara för personer i häkte, anstalt eller frivård",
    "minimum_age": "Lägsta ålder",
    "maximum_age": "Högsta ålder",
    "drug_policy": "Droger",
    "target_groups": "Målgrupper",
    "interventions": "Insatser",
    "funding_rule": "Betalning",
    "channels": "Kontaktvägar",
    "anonymous_contact": "Man kan vara anonym vid första kontakten",
    "capacity": "Tar emot nya just nu",
    "languages": "Språk",
    "eligibility_description": "Andra villkor",
    "application_process": "Så tar man kontakt",
    "phones": "Telefonnummer",
    "contacts": "Kontakt",
    "opening_hours": "Öppettider",
    "locations": "Platser",
    "source_note": "Källa",
}
"""Every field a reviewer sees, by its Swedish label; ids (the entry's, its organisation's) and dates are not shown."""


def _area(area: Area) -> str:
    if area.kind is AreaKind.COUNTRY:
        return label(area.kind)
    geography = shipped_geography()
    names = {
        AreaKind.COUNTY: {county.code: county.name for county in geography.counties},
        AreaKind.MUNICIPALITY: {municipality.code: municipality.name for municipality in geography.municipalities},
        AreaKind.POLICE_REGION: geography.police_regions,
    }[area.kind]
    return f"{label(area.kind)}: {names.get(area.code, area.code)}"


def _language(code: str) -> str:
    try:
        return label(Language(code))
    except ValueError:
        return code


def _part(value: object) -> str:  # noqa: PLR0911 - one answer per kind of value
    """One value as a person reads it."""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, StrEnum):
        return label(value)
    if isinstance(value, Area):
        return _area(value)
    if isinstance(value, Phone):
        described = f"{value.number} ({value.description})" if value.description else value.number
        return described if value.public else f"{described}, bara för yrkesverksamma"
    if isinstance(value, OpeningHours):
        days = ", ".join(label(day) for day in value.days)
        hours = f"{days} {value.opens_at:%H:%M}–{value.closes_at:%H:%M}"
        return f"{hours} ({value.note})" if value.note else hours
    if isinstance(value, Location):
        return ", ".join(part for part in (value.name, value.address, value.postal_code, value.city) if part)
    if isinstance(value, Contact):
        return ", ".join(part for part in (value.title, value.department, value.email) if part)
    return "" if value is None else str(value)


def _shown(name: str, value: object) -> tuple[str, ...]:
    if name == "languages":
        return tuple(_language(code) for code in cast("tuple[str, ...]", value))
    if isinstance(value, tuple):
        return tuple(_part(item) for item in value)
    shown = _part(value)
    return (shown,) if shown else ()


def _fields(entry: Entry | None) -> dict[str, tuple[str, ...]]:
    if entry is None:
        return {}
    return {name: _shown(name, getattr(entry, name)) for name in entry.__struct_fields__ if name in FIELD_LABELS}


def changes(previous: Entry | None, proposed: Entry) -> list[Change]:
    """The fields a proposal changes (every filled field for a new entry), in the entry's field order."""
    before, after = _fields(previous), _fields(proposed)
    return [
        Change(FIELD_LABELS[name], before.get(name, ()), value)
        for name, value in after.items()
        if value != before.get(name, ())
    ]


def _revision_page(revision: RevisionView, errors: dict[str, str]) -> Template:
    return Template(
        template_name="directory/review_revision.html",
        context={
            "revision": revision,
            "changes": changes(revision.previous, revision.entry),
            "errors": errors,
            "status_labels": labels_of(RevisionStatus),
        },
        status_code=400 if errors else 200,
    )


class ReviewPages(Controller):
    """The national coordinator's reviewers publish or reject what owners propose."""

    path = "/katalog/granskning"
    opt = {"permission": REVIEW, "tenant_kinds": REVIEWING_KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def queue(self, acting: Acting) -> Template:
        """Proposals awaiting review, oldest first."""
        pending = await revisions_for_review_in_tenant(acting.session, acting.tenant_id, status=RevisionStatus.PENDING)
        return Template(template_name="directory/review_queue.html", context={"pending": pending})

    @get("/{revision_id:uuid}")
    async def revision(self, acting: Acting, revision_id: FromPath[UUID]) -> Template:
        """One proposal, field by field against what is published."""
        return _revision_page(await revision_for_review_in_tenant(acting.session, acting.tenant_id, revision_id), {})

    @post("/{revision_id:uuid}")
    async def decide(
        self, request: Request[Any, Any, Any], acting: Acting, revision_id: FromPath[UUID]
    ) -> Response[Any]:
        """Publish or reject a proposal; a rejection says why, and the owner sees it."""
        revision = await revision_for_review_in_tenant(acting.session, acting.tenant_id, revision_id)
        form = await request.form()
        try:
            async with acting.session.begin_nested():
                await decide_in_tenant(
                    acting.session,
                    acting.tenant_id,
                    revision_id,
                    reviewer_of(acting),
                    approve=form.get("decision") == "approve",
                    note=str(form.get("review_note") or ""),
                )
        except InvalidInputError as error:
            return _revision_page(revision, error.by_field())
        return Redirect("/katalog/granskning")


REVIEW_ROUTES = [ReviewPages]
