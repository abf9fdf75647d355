"""Anonymised case consultation: a member brings a case for advice, members reply, the coordinators close it.

Only coarse codes are kept (age band, coded affiliation, phase, needs, interventions tried, and the
county, with the municipality only when at least `LARGE_MUNICIPALITY` people live there) and one free-text
question. The question and every reply pass the identifier guard first; a refused text is kept nowhere
and the refusal names what to remove. A consultation started from a case takes the case's codes through
the cases part's `consultation_basis` and keeps no link back to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from avhopp.platform.geography.models import County, Municipality
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.tenants.cases.service import Actor as CaseActor
from avhopp.tenants.cases.service import Intervention, Phase, TargetGroup, consultation_basis, on_the_case_team
from avhopp.tenants.networks.exchange import Post, checked_text, contributor, tell_followers
from avhopp.tenants.networks.exchange_models import MAX_POST, NetworkConsultation, NetworkConsultationReply
from avhopp.tenants.networks.exchange_vocabulary import LARGE_MUNICIPALITY, AgeBand, ConsultationPhase
from avhopp.tenants.networks.notices import Followed
from avhopp.tenants.registry.service import tenant_counties, tenant_municipalities, tenant_names

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import date, datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.access import Actor

MIN_QUESTION = 10
MAX_CODES = 20
CLOSED = "Konsultationen är avslutad och tar inte emot fler svar."

_AGE_BANDS = (
    (14, AgeBand.UNDER_15),
    (17, AgeBand.FROM_15_TO_17),
    (20, AgeBand.FROM_18_TO_20),
    (25, AgeBand.FROM_21_TO_25),
    (30, AgeBand.FROM_26_TO_30),
    (40, AgeBand.FROM_31_TO_40),
)
"""The highest age of each band but the last."""

_PHASE_OF_CASE = {
    Phase.DRAFT: ConsultationPhase.BEFORE,
    Phase.ACUTE: ConsultationPhase.ACUTE,
    Phase.STABILISING: ConsultationPhase.STABILISING,
    Phase.LONG_TERM: ConsultationPhase.LONG_TERM,
    Phase.COMPLETED: ConsultationPhase.AFTER,
    Phase.ENDED_EARLY: ConsultationPhase.AFTER,
}


@dataclass(frozen=True, slots=True)
class ConsultationInput:
    """What a member brings: coarse codes and a question. `place` is a municipality's or a county's code."""

    age_band: AgeBand
    affiliation: TargetGroup | None
    phase: ConsultationPhase
    needs: tuple[Intervention, ...]
    interventions_tried: tuple[Intervention, ...]
    place: str
    question: str


@dataclass(frozen=True, slots=True)
class ConsultationLine:
    """A consultation in a space's list: its codes, never its question."""

    consultation_id: UUID
    age_band: AgeBand
    phase: ConsultationPhase
    place: str
    """The county's name, or the (large) municipality's."""
    organisation: str
    written_at: datetime
    replies: int
    closed: bool


@dataclass(frozen=True, slots=True)
class ConsultationView:
    """A consultation with its codes, question and replies."""

    consultation_id: UUID
    space_id: UUID
    space_name: str
    age_band: AgeBand
    affiliation: TargetGroup | None
    phase: ConsultationPhase
    needs: tuple[Intervention, ...]
    interventions_tried: tuple[Intervention, ...]
    place: str
    question: Post
    replies: tuple[Post, ...]
    closed_at: datetime | None
    may_close: bool
    """The actor's organisation runs the space."""


@dataclass(frozen=True, slots=True)
class Prefill:
    """What a new consultation's form starts from: a case's codes and the bringer's own place."""

    age_band: AgeBand | None
    affiliation: TargetGroup | None
    phase: ConsultationPhase | None
    needs: tuple[Intervention, ...]
    interventions_tried: tuple[Intervention, ...]
    place: str | None


def _codes(field: str, values: Collection[Intervention], problems: list[FieldProblem]) -> list[str]:
    if len(values) > MAX_CODES:
        problems.append(FieldProblem(field, f"Välj högst {MAX_CODES}."))
    return sorted({value.value for value in values})


