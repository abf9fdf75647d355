"""The roles a person can hold in a tenant, by name for code that grants them.

Roles are granted per tenant; each module defines its own in its `permissions.py` (names, what
they may do, where they may be granted) in the platform's registry, which a test keeps equal to
this list. What each may do is enforced by the authorization layer.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from avhopp.platform.authz import REGISTRY

if TYPE_CHECKING:
    from collections.abc import Iterable


class Role(enum.StrEnum):
    """A role in one tenant."""

    PLATFORM_ADMIN = "platform_admin"
    NATIONAL_ADMIN = "national_admin"
    TENANT_ADMIN = "tenant_admin"
    CASE_OFFICER = "case_officer"
    CASE_UNIT_HEAD = "case_unit_head"
    SECURITY_OFFICER = "security_officer"
    PLACEMENT_COORDINATOR = "placement_coordinator"
    DIRECTORY_EDITOR = "directory_editor"
    DIRECTORY_REVIEWER = "directory_reviewer"
    LINE_OPERATOR = "line_operator"
    LINE_SUPERVISOR = "line_supervisor"
    NETWORK_COORDINATOR = "network_coordinator"
    NETWORK_MEMBER = "network_member"
    AUDITOR = "auditor"
    NATIONAL_ANALYST = "national_analyst"
    PLACEMENT_NATIONAL = "placement_national"


def role_names(roles: Iterable[str]) -> list[str]:
    """The Swedish names of the roles, by role name; a role nobody defines keeps its name."""
    definitions = [(role, REGISTRY.definition(role)) for role in sorted(set(roles))]
    return [definition.swedish if definition else role for role, definition in definitions]
