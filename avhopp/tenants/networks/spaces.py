"""Spaces, their member organisations and the representatives each organisation names.

A county board's coordinator opens its county's space (one per county) or a space across counties
or for the whole country, and invites organisations; each organisation names its representatives
from its own staff. Leaving, or being removed, ends every representative's access at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.tenants.networks.access import Actor, owned_space, space_for
from avhopp.tenants.networks.audit import NetworkAction, record_network_event
from avhopp.tenants.networks.models import NetworkMember, NetworkRepresentative, NetworkSpace
from avhopp.tenants.networks.texts import contact_function, one_line
from avhopp.tenants.networks.vocabulary import NetworkRole, SpaceScope
from avhopp.tenants.registry.service import (
    Role,
    display_names,
    members_with_roles,
    tenant_counties,
    tenant_ids_by_slug,
    tenant_kinds,
    tenant_names,
)

if TYPE_CHECKING:
    from collections.abc import Collection
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

MAX_REPRESENTATIVES = 10
NETWORK_ROLES = (Role.NETWORK_MEMBER.value, Role.NETWORK_COORDINATOR.value)
"""Who may represent an organisation: its people who hold a network role there."""


@dataclass(frozen=True, slots=True)
class SpaceLine:
    """A space in a list."""

    space_id: UUID
    name: str
    scope: SpaceScope
    owner: bool
    """Your organisation runs it."""
    member_id: UUID | None
    """Your organisation's membership, if it is a member."""
    representative: bool
    """You are one of your organisation's named representatives."""


@dataclass(frozen=True, slots=True)
class MemberLine:
    """A member organisation as the member list shows it: never a private contact detail."""

    member_id: UUID
    tenant_id: UUID
    organisation: str
    network_role: NetworkRole
    contact_function: str
    representatives: tuple[str, ...]
    """Names, for the coordinator and the organisation itself; empty for the other members."""


