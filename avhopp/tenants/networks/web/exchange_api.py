"""The knowledge exchange and anonymised consultations in the networks API, under /api/v1/networks.

For the space's coordinators and its members' named representatives; anyone else gets "not found".
Every free text passes the identifier guard: a refusal (problem details, RFC 9457) names the field and
what to remove, quotes nothing, and nothing of the refused text is saved.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from avhopp.platform.labels import label
from avhopp.platform.scope.request import Acting
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases.service import Intervention, TargetGroup
from avhopp.tenants.cases.web.components import API_EXCEPTION_HANDLERS
from avhopp.tenants.networks.permissions import NETWORK_PARTICIPATE
from avhopp.tenants.networks.service import (
    AgeBand,
    ConsultationInput,
    ConsultationPhase,
    ConsultationView,
    Post,
    ThreadView,
    bring_consultation,
    close_consultation,
    consultation_view,
    consultations_of,
    follow,
    follows,
    prefill,
    reply_to_consultation,
    reply_to_thread,
    start_thread,
    thread_view,
    threads_of,
)
from avhopp.tenants.networks.web.common import COORDINATING, actor_of, needs

if TYPE_CHECKING:
    from litestar.types import ControllerRouterHandler

    from avhopp.platform.scope.request import TenantScope

PARTICIPATING = needs(NETWORK_PARTICIPATE)
NO_IDENTITY = "Inga namn, personnummer, telefonnummer, e-postadresser, adresser eller registreringsnummer."


class PostOut(msgspec.Struct):
    """A question or reply: the text, the organisation that wrote it, and when (never the person)."""

    body: str
    organisation: str
    written_at: datetime


def _post(post: Post) -> PostOut:
    return PostOut(post.body, post.organisation, post.written_at)


class ThreadIn(msgspec.Struct, forbid_unknown_fields=True):
    """A question to the space."""

    title: Annotated[str, msgspec.Meta(max_length=200, description="T.ex. ”Boende när HVB är fullt”")]
    body: Annotated[str, msgspec.Meta(max_length=4_000, description=NO_IDENTITY)]


class ReplyIn(msgspec.Struct, forbid_unknown_fields=True):
    """A reply."""

    body: Annotated[str, msgspec.Meta(max_length=4_000, description=NO_IDENTITY)]


class ThreadLineOut(msgspec.Struct):
    """A thread in a list."""

    id: UUID
    title: str
    organisation: str
    written_at: datetime
    replies: int


class ThreadOut(msgspec.Struct):
    """A thread: its question and replies, oldest first."""

    id: UUID
    space_id: UUID
    space_name: str
    title: str
    question: PostOut
    replies: list[PostOut]


class FollowingIn(msgspec.Struct, forbid_unknown_fields=True):
    """Follow the space (told of new threads, replies and consultations), or stop following it."""

    following: bool


class FollowingOut(msgspec.Struct):
    """Whether you follow the space."""

    following: bool


class ConsultationIn(msgspec.Struct, forbid_unknown_fields=True):
    """A case brought for advice: coarse codes and a question.

    `place` is a county's code (two digits), or a municipality's (four digits), which is kept as its
    county unless at least 50 000 people live there.
    """

    age_band: AgeBand
    phase: ConsultationPhase
    place: Annotated[str, msgspec.Meta(max_length=4, description="Länskod eller kommunkod")]
    question: Annotated[str, msgspec.Meta(max_length=4_000, description=NO_IDENTITY)]
    affiliation: TargetGroup | None = None
    needs: Annotated[list[Intervention], msgspec.Meta(max_length=20)] = msgspec.field(default_factory=list)
    interventions_tried: Annotated[list[Intervention], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )


class ConsultationLineOut(msgspec.Struct):
    """A consultation in a list: its codes, never its question."""

    id: UUID
    age_band: AgeBand
    age_band_label: str
    phase: ConsultationPhase
    phase_label: str
    place: str
    organisation: str
    written_at: datetime
    replies: int
    closed: bool


class ConsultationOut(msgspec.Struct):
    """A consultation: its codes, question and replies. It holds no link to any case."""

    id: UUID
    space_id: UUID
    space_name: str
    age_band: AgeBand
    phase: ConsultationPhase
    affiliation: TargetGroup | None
    needs: list[Intervention]
    interventions_tried: list[Intervention]
    place: str
    question: PostOut
    replies: list[PostOut]
    closed_at: datetime | None


class ConsultationBasisOut(msgspec.Struct):
    """A case's coarse codes and your own place, to start a consultation from (nothing else of the case)."""

    age_band: AgeBand | None
    """The person's age band today, from the recorded personnummer; null when none is recorded."""
    affiliation: TargetGroup | None
    phase: ConsultationPhase | None
    needs: list[Intervention]
    interventions_tried: list[Intervention]
    place: str | None


