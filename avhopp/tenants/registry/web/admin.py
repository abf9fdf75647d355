"""Tenant administration pages: members and roles, invitations, and (for platform admins) tenants."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from avhopp.platform.audit import Action, AuditEvent, record, record_alone
from avhopp.platform.auth.sessions import SESSION_COOKIE, act_for
from avhopp.platform.idp import RESET_PATH, AdminError, ResetKind, issuer_for, start_reset
from avhopp.platform.problems import NotFoundError
from avhopp.platform.scope.principal import TenantChoice
from avhopp.platform.scope.request import Acting, SignedIn, TenantScope
from avhopp.platform.scope.route_permissions import SIGNED_IN
from avhopp.platform.web.observe import request_id_of
from avhopp.tenants.registry.administration import (
    AdministrationError,
    accept_invitation,
    check_may_reset,
    checked_roles,
    create_tenant,
    grantable_roles,
    invite_to_tenant,
    members_in_tenant,
    membership_in_tenant,
    open_invitation,
    open_invitations_in_tenant,
    remove_member_in_tenant,
    revoke_invitation_in_tenant,
    set_roles_in_tenant,
    set_tenant_active,
    subject_at_issuer,
    tenant_named,
    tenant_page,
)
from avhopp.tenants.registry.models import TenantKind
from avhopp.tenants.registry.permissions import PLATFORM_ADMINISTER, TENANT_ADMINISTER

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.scope.principal import Principal

_log = structlog.get_logger("avhopp.tenants")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_INVITATION_ID = re.compile(r"^[0-9a-f]{64}$")
MAX_PAGE = 1000
CONFIRMED = "ja"
"""A dangerous action's form carries `bekrafta=ja` once the person has seen what follows; without it, they see that."""


def _confirm(  # noqa: PLR0913 - the step's parts, keyword-only
    *,
    heading: str,
    name: str,
    consequences: list[str],
    action: str,
    confirm: str,
    cancel: str,
    fields: dict[str, str] | None = None,
) -> Template:
    """The confirmation step of a dangerous action: what follows, and the same action once more, confirmed.

    The texts are Swedish message ids, translated by the page; `heading` names `%(name)s`.
    """
    return Template(
        template_name="tenants/confirm.html",
        context={
            "heading": heading,
            "name": name,
            "consequences": consequences,
            "action": action,
            "confirm": confirm,
            "cancel": cancel,
            "fields": fields or {},
        },
    )


async def _confirmed(request: Request[Any, Any, Any]) -> bool:
    return (await request.form()).get("bekrafta") == CONFIRMED


def _administrator(acting: TenantScope) -> UUID:
    """The administrating person; machine clients administer nothing."""
    if acting.person_id is None:
        raise NotFoundError
    return acting.person_id


def _event(
    request: Request[Any, Any, Any], principal: Principal, action: Action, tenant_id: UUID | None, **fields: str
) -> AuditEvent:
    """An audit event by this principal; fields are codes and ids, never personal data."""
    return AuditEvent(action, tenant_id, principal.user_id, request_id=request_id_of(request.scope) or None, **fields)


async def _audit(
    session: AsyncSession,
    request: Request[Any, Any, Any],
    principal: Principal,
    action: Action,
    *,
    tenant_id: UUID | None = None,
    **fields: str,
) -> None:
    """Record a change in the session's transaction, in the tenant acted for unless another is named."""
    await record(session, _event(request, principal, action, tenant_id or principal.tenant_id, **fields))


async def _refused(
    request: Request[Any, Any, Any], state: State, acting: TenantScope, error: AdministrationError
) -> None:
    """Record a refused change in a transaction of its own: the request's own is rolled back."""
    await record_alone(
        state.sessions, _event(request, acting.principal, Action.CHANGE_REFUSED, acting.tenant_id, reason=error.code)
    )


