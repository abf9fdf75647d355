"""What the networks' pages and API share: who acts and where routes open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from avhopp.platform.problems import NotFoundError
from avhopp.platform.scope.route_permissions import SIGNED_IN
from avhopp.tenants.networks.permissions import COORDINATOR_KINDS, MEMBER_KINDS, NETWORK_ADMINISTER
from avhopp.tenants.networks.service import Actor

if TYPE_CHECKING:
    from avhopp.platform.scope.request import TenantScope


def needs(permission: str, kinds: tuple[str, ...] = MEMBER_KINDS) -> dict[str, Any]:
    """A route's `opt`: its permission, in the kinds of tenant where networks have members."""
    return {"permission": permission, "tenant_kinds": kinds}


COORDINATING = needs(NETWORK_ADMINISTER, COORDINATOR_KINDS)
"""The coordinator's routes: county boards only."""
MEETING_GOERS = {"permission": SIGNED_IN}
"""A meeting's routes: representatives and guests alike, a guest holding no network role. Row-level
security shows each person only the meetings they reach (migration 0022)."""


def actor_of(acting: TenantScope) -> Actor:
    """The person acting; a machine client is answered "not found" (it represents no organisation)."""
    if acting.person_id is None:
        raise NotFoundError
    return Actor(acting.tenant_id, acting.person_id)