def _thread_out(view: ThreadView) -> ThreadOut:
    return ThreadOut(
        view.thread_id,
        view.space_id,
        view.space_name,
        view.title,
        _post(view.question),
        [_post(reply) for reply in view.replies],
    )


def _consultation_out(view: ConsultationView) -> ConsultationOut:
    return ConsultationOut(
        id=view.consultation_id,
        space_id=view.space_id,
        space_name=view.space_name,
        age_band=view.age_band,
        phase=view.phase,
        affiliation=view.affiliation,
        needs=list(view.needs),
        interventions_tried=list(view.interventions_tried),
        place=view.place,
        question=_post(view.question),
        replies=[_post(reply) for reply in view.replies],
        closed_at=view.closed_at,
    )


async def _thread_now(acting: TenantScope, thread_id: UUID) -> ThreadOut:
    return _thread_out(await thread_view(acting.session, actor_of(acting), thread_id))


async def _consultation_now(acting: TenantScope, consultation_id: UUID) -> ConsultationOut:
    return _consultation_out(await consultation_view(acting.session, actor_of(acting), consultation_id))


class ThreadsApi(Controller):
    """Threads of a space, and following it."""

    path = "/api/v1/networks"
    tags = ["networks"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/{space_id:uuid}/threads", opt=PARTICIPATING, summary="Nätverkets trådar")
    async def threads(self, acting: Acting, space_id: FromPath[UUID]) -> list[ThreadLineOut]:
        """The threads, newest first."""
        return [
            ThreadLineOut(line.thread_id, line.title, line.organisation, line.written_at, line.replies)
            for line in await threads_of(acting.session, actor_of(acting), space_id)
        ]

    @post("/{space_id:uuid}/threads", opt=PARTICIPATING, summary="Starta en tråd")
    async def start(self, acting: Acting, space_id: FromPath[UUID], data: JSONBody[ThreadIn]) -> ThreadOut:
        """Ask the space a question; its followers are told. Nothing identifying may be in it."""
        thread_id = await start_thread(acting.session, actor_of(acting), space_id, data.title, data.body)
        return await _thread_now(acting, thread_id)

    @get("/threads/{thread_id:uuid}", opt=PARTICIPATING, summary="En tråd")
    async def one(self, acting: Acting, thread_id: FromPath[UUID]) -> ThreadOut:
        """The thread and its replies."""
        return await _thread_now(acting, thread_id)

    @post("/threads/{thread_id:uuid}/replies", opt=PARTICIPATING, summary="Svara i tråden")
    async def reply(self, acting: Acting, thread_id: FromPath[UUID], data: JSONBody[ReplyIn]) -> ThreadOut:
        """Reply; the space's followers are told. Nothing identifying may be in it."""
        await reply_to_thread(acting.session, actor_of(acting), thread_id, data.body)
        return await _thread_now(acting, thread_id)

    @get("/{space_id:uuid}/following", opt=PARTICIPATING, summary="Följer jag nätverket?")
    async def following(self, acting: Acting, space_id: FromPath[UUID]) -> FollowingOut:
        """Whether you are told of the space's new threads, replies and consultations."""
        return FollowingOut(await follows(acting.session, actor_of(acting), space_id))

    @put("/{space_id:uuid}/following", opt=PARTICIPATING, summary="Följ nätverket")
    async def set_following(
        self, acting: Acting, space_id: FromPath[UUID], data: JSONBody[FollowingIn]
    ) -> FollowingOut:
        """Follow the space, or stop following it."""
        actor = actor_of(acting)
        await follow(acting.session, actor, space_id, following=data.following)
        return FollowingOut(await follows(acting.session, actor, space_id))


class ConsultationsApi(Controller):
    """Anonymised case consultations of a space."""

    path = "/api/v1/networks"
    tags = ["networks"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @get("/{space_id:uuid}/consultations", opt=PARTICIPATING, summary="Nätverkets ärendekonsultationer")
    async def consultations(self, acting: Acting, space_id: FromPath[UUID]) -> list[ConsultationLineOut]:
        """The consultations, newest first, by their codes."""
        return [
            ConsultationLineOut(
                line.consultation_id,
                line.age_band,
                label(line.age_band),
                line.phase,
                label(line.phase),
                line.place,
                line.organisation,
                line.written_at,
                line.replies,
                line.closed,
            )
            for line in await consultations_of(acting.session, actor_of(acting), space_id)
        ]

    @post("/{space_id:uuid}/consultations", opt=PARTICIPATING, summary="Ta upp ett ärende anonymt")
    async def bring(self, acting: Acting, space_id: FromPath[UUID], data: JSONBody[ConsultationIn]) -> ConsultationOut:
        """Bring a case for advice: coarse codes and a question; anything identifying is refused, nothing kept."""
        brought = ConsultationInput(
            data.age_band,
            data.affiliation,
            data.phase,
            tuple(data.needs),
            tuple(data.interventions_tried),
            data.place,
            data.question,
        )
        consultation_id = await bring_consultation(acting.session, actor_of(acting), space_id, brought)
        return await _consultation_now(acting, consultation_id)

    @get("/consultations/{consultation_id:uuid}", opt=PARTICIPATING, summary="En ärendekonsultation")
    async def one(self, acting: Acting, consultation_id: FromPath[UUID]) -> ConsultationOut:
        """The consultation, its codes, question and replies."""
        return await _consultation_now(acting, consultation_id)

    @post("/consultations/{consultation_id:uuid}/replies", opt=PARTICIPATING, summary="Svara på konsultationen")
    async def reply(self, acting: Acting, consultation_id: FromPath[UUID], data: JSONBody[ReplyIn]) -> ConsultationOut:
        """Advise on an open consultation. Nothing identifying may be in it."""
        await reply_to_consultation(acting.session, actor_of(acting), consultation_id, data.body)
        return await _consultation_now(acting, consultation_id)

    @post(
        "/consultations/{consultation_id:uuid}/close",
        opt=COORDINATING,
        status_code=200,
        summary="Avsluta konsultationen",
    )
    async def close(self, acting: Acting, consultation_id: FromPath[UUID]) -> ConsultationOut:
        """The coordinators close it: it is kept, and takes no more replies."""
        await close_consultation(acting.session, actor_of(acting), consultation_id)
        return await _consultation_now(acting, consultation_id)

    @get("/cases/{case_id:uuid}/consultation-basis", opt=PARTICIPATING, summary="Koder från ett ärende")
    async def basis(self, state: State, acting: Acting, case_id: FromPath[UUID]) -> ConsultationBasisOut:
        """A case's coarse codes (your team's cases only) and your own place, to start a consultation from.

        Nothing else of the case; the consultation made from it keeps no link back to it.
        """
        start = await prefill(
            acting.session, actor_of(acting), case_id, secret_key=state.settings.secret_key, today=swedish_date()
        )
        return ConsultationBasisOut(
            start.age_band,
            start.affiliation,
            start.phase,
            list(start.needs),
            list(start.interventions_tried),
            start.place,
        )


EXCHANGE_API_ROUTES: list[ControllerRouterHandler] = [ThreadsApi, ConsultationsApi]
