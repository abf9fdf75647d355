"""The guidance line's referrals to our organisation: read one (audited), accept it as a draft case, or decline."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.tenants.cases.permissions import RECEIVE
from avhopp.tenants.cases.service import (
    UNANSWERED,
    ReferralStatus,
    accept_referral,
    case_link,
    decline_referral,
    read_referral,
    referral_inbox,
)
from avhopp.tenants.cases.web.common import KINDS, actor_of, secret_key, values_of

STATUSES = labels_of(ReferralStatus)


async def _referral_page(
    acting: TenantScope,
    referral_id: UUID,
    form: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    view = await read_referral(acting.session, actor_of(acting), referral_id)
    return Template(
        template_name="cases/referral.html",
        context={
            "view": view,
            "statuses": STATUSES,
            "unanswered": view.referral.status in UNANSWERED,
            "form": form or {},
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


class ReferralPages(Controller):
    """Referrals from the guidance line to our organisation, in the case workspace."""

    path = "/arenden/remisser"
    opt = {"permission": RECEIVE, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def inbox(self, acting: Acting) -> Template:
        """Every referral the line has sent us, newest first, and where each stands."""
        referrals = await referral_inbox(acting.session, actor_of(acting))
        return Template(template_name="cases/referrals.html", context={"referrals": referrals, "statuses": STATUSES})

    @get("/{referral_id:uuid}")
    async def referral(self, acting: Acting, referral_id: FromPath[UUID]) -> Template:
        """What the caller agreed to share and how to reach them safely; reading it is logged."""
        return await _referral_page(acting, referral_id)

    @post("/{referral_id:uuid}/acceptera")
    async def accept(self, state: State, acting: Acting, referral_id: FromPath[UUID]) -> Response[Any]:
        """Accept: a draft case opens with what the caller shared, and its intake is next."""
        try:
            async with acting.session.begin_nested():
                case_id = await accept_referral(acting.session, secret_key(state), actor_of(acting), referral_id)
        except InvalidInputError as error:
            return await _referral_page(acting, referral_id, errors=error.by_field())
        return Redirect(f"{case_link(case_id)}/bedomning")

    @post("/{referral_id:uuid}/avboj")
    async def decline(
        self, request: Request[Any, Any, Any], acting: Acting, referral_id: FromPath[UUID]
    ) -> Response[Any]:
        """Decline, with a reason the line sees."""
        form = await request.form()
        reason = form.get("decision_reason")
        try:
            async with acting.session.begin_nested():
                await decline_referral(
                    acting.session, actor_of(acting), referral_id, reason if isinstance(reason, str) else ""
                )
        except InvalidInputError as error:
            return await _referral_page(acting, referral_id, values_of(form), error.by_field())
        return Redirect("/arenden/remisser")
