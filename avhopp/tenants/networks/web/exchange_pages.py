"""The pages of a space's knowledge exchange and anonymised consultations, under /natverk.

A refused text shows the form again with a Swedish message on its field naming what to remove;
nothing is saved. A consultation can start from a case (`?arende=`): the form is filled with the
case's coarse codes only, and the case's id goes no further than that form's page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from avhopp.platform.labels import labels_of
from avhopp.platform.problems import FieldProblem, InvalidInputError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.service import Intervention, TargetGroup
from avhopp.tenants.networks.permissions import NETWORK_PARTICIPATE
from avhopp.tenants.networks.service import (
    LARGE_MUNICIPALITY,
    AgeBand,
    ConsultationInput,
    ConsultationPhase,
    Prefill,
    bring_consultation,
    close_consultation,
    consultation_link,
    consultation_view,
    consultations_of,
    follow,
    follows,
    may_bring_case,
    place_options,
    prefill,
    reply_to_consultation,
    reply_to_thread,
    space_view,
    spaces_of,
    start_thread,
    thread_link,
    thread_view,
    threads_of,
)
from avhopp.tenants.networks.web.common import COORDINATING, actor_of, needs

if TYPE_CHECKING:
    from litestar.datastructures import FormMultiDict

PARTICIPATING = needs(NETWORK_PARTICIPATE)
AGE_BANDS = labels_of(AgeBand)
PHASES = labels_of(ConsultationPhase)
AFFILIATIONS = labels_of(TargetGroup)
INTERVENTIONS = labels_of(Intervention)
CHOOSE = "Välj ett alternativ i listan."


def _text(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _values(form: FormMultiDict) -> dict[str, Any]:
    values: dict[str, Any] = {name: _text(form, name) for name in form}
    for name in ("needs", "interventions_tried"):
        values[name] = [str(value) for value in form.getall(name, [])]
    return values


async def _threads_page(
    acting: TenantScope, space_id: UUID, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> Template:
    actor = actor_of(acting)
    threads = await threads_of(acting.session, actor, space_id)
    return Template(
        template_name="networks/threads.html",
        context={
            "view": await space_view(acting.session, actor, space_id),
            "threads": threads,
            "following": await follows(acting.session, actor, space_id),
            "form": form or {},
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


async def _thread_page(
    acting: TenantScope, thread_id: UUID, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> Template:
    return Template(
        template_name="networks/thread.html",
        context={
            "thread": await thread_view(acting.session, actor_of(acting), thread_id),
            "form": form or {},
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


async def _consultations_page(acting: TenantScope, space_id: UUID) -> Template:
    actor = actor_of(acting)
    return Template(
        template_name="networks/consultations.html",
        context={
            "view": await space_view(acting.session, actor, space_id),
            "consultations": await consultations_of(acting.session, actor, space_id),
            "age_bands": AGE_BANDS,
            "phases": PHASES,
        },
    )


async def _new_consultation_page(
    acting: TenantScope, space_id: UUID, form: dict[str, Any], errors: dict[str, str] | None = None
) -> Template:
    actor = actor_of(acting)
    await consultations_of(acting.session, actor, space_id)
    return Template(
        template_name="networks/consultation_form.html",
        context={
            "view": await space_view(acting.session, actor, space_id),
            "age_bands": AGE_BANDS,
            "phases": PHASES,
            "affiliations": AFFILIATIONS,
            "interventions": INTERVENTIONS,
            "places": await place_options(acting.session),
            "large_municipality": f"{LARGE_MUNICIPALITY:,}".replace(",", " "),
            "form": form,
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


def _prefilled(start: Prefill) -> dict[str, Any]:
    return {
        "age_band": start.age_band or "",
        "affiliation": start.affiliation or "",
        "phase": start.phase or "",
        "needs": list(start.needs),
        "interventions_tried": list(start.interventions_tried),
        "place": start.place or "",
    }


async def _consultation_page(
    acting: TenantScope, consultation_id: UUID, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> Template:
    return Template(
        template_name="networks/consultation.html",
        context={
            "consultation": await consultation_view(acting.session, actor_of(acting), consultation_id),
            "age_bands": AGE_BANDS,
            "phases": PHASES,
            "affiliations": AFFILIATIONS,
            "interventions": INTERVENTIONS,
            "form": form or {},
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


def _codes(form: FormMultiDict, name: str, problems: list[FieldProblem]) -> tuple[Intervention, ...]:
    chosen = []
    for value in form.getall(name, []):
        try:
            chosen.append(Intervention(str(value)))
        except ValueError:
            problems.append(FieldProblem(name, CHOOSE))
    return tuple(chosen)


def _consultation_input(form: FormMultiDict, problems: list[FieldProblem]) -> ConsultationInput:
    try:
        age_band = AgeBand(_text(form, "age_band"))
    except ValueError:
        problems.append(FieldProblem("age_band", CHOOSE))
        age_band = AgeBand.UNDER_15
    try:
        phase = ConsultationPhase(_text(form, "phase"))
    except ValueError:
        problems.append(FieldProblem("phase", CHOOSE))
        phase = ConsultationPhase.BEFORE
    affiliation = None
    if _text(form, "affiliation"):
        try:
            affiliation = TargetGroup(_text(form, "affiliation"))
        except ValueError:
            problems.append(FieldProblem("affiliation", CHOOSE))
    return ConsultationInput(
        age_band,
        affiliation,
        phase,
        _codes(form, "needs", problems),
        _codes(form, "interventions_tried", problems),
        _text(form, "place"),
        _text(form, "question"),
    )


class ExchangePages(Controller):
    """Threads and consultations of a space; following it."""

    path = "/natverk"
    include_in_schema = False

    @get("/{space_id:uuid}/tradar", opt=PARTICIPATING)
    async def threads(self, acting: Acting, space_id: FromPath[UUID]) -> Template:
        """The space's threads, the form for a new one, and following the space."""
        return await _threads_page(acting, space_id)

    @post("/{space_id:uuid}/tradar", opt=PARTICIPATING)
    async def start(self, request: Request[Any, Any, Any], acting: Acting, space_id: FromPath[UUID]) -> Response[Any]:
        """Start a thread."""
        form = await request.form()
        try:
            async with acting.session.begin_nested():
                thread_id = await start_thread(
                    acting.session, actor_of(acting), space_id, _text(form, "title"), _text(form, "body")
                )
        except InvalidInputError as error:
            return await _threads_page(acting, space_id, _values(form), error.by_field())
        return Redirect(thread_link(thread_id))

    @post("/{space_id:uuid}/folj", opt=PARTICIPATING)
    async def follow(self, request: Request[Any, Any, Any], acting: Acting, space_id: FromPath[UUID]) -> Response[Any]:
        """Follow the space, or stop following it."""
        form = await request.form()
        await follow(acting.session, actor_of(acting), space_id, following=_text(form, "following") == "ja")
        return Redirect(f"/natverk/{space_id}/tradar")

    @get("/tradar/{thread_id:uuid}", opt=PARTICIPATING)
    async def thread(self, acting: Acting, thread_id: FromPath[UUID]) -> Template:
        """A thread, its replies and the reply form."""
        return await _thread_page(acting, thread_id)

    @post("/tradar/{thread_id:uuid}/svar", opt=PARTICIPATING)
    async def reply(self, request: Request[Any, Any, Any], acting: Acting, thread_id: FromPath[UUID]) -> Response[Any]:
        """Reply in a thread."""
        form = await request.form()
        try:
            async with acting.session.begin_nested():
                await reply_to_thread(acting.session, actor_of(acting), thread_id, _text(form, "body"))
        except InvalidInputError as error:
            return await _thread_page(acting, thread_id, _values(form), error.by_field())
        return Redirect(thread_link(thread_id))

    @get("/{space_id:uuid}/konsultationer", opt=PARTICIPATING)
    async def consultations(self, acting: Acting, space_id: FromPath[UUID]) -> Template:
        """The space's consultations."""
        return await _consultations_page(acting, space_id)

    @get("/{space_id:uuid}/konsultationer/ny", opt=PARTICIPATING)
    async def new(
        self,
        acting: Acting,
        state: State,
        space_id: FromPath[UUID],
        case_id: Annotated[UUID | None, QueryParameter(name="arende")] = None,
    ) -> Template:
        """The form for a new consultation; from a case (`?arende=`), filled with the case's coarse codes.

        The form carries the codes only: nothing in it, nor in what it sends, names the case.
        """
        actor = actor_of(acting)
        await consultations_of(acting.session, actor, space_id)
        start = await prefill(
            acting.session, actor, case_id, secret_key=state.settings.secret_key, today=swedish_date()
        )
        return await _new_consultation_page(acting, space_id, _prefilled(start))

    @get("/konsultationer/fran-arende/{case_id:uuid}", opt=PARTICIPATING)
    async def from_case(self, acting: Acting, case_id: FromPath[UUID]) -> Response[Any]:
        """Start a consultation from a case: choose the network to bring it to (straight to the form if one).

        The actor must be on the case's team ("not found" otherwise); this page shows nothing of the case.
        """
        await may_bring_case(acting.session, actor_of(acting), case_id)
        spaces = [
            line for line in await spaces_of(acting.session, actor_of(acting)) if line.owner or line.representative
        ]
        if len(spaces) == 1:
            return Redirect(f"/natverk/{spaces[0].space_id}/konsultationer/ny?arende={case_id}")
        return Template(
            template_name="networks/consultation_from_case.html",
            context={"spaces": spaces, "case_id": case_id},
        )

    @post("/{space_id:uuid}/konsultationer", opt=PARTICIPATING)
    async def bring(self, request: Request[Any, Any, Any], acting: Acting, space_id: FromPath[UUID]) -> Response[Any]:
        """Bring a case for advice."""
        form = await request.form()
        problems: list[FieldProblem] = []
        brought = _consultation_input(form, problems)
        try:
            _checked(problems)
            async with acting.session.begin_nested():
                consultation_id = await bring_consultation(acting.session, actor_of(acting), space_id, brought)
        except InvalidInputError as error:
            return await _new_consultation_page(acting, space_id, _values(form), error.by_field())
        return Redirect(consultation_link(consultation_id))

    @get("/konsultationer/{consultation_id:uuid}", opt=PARTICIPATING)
    async def consultation(self, acting: Acting, consultation_id: FromPath[UUID]) -> Template:
        """A consultation, its replies, the reply form and (the coordinators) closing it."""
        return await _consultation_page(acting, consultation_id)

    @post("/konsultationer/{consultation_id:uuid}/svar", opt=PARTICIPATING)
    async def advise(
        self, request: Request[Any, Any, Any], acting: Acting, consultation_id: FromPath[UUID]
    ) -> Response[Any]:
        """Reply to a consultation."""
        form = await request.form()
        try:
            async with acting.session.begin_nested():
                await reply_to_consultation(acting.session, actor_of(acting), consultation_id, _text(form, "body"))
        except InvalidInputError as error:
            return await _consultation_page(acting, consultation_id, _values(form), error.by_field())
        return Redirect(consultation_link(consultation_id))

    @post("/konsultationer/{consultation_id:uuid}/avsluta", opt=COORDINATING)
    async def close(self, acting: Acting, consultation_id: FromPath[UUID]) -> Response[Any]:
        """The coordinators close a consultation."""
        await close_consultation(acting.session, actor_of(acting), consultation_id)
        return Redirect(consultation_link(consultation_id))


def _checked(problems: list[FieldProblem]) -> None:
    """Refuse the form if it could not even be read (the service is not asked then)."""
    if problems:
        raise InvalidInputError(problems)


EXCHANGE_PAGE_ROUTES = [ExchangePages]
