"""Placements: who lives where from when, the exact address sealed, and move-out.

The home organisation's case team and the receiving organisation's designated staff see a
placement; only they open its address, and every opening is audited. Move-out ends the placement
and frees the unit (the engine's feed reads both at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.housing.placement.audit import PlacementAction, record_placement_event
from avhopp.housing.placement.common import DESIGNATED_ROLES, PLACEMENT_ADDRESS, opened_address
from avhopp.housing.placement.models import Locality, Placement
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.tenants.cases import service as cases
from avhopp.tenants.registry.service import members_with_roles

if TYPE_CHECKING:
    from datetime import date
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.housing.placement.common import Actor


@dataclass(frozen=True, slots=True)
class PlacementView:
    """A placement without its address: where (locality), from when, until when."""

    id: UUID
    request_id: UUID | None
    """The home side's request; None for the receiving side, which never sees the request."""
    municipality_code: str
    municipality_name: str
    locality_name: str
    move_in_on: date
    moved_out_on: date | None
    identity_shared: bool
    receiving: bool
    """The actor's organisation is the receiving one."""


async def _visible(session: AsyncSession, actor: Actor, placement_id: UUID) -> Placement:
    """The placement, for the home case team or the receiving designated staff; NotFoundError otherwise."""
    placement = await session.get(Placement, placement_id)
    if placement is None:
        raise NotFoundError
    if placement.receiving_tenant_id == actor.tenant_id:
        if actor.user_id not in await members_with_roles(session, actor.tenant_id, DESIGNATED_ROLES):
            raise NotFoundError
        return placement
    if placement.tenant_id != actor.tenant_id:
        raise NotFoundError
    access = await cases.case_for_actor(session, cases.Actor(actor.tenant_id, actor.user_id), placement.case_id)
    if not access.owner or access.role is None:
        raise NotFoundError
    return placement


async def _view(session: AsyncSession, actor: Actor, placement: Placement) -> PlacementView:
    locality = await session.get(Locality, placement.locality_code)
    names = {m.code: m.name for m in shipped_geography().municipalities}
    receiving = placement.receiving_tenant_id == actor.tenant_id
    return PlacementView(
        id=placement.id,
        request_id=None if receiving else placement.request_id,
        municipality_code=placement.municipality_code,
        municipality_name=names.get(placement.municipality_code, placement.municipality_code),
        locality_name="" if locality is None else locality.name,
        move_in_on=placement.move_in_on,
        moved_out_on=placement.moved_out_on,
        identity_shared=placement.identity_shared,
        receiving=receiving,
    )


async def placement_view(session: AsyncSession, actor: Actor, placement_id: UUID) -> PlacementView:
    """One placement, without its address."""
    return await _view(session, actor, await _visible(session, actor, placement_id))


async def received_placements(session: AsyncSession, actor: Actor) -> list[PlacementView]:
    """The placements the actor's organisation receives, for its designated staff; newest first."""
    if actor.user_id not in await members_with_roles(session, actor.tenant_id, DESIGNATED_ROLES):
        return []
    rows = await session.scalars(
        select(Placement)
        .where(Placement.receiving_tenant_id == actor.tenant_id)
        .order_by(Placement.move_in_on.desc(), Placement.id)
        .limit(500)
    )
    return [await _view(session, actor, placement) for placement in rows]


async def placement_address(session: AsyncSession, secret_key: str, actor: Actor, placement_id: UUID) -> str:
    """The exact address, for the case team and the receiving designated staff; every read audited."""
    placement = await _visible(session, actor, placement_id)
    await record_placement_event(
        session,
        PlacementAction.PLACEMENT_ADDRESS_READ,
        "housing_placement",
        placement.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
    return opened_address(secret_key, PLACEMENT_ADDRESS, placement.id, placement.address_sealed)


async def move_out(session: AsyncSession, actor: Actor, placement_id: UUID, moved_out_on: date) -> None:
    """End the placement on the day the person moved out; the unit is free again."""
    placement = await _visible(session, actor, placement_id)
    if placement.moved_out_on is not None:
        raise InvalidInputError.one("moved_out_on", "Utflyttningen är redan registrerad.")
    today = swedish_date()
    if moved_out_on < placement.move_in_on:
        raise InvalidInputError.one("moved_out_on", "Utflyttningsdagen kan inte ligga före inflyttningsdagen.")
    if moved_out_on > today:
        raise InvalidInputError.one("moved_out_on", "Registrera utflyttningen när den har skett, inte i förväg.")
    placement.moved_out_on, placement.ended_by = moved_out_on, actor.user_id
    await record_placement_event(
        session,
        PlacementAction.MOVED_OUT,
        "housing_placement",
        placement.id,
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
    )
