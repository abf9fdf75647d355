"""The directory editor: a tenant's own entries, proposals for review, confirming that facts still hold."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from avhopp.directory.catalogue.models import RevisionStatus
from avhopp.directory.catalogue.permissions import EDIT
from avhopp.directory.catalogue.service import (
    confirm_service,
    is_stale,
    own_entries_in_tenant,
    own_service_in_tenant,
    propose,
    propose_confirmation,
    seed_services_to_confirm,
    withdraw,
)
from avhopp.directory.catalogue.vocabulary import (
    CapacityStatus,
    ContactChannel,
    DrugPolicy,
    FundingRule,
    Intervention,
    OperationType,
    ServiceStatus,
    TargetGroup,
    ThreatRequirement,
    Weekday,
)
from avhopp.directory.catalogue.web.forms import (
    choices,
    form_field,
    language_choices,
    organization_form_values,
    read_organization,
    read_service,
    service_form_values,
)
from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import swedish_date
from avhopp.platform.web.forms import county_choices, form_values, municipality_groups, police_region_choices

if TYPE_CHECKING:
    from datetime import date

    from avhopp.directory.catalogue.entry import (
        OrganizationEntry,
        ServiceEntry,
    )

_SAVED = "/katalog/redigera?skickat=1"
_NEW_SERVICE = "/katalog/redigera/tjanster/ny"
_NEW_ORGANIZATION = "/katalog/redigera/organisationer/ny"


def _today() -> date:
    """Today in Sweden: an entry is confirmed on the Swedish date, also just after midnight."""
    return swedish_date()


def _service_form(
    form: dict[str, list[str]], errors: dict[str, str], organizations: list[OrganizationEntry], action: str
) -> Template:
    return Template(
        template_name="directory/service_form.html",
        context={
            "form": form,
            "errors": errors,
            "action": action,
            "organizations": organizations,
            "options": {
                "statuses": choices(ServiceStatus),
                "threat_requirements": choices(ThreatRequirement),
                "drug_policies": choices(DrugPolicy),
                "target_groups": choices(TargetGroup),
                "interventions": choices(Intervention),
                "funding_rules": choices(FundingRule),
                "channels": choices(ContactChannel),
                "capacities": choices(CapacityStatus),
                "languages": language_choices(form.get("languages", [])),
                "weekdays": choices(Weekday),
                "counties": county_choices(),
                "police_regions": police_region_choices(),
                "municipalities": municipality_groups(),
            },
        },
        status_code=400 if errors else 200,
    )


def _organization_form(form: dict[str, list[str]], errors: dict[str, str], action: str) -> Template:
    return Template(
        template_name="directory/organization_form.html",
        context={"form": form, "errors": errors, "action": action, "operation_types": choices(OperationType)},
        status_code=400 if errors else 200,
    )


async def _propose_service(
    request: Request[Any, Any, Any],
    acting: TenantScope,
    service_id: UUID,
    existing: ServiceEntry | None,
    action: str,
) -> Response[Any]:
    form = await request.form()
    organizations = (await own_entries_in_tenant(acting.session, acting.tenant_id)).organizations
    entry, errors = read_service(form, service_id, existing)
    if not errors:
        try:
            async with acting.session.begin_nested():
                await propose(acting.session, acting.tenant_id, acting.user_id, entry, _today())
        except InvalidInputError as error:
            errors = {form_field(p.field): p.message for p in reversed(error.problems)}
    if errors:
        return _service_form(form_values(form), errors, organizations, action)
    return Redirect(_SAVED)


async def _propose_organization(
    request: Request[Any, Any, Any], acting: TenantScope, organization_id: UUID, action: str
) -> Response[Any]:
    form = await request.form()
    entry, errors = read_organization(form, organization_id)
    if not errors:
        try:
            async with acting.session.begin_nested():
                await propose(acting.session, acting.tenant_id, acting.user_id, entry, _today())
        except InvalidInputError as error:
            errors = {p.field: p.message for p in reversed(error.problems)}
    if errors:
        return _organization_form(form_values(form), errors, action)
    return Redirect(_SAVED)


async def _own_organization(acting: TenantScope, organization_id: UUID) -> OrganizationEntry:
    entries = await own_entries_in_tenant(acting.session, acting.tenant_id)
    for organization in entries.organizations:
        if organization.id == organization_id:
            return organization
    raise NotFoundError


class EditorPages(Controller):
    """A tenant's editors propose their own entries for review and confirm that facts still hold."""

    path = "/katalog/redigera"
    opt = {"permission": EDIT}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def own_entries(self, acting: Acting, skickat: FromQuery[str] = "") -> Template:
        """The tenant's organisations and services, what awaits review, what needs confirming."""
        entries = await own_entries_in_tenant(acting.session, acting.tenant_id)
        today = _today()
        stale = {service.id for service in entries.services if is_stale(service, today)}
        return Template(
            template_name="directory/editor.html",
            context={
                "entries": entries,
                "stale": stale,
                "stale_reminded": bool(stale & entries.reminded),
                "sent": bool(skickat),
                "status_labels": labels_of(RevisionStatus),
            },
        )

    @get("/tjanster/ny")
    async def new_service_form(self, acting: Acting) -> Template:
        """An empty service form."""
        organizations = (await own_entries_in_tenant(acting.session, acting.tenant_id)).organizations
        return _service_form({"catchment_kind": ["areas"], "languages": ["sv"]}, {}, organizations, _NEW_SERVICE)

    @post("/tjanster/ny")
    async def propose_new_service(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """Propose a new service for review."""
        return await _propose_service(request, acting, uuid.uuid4(), None, _NEW_SERVICE)

    @get("/tjanster/{service_id:uuid}")
    async def service_form(self, acting: Acting, service_id: FromPath[UUID]) -> Template:
        """One of the tenant's services in the form."""
        existing = await own_service_in_tenant(acting.session, acting.tenant_id, service_id)
        organizations = (await own_entries_in_tenant(acting.session, acting.tenant_id)).organizations
        action = f"/katalog/redigera/tjanster/{service_id}"
        return _service_form(service_form_values(existing), {}, organizations, action)

    @post("/tjanster/{service_id:uuid}")
    async def propose_service_change(
        self, request: Request[Any, Any, Any], acting: Acting, service_id: FromPath[UUID]
    ) -> Response[Any]:
        """Propose a change to one of the tenant's services."""
        existing = await own_service_in_tenant(acting.session, acting.tenant_id, service_id)
        return await _propose_service(request, acting, service_id, existing, f"/katalog/redigera/tjanster/{service_id}")

    @post("/tjanster/{service_id:uuid}/bekrafta")
    async def confirm(self, acting: Acting, service_id: FromPath[UUID]) -> Redirect:
        """Confirm that a published service's facts still hold; the seed's first confirmation is reviewed."""
        never_confirmed = {s.id for s in await seed_services_to_confirm(acting.session, acting.tenant_id)}
        if service_id in never_confirmed:
            await propose_confirmation(acting.session, acting.tenant_id, acting.person_id, service_id, _today())
            return Redirect("/katalog/redigera?skickat=1")
        await confirm_service(acting.session, acting.tenant_id, service_id, _today())
        return Redirect("/katalog/redigera")

    @get("/organisationer/ny")
    async def new_organization_form(self) -> Template:
        """An empty organisation form."""
        return _organization_form({}, {}, _NEW_ORGANIZATION)

    @post("/organisationer/ny")
    async def propose_new_organization(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """Propose a new organisation for review."""
        return await _propose_organization(request, acting, uuid.uuid4(), _NEW_ORGANIZATION)

    @get("/organisationer/{organization_id:uuid}")
    async def organization_form(self, acting: Acting, organization_id: FromPath[UUID]) -> Template:
        """One of the tenant's organisations in the form."""
        existing = await _own_organization(acting, organization_id)
        action = f"/katalog/redigera/organisationer/{organization_id}"
        return _organization_form(organization_form_values(existing), {}, action)

    @post("/organisationer/{organization_id:uuid}")
    async def propose_organization_change(
        self, request: Request[Any, Any, Any], acting: Acting, organization_id: FromPath[UUID]
    ) -> Response[Any]:
        """Propose a change to one of the tenant's organisations."""
        await _own_organization(acting, organization_id)
        action = f"/katalog/redigera/organisationer/{organization_id}"
        return await _propose_organization(request, acting, organization_id, action)

    @post("/andringar/{revision_id:uuid}/dra-tillbaka")
    async def withdraw_revision(self, acting: Acting, revision_id: FromPath[UUID]) -> Redirect:
        """Withdraw a proposal that awaits review."""
        await withdraw(acting.session, acting.tenant_id, revision_id)
        return Redirect("/katalog/redigera")


EDITOR_ROUTES = [EditorPages]
