"""The operator console and the line's referral status view (receivers answer referrals in their case workspace)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.directory.catalogue.service import Intervention, TargetGroup, ThreatLevel, search_directory
from avhopp.directory.catalogue.web.components import assumed_answers, read_search, result_labels, situation_options
from avhopp.directory.line.callbacks import callbacks_of_contact, due_callbacks, request_callback
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
    CallbackStatus,
    CallerType,
    Channel,
    Outcome,
    ProfessionalKind,
    ReferralStatus,
    Unanswered,
)
from avhopp.directory.line.web.forms import callback_request, identity_number_problems
from avhopp.platform.labels import label, labels_of
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import swedish_date
from avhopp.platform.web.forms import Choice, county_choices, form_values

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from enum import StrEnum

    from litestar.datastructures import FormMultiDict

    from avhopp.directory.catalogue.service import SearchResult
    from avhopp.directory.line.models import Contact

STATUS_LABELS = labels_of(ReferralStatus)
CALLBACK_LABELS = labels_of(CallbackStatus)
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
    errors: dict[str, str] | None = None,
    result: SearchResult | None = None,
    notice: str | None = None,
    saved: bool = False,
) -> Template:
    """The console: one form, filled in with what the operator sent (`form`), else with what was saved."""
    contact = await contact_in_line(acting.session, acting.tenant_id, contact_id)
    referrals = await referrals_of_line(acting.session, acting.tenant_id, contact_id)
    callbacks = await callbacks_of_contact(acting.session, acting.tenant_id, contact_id)
    sent = form is not None and form.get(DRAFT) == ["1"]
    return Template(
        template_name="line/console.html",
        context={
            "contact": contact,
            "form": form or {},
            "record": form if form is not None and sent else _recorded(contact),
            "unanswered": _line_choices(Unanswered),
            "errors": errors or {},
            "result": result,
            "assumed": assumed_answers(form) if result is not None and form is not None else [],
            "referrals": referrals,
            "callbacks": callbacks,
            "options": situation_options(),
            "labels": result_labels(),
            "counties": county_choices(),
            "outcomes": _line_choices(Outcome),
            "status_labels": STATUS_LABELS,
            "callback_labels": CALLBACK_LABELS,
            "caller": label(CallerType(contact.caller_type)),
            "channel": label(Channel(contact.channel)),
            "notice": notice,
            "saved_at": datetime.now(UTC) if saved else None,
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


DRAFT = "draft"
"""The console's form says it carries the whole record: each action then saves it as a draft."""
REFERRAL_FIELDS = ("service_id", "consent_given", "shared_information", "safe_contact")
CALLBACK_FIELDS = ("phone_number", "window_start", "window_end", "note")
_REFERRED = "Remissen är skickad. Den syns under ”Remisser från den här kontakten”."
_BOOKED = "Återuppringningen är bokad. Den syns under ”Återuppringningar från den här kontakten”."
_LIFTED = "Arbetsledningen har fått en notis och tittar på kontakten."


async def _save_draft(acting: TenantScope, contact_id: UUID, form: FormMultiDict, errors: dict[str, str]) -> bool:
    """Save the record as it stands, without ending the contact; a refusal adds its messages to `errors`."""
    try:
        record = replace(_record_from(form), end=False)
        async with acting.session.begin_nested():
            await record_contact(acting.session, acting.tenant_id, contact_id, record)
    except InvalidInputError as error:
        errors.update(error.by_field())
        return False
    return True


async def _search_again(acting: TenantScope, form: FormMultiDict) -> SearchResult | None:
    """The directory's answer for the situation in the form, when the operator had searched."""
    if form.get("searched") != "1":
        return None
    query, _errors = read_search(form, public=False)
    if query is None:
        return None
    return await search_directory(acting.session, query, swedish_date(), internal=True)


