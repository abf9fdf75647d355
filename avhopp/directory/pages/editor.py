"""The directory editor: a tenant's own entries, proposals for review, confirming that facts still hold."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from avhopp.directory.api import EDIT
from avhopp.directory.entry import EntryRejectedError, OrganizationEntry, ServiceEntry
from avhopp.directory.pages.common import REVISION_STATUS_LABELS, form_values, member_of
from avhopp.directory.pages.forms import (
    choices,
    county_choices,
    form_field,
    municipality_groups,
    organization_form_values,
    police_region_choices,
    read_organization,
    read_service,
    service_form_values,
)
from avhopp.directory.service import (
    EntryNotFoundError,
    confirm_service,
    is_stale,
    own_entries_in_tenant,
    own_service_in_tenant,
    propose,
    withdraw,
)
from avhopp.directory.vocabulary import (
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
from avhopp.platform.database import RequestContext, context_session

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy.ext.asyncio import AsyncSession

_SAVED = "/katalog/redigera?skickat=1"


def _session(
    state: State, request: Request[Any, Any, Any]
) -> tuple[AbstractAsyncContextManager[AsyncSession], UUID, UUID | None]:
    principal, tenant_id = member_of(request)
    context = RequestContext(tenant_id=tenant_id, user_id=principal.user_id)
    return context_session(state.sessions, context), tenant_id, principal.user_id


def _today() -> date:
    return datetime.now(UTC).date()


@get("/katalog/redigera", opt={"permission": EDIT}, include_in_schema=False)
async def own_entries(request: Request[Any, Any, Any], state: State, skickat: FromQuery[str] = "") -> Template:
    """The tenant's organisations and services, what awaits review, what needs confirming."""
    opened, tenant_id, _user = _session(state, request)
    async with opened as session:
        entries = await own_entries_in_tenant(session, tenant_id)
    today = _today()
    stale = {service.id for service in entries.services if is_stale(service, today)}
    return Template(
        template_name="directory/editor.html",
        context={
            "entries": entries,
            "stale": stale,
            "stale_reminded": bool(stale & entries.reminded),
            "sent": bool(skickat),
            "status_labels": REVISION_STATUS_LABELS,
        },
    )


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
                "weekdays": choices(Weekday),
                "counties": county_choices(),
                "police_regions": police_region_choices(),
                "municipalities": municipality_groups(),
            },
        },
        status_code=400 if errors else 200,
    )


async def _propose_from_form(
    request: Request[Any, Any, Any], state: State, service_id: UUID, existing: ServiceEntry | None, action: str
) -> Template | Redirect:
    form = await request.form()
    opened, tenant_id, user_id = _session(state, request)
    async with opened as session:
        organizations = (await own_entries_in_tenant(session, tenant_id)).organizations
        entry, errors = read_service(form, service_id, existing)
        if not errors:
            try:
                await propose(session, tenant_id, user_id, entry, _today())
            except EntryRejectedError as error:
                errors = {form_field(p.field): p.message for p in reversed(error.problems)}
    if errors:
        return _service_form(form_values(form), errors, organizations, action)
    return Redirect(_SAVED)


@get("/katalog/redigera/tjanster/ny", opt={"permission": EDIT}, include_in_schema=False)
async def new_service_form(request: Request[Any, Any, Any], state: State) -> Template:
    """An empty service form."""
    opened, tenant_id, _user = _session(state, request)
    async with opened as session:
        organizations = (await own_entries_in_tenant(session, tenant_id)).organizations
    return _service_form(
        {"catchment_kind": ["areas"], "languages": ["sv"]}, {}, organizations, "/katalog/redigera/tjanster/ny"
    )


@post("/katalog/redigera/tjanster/ny", opt={"permission": EDIT}, include_in_schema=False)
async def propose_new_service(request: Request[Any, Any, Any], state: State) -> Template | Redirect:
    """Propose a new service for review."""
    return await _propose_from_form(request, state, uuid.uuid4(), None, "/katalog/redigera/tjanster/ny")


async def _own_service(request: Request[Any, Any, Any], state: State, service_id: UUID) -> ServiceEntry:
    opened, tenant_id, _user = _session(state, request)
    async with opened as session:
        try:
            return await own_service_in_tenant(session, tenant_id, service_id)
        except EntryNotFoundError:
            raise NotFoundException from None


@get("/katalog/redigera/tjanster/{service_id:uuid}", opt={"permission": EDIT}, include_in_schema=False)
async def service_form(request: Request[Any, Any, Any], state: State, service_id: FromPath[UUID]) -> Template:
    """One of the tenant's services in the form."""
    existing = await _own_service(request, state, service_id)
    opened, tenant_id, _user = _session(state, request)
    async with opened as session:
        organizations = (await own_entries_in_tenant(session, tenant_id)).organizations
    return _service_form(service_form_values(existing), {}, organizations, f"/katalog/redigera/tjanster/{service_id}")