async def _members_page(  # noqa: PLR0913 - what the page may show, keyword-only
    acting: TenantScope,
    state: State,
    *,
    errors: dict[str, str] | None = None,
    link: str | None = None,
    done: str | None = None,
    reset_link: tuple[str, str, str] | None = None,
) -> Template:
    return Template(
        template_name="tenants/members.html",
        context={
            "members": await members_in_tenant(acting.session, acting.tenant_id),
            "invitations": await open_invitations_in_tenant(acting.session, acting.tenant_id),
            # The kind comes with the tenant the principal acts for, never from the form.
            "roles": grantable_roles(acting.principal.tenant_kind or "", may_grant_platform_roles=False),
            # Authenticators are reset here only for people who sign in with the platform's own provider.
            "built_in_sign_in": state.settings.oidc is None,
            "errors": errors or {},
            "invitation_link": link,
            # (Swedish message id naming %(name)s, the person's name, the link): shown once.
            "reset_link": reset_link,
            "done": done,
        },
        status_code=400 if errors else 200,
    )


DONE_MESSAGES = {
    "borttagen": "Personen är borttagen ur organisationen och utloggad.",
    "aterkallad": "Inbjudan är återkallad. Länken fungerar inte längre.",
}


RESET_CONFIRMATIONS = {
    ResetKind.PASSWORD: (
        "Återställa lösenordet för %(name)s?",
        [
            "Du får en länk att ge till personen på ett säkert sätt. Den gäller i två timmar och kan användas en gång.",
            "Med länken väljer personen ett nytt lösenord och visar att det är hen med en kod från sin app.",
            "Du ser aldrig det nya lösenordet. När det är bytt loggas personen ut överallt.",
        ],
        "Ja, skapa en länk för nytt lösenord",
    ),
    ResetKind.AUTHENTICATOR: (
        "Koppla en ny autentiseringsapp för %(name)s?",
        [
            "Du får en länk att ge till personen på ett säkert sätt. Den gäller i två timmar och kan användas en gång.",
            "Med länken skriver personen sitt lösenord och kopplar en ny app. Den gamla appens koder slutar då gälla.",
            "Gör det bara när du vet att det är personen själv som har bett om det.",
        ],
        "Ja, skapa en länk för ny app",
    ),
}
RESET_LINK_TEXTS = {
    ResetKind.PASSWORD: (
        "Länken för nytt lösenord till %(name)s är skapad. Ge den till personen på ett säkert sätt, inte med vanlig"
        " e-post. Den gäller i två timmar och kan användas en gång; personen behöver sin autentiseringsapp."
    ),
    ResetKind.AUTHENTICATOR: (
        "Länken för ny autentiseringsapp till %(name)s är skapad. Ge den till personen på ett säkert sätt, inte med"
        " vanlig e-post. Den gäller i två timmar och kan användas en gång; personen behöver sitt lösenord."
    ),
}


async def _start_reset(
    request: Request[Any, Any, Any], state: State, acting: TenantScope, membership_id: UUID, kind: ResetKind
) -> Response[Any]:
    """Confirm, then start a reset of a person who signs in with the platform's own provider; show the link once.

    A foreign membership is not found. The link replaces any earlier one for the person; nothing about
    the account changes until the person completes it, so the administrator never sees a secret.
    """
    _administrator(acting)
    issuer = issuer_for(state.settings)
    try:
        member = await membership_in_tenant(acting.session, acting.tenant_id, membership_id)
        subject = await subject_at_issuer(acting.session, acting.tenant_id, membership_id, issuer)
    except AdministrationError:
        raise NotFoundError from None
    try:
        check_may_reset(member, built_in=subject is not None and state.settings.oidc is None)
    except AdministrationError as not_allowed:
        await _refused(request, state, acting, not_allowed)
        return await _members_page(acting, state, errors={f"m-{membership_id}": not_allowed.message})
    action = f"/organisation/personer/{membership_id}/{'losenord' if kind is ResetKind.PASSWORD else 'autentisering'}"
    if not await _confirmed(request):
        heading, consequences, confirm = RESET_CONFIRMATIONS[kind]
        return _confirm(
            heading=heading,
            name=member.display_name,
            consequences=consequences,
            action=action,
            confirm=confirm,
            cancel="/organisation/personer",
        )
    try:
        token = await acting.session.run_sync(lambda sync: start_reset(sync.connection(), UUID(subject), kind))
    except AdminError as refused:
        error = AdministrationError("reset_refused", str(refused))
        await _refused(request, state, acting, error)
        return await _members_page(acting, state, errors={f"m-{membership_id}": error.message})
    await _audit(
        acting.session,
        request,
        acting.principal,
        Action.PERSON_CHANGED,
        object_type="membership",
        object_id=str(membership_id),
        reason=f"{kind.value}_reset_started",
    )
    return await _members_page(
        acting, state, reset_link=(RESET_LINK_TEXTS[kind], member.display_name, f"{issuer}{RESET_PATH}{token}")
    )


