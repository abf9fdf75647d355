"""The operator console, the line's referral status view and the receivers' referral inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.directory.entry import EntryRejectedError
from avhopp.directory.guards import guidance_line_only
from avhopp.directory.line.callbacks import due_callbacks
from avhopp.directory.line.service import (
    ContactRecord,
    Decision,
    LineNotFoundError,
    Opening,
    ReferralRequest,
    contact_in_line,
    decide_referral,
    inbox_of_tenant,
    open_referral,
    record_contact,
    refer,
    referrals_of_line,
    start_contact,
)
from avhopp.directory.line.vocabulary import CallerType, Channel, Outcome, ProfessionalKind, ReferralStatus, line_label
from avhopp.directory.pages.common import form_values, member_of, result_labels, situation_options
from avhopp.directory.pages.forms import Choice, county_choices, read_search
from avhopp.directory.search import search_directory
from avhopp.directory.vocabulary import Intervention, TargetGroup, ThreatLevel
from avhopp.platform.audit import Action, AuditEvent, record
from avhopp.platform.authz import permission
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.web.observe import request_id_of

if TYPE_CHECKING:
    from enum import StrEnum

    from litestar.datastructures import FormMultiDict

    from avhopp.directory.line.models import Contact
    from avhopp.directory.search import SearchResult

OPERATE = permission("line_contact", "write")
STATUS_LABELS = {status.value: line_label(status) for status in ReferralStatus}
RECEIVE = permission("referral", "receive")


def _line_choices(values: type[StrEnum]) -> tuple[Choice, ...]:
    return tuple(Choice(member.value, line_label(member)) for member in values)


def line_context(request: Request[Any, Any, Any]) -> tuple[UUID, UUID, RequestContext]:
    """The tenant acted for, the person, and their request context."""
    principal, tenant_id = member_of(request)
    if principal.user_id is None:
        raise NotFoundException
    return tenant_id, principal.user_id, RequestContext(tenant_id=tenant_id, user_id=principal.user_id)


@get("/linjen", opt={"permission": OPERATE}, guards=[guidance_line_only], include_in_schema=False)
async def console_start(request: Request[Any, Any, Any], state: State) -> Template:
    """Start a contact: channel and who is calling; nothing else, and never a name. Due callbacks first."""
    line_id, _user, context = line_context(request)
    async with context_session(state.sessions, context) as session:
        due = await due_callbacks(session, line_id, datetime.now(UTC))
    return Template(
        template_name="line/start.html",
        context={
            "due_callbacks": due,
            "channels": _line_choices(Channel),
            "caller_types": _line_choices(CallerType),
            "professional_kinds": _line_choices(ProfessionalKind),
        },
    )


def _enum_or(values: type[StrEnum], raw: object, default: StrEnum | None) -> Any:  # noqa: ANN401 - a member of `values`
    try:
        return values(str(raw))
    except ValueError:
        return default


@post("/linjen/kontakter", opt={"permission": OPERATE}, guards=[guidance_line_only], include_in_schema=False)
async def console_open(request: Request[Any, Any, Any], state: State) -> Redirect:
    """Open the contact and go to its console."""
    line_id, user_id, context = line_context(request)
    form = await request.form()
    opening = Opening(
        channel=_enum_or(Channel, form.get("channel"), Channel.PHONE),
        caller_type=_enum_or(CallerType, form.get("caller_type"), CallerType.OTHER),
        professional_kind=_enum_or(ProfessionalKind, form.get("professional_kind"), None),
    )
    async with context_session(state.sessions, context) as session:
        contact_id = await start_contact(session, line_id, user_id, opening)
    return Redirect(f"/linjen/kontakter/{contact_id}")


async def _console(  # noqa: PLR0913 - the page and what to show again on it
    state: State,
    context: RequestContext,
    contact_id: UUID,
    *,
    form: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    result: SearchResult | None = None,
) -> Template:
    assert context.tenant_id is not None  # noqa: S101 - _context sets it
    async with context_session(state.sessions, context) as session:
        try:
            contact = await contact_in_line(session, context.tenant_id, contact_id)
        except LineNotFoundError:
            raise NotFoundException from None
        referrals = await referrals_of_line(session, context.tenant_id, contact_id)
    return Template(
        template_name="line/console.html",
        context={
            "contact": contact,
            "form": form if form is not None else _recorded(contact),
            "errors": errors or {},
            "result": result,
            "referrals": referrals,
            "options": situation_options(),
            "labels": result_labels(),
            "counties": county_choices(),
            "outcomes": _line_choices(Outcome),
            "status_labels": STATUS_LABELS,
            "caller": line_label(CallerType(contact.caller_type)),
            "channel": line_label(Channel(contact.channel)),
        },
        status_code=400 if errors else 200,
    )


def _recorded(contact: Contact) -> dict[str, list[str]]:
    return {
        "county_code": [contact.county_code or ""],
        "target_group": [contact.target_group or ""],
        "threat_level": [contact.threat_level],
        "needs": list(contact.needs),
        "outcomes": list(contact.outcomes),
        "guidance_notes": [contact.guidance_notes],
    }


@get(
    "/linjen/kontakter/{contact_id:uuid}",
    opt={"permission": OPERATE},
    guards=[guidance_line_only],
    include_in_schema=False,
)
async def console(request: Request[Any, Any, Any], state: State, contact_id: FromPath[UUID]) -> Template:
    """One contact: the timer, the situation and the directory's answer, the record, referrals."""
    _line, _user, context = line_context(request)
    return await _console(state, context, contact_id)


