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
    escalate_contact,
    record_contact,
    refer,
    referrals_of_line,
    start_contact,
)
from avhopp.directory.line.vocabulary import (
    CallerType,
    Channel,
    Outcome,
    ProfessionalKind,
    ReferralStatus,
    Unanswered,
)
from avhopp.directory.line.web.forms import identity_number_problems, refuse_identity_numbers
from avhopp.platform.labels import label, labels_of
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.web.forms import Choice, county_choices, form_values

if TYPE_CHECKING:
    from enum import StrEnum

    from litestar.datastructures import FormMultiDict

    from avhopp.directory.catalogue.service import SearchResult
    from avhopp.directory.line.models import Contact

STATUS_LABELS = labels_of(ReferralStatus)
_UNKNOWN_CHOICE = "Välj bland alternativen."
_WHO_MESSAGE = "Välj vem som hör av sig. Om du inte vet, välj ”Annan”."


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


async def _console(  # noqa: PLR0913 - the console's parts, each optional
    acting: TenantScope,
    contact_id: UUID,
    *,
    form: dict[str, list[str]] | None = None,
    record: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    result: SearchResult | None = None,
) -> Template:
    """The console; the record form shows what was saved unless it is the form being refused (`record`)."""
    contact = await contact_in_line(acting.session, acting.tenant_id, contact_id)
    referrals = await referrals_of_line(acting.session, acting.tenant_id, contact_id)
    return Template(
        template_name="line/console.html",
        context={
            "contact": contact,
            "form": form or {},
            "record": record if record is not None else _recorded(contact),
            "unanswered": _line_choices(Unanswered),
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
    """The record form as saved: nothing chosen where nothing was answered."""
    return {
        "record_county": [contact.county_code or contact.county_answer or ""],
        "record_group": [contact.target_group or ""],
        "record_threat": [contact.threat_level or ""],
        "record_needs": list(contact.needs),
        "outcomes": list(contact.outcomes),
        "guidance_notes": [contact.guidance_notes],
    }


def _answer(form: FormMultiDict, field: str, known: set[str], problems: list[FieldProblem]) -> str | None:
    """One answer: empty is no answer; anything not offered is refused."""
    raw = str(form.get(field) or "")
    if raw and raw not in known:
        problems.append(FieldProblem(field, _UNKNOWN_CHOICE))
        return None
    return raw or None


def _record_from(form: FormMultiDict) -> ContactRecord:
    """The record form as the service takes it.

    Raises:
        InvalidInputError: a value the form does not offer; nothing is saved.

    """
    problems = identity_number_problems(form)
    unanswered = {member.value for member in Unanswered}
    county = _answer(form, "record_county", {choice.value for choice in county_choices()} | unanswered, problems)
    group = _answer(form, "record_group", {member.value for member in TargetGroup} | unanswered, problems)
    threat = _answer(form, "record_threat", {member.value for member in ThreatLevel} | unanswered, problems)
    needs = {str(raw) for raw in form.getall("record_needs", [])}
    if not needs <= {member.value for member in Intervention} | unanswered:
        problems.append(FieldProblem("record_needs", _UNKNOWN_CHOICE))
    outcomes = {str(raw) for raw in form.getall("outcomes", [])}
    if not outcomes <= {member.value for member in Outcome}:
        problems.append(FieldProblem("outcomes", _UNKNOWN_CHOICE))
    if problems:
        raise InvalidInputError(problems)
    return ContactRecord(
        county=Unanswered(county) if county in unanswered else county,
        target_group=None if group is None else Unanswered(group) if group in unanswered else TargetGroup(group),
        threat_level=None if threat is None else Unanswered(threat) if threat in unanswered else ThreatLevel(threat),
        needs=frozenset(Unanswered(need) if need in unanswered else Intervention(need) for need in needs),
        outcomes=frozenset(Outcome(outcome) for outcome in outcomes),
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


async def _start(acting: TenantScope, errors: dict[str, str]) -> Template:
    due = await due_callbacks(acting.session, acting.tenant_id, datetime.now(UTC))
    return Template(
        template_name="line/start.html",
        context={
            "due_callbacks": due,
            "channels": _line_choices(Channel),
            "caller_types": _line_choices(CallerType),
            "professional_kinds": _line_choices(ProfessionalKind),
            "errors": errors,
        },
        status_code=400 if errors else 200,
    )


class LineConsole(Controller):
    """The operators' console: contacts, the directory's answer, referrals; only in the guidance line."""

    path = "/linjen"
    opt = {"permission": OPERATE, "tenant_kinds": LINE_KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def start(self, acting: Acting) -> Template:
        """Start a contact: channel and who is calling; nothing else, and never a name. Due callbacks first."""
        return await _start(acting, {})

    @post("/kontakter")
    async def open_contact(self, request: Request[Any, Any, Any], acting: Acting) -> Response[Any]:
        """Open the contact and go to its console; a value the form does not offer opens nothing."""
        form = await request.form()
        problems = identity_number_problems(form)
        channel = _enum_or(Channel, form.get("channel") or Channel.PHONE.value, None)
        caller_type = _enum_or(CallerType, form.get("caller_type"), None)
        kind = form.get("professional_kind")
        professional_kind = _enum_or(ProfessionalKind, kind, None) if kind else None
        for field, value, given in (
            ("channel", channel, True),
            ("caller_type", caller_type, True),
            ("professional_kind", professional_kind, bool(kind)),
        ):
            if given and value is None:
                problems.append(FieldProblem(field, _UNKNOWN_CHOICE if form.get(field) else _WHO_MESSAGE))
        if problems:
            return await _start(acting, InvalidInputError(problems).by_field())
        opening = Opening(channel=channel, caller_type=caller_type, professional_kind=professional_kind)
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
        # Nothing of the search is stored, but the line never takes a personal identity number at all.
        refused = InvalidInputError(identity_number_problems(form)).by_field()
        query, errors = (None, refused) if refused else read_search(form, public=False)
        result = None
        if query is not None:
            result = await search_directory(acting.session, query, datetime.now(UTC).date(), internal=True)
        # The record form keeps what was saved: the situation searched for is not an answer recorded.
        return await _console(acting, contact_id, form=form_values(form), errors=errors, result=result)

    @post("/kontakter/{contact_id:uuid}")
    async def save_record(
        self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]
    ) -> Response[Any]:
        """Save what was said and done; "Avsluta" also stops the timer."""
        form = await request.form()
        try:
            record_of_contact = _record_from(form)
            async with acting.session.begin_nested():
                await record_contact(acting.session, acting.tenant_id, contact_id, record_of_contact)
        except InvalidInputError as error:
            return await _console(acting, contact_id, record=form_values(form), errors=error.by_field())
        return Redirect("/linjen" if record_of_contact.end else f"/linjen/kontakter/{contact_id}")

    @post("/kontakter/{contact_id:uuid}/lyft")
    async def escalate(
        self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]
    ) -> Response[Any]:
        """Lift the contact to the line's supervisors (they are told; nothing of the contact is in the notice)."""
        try:
            refuse_identity_numbers(await request.form())
        except InvalidInputError as error:
            return await _console(acting, contact_id, errors=error.by_field())
        await escalate_contact(acting.session, acting.tenant_id, contact_id)
        return Redirect(f"/linjen/kontakter/{contact_id}")

    @post("/kontakter/{contact_id:uuid}/remisser")
    async def send_referral(
        self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]
    ) -> Response[Any]:
        """Send a referral, only with the caller's consent and only what they agreed to share."""
        form = await request.form()
        try:
            refuse_identity_numbers(form)
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