class MemberAdministration(Controller):
    """A tenant's administrators give and take roles, remove people and invite new ones."""

    path = "/organisation"
    opt = {"permission": TENANT_ADMINISTER}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/personer")
    async def members(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, klart: FromQuery[str] = ""
    ) -> Template:
        """The tenant's people and their roles, with forms to change them, its open invitations and a new one."""
        _administrator(acting)
        await _audit(acting.session, request, acting.principal, Action.PERSON_READ, object_type="member_list")
        return await _members_page(acting, state, done=DONE_MESSAGES.get(klart))

    @post("/personer/{membership_id:uuid}/roller")
    async def change_roles(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, membership_id: FromPath[UUID]
    ) -> Response[Any]:
        """Set a member's roles in the tenant the administrator acts for."""
        _administrator(acting)
        form = await request.form()
        kind = acting.principal.tenant_kind or ""
        try:
            async with acting.session.begin_nested():
                roles = checked_roles(list(form.getall("roles", [])), kind, may_grant_platform_roles=False)
                before, after = await set_roles_in_tenant(acting.session, acting.tenant_id, membership_id, roles)
        except AdministrationError as error:
            await _refused(request, state, acting, error)
            if error.code == "not_found":
                raise NotFoundError from None
            return await _members_page(acting, state, errors={f"m-{membership_id}": error.message})
        for action, changed in ((Action.ROLE_GRANTED, after - before), (Action.ROLE_REVOKED, before - after)):
            for role in sorted(changed):
                await _audit(
                    acting.session,
                    request,
                    acting.principal,
                    action,
                    object_type="membership",
                    object_id=str(membership_id),
                    reason=role,
                )
        return Redirect("/organisation/personer")

    @post("/personer/{membership_id:uuid}/ta-bort")
    async def remove_member(
        self, request: Request[Any, Any, Any], acting: Acting, membership_id: FromPath[UUID]
    ) -> Response[Any]:
        """Take a person out of the tenant, once the administrator has seen what follows."""
        _administrator(acting)
        try:
            member = await membership_in_tenant(acting.session, acting.tenant_id, membership_id)
            if not await _confirmed(request):
                return _confirm(
                    heading="Ta bort %(name)s ur organisationen?",
                    name=member.display_name,
                    consequences=[
                        "Personen förlorar genast alla sina roller här och loggas ut.",
                        "Ärenden och annat som personen har gjort finns kvar.",
                        "Ska personen tillbaka behövs en ny inbjudan.",
                    ],
                    action=f"/organisation/personer/{membership_id}/ta-bort",
                    confirm="Ja, ta bort personen",
                    cancel="/organisation/personer",
                )
            await remove_member_in_tenant(acting.session, acting.tenant_id, membership_id)
        except AdministrationError:
            raise NotFoundError from None
        await _audit(
            acting.session,
            request,
            acting.principal,
            Action.MEMBER_REMOVED,
            object_type="membership",
            object_id=str(membership_id),
        )
        return Redirect("/organisation/personer?klart=borttagen")

    @post("/personer/{membership_id:uuid}/losenord")
    async def reset_member_password(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, membership_id: FromPath[UUID]
    ) -> Response[Any]:
        """Start a password reset: a one-time link where the person chooses a new one, proving their app."""
        return await _start_reset(request, state, acting, membership_id, ResetKind.PASSWORD)

    @post("/personer/{membership_id:uuid}/autentisering")
    async def reset_member_authenticator(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, membership_id: FromPath[UUID]
    ) -> Response[Any]:
        """Start an authenticator reset: a one-time link where the person connects a new app, proving the password."""
        return await _start_reset(request, state, acting, membership_id, ResetKind.AUTHENTICATOR)

    @post("/inbjudningar/{invitation_id:str}/aterkalla")
    async def revoke_invitation(
        self, request: Request[Any, Any, Any], acting: Acting, invitation_id: FromPath[str]
    ) -> Redirect:
        """Revoke an open invitation: its link no longer works."""
        administrator = _administrator(acting)
        if not _INVITATION_ID.fullmatch(invitation_id):
            raise NotFoundError
        try:
            await revoke_invitation_in_tenant(acting.session, acting.tenant_id, invitation_id, administrator)
        except AdministrationError:
            raise NotFoundError from None
        await _audit(acting.session, request, acting.principal, Action.INVITATION_REVOKED, object_type="invitation")
        return Redirect("/organisation/personer?klart=aterkallad")

    @post("/inbjudningar")
    async def invite(self, request: Request[Any, Any, Any], state: State, acting: Acting) -> Template:
        """Create an invitation; its link is shown once, to be given to the invitee by a safe channel."""
        administrator = _administrator(acting)
        form = await request.form()
        try:
            roles = checked_roles(
                list(form.getall("roles", [])),
                acting.principal.tenant_kind or "",
                may_grant_platform_roles=False,
                at_least_one=True,
            )
        except AdministrationError as error:
            await _refused(request, state, acting, error)
            return await _members_page(acting, state, errors={"roles": error.message})
        token = await invite_to_tenant(acting.session, acting.tenant_id, administrator, roles)
        await _audit(acting.session, request, acting.principal, Action.INVITED, reason=",".join(roles))
        return await _members_page(acting, state, link=f"{state.settings.public_url}/inbjudan/{token}")


