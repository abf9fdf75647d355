"""For the line's supervisors and the national coordinator: statistics, quality review, note retention."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.directory.catalogue.service import Intervention, TargetGroup, ThreatLevel
from avhopp.directory.line.permissions import LINE_KINDS, REVIEW, STATISTICS, STATISTICS_KINDS
from avhopp.directory.line.service import (
    contact_in_line,
    recent_contacts_in_line,
    referrals_of_line,
    retention_days,
    set_retention_days,
)
from avhopp.directory.line.statistics import SUPPRESS_BELOW, gather, statistics_of
from avhopp.directory.line.vocabulary import CallerType, Channel, Outcome, ProfessionalKind
from avhopp.directory.line.web.console import STATUS_LABELS, person_of
from avhopp.platform.audit import Action, AuditEvent, record
from avhopp.platform.labels import label, labels_of
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.web.forms import county_choices
from avhopp.platform.web.observe import request_id_of
from avhopp.tenants.registry.service import TenantKind, tenant_ids_of_kind

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

_CALLBACK_BUCKETS = {
    "under_1": "Under 1 timme",
    "1_to_4": "1–4 timmar",
    "4_to_24": "4–24 timmar",
    "over_24": "Mer än ett dygn",
}


def _labels() -> dict[str, str]:
    labels = {member.value: label(member) for member in (*CallerType, *Outcome, *Channel)}
    labels |= labels_of(Intervention)
    labels |= {choice.value: choice.label for choice in county_choices()}
    labels |= STATUS_LABELS | _CALLBACK_BUCKETS | {"": "Okänt län"}
    return labels


async def _statistics(acting: TenantScope, errors: dict[str, str]) -> Template:
    # The route opens only in STATISTICS_KINDS: a line sees its own figures, the coordinator every line's.
    own = acting.principal.tenant_kind == TenantKind.GUIDANCE_LINE
    lines = [acting.tenant_id] if own else await tenant_ids_of_kind(acting.session, TenantKind.GUIDANCE_LINE)
    figures = statistics_of(await gather(acting.session, lines), suppress=not own)
    retention = await retention_days(acting.session, acting.tenant_id) if own else None
    return Template(
        template_name="line/statistics.html",
        context={
            "statistics": figures,
            "labels": _labels(),
            "own": own,
            "suppress_below": SUPPRESS_BELOW,
            "retention": retention,
            "errors": errors,
        },
        status_code=400 if errors else 200,
    )


async def _audited(request: Request[Any, Any, Any], acting: TenantScope, object_id: str) -> None:
    await record(
        acting.session,
        AuditEvent(
            Action.PERSON_READ,
            acting.tenant_id,
            person_of(acting),
            object_type="line_contact",
            object_id=object_id,
            request_id=request_id_of(request.scope) or None,
        ),
    )


@get("/linjen/statistik", opt={"permission": STATISTICS, "tenant_kinds": STATISTICS_KINDS}, include_in_schema=False)
async def statistics_page(acting: Acting) -> Template:
    """The line's own figures; for the national coordinator, all lines with small figures hidden."""
    return await _statistics(acting, {})


class SupervisionPages(Controller):
    """The line's supervisors: note retention and the audited quality review of contacts."""

    path = "/linjen"
    opt = {"permission": REVIEW, "tenant_kinds": LINE_KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @post("/installningar")
    async def change_retention(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """How long guidance notes are kept (1–365 days)."""
        form = await request.form()
        raw = str(form.get("note_retention_days") or "")
        try:
            async with acting.session.begin_nested():
                await set_retention_days(acting.session, acting.tenant_id, int(raw) if raw.isdigit() else 0)
        except InvalidInputError as error:
            return await _statistics(acting, error.by_field())
        return Redirect("/linjen/statistik")

    @get("/granskning")
    async def contacts(self, request: Request[Any, Any, Any], acting: Acting) -> Template:
        """The line's latest contacts, read-only, for quality review (the reading is audited)."""
        contacts = await recent_contacts_in_line(acting.session, acting.tenant_id)
        await _audited(request, acting, "list")
        return Template(template_name="line/review_list.html", context={"contacts": contacts, "labels": _labels()})

    @get("/granskning/{contact_id:uuid}")
    async def contact(self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]) -> Template:
        """One contact as recorded, with its referrals; read-only and audited."""
        contact = await contact_in_line(acting.session, acting.tenant_id, contact_id)
        referrals = await referrals_of_line(acting.session, acting.tenant_id, contact_id)
        await _audited(request, acting, str(contact_id))
        return Template(
            template_name="line/review_contact.html",
            context={
                "contact": contact,
                "referrals": referrals,
                "labels": _labels(),
                "status_labels": STATUS_LABELS,
                "threat": label(ThreatLevel(contact.threat_level)),
                "group": label(TargetGroup(contact.target_group)) if contact.target_group else "",
                "professional": label(ProfessionalKind(contact.professional_kind)) if contact.professional_kind else "",
            },
        )


SUPERVISION_ROUTES: list[ControllerRouterHandler] = [statistics_page, SupervisionPages]
