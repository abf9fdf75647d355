"""Who acts in a network, and the one lookup of a space every use case starts from.

A space that does not exist and one the actor may not see answer alike (`NotFoundError`); row-level
security (migration 0022) has already left out every row the actor's organisation and person do not reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from avhopp.platform.problems import NotFoundError
from avhopp.tenants.networks.models import NetworkMember, NetworkSpace

if TYPE_CHECKING:
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class Actor:
    """A person acting for a tenant."""

    tenant_id: UUID
    user_id: UUID


@dataclass(frozen=True, slots=True)
class SpaceAccess:
    """A space as the actor reaches it."""

    space: NetworkSpace
    owner: bool
    """The actor's organisation runs the space (its coordinators)."""
    membership: NetworkMember | None
    """The actor's organisation's running membership, if it is a member."""


async def space_for(session: AsyncSession, actor: Actor, space_id: UUID) -> SpaceAccess:
    """The space, if the actor's organisation runs it or is a member of it; else `NotFoundError`."""
    space = await session.scalar(select(NetworkSpace).where(NetworkSpace.id == space_id))
    if space is None:
        raise NotFoundError
    membership = await session.scalar(
        select(NetworkMember).where(
            NetworkMember.space_id == space_id,
            NetworkMember.member_tenant_id == actor.tenant_id,
            NetworkMember.left_at.is_(None),
        )
    )
    owner = space.tenant_id == actor.tenant_id
    if not owner and membership is None:
        raise NotFoundError
    return SpaceAccess(space, owner, membership)


async def owned_space(session: AsyncSession, actor: Actor, space_id: UUID) -> NetworkSpace:
    """The space, if the actor's organisation runs it; else `NotFoundError`."""
    access = await space_for(session, actor, space_id)
    if not access.owner:
        raise NotFoundError
    return access.space