async def coarse_place(session: AsyncSession, place: str) -> tuple[str, str | None] | None:
    """The county and, for a municipality of at least `LARGE_MUNICIPALITY` people, the municipality.

    A smaller municipality (or one whose population is not known) is kept as its county alone.
    None: no such county or municipality.
    """
    if len(place) == 2 and place.isdigit():  # noqa: PLR2004 - a county's code
        county = await session.scalar(select(County.code).where(County.code == place))
        return None if county is None else (county, None)
    if len(place) == 4 and place.isdigit():  # noqa: PLR2004 - a municipality's code
        row = (
            await session.execute(
                select(Municipality.county_code, Municipality.population).where(Municipality.code == place)
            )
        ).one_or_none()
        if row is None:
            return None
        large = row.population is not None and row.population >= LARGE_MUNICIPALITY
        return row.county_code, place if large else None
    return None


async def place_options(session: AsyncSession) -> list[tuple[str, str]]:
    """Counties, then the municipalities large enough to be named, each by name."""
    counties = [
        (row.code, row.name) for row in await session.execute(select(County.code, County.name).order_by(County.name))
    ]
    large = [
        (row.code, row.name)
        for row in await session.execute(
            select(Municipality.code, Municipality.name)
            .where(Municipality.population >= LARGE_MUNICIPALITY)
            .order_by(Municipality.name)
        )
    ]
    return counties + large


