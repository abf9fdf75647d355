"""Onboarding pages: the national administrator's, and an organisation administrator's seed to confirm.

The national administrator lists every tenant, invites first administrators and follows how much
of the directory is confirmed by county and kind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from avhopp.directory.catalogue.service import (
    confirmation_by_owner,
    propose_confirmation,
    seed_services_to_confirm,
)
from avhopp.platform.audit import Action, AuditEvent, record_alone
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.labels import label
from avhopp.platform.notifications.mail import outgoing_mail
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import swedish_date
from avhopp.platform.web.observe import request_id_of
from avhopp.tenants.registry.administration import AdministrationError
from avhopp.tenants.registry.models import TenantKind
from avhopp.tenants.registry.onboarding import (
    Invited,
    invite_first_admin,
    onboarding_status,
    resend_first_admin_invitation,
    revoke_first_admin_invitations,
    tenant_counties_and_kinds,
    tenant_status,
)
from avhopp.tenants.registry.permissions import ONBOARD, TENANT_ADMINISTER
from avhopp.tenants.registry.web.admin import KIND_NAMES

if TYPE_CHECKING:
    from datetime import date

_log = structlog.get_logger("avhopp.tenants")
_BASE = "/nationellt/organisationer"
_NO_COUNTY = "Utan län"
MAX_PAGE = 10_000


def _person(acting: TenantScope) -> UUID:
    """The acting person; machine clients onboard nobody."""
    if acting.person_id is None:
        raise NotFoundError
    return acting.person_id


async def _refused(
    request: Request[Any, Any, Any], state: State, acting: TenantScope, error: AdministrationError
) -> None:
    """Record a refusal in a transaction of its own: the request's own is rolled back."""
    await record_alone(
        state.sessions,
        AuditEvent(
            Action.CHANGE_REFUSED,
            acting.tenant_id,
            acting.principal.user_id,
            reason=error.code,
            request_id=request_id_of(request.scope) or None,
        ),
    )


def _today() -> date:
    return swedish_date()


async def _tenant_page(  # noqa: PLR0913 - what the page shows after each action, keyword-only
    acting: TenantScope,
    tenant_id: UUID,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    invited: Invited | None = None,
    revoked: bool = False,
) -> Template:
    try:
        status = await tenant_status(acting.session, tenant_id)
    except AdministrationError:
        raise NotFoundError from None
    confirmation = (await confirmation_by_owner(acting.session)).get(tenant_id)
    return Template(
        template_name="tenants/onboarding_tenant.html",
        context={
            "tenant": status,
            "kind_name": KIND_NAMES.get(TenantKind(status.kind), status.kind),
            "confirmation": confirmation,
            "errors": errors or {},
            "values": values or {},
            "invited": invited,
            "revoked": revoked,
        },
        status_code=400 if errors else 200,
    )


@dataclass(frozen=True, slots=True)
class ConfirmedShare:
    """How much of the directory owned by one kind of tenant in one county is confirmed."""

    county: str
    kind: str
    services: int
    confirmed: int

    @property
    def percent(self) -> int:
        """The confirmed share, rounded down, in whole per cent."""
        return self.confirmed * 100 // self.services if self.services else 0


