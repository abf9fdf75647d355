"""What every controller of the cases API shares: who acts, where the routes open, field names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.tenants.cases.permissions import CASE_KINDS
from avhopp.tenants.cases.service import Actor

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from avhopp.platform.scope.request import TenantScope

_T = TypeVar("_T")

KINDS = tuple(sorted(CASE_KINDS))
"""Cases exist in these kinds of tenant only; in any other, every route of the API answers 404."""


def needs(permission: str) -> dict[str, Any]:
    """A route's `opt`: the permission it needs, in the kinds of tenant where cases exist."""
    return {"permission": permission, "tenant_kinds": KINDS}


def actor_of(acting: TenantScope) -> Actor:
    """The person acting, or the machine client through its system account (on a team as a person is).

    A client without an account (none since migration 0020) is on no team: not found.
    """
    if acting.user_id is None:
        raise NotFoundError
    return Actor(acting.tenant_id, acting.user_id, acting.principal.client_id)


async def in_body(call: Awaitable[_T], path_of: Callable[[str], str]) -> _T:
    """Await a use case; each field it refuses is named by its path in the body (`path_of`)."""
    try:
        return await call
    except InvalidInputError as error:
        raise InvalidInputError(
            FieldProblem(path_of(problem.field), problem.message) for problem in error.problems
        ) from None