@post(
    "/linjen/kontakter/{contact_id:uuid}/sok",
    opt={"permission": OPERATE},
    guards=[guidance_line_only],
    include_in_schema=False,
)
async def console_search(request: Request[Any, Any, Any], state: State, contact_id: FromPath[UUID]) -> Template:
    """Who can help, for the situation the caller describes (nothing of it is stored)."""
    _line, _user, context = line_context(request)
    form = await request.form()
    query, errors = read_search(form, public=False)
    result = None
    if query is not None:
        async with context_session(state.sessions, context) as session:
            result = await search_directory(session, query, datetime.now(UTC).date())
    return await _console(state, context, contact_id, form=form_values(form), errors=errors, result=result)


def _record_from(form: FormMultiDict) -> ContactRecord:
    county = str(form.get("county_code") or "") or None
    return ContactRecord(
        county_code=county if county in {choice.value for choice in county_choices()} else None,
        target_group=_enum_or(TargetGroup, form.get("target_group"), None),
        threat_level=_enum_or(ThreatLevel, form.get("threat_level"), ThreatLevel.NONE),
        needs=frozenset(v for v in (_enum_or(Intervention, raw, None) for raw in form.getall("needs", [])) if v),
        outcomes=frozenset(v for v in (_enum_or(Outcome, raw, None) for raw in form.getall("outcomes", [])) if v),
        guidance_notes=str(form.get("guidance_notes") or ""),
        end=form.get("end") == "1",
    )


@post(
    "/linjen/kontakter/{contact_id:uuid}",
    opt={"permission": OPERATE},
    guards=[guidance_line_only],
    include_in_schema=False,
)
async def console_record(
    request: Request[Any, Any, Any], state: State, contact_id: FromPath[UUID]
) -> Template | Redirect:
    """Save what was said and done; "Avsluta" also stops the timer."""
    line_id, _user, context = line_context(request)
    form = await request.form()
    record_of_contact = _record_from(form)
    try:
        async with context_session(state.sessions, context) as session:
            await record_contact(session, line_id, contact_id, record_of_contact)
    except LineNotFoundError:
        raise NotFoundException from None
    except EntryRejectedError as error:
        errors = {problem.field: problem.message for problem in error.problems}
        return await _console(state, context, contact_id, form=form_values(form), errors=errors)
    return Redirect("/linjen" if record_of_contact.end else f"/linjen/kontakter/{contact_id}")