class NationalOnboarding(Controller):
    """The national administrator invites each tenant's first administrator and follows the directory."""

    path = _BASE
    opt = {"permission": ONBOARD, "tenant_kinds": (TenantKind.NATIONAL_COORDINATOR.value,)}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def tenants(self, acting: Acting, sok: FromQuery[str] = "", sida: FromQuery[int] = 1) -> Template:
        """Every tenant, with whether it has an active administrator and when its entries were last confirmed."""
        _person(acting)
        listing = await onboarding_status(acting.session, sok, min(max(sida, 1), MAX_PAGE))
        confirmations = await confirmation_by_owner(acting.session)
        return Template(
            template_name="tenants/onboarding_list.html",
            context={
                "listing": listing,
                "search": sok[:100],
                "confirmations": confirmations,
                "kind_names": {kind.value: name for kind, name in KIND_NAMES.items()},
            },
        )

    @get("/katalog")
    async def directory_confirmed(self, acting: Acting) -> Template:
        """How much of the directory its owners have confirmed, per county and kind of organisation."""
        _person(acting)
        confirmations = await confirmation_by_owner(acting.session)
        where = await tenant_counties_and_kinds(acting.session)
        counties = {county.code: county.name for county in shipped_geography().counties}
        totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for owner, confirmation in confirmations.items():
            county_code, kind = where.get(owner, (None, ""))
            key = (counties.get(county_code or "", _NO_COUNTY), KIND_NAMES.get(TenantKind(kind), kind) if kind else "")
            totals[key][0] += confirmation.services
            totals[key][1] += confirmation.confirmed
        shares = [ConfirmedShare(county, kind, total, done) for (county, kind), (total, done) in sorted(totals.items())]
        services = sum(share.services for share in shares)
        confirmed = sum(share.confirmed for share in shares)
        return Template(
            template_name="tenants/onboarding_directory.html",
            context={"shares": shares, "overall": ConfirmedShare("", "", services, confirmed)},
        )

    @get("/{tenant_id:uuid}")
    async def tenant(self, acting: Acting, tenant_id: FromPath[UUID]) -> Template:
        """One tenant: its administrators, its invitation, and forms to invite, re-send or revoke."""
        _person(acting)
        return await _tenant_page(acting, tenant_id)

    @post("/{tenant_id:uuid}/inbjudan")
    async def invite(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, tenant_id: FromPath[UUID]
    ) -> Response[Any]:
        """Invite someone to administer the tenant; a second administrator only when asked for explicitly."""
        person = _person(acting)
        form = await request.form()
        email = str(form.get("email", ""))
        second = form.get("second_admin") == "ja"
        try:
            async with acting.session.begin_nested():
                invited = await invite_first_admin(
                    acting.session,
                    national_tenant_id=acting.tenant_id,
                    actor=person,
                    tenant_id=tenant_id,
                    email=email,
                    second_admin=second,
                    secret_key=state.settings.secret_key,
                    public_url=state.settings.public_url,
                    mail=outgoing_mail() is not None,
                    request_id=request_id_of(request.scope) or None,
                )
        except AdministrationError as error:
            await _refused(request, state, acting, error)
            if error.code == "not_found":
                raise NotFoundError from None
            field = "email" if error.code == "email" else "second_admin"
            return await _tenant_page(acting, tenant_id, errors={field: error.message}, values={"email": email[:254]})
        _log.info("tenants.first_admin_invited", tenant_id=str(tenant_id), emailed=invited.emailed)
        return await _tenant_page(acting, tenant_id, invited=invited)

    @post("/{tenant_id:uuid}/skicka-igen")
    async def resend(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, tenant_id: FromPath[UUID]
    ) -> Response[Any]:
        """A new link to the same address; the old one stops working."""
        person = _person(acting)
        try:
            async with acting.session.begin_nested():
                invited = await resend_first_admin_invitation(
                    acting.session,
                    national_tenant_id=acting.tenant_id,
                    actor=person,
                    tenant_id=tenant_id,
                    secret_key=state.settings.secret_key,
                    public_url=state.settings.public_url,
                    mail=outgoing_mail() is not None,
                    request_id=request_id_of(request.scope) or None,
                )
        except AdministrationError as error:
            await _refused(request, state, acting, error)
            if error.code == "not_found":
                raise NotFoundError from None
            return await _tenant_page(acting, tenant_id, errors={"invitation": error.message})
        return await _tenant_page(acting, tenant_id, invited=invited)

    @post("/{tenant_id:uuid}/aterkalla")
    async def revoke(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, tenant_id: FromPath[UUID]
    ) -> Response[Any]:
        """Revoke the tenant's open invitations: their links stop working at once."""
        person = _person(acting)
        try:
            async with acting.session.begin_nested():
                await revoke_first_admin_invitations(
                    acting.session,
                    national_tenant_id=acting.tenant_id,
                    actor=person,
                    tenant_id=tenant_id,
                    request_id=request_id_of(request.scope) or None,
                )
        except AdministrationError as error:
            await _refused(request, state, acting, error)
            if error.code == "not_found":
                raise NotFoundError from None
            return await _tenant_page(acting, tenant_id, errors={"invitation": error.message})
        return await _tenant_page(acting, tenant_id, revoked=True)


class SeedConfirmation(Controller):
    """An organisation's administrator confirms its seed entries; the national coordinator reviews each."""

    path = "/organisation/katalog"
    opt = {"permission": TENANT_ADMINISTER}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def to_confirm(self, acting: Acting, skickat: FromQuery[str] = "", fel: FromQuery[str] = "") -> Template:
        """The tenant's entries nobody has confirmed yet, each fact with its source."""
        _person(acting)
        services = await seed_services_to_confirm(acting.session, acting.tenant_id)
        return Template(
            template_name="tenants/seed_confirmation.html",
            context={"services": services, "sent": bool(skickat), "pending_error": bool(fel), "label": label},
        )

    @post("/{service_id:uuid}/bekrafta")
    async def confirm(self, acting: Acting, service_id: FromPath[UUID]) -> Redirect:
        """Send the entry to review as confirmed by its owner."""
        person = _person(acting)
        try:
            async with acting.session.begin_nested():
                await propose_confirmation(acting.session, acting.tenant_id, person, service_id, _today())
        except InvalidInputError:
            # The only refusal for one of the tenant's own published entries: a change already awaits review.
            return Redirect("/organisation/katalog?fel=1")
        return Redirect("/organisation/katalog?skickat=1")


ONBOARDING_ROUTES = [NationalOnboarding, SeedConfirmation]