def _invitation_invalid(token: str, error: AdministrationError) -> Template:
    # 404: an unusable invitation looks the same whether it never existed, expired or was used.
    return Template(
        template_name="tenants/invitation.html", context={"token": token, "error": error.message}, status_code=404
    )


class InvitationPages(Controller):
    """A signed-in person opens and accepts an invitation link."""

    path = "/inbjudan"
    opt = {"permission": SIGNED_IN}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/{token:str}")
    async def invitation(self, signed_in: SignedIn, token: FromPath[str]) -> Template:
        """Ask the signed-in person to accept the invitation."""
        try:
            await open_invitation(signed_in.session, token)
        except AdministrationError as error:
            return _invitation_invalid(token, error)
        return Template(template_name="tenants/invitation.html", context={"token": token})

    @post("/{token:str}")
    async def accept(self, request: Request[Any, Any, Any], signed_in: SignedIn, token: FromPath[str]) -> Response[Any]:
        """Join the tenant; the person then switches to it in the header."""
        try:
            async with signed_in.session.begin_nested():
                tenant_id = await accept_invitation(signed_in.session, token, signed_in.user_id)
                # accept_invitation left the transaction acting in the inviting tenant: the event belongs there.
                await _audit(
                    signed_in.session, request, signed_in.principal, Action.INVITATION_ACCEPTED, tenant_id=tenant_id
                )
                # From now on the person acts for the tenant they joined: a first administrator has
                # no other tenant, and with only one the header offers no switch. The membership was
                # made in this transaction, so the principal of the request does not list it yet.
                joined = replace(
                    signed_in.principal, tenants=(*signed_in.principal.tenants, TenantChoice(id=tenant_id, name=""))
                )
                await act_for(signed_in.session, request.cookies[SESSION_COOKIE], joined, tenant_id)
        except AdministrationError as error:
            _log.warning("tenants.invitation_not_accepted", reason=error.code, user_id=str(signed_in.user_id))
            return _invitation_invalid(token, error)
        return Redirect("/konto")


KIND_NAMES = {
    TenantKind.MUNICIPALITY: "Kommun",
    TenantKind.OPERATION: "Avhopparverksamhet",
    TenantKind.COUNTY_BOARD: "Länsstyrelse",
    TenantKind.GUIDANCE_LINE: "Stödlinje",
    TenantKind.NATIONAL_COORDINATOR: "Nationell samordnare",
    TenantKind.OTHER_AUTHORITY: "Annan myndighet",
}
# Municipalities and county boards come from the geography, not from this form.
CREATABLE_KINDS = [kind for kind in TenantKind if kind not in {TenantKind.MUNICIPALITY, TenantKind.COUNTY_BOARD}]