async def _place_names(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    names = dict((await session.execute(select(County.code, County.name).where(County.code.in_(codes)))).all())
    names.update(
        (await session.execute(select(Municipality.code, Municipality.name).where(Municipality.code.in_(codes)))).all()
    )
    return names


async def bring_consultation(session: AsyncSession, actor: Actor, space_id: UUID, brought: ConsultationInput) -> UUID:
    """Bring a case for advice; nothing is saved if any part is refused. The space's followers are told."""
    access = await contributor(session, actor, space_id)
    problems: list[FieldProblem] = []
    needs = _codes("needs", brought.needs, problems)
    tried = _codes("interventions_tried", brought.interventions_tried, problems)
    place = await coarse_place(session, brought.place.strip())
    if place is None:
        problems.append(FieldProblem("place", "Välj ett län eller en större kommun i listan."))
    question = checked_text("question", brought.question, minimum=MIN_QUESTION, maximum=MAX_POST, problems=problems)
    if problems or place is None:
        raise InvalidInputError(problems)
    consultation = NetworkConsultation(
        space_id=space_id,
        tenant_id=access.space.tenant_id,
        age_band=brought.age_band,
        affiliation=brought.affiliation,
        phase=brought.phase,
        needs=needs,
        interventions_tried=tried,
        county_code=place[0],
        municipality_code=place[1],
        question=question,
        author_tenant_id=actor.tenant_id,
        created_by=actor.user_id,
    )
    session.add(consultation)
    await session.flush()
    await tell_followers(
        session, actor, access.space.tenant_id, space_id, what=Followed.CONSULTATION, object_id=consultation.id
    )
    return consultation.id


async def consultations_of(session: AsyncSession, actor: Actor, space_id: UUID) -> list[ConsultationLine]:
    """The space's consultations, newest first."""
    await contributor(session, actor, space_id)
    replies = (
        select(NetworkConsultationReply.consultation_id, func.count().label("replies"))
        .group_by(NetworkConsultationReply.consultation_id)
        .subquery()
    )
    rows = list(
        await session.execute(
            select(NetworkConsultation, func.coalesce(replies.c.replies, 0))
            .outerjoin(replies, replies.c.consultation_id == NetworkConsultation.id)
            .where(NetworkConsultation.space_id == space_id)
            .order_by(NetworkConsultation.created_at.desc())
        )
    )
    names = await tenant_names(session, {row.author_tenant_id for row, _ in rows})
    places = await _place_names(session, {row.municipality_code or row.county_code for row, _ in rows})
    return [
        ConsultationLine(
            row.id,
            AgeBand(row.age_band),
            ConsultationPhase(row.phase),
            places.get(row.municipality_code or row.county_code, ""),
            names.get(row.author_tenant_id, ""),
            row.created_at,
            count,
            row.closed_at is not None,
        )
        for row, count in rows
    ]


async def _consultation(
    session: AsyncSession, actor: Actor, consultation_id: UUID
) -> tuple[NetworkConsultation, bool, str]:
    consultation = await session.scalar(select(NetworkConsultation).where(NetworkConsultation.id == consultation_id))
    if consultation is None:
        raise NotFoundError
    access = await contributor(session, actor, consultation.space_id)
    return consultation, access.owner, access.space.name


async def consultation_view(session: AsyncSession, actor: Actor, consultation_id: UUID) -> ConsultationView:
    """A consultation, its codes, question and replies."""
    consultation, owner, space_name = await _consultation(session, actor, consultation_id)
    replies = list(
        await session.scalars(
            select(NetworkConsultationReply)
            .where(NetworkConsultationReply.consultation_id == consultation_id)
            .order_by(NetworkConsultationReply.created_at, NetworkConsultationReply.id)
        )
    )
    names = await tenant_names(session, {consultation.author_tenant_id, *(reply.author_tenant_id for reply in replies)})
    place = consultation.municipality_code or consultation.county_code
    return ConsultationView(
        consultation.id,
        consultation.space_id,
        space_name,
        AgeBand(consultation.age_band),
        None if consultation.affiliation is None else TargetGroup(consultation.affiliation),
        ConsultationPhase(consultation.phase),
        tuple(Intervention(code) for code in consultation.needs),
        tuple(Intervention(code) for code in consultation.interventions_tried),
        (await _place_names(session, {place})).get(place, ""),
        Post(consultation.question, names.get(consultation.author_tenant_id, ""), consultation.created_at),
        tuple(Post(reply.body, names.get(reply.author_tenant_id, ""), reply.created_at) for reply in replies),
        consultation.closed_at,
        owner,
    )


async def reply_to_consultation(session: AsyncSession, actor: Actor, consultation_id: UUID, body: str) -> UUID:
    """Advise on an open consultation; the space's followers are told."""
    consultation, _owner, _name = await _consultation(session, actor, consultation_id)
    problems: list[FieldProblem] = []
    if consultation.closed_at is not None:
        problems.append(FieldProblem("body", CLOSED))
    body = checked_text("body", body, minimum=2, maximum=MAX_POST, problems=problems)
    if problems:
        raise InvalidInputError(problems)
    reply = NetworkConsultationReply(
        consultation_id=consultation.id,
        space_id=consultation.space_id,
        tenant_id=consultation.tenant_id,
        body=body,
        author_tenant_id=actor.tenant_id,
        created_by=actor.user_id,
    )
    session.add(reply)
    await session.flush()
    await tell_followers(
        session,
        actor,
        consultation.tenant_id,
        consultation.space_id,
        what=Followed.CONSULTATION_REPLY,
        object_id=consultation.id,
    )
    return reply.id


async def close_consultation(session: AsyncSession, actor: Actor, consultation_id: UUID) -> None:
    """The coordinators close a consultation: it is kept, and takes no more replies."""
    consultation, owner, _name = await _consultation(session, actor, consultation_id)
    if not owner:
        raise NotFoundError
    if consultation.closed_at is None:
        consultation.closed_at = func.now()
        consultation.closed_by = actor.user_id
        await session.flush()


async def may_bring_case(session: AsyncSession, actor: Actor, case_id: UUID) -> None:
    """Nothing when the actor is on the case's team (who may start a consultation from it), else `NotFoundError`.

    Reads nothing of the case.
    """
    await on_the_case_team(session, CaseActor(actor.tenant_id, actor.user_id), case_id)


def age_band_of(age: int | None) -> AgeBand | None:
    """The band an age in whole years falls in."""
    if age is None or age < 0:
        return None
    for limit, band in _AGE_BANDS:
        if age <= limit:
            return band
    return AgeBand.OVER_40


async def prefill(
    session: AsyncSession, actor: Actor, case_id: UUID | None, *, secret_key: str, today: date
) -> Prefill:
    """A new consultation's starting point: the bringer's own municipality (or county), and a case's codes.

    The case's codes and the person's age band come through the cases part (its owner's team only, else
    `NotFoundError`; the age is on `today`); the case's id goes no further than this call.
    """
    municipality = (await tenant_municipalities(session, [actor.tenant_id])).get(actor.tenant_id)
    place = None
    if municipality is not None:
        coarse = await coarse_place(session, municipality)
        place = None if coarse is None else coarse[1] or coarse[0]
    if place is None:
        place = (await tenant_counties(session, [actor.tenant_id])).get(actor.tenant_id)
    if case_id is None:
        return Prefill(None, None, None, (), (), place)
    basis = await consultation_basis(session, secret_key, CaseActor(actor.tenant_id, actor.user_id), case_id, today)
    return Prefill(
        age_band_of(basis.age),
        None if basis.affiliation is None else TargetGroup(basis.affiliation),
        _PHASE_OF_CASE[Phase(basis.phase)],
        tuple(Intervention(code) for code in basis.needs),
        tuple(Intervention(code) for code in basis.interventions_tried),
        place,
    )