@post(
    "/linjen/kontakter/{contact_id:uuid}/remisser",
    opt={"permission": OPERATE},
    guards=[guidance_line_only],
    include_in_schema=False,
)
async def console_refer(
    request: Request[Any, Any, Any], state: State, contact_id: FromPath[UUID]
) -> Template | Redirect:
    """Send a referral, only with the caller's consent and only what they agreed to share."""
    line_id, user_id, context = line_context(request)
    form = await request.form()
    raw_service = str(form.get("service_id") or "")
    try:
        service_id = UUID(raw_service) if raw_service else None
    except ValueError:
        service_id = None
    referral = ReferralRequest(
        service_id=service_id,
        consent_given=form.get("consent_given") == "on",
        shared_information=str(form.get("shared_information") or ""),
        safe_contact=str(form.get("safe_contact") or ""),
    )
    try:
        async with context_session(state.sessions, context) as session:
            await refer(session, line_id, user_id, contact_id, referral)
    except LineNotFoundError:
        raise NotFoundException from None
    except EntryRejectedError as error:
        errors = {problem.field: problem.message for problem in error.problems}
        return await _console(state, context, contact_id, form=form_values(form), errors=errors)
    return Redirect(f"/linjen/kontakter/{contact_id}#remisser")


@get("/linjen/remisser", opt={"permission": OPERATE}, guards=[guidance_line_only], include_in_schema=False)
async def line_referrals(request: Request[Any, Any, Any], state: State) -> Template:
    """Every referral the line has sent and where it stands; escalated ones first."""
    line_id, _user, context = line_context(request)
    async with context_session(state.sessions, context) as session:
        referrals = await referrals_of_line(session, line_id)
    referrals.sort(key=lambda view: view.referral.escalated_at is None)
    return Template(
        template_name="line/referrals.html", context={"referrals": referrals, "status_labels": STATUS_LABELS}
    )


@get("/remisser", opt={"permission": RECEIVE}, include_in_schema=False)
async def inbox(request: Request[Any, Any, Any], state: State) -> Template:
    """Referrals from the guidance line to this organisation."""
    tenant_id, _user, context = line_context(request)
    async with context_session(state.sessions, context) as session:
        referrals = await inbox_of_tenant(session, tenant_id)
    return Template(template_name="line/inbox.html", context={"referrals": referrals, "status_labels": STATUS_LABELS})


async def _opened(request: Request[Any, Any, Any], state: State, referral_id: UUID, errors: dict[str, str]) -> Template:
    tenant_id, user_id, context = line_context(request)
    async with context_session(state.sessions, context) as session:
        try:
            view = await open_referral(session, tenant_id, referral_id)
        except LineNotFoundError:
            raise NotFoundException from None
        await record(
            session,
            AuditEvent(
                Action.PERSON_READ,
                tenant_id,
                user_id,
                object_type="referral",
                object_id=str(referral_id),
                request_id=request_id_of(request.scope) or None,
            ),
        )
    return Template(
        template_name="line/referral.html",
        context={"view": view, "errors": errors, "status_labels": STATUS_LABELS},
        status_code=400 if errors else 200,
    )


@get("/remisser/{referral_id:uuid}", opt={"permission": RECEIVE}, include_in_schema=False)
async def referral_page(request: Request[Any, Any, Any], state: State, referral_id: FromPath[UUID]) -> Template:
    """One referral: what the caller agreed to share, and how to reach them safely (an audited read)."""
    return await _opened(request, state, referral_id, {})


@post("/remisser/{referral_id:uuid}", opt={"permission": RECEIVE}, include_in_schema=False)
async def referral_decision(
    request: Request[Any, Any, Any], state: State, referral_id: FromPath[UUID]
) -> Template | Redirect:
    """Accept or decline; the line sees the answer."""
    tenant_id, user_id, context = line_context(request)
    form = await request.form()
    decision = Decision(accept=form.get("decision") == "accept", reason=str(form.get("decision_reason") or ""))
    try:
        async with context_session(state.sessions, context) as session:
            await decide_referral(session, tenant_id, user_id, referral_id, decision)
    except LineNotFoundError:
        raise NotFoundException from None
    except EntryRejectedError as error:
        return await _opened(request, state, referral_id, {p.field: p.message for p in error.problems})
    return Redirect("/remisser")


LINE_ROUTES = [
    console_start,
    console_open,
    console,
    console_search,
    console_record,
    console_refer,
    line_referrals,
    inbox,
    referral_page,
    referral_decision,
]