async def _tenants_page(
    session: AsyncSession,
    *,
    search: str = "",
    page: int = 1,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    return Template(
        template_name="tenants/tenant_list.html",
        context={
            "listing": await tenant_page(session, search, page),
            "search": search[:100],
            "kind_names": KIND_NAMES,
            "creatable_kinds": CREATABLE_KINDS,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=400 if errors else 200,
    )


class TenantRegistryPages(Controller):
    """Platform administrators add tenants and (de)activate them; the registry is the platform's."""

    path = "/organisationer"
    opt = {"permission": PLATFORM_ADMINISTER}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def tenant_list(self, acting: Acting, sok: FromQuery[str] = "", sida: FromQuery[int] = 1) -> Template:
        """The platform's tenants, searched, a page at a time, with forms to add one and to (de)activate each."""
        _administrator(acting)
        return await _tenants_page(acting.session, search=sok, page=min(max(sida, 1), MAX_PAGE))

    @post("/")
    async def new_tenant(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """Create a tenant that is not a municipality or county board."""
        administrator = _administrator(acting)
        form = await request.form()
        values = {field: str(form.get(field, "")).strip() for field in ("name", "slug", "kind")}
        errors: dict[str, str] = {}
        if not 2 <= len(values["name"]) <= 200:  # noqa: PLR2004
            errors["name"] = "Skriv organisationens namn."
        if not _SLUG.fullmatch(values["slug"]) or len(values["slug"]) > 64:  # noqa: PLR2004
            errors["slug"] = "Kortadressen får bara innehålla a–z, 0–9 och bindestreck."
        if not errors:
            try:
                async with acting.session.begin_nested():
                    tenant_id = await create_tenant(acting.session, values["kind"], values["name"], values["slug"])
            except AdministrationError as error:
                errors["slug" if error.code == "slug_taken" else "kind"] = error.message
            else:
                await _audit(
                    acting.session,
                    request,
                    acting.principal,
                    Action.TENANT_CREATED,
                    object_type="tenant",
                    object_id=str(tenant_id),
                )
                return Redirect("/organisationer")
        _log.warning("tenants.tenant_refused", reason=",".join(sorted(errors)), user_id=str(administrator))
        return await _tenants_page(acting.session, errors=errors, values=values)

    @post("/{tenant_id:uuid}/status")
    async def tenant_status(
        self, request: Request[Any, Any, Any], acting: Acting, tenant_id: FromPath[UUID]
    ) -> Response[Any]:
        """Activate or deactivate a tenant (the tenant registry is platform data, not any tenant's)."""
        _administrator(acting)
        wanted = (await request.form()).get("active")
        if wanted not in {"true", "false"}:
            return await _tenants_page(acting.session, errors={"status": "Välj om organisationen ska vara aktiv."})
        try:
            tenant = await tenant_named(acting.session, tenant_id)
            if wanted == "false" and not await _confirmed(request):
                return _confirm(
                    heading="Stänga av %(name)s?",
                    name=tenant.name,
                    consequences=[
                        "Ingen kan längre arbeta för organisationen: dess personer når inga uppgifter i den.",
                        "Uppgifterna finns kvar, och organisationen kan aktiveras igen här.",
                    ],
                    action=f"/organisationer/{tenant_id}/status",
                    confirm="Ja, stäng av organisationen",
                    cancel="/organisationer",
                    fields={"active": "false"},
                )
            await set_tenant_active(acting.session, tenant_id, active=wanted == "true")
        except AdministrationError:
            raise NotFoundError from None
        await _audit(
            acting.session,
            request,
            acting.principal,
            Action.TENANT_STATUS_CHANGED,
            object_type="tenant",
            object_id=str(tenant_id),
            reason="active" if wanted == "true" else "inactive",
        )
        return Redirect("/organisationer")


ADMIN_ROUTES = [MemberAdministration, InvitationPages, TenantRegistryPages]
