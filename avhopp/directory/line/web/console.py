"""The operator console and the line's referral status view (receivers answer referrals in their case workspace)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.directory.catalogue.service import Intervention, TargetGroup, ThreatLevel, search_directory
from avhopp.directory.catalogue.web.components import read_search, result_labels, situation_options
from avhopp.directory.line.callbacks import due_callbacks
from avhopp.directory.line.permissions import LINE_KINDS, OPERATE
from avhopp.directory.line.service import (
    ContactRecord,
    Opening,
    ReferralRequest,
    contact_in_line,
    record_contact,
    refer,
    referrals_of_line,
    start_contact,
)
from avhopp.directory.line.vocabulary import CallerType, Channel, Outcome, ProfessionalKind, ReferralStatus
from avhopp.platform.labels import label, labels_of
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.web.forms import Choice, county_choices, form_values

if TYPE_CHECKING:
    from enum import StrEnum

    from litestar.datastructures import FormMultiDict

    from avhopp.directory.catalogue.service import SearchResult
    from avhopp.directory.line.models import Contact

STATUS_LABELS = labels_of(ReferralStatus)


def _line_choices(values: type[StrEnum]) -> tuple[Choice, ...]:
    return tuple(Choice(member.value, label(member)) for member in values)


def person_of(acting: TenantScope) -> UUID:
    """The person acting; the line's pages are for people, never for machine clients."""
    if acting.person_id is None:
        raise NotFoundError
    return acting.person_id


def _enum_or(values: type[StrEnum], raw: object, default: StrEnum | None) -> Any:  # noqa: ANN401 - a member of `values`
    try:
        return values(str(raw))
    except ValueError:
        return default


async def _console(
    acting: TenantScope,
    contact_id: UUID,
    *,
    form: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    result: SearchResult | None = None,
) -> Template:
    contact = await contact_in_line(acting.session, acting.tenant_id, contact_id)
    referrals = await referrals_of_line(acting.session, acting.tenant_id, contact_id)
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
            "caller": label(CallerType(contact.caller_type)),
            "channel": label(Channel(contact.channel)),
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


def _referral_from(form: FormMultiDict) -> ReferralRequest:
    raw_service = str(form.get("service_id") or "")
    try:
        service_id = UUID(raw_service) if raw_service else None
    except ValueError:
        service_id = None
    return ReferralRequest(
        service_id=service_id,
        consent_given=form.get("consent_given") == "on",
        shared_information=str(form.get("shared_information") or ""),
        safe_contact=str(form.get("safe_contact") or ""),
    )


class LineConsole(Controller):
    """The operators' console: contacts, the directory's answer, referrals; only in the guidance line."""

    path = "/linjen"
    opt = {"permission": OPERATE, "tenant_kinds": LINE_KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def start(self, acting: Acting) -> Template:
        """Start a contact: channel and who is calling; nothing else, and never a name. Due callbacks first."""
        due = await due_callbacks(acting.session, acting.tenant_id, datetime.now(UTC))
        return Template(
            template_name="line/start.html",
            context={
                "due_callbacks": due,
                "channels": _line_choices(Channel),
                "caller_types": _line_choices(CallerType),
                "professional_kinds": _line_choices(ProfessionalKind),
            },
        )

    @post("/kontakter")
    async def open_contact(self, request: Request[Any, Any, Any], acting: Acting) -> Redirect:
        """Open the contact and go to its console."""
        form = await request.form()
        opening = Opening(
            channel=_enum_or(Channel, form.get("channel"), Channel.PHONE),
            caller_type=_enum_or(CallerType, form.get("caller_type"), CallerType.OTHER),
            professional_kind=_enum_or(ProfessionalKind, form.get("professional_kind"), None),
        )
        contact_id = await start_contact(acting.session, acting.tenant_id, person_of(acting), opening)
        return Redirect(f"/linjen/kontakter/{contact_id}")

    @get("/kontakter/{contact_id:uuid}")
    async def console(self, acting: Acting, contact_id: FromPath[UUID]) -> Template:
        """One contact: the timer, the situation and the directory's answer, the record, referrals."""
        return await _console(acting, contact_id)

    @post("/kontakter/{contact_id:uuid}/sok")
    async def search(self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]) -> Template:
        """Who can help, for the situation the caller describes (nothing of it is stored)."""
        form = await request.form()
        query, errors = read_search(form, public=False)
        result = None
        if query is not None:
            result = await search_directory(acting.session, query, datetime.now(UTC).date(), internal=True)
        return await _console(acting, contact_id, form=form_values(form), errors=errors, result=result)

    @post("/kontakter/{contact_id:uuid}")
    async def save_record(
        self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]
    ) -> Response[Any]:
        """Save what was said and done; "Avsluta" also stops the timer."""
        form = await request.form()
        record_of_contact = _record_from(form)
        try:
            async with acting.session.begin_nested():
                await record_contact(acting.session, acting.tenant_id, contact_id, record_of_contact)
        except InvalidInputError as error:
            return await _console(acting, contact_id, form=form_values(form), errors=error.by_field())
        return Redirect("/linjen" if record_of_contact.end else f"/linjen/kontakter/{contact_id}")

    @post("/kontakter/{contact_id:uuid}/remisser")
    async def send_referral(
        self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]
    ) -> Response[Any]:
        """Send a referral, only with the caller's consent and only what they agreed to share."""
        form = await request.form()
        try:
            async with acting.session.begin_nested():
                await refer(acting.session, acting.tenant_id, person_of(acting), contact_id, _referral_from(form))
        except InvalidInputError as error:
            return await _console(acting, contact_id, form=form_values(form), errors=error.by_field())
        return Redirect(f"/linjen/kontakter/{contact_id}#remisser")

    @get("/remisser")
    async def referrals(self, acting: Acting) -> Template:
        """Every referral the line has sent and where it stands; escalated ones first."""
        referrals = await referrals_of_line(acting.session, acting.tenant_id)
        referrals.sort(key=lambda view: view.referral.escalated_at is None)
        return Template(
            template_name="line/referrals.html", context={"referrals": referrals, "status_labels": STATUS_LABELS}
        )


LINE_ROUTES = [LineConsole]
