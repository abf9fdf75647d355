"""For the line's supervisors and the national coordinator: statistics, quality review, note retention."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select

from avhopp.directory.entry import EntryRejectedError
from avhopp.directory.guards import guidance_line_only
from avhopp.directory.line.models import Contact
from avhopp.directory.line.pages import STATUS_LABELS, line_context
from avhopp.directory.line.service import contact_in_line, referrals_of_line, retention_days, set_retention_days
from avhopp.directory.line.statistics import SUPPRESS_BELOW, gather, statistics_of
from avhopp.directory.line.vocabulary import CallerType, Channel, Outcome, ProfessionalKind, line_label
from avhopp.directory.pages.forms import county_choices
from avhopp.directory.vocabulary import Intervention, TargetGroup, ThreatLevel, label
from avhopp.platform.audit import Action, AuditEvent, record
from avhopp.platform.authz import permission
from avhopp.platform.database import context_session
from avhopp.platform.web.observe import request_id_of
from avhopp.tenants.models import TenantKind
from avhopp.tenants.service import tenant_ids_of_kind, tenant_kinds

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

REVIEW = permission("line_contact", "review")
STATISTICS = permission("line_statistics", "read")
_CALLBACK_BUCKETS = {
    "under_1": "Under 1 timme",
    "1_to_4": "1–4 timmar",
    "4_to_24": "4–24 timmar",
    "over_24": "Mer än ett dygn",
}


def _labels() -> dict[str, str]:
    labels = {member.value: line_label(member) for member in (*CallerType, *Outcome, *Channel)}
    labels |= {member.value: label(member) for member in Intervention}
    labels |= {choice.value: choice.label for choice in county_choices()}
    labels |= STATUS_LABELS | _CALLBACK_BUCKETS | {"": "Okänt län"}
    return labels


@get("/linjen/statistik", opt={"permission": STATISTICS}, include_in_schema=False)
async def statistics_page(request: Request[Any, Any, Any], state: State) -> Template:
    """The line's own figures; for the national coordinator, all lines with small figures hidden."""
    return await _statistics(request, state, {})


async def _statistics(request: Request[Any, Any, Any], state: State, errors: dict[str, str]) -> Template:
    tenant_id, _user, context = line_context(request)
    async with context_session(state.sessions, context) as session:
        kind = (await tenant_kinds(session, [tenant_id])).get(tenant_id)
        if kind is TenantKind.GUIDANCE_LINE:
            lines, own = [tenant_id], True
        elif kind is TenantKind.NATIONAL_COORDINATOR:
            lines, own = await tenant_ids_of_kind(session, TenantKind.GUIDANCE_LINE), False
        else:
            raise NotFoundException
        figures = statistics_of(await gather(session, lines), suppress=not own)
        retention = await retention_days(session, tenant_id) if own else None
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


@post("/linjen/installningar", opt={"permission": REVIEW}, guards=[guidance_line_only], include_in_schema=False)
async def change_retention(request: Request[Any, Any, Any], state: State) -> Template | Redirect:
    """How long guidance notes are kept (1–365 days)."""
    line_id, _user, context = line_context(request)
    form = await request.form()
    raw = str(form.get("note_retention_days") or "")
    try:
        async with context_session(state.sessions, context) as session:
            await set_retention_days(session, line_id, int(raw) if raw.isdigit() else 0)
    except EntryRejectedError as error:
        return await _statistics(request, state, {p.field: p.message for p in error.problems})
    return Redirect("/linjen/statistik")


async def _audited(
    session: AsyncSession, request: Request[Any, Any, Any], line_id: UUID, user_id: UUID, object_id: str
) -> None:
    await record(
        session,
        AuditEvent(
            Action.PERSON_READ,
            line_id,
            user_id,
            object_type="line_contact",
            object_id=object_id,
            request_id=request_id_of(request.scope) or None,
        ),
    )


@get("/linjen/granskning", opt={"permission": REVIEW}, guards=[guidance_line_only], include_in_schema=False)
async def contacts_for_review(request: Request[Any, Any, Any], state: State) -> Template:
    """The line's latest contacts, read-only, for quality review (the reading is audited)."""
    line_id, user_id, context = line_context(request)
    async with context_session(state.sessions, context) as session:
        contacts = list(
            await session.scalars(
                select(Contact).where(Contact.tenant_id == line_id).order_by(Contact.started_at.desc()).limit(100)
            )
        )
        await _audited(session, request, line_id, user_id, "list")
    return Template(template_name="line/review_list.html", context={"contacts": contacts, "labels": _labels()})


@get(
    "/linjen/granskning/{contact_id:uuid}",
    opt={"permission": REVIEW},
    guards=[guidance_line_only],
    include_in_schema=False,
)
async def contact_for_review(request: Request[Any, Any, Any], state: State, contact_id: FromPath[UUID]) -> Template:
    """One contact as recorded, with its referrals; read-only and audited."""
    line_id, user_id, context = line_context(request)
    async with context_session(state.sessions, context) as session:
        try:
            contact = await contact_in_line(session, line_id, contact_id)
        except LookupError:
            raise NotFoundException from None
        referrals = await referrals_of_line(session, line_id, contact_id)
        await _audited(session, request, line_id, user_id, str(contact_id))
    return Template(
        template_name="line/review_contact.html",
        context={
            "contact": contact,
            "referrals": referrals,
            "labels": _labels(),
            "status_labels": STATUS_LABELS,
            "threat": label(ThreatLevel(contact.threat_level)),
            "group": label(TargetGroup(contact.target_group)) if contact.target_group else "",
            "professional": line_label(ProfessionalKind(contact.professional_kind))
            if contact.professional_kind
            else "",
        },
    )


SUPERVISION_ROUTES = [statistics_page, change_retention, contacts_for_review, contact_for_review]