@dataclass(frozen=True, slots=True)
class SpaceView:
    """A space and its members, as the actor may see them."""

    line: SpaceLine
    owner_name: str
    county_code: str | None
    members: tuple[MemberLine, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """Someone of the actor's organisation who may represent it."""

    user_id: UUID
    name: str


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation on the platform that can be invited."""

    tenant_id: UUID
    name: str


async def organisations(session: AsyncSession) -> list[Organisation]:
    """Every active organisation on the platform, by name: whom a coordinator may invite."""
    ids = await tenant_ids_by_slug(session)
    active = await tenant_kinds(session, ids.values())
    names = await tenant_names(session, active.keys())
    return sorted((Organisation(tenant_id, name) for tenant_id, name in names.items()), key=lambda o: o.name)


async def open_space(session: AsyncSession, actor: Actor, scope: SpaceScope, name: str) -> UUID:
    """Open a space run by the actor's county board: its own county's (once), or one across counties or national."""
    problems: list[FieldProblem] = []
    name = one_line("name", name, minimum=2, maximum=200, problems=problems)
    if problems:
        raise InvalidInputError(problems)
    county = None
    if scope == SpaceScope.COUNTY:
        county = (await tenant_counties(session, [actor.tenant_id])).get(actor.tenant_id)
        if county is None:
            raise InvalidInputError.one(
                "scope", "Er organisation hör inte till något län. Välj ett annat slag av nätverk."
            )
        taken = await session.scalar(
            select(NetworkSpace.id).where(NetworkSpace.scope == SpaceScope.COUNTY, NetworkSpace.county_code == county)
        )
        if taken is not None:
            raise InvalidInputError.one("scope", "Länet har redan sitt nätverk. Öppna det i stället.")
    space = NetworkSpace(
        tenant_id=actor.tenant_id, scope=scope, county_code=county, name=name, created_by=actor.user_id
    )
    session.add(space)
    await session.flush()
    await record_network_event(session, NetworkAction.SPACE_OPENED, "network_space", space.id, actor)
    return space.id


async def _represented(session: AsyncSession, actor: Actor) -> set[UUID]:
    """The memberships the actor is a named representative of."""
    return set(
        await session.scalars(
            select(NetworkRepresentative.member_id).where(
                NetworkRepresentative.member_tenant_id == actor.tenant_id,
                NetworkRepresentative.user_id == actor.user_id,
                NetworkRepresentative.ended_at.is_(None),
            )
        )
    )


async def spaces_of(session: AsyncSession, actor: Actor) -> list[SpaceLine]:
    """Every space the actor's organisation runs or is a member of, by name."""
    spaces = list(await session.scalars(select(NetworkSpace).order_by(NetworkSpace.name)))
    memberships = {
        member.space_id: member.id
        for member in await session.scalars(
            select(NetworkMember).where(
                NetworkMember.member_tenant_id == actor.tenant_id, NetworkMember.left_at.is_(None)
            )
        )
    }
    represented = await _represented(session, actor)
    return [
        SpaceLine(
            space.id,
            space.name,
            SpaceScope(space.scope),
            space.tenant_id == actor.tenant_id,
            memberships.get(space.id),
            memberships.get(space.id) in represented,
        )
        for space in spaces
        if space.tenant_id == actor.tenant_id or space.id in memberships
    ]


async def space_view(session: AsyncSession, actor: Actor, space_id: UUID) -> SpaceView:
    """The space and its running members; an invited organisation's other people see only that it is invited."""
    access = await space_for(session, actor, space_id)
    represented = await _represented(session, actor)
    mine = access.membership
    line = SpaceLine(
        access.space.id,
        access.space.name,
        SpaceScope(access.space.scope),
        access.owner,
        None if mine is None else mine.id,
        mine is not None and mine.id in represented,
    )
    members = list(
        await session.scalars(
            select(NetworkMember)
            .where(NetworkMember.space_id == space_id, NetworkMember.left_at.is_(None))
            .order_by(NetworkMember.invited_at)
        )
    )
    if not access.owner and not line.representative:
        members = [member for member in members if member.member_tenant_id == actor.tenant_id]
    representatives = list(
        await session.scalars(
            select(NetworkRepresentative).where(
                NetworkRepresentative.space_id == space_id, NetworkRepresentative.ended_at.is_(None)
            )
        )
    )
    names = await tenant_names(session, {access.space.tenant_id, *(member.member_tenant_id for member in members)})
    people = await display_names(session, {rep.user_id for rep in representatives})
    lines = []
    for member in members:
        shown = access.owner or member.member_tenant_id == actor.tenant_id
        named = sorted(people.get(rep.user_id, "") for rep in representatives if rep.member_id == member.id)
        lines.append(
            MemberLine(
                member.id,
                member.member_tenant_id,
                names.get(member.member_tenant_id, ""),
                NetworkRole(member.network_role),
                member.contact_function,
                tuple(named) if shown else (),
            )
        )
    return SpaceView(line, names.get(access.space.tenant_id, ""), access.space.county_code, tuple(lines))


@dataclass(frozen=True, slots=True)
class Invitation:
    """An organisation to invite: what it brings to the network and the function to contact there."""

    tenant_id: UUID
    network_role: NetworkRole
    contact_function: str


async def invite_member(session: AsyncSession, actor: Actor, space_id: UUID, invitation: Invitation) -> UUID:
    """Invite an organisation (of any county) to a space the actor's organisation runs."""
    await owned_space(session, actor, space_id)
    problems: list[FieldProblem] = []
    function = contact_function("contact_function", invitation.contact_function, problems)
    tenant_id = invitation.tenant_id
    if tenant_id == actor.tenant_id:
        problems.append(FieldProblem("tenant_id", "Er egen organisation leder nätverket och behöver ingen inbjudan."))
    elif tenant_id not in await tenant_kinds(session, [tenant_id]):
        problems.append(
            FieldProblem("tenant_id", "Organisationen finns inte på plattformen. Välj en organisation i listan.")
        )
    if problems:
        raise InvalidInputError(problems)
    member = NetworkMember(
        space_id=space_id,
        tenant_id=actor.tenant_id,
        member_tenant_id=tenant_id,
        network_role=invitation.network_role,
        contact_function=function,
        invited_by=actor.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(member)
            await session.flush()
    except IntegrityError:
        raise InvalidInputError.one("tenant_id", "Organisationen är redan medlem i nätverket.") from None
    await record_network_event(session, NetworkAction.MEMBER_INVITED, "network_member", member.id, actor)
    return member.id


async def _member(session: AsyncSession, member_id: UUID) -> NetworkMember:
    member = await session.scalar(
        select(NetworkMember).where(NetworkMember.id == member_id, NetworkMember.left_at.is_(None))
    )
    if member is None:
        raise NotFoundError
    return member


async def end_membership(session: AsyncSession, actor: Actor, member_id: UUID) -> None:
    """The organisation leaves (its own people) or is removed (the coordinator): every representative's access ends."""
    member = await _member(session, member_id)
    if actor.tenant_id not in {member.tenant_id, member.member_tenant_id}:
        raise NotFoundError
    # The transaction's time (`now()`): row-level security lets the organisation see the rows it ends
    # inside this transaction only (migration 0022).
    await session.execute(
        update(NetworkRepresentative)
        .where(NetworkRepresentative.member_id == member_id, NetworkRepresentative.ended_at.is_(None))
        .values(ended_at=func.now())
    )
    await session.execute(
        update(NetworkMember).where(NetworkMember.id == member_id).values(left_at=func.now(), ended_by=actor.user_id)
    )
    await record_network_event(session, NetworkAction.MEMBER_ENDED, "network_member", member_id, actor)


async def representative_candidates(session: AsyncSession, actor: Actor) -> list[Candidate]:
    """The actor's organisation's people who hold a network role, by name."""
    people = await members_with_roles(session, actor.tenant_id, NETWORK_ROLES)
    names = await display_names(session, people)
    return sorted((Candidate(user_id, names.get(user_id, "")) for user_id in people), key=lambda c: c.name)


async def name_representatives(
    session: AsyncSession, actor: Actor, member_id: UUID, user_ids: Collection[UUID]
) -> None:
    """The organisation names who represents it (replacing the earlier list): its own people with a network role."""
    member = await _member(session, member_id)
    if member.member_tenant_id != actor.tenant_id:
        raise NotFoundError
    wanted = set(user_ids)
    if not wanted:
        raise InvalidInputError.one("user_ids", "Välj minst en representant.")
    if len(wanted) > MAX_REPRESENTATIVES:
        raise InvalidInputError.one("user_ids", f"Välj högst {MAX_REPRESENTATIVES} representanter.")
    allowed = set(await members_with_roles(session, actor.tenant_id, NETWORK_ROLES))
    if wanted - allowed:
        raise InvalidInputError.one(
            "user_ids",
            "Välj representanter bland er egen organisations personer med en roll i länsnätverket.",
        )
    current = {
        rep.user_id: rep
        for rep in await session.scalars(
            select(NetworkRepresentative).where(
                NetworkRepresentative.member_id == member_id, NetworkRepresentative.ended_at.is_(None)
            )
        )
    }
    for user_id, rep in current.items():
        if user_id not in wanted:
            rep.ended_at = func.now()
    for user_id in sorted(wanted - current.keys()):
        session.add(
            NetworkRepresentative(
                member_id=member_id,
                space_id=member.space_id,
                tenant_id=member.tenant_id,
                member_tenant_id=member.member_tenant_id,
                user_id=user_id,
                named_by=actor.user_id,
            )
        )
    await session.flush()
    await record_network_event(session, NetworkAction.REPRESENTATIVES_NAMED, "network_member", member_id, actor)