async def _act(  # noqa: PLR0913 - the action and what it takes
    acting: TenantScope,
    contact_id: UUID,
    form: FormMultiDict,
    action: Callable[[FormMultiDict], Awaitable[object]] | None,
    *,
    done: str,
    consumed: tuple[str, ...] = (),
    save: bool = False,
) -> Template:
    """Save the draft and do one action of the console; the console comes back with everything typed.

    The draft is saved when the form is the console's (it says so) or when `save` asks for it.
    A personal identity number anywhere in the form stops both, and the page says where it is.
    What an action has sent on (a referral, a callback) is listed on the console and its fields are
    emptied; after a refusal every field is as the operator left it.
    """
    values = form_values(form)
    contact = await contact_in_line(acting.session, acting.tenant_id, contact_id)
    if problems := identity_number_problems(form):
        refused = InvalidInputError(problems).by_field()
        return await _console(acting, contact.id, form=values, errors=refused, result=await _search_again(acting, form))
    errors: dict[str, str] = {}
    saved = await _save_draft(acting, contact.id, form, errors) if save or form.get(DRAFT) == "1" else False
    notice = None
    if action is not None:
        try:
            async with acting.session.begin_nested():
                await action(form)
        except InvalidInputError as error:
            errors.update(error.by_field())
        else:
            notice = done
            for name in consumed:
                values.pop(name, None)
    result = await _search_again(acting, form)
    return await _console(acting, contact.id, form=values, errors=errors, result=result, notice=notice, saved=saved)


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
        """Who can help, for the situation the caller describes (nothing of it is stored); the draft is saved."""
        form = await request.form()
        values = form_values(form)
        contact = await contact_in_line(acting.session, acting.tenant_id, contact_id)
        # Nothing of the search is stored, but the line never takes a personal identity number at all.
        if problems := identity_number_problems(form):
            refused = InvalidInputError(problems).by_field()
            return await _console(
                acting, contact.id, form=values, errors=refused, result=await _search_again(acting, form)
            )
        errors: dict[str, str] = {}
        saved = await _save_draft(acting, contact.id, form, errors) if form.get(DRAFT) == "1" else False
        query, search_errors = read_search(form, public=False)
        result = None
        if query is not None:
            result = await search_directory(acting.session, query, swedish_date(), internal=True)
        return await _console(
            acting, contact.id, form=values, errors=errors | search_errors, result=result, saved=saved
        )

    @post("/kontakter/{contact_id:uuid}")
    async def save_record(
        self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]
    ) -> Response[Any]:
        """Save what was said and done: "Spara utkast" keeps the console open, "Spara och avsluta" ends the contact."""
        form = await request.form()
        if form.get("end") != "1":
            return await _act(acting, contact_id, form, None, done="", save=True)
        try:
            record_of_contact = _record_from(form)
            async with acting.session.begin_nested():
                await record_contact(acting.session, acting.tenant_id, contact_id, record_of_contact)
        except InvalidInputError as error:
            # Nothing is lost: the situation, the referral and the callback come back as they were typed.
            values = form_values(form)
            return await _console(
                acting,
                contact_id,
                form=values | {DRAFT: ["1"]},
                errors=error.by_field(),
                result=await _search_again(acting, form),
            )
        return Redirect("/linjen")

    @post("/kontakter/{contact_id:uuid}/lyft")
    async def escalate(self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]) -> Template:
        """Lift the contact to the line's supervisors (they are told; nothing of the contact is in the notice)."""

        async def lift(_form: FormMultiDict) -> None:
            await escalate_contact(acting.session, acting.tenant_id, contact_id)

        return await _act(acting, contact_id, await request.form(), lift, done=_LIFTED)

    @post("/kontakter/{contact_id:uuid}/remisser")
    async def send_referral(
        self, request: Request[Any, Any, Any], acting: Acting, contact_id: FromPath[UUID]
    ) -> Template:
        """Send a referral, only with the caller's consent and only what they agreed to share."""

        async def send(form: FormMultiDict) -> None:
            await refer(acting.session, acting.tenant_id, person_of(acting), contact_id, _referral_from(form))

        form = await request.form()
        return await _act(acting, contact_id, form, send, done=_REFERRED, consumed=REFERRAL_FIELDS)

    @post("/kontakter/{contact_id:uuid}/aterringning")
    async def book_callback(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, contact_id: FromPath[UUID]
    ) -> Template:
        """The caller wants to be called back: when it is safe, on which number."""

        async def book(form: FormMultiDict) -> None:
            await request_callback(
                acting.session, acting.tenant_id, state.settings.secret_key, callback_request(form), contact_id
            )

        form = await request.form()
        return await _act(acting, contact_id, form, book, done=_BOOKED, consumed=CALLBACK_FIELDS)

    @get("/remisser")
    async def referrals(self, acting: Acting) -> Template:
        """Every referral the line has sent and where it stands; escalated ones first."""
        referrals = await referrals_of_line(acting.session, acting.tenant_id)
        referrals.sort(key=lambda view: view.referral.escalated_at is None)
        return Template(
            template_name="line/referrals.html", context={"referrals": referrals, "status_labels": STATUS_LABELS}
        )


LINE_ROUTES = [LineConsole]