@post("/katalog/redigera/tjanster/{service_id:uuid}", opt={"permission": EDIT}, include_in_schema=False)
async def propose_service_change(
    request: Request[Any, Any, Any], state: State, service_id: FromPath[UUID]
) -> Template | Redirect:
    """Propose a change to one of the tenant's services."""
    existing = await _own_service(request, state, service_id)
    return await _propose_from_form(request, state, service_id, existing, f"/katalog/redigera/tjanster/{service_id}")


@post("/katalog/redigera/tjanster/{service_id:uuid}/bekrafta", opt={"permission": EDIT}, include_in_schema=False)
async def confirm(request: Request[Any, Any, Any], state: State, service_id: FromPath[UUID]) -> Redirect:
    """Confirm that a published service's facts still hold."""
    opened, tenant_id, _user = _session(state, request)
    async with opened as session:
        try:
            await confirm_service(session, tenant_id, service_id, _today())
        except EntryNotFoundError:
            raise NotFoundException from None
    return Redirect("/katalog/redigera")


def _organization_form(form: dict[str, list[str]], errors: dict[str, str], action: str) -> Template:
    return Template(
        template_name="directory/organization_form.html",
        context={"form": form, "errors": errors, "action": action, "operation_types": choices(OperationType)},
        status_code=400 if errors else 200,
    )


async def _propose_organization(
    request: Request[Any, Any, Any], state: State, organization_id: UUID, action: str
) -> Template | Redirect:
    form = await request.form()
    entry, errors = read_organization(form, organization_id)
    if not errors:
        opened, tenant_id, user_id = _session(state, request)
        try:
            async with opened as session:
                await propose(session, tenant_id, user_id, entry, _today())
        except EntryRejectedError as error:
            errors = {p.field: p.message for p in reversed(error.problems)}
    if errors:
        return _organization_form(form_values(form), errors, action)
    return Redirect(_SAVED)


@get("/katalog/redigera/organisationer/ny", opt={"permission": EDIT}, include_in_schema=False)
async def new_organization_form() -> Template:
    """An empty organisation form."""
    return _organization_form({}, {}, "/katalog/redigera/organisationer/ny")


@post("/katalog/redigera/organisationer/ny", opt={"permission": EDIT}, include_in_schema=False)
async def propose_new_organization(request: Request[Any, Any, Any], state: State) -> Template | Redirect:
    """Propose a new organisation for review."""
    return await _propose_organization(request, state, uuid.uuid4(), "/katalog/redigera/organisationer/ny")


async def _own_organization(request: Request[Any, Any, Any], state: State, organization_id: UUID) -> OrganizationEntry:
    opened, tenant_id, _user = _session(state, request)
    async with opened as session:
        entries = await own_entries_in_tenant(session, tenant_id)
    for organization in entries.organizations:
        if organization.id == organization_id:
            return organization
    raise NotFoundException


@get("/katalog/redigera/organisationer/{organization_id:uuid}", opt={"permission": EDIT}, include_in_schema=False)
async def organization_form(request: Request[Any, Any, Any], state: State, organization_id: FromPath[UUID]) -> Template:
    """One of the tenant's organisations in the form."""
    existing = await _own_organization(request, state, organization_id)
    return _organization_form(
        organization_form_values(existing), {}, f"/katalog/redigera/organisationer/{organization_id}"
    )


@post("/katalog/redigera/organisationer/{organization_id:uuid}", opt={"permission": EDIT}, include_in_schema=False)
async def propose_organization_change(
    request: Request[Any, Any, Any], state: State, organization_id: FromPath[UUID]
) -> Template | Redirect:
    """Propose a change to one of the tenant's organisations."""
    await _own_organization(request, state, organization_id)
    return await _propose_organization(
        request, state, organization_id, f"/katalog/redigera/organisationer/{organization_id}"
    )


@post("/katalog/redigera/andringar/{revision_id:uuid}/dra-tillbaka", opt={"permission": EDIT}, include_in_schema=False)
async def withdraw_revision(request: Request[Any, Any, Any], state: State, revision_id: FromPath[UUID]) -> Redirect:
    """Withdraw a proposal that awaits review."""
    opened, tenant_id, _user = _session(state, request)
    async with opened as session:
        try:
            await withdraw(session, tenant_id, revision_id)
        except EntryNotFoundError:
            raise NotFoundException from None
    return Redirect("/katalog/redigera")


EDITOR_ROUTES = [
    own_entries,
    new_service_form,
    propose_new_service,
    service_form,
    propose_service_change,
    confirm,
    new_organization_form,
    propose_new_organization,
    organization_form,
    propose_organization_change,
    withdraw_revision,
]
